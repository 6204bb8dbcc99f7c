/**
 * Seeded, deterministic random numbers. Same seed -> same stream, bit for bit, on every platform:
 * the generator is sfc32 (32-bit integer arithmetic only, via Math.imul and >>> 0), uniforms take
 * 53 bits from two draws, and normals use the Marsaglia polar method, which needs only Math.log and
 * Math.sqrt (V8 implements Math.log with its fdlibm port and sqrt is correctly rounded by IEEE 754).
 *
 * Streams are derived by label, not by consumption: `fork(label)` depends only on the seed and the
 * chain of labels leading to it, so drawing more numbers from one stream never shifts another.
 */

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform in [0, 1) with 53 random bits. */
  uniform01(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Normal with the given mean and standard deviation. */
  normal(mean?: number, std?: number): number;
  /** Fill `out` with independent normal(mean, std) draws and return it. */
  fillNormal(out: Float64Array, mean?: number, std?: number): Float64Array;
  /** Fill `out` with independent uniform(lo, hi) draws and return it. */
  fillUniform(out: Float64Array, lo: number, hi: number): Float64Array;
  /** An independent stream named by `label`; the same seed and label chain always give the same stream. */
  fork(label: string): Rng;
}

/** FNV-1a over the UTF-16 code units of `text`, continued from `hash`. */
function fnv1a(text: string, hash: number): number {
  let h = hash >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** splitmix32 step: turns structured seeds (0, 1, 2, ...) into well-mixed 32-bit words. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seed key: two 32-bit words (so seeds up to 2^53 stay distinct). */
type SeedKey = readonly [number, number];

function seedKeyFromNumber(seed: number): SeedKey {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const integer = Math.trunc(Math.abs(seed));
  const low = integer % 0x100000000;
  const high = Math.floor(integer / 0x100000000) ^ (seed < 0 ? 0x80000000 : 0);
  return [low >>> 0, high >>> 0];
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  private spareNormal: number | undefined;

  constructor(private readonly key: SeedKey) {
    this.a = splitmix32(key[0]);
    this.b = splitmix32(key[1] ^ 0x6a09e667);
    this.c = splitmix32((key[0] ^ key[1] ^ 0xbb67ae85) >>> 0);
    // Discard the first outputs: sfc32 needs a few rounds to mix a fresh state.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  uniform01(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform01();
  }

  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform01() - 1;
      v = 2 * this.uniform01() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return mean + std * (u * factor);
  }

  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  fillUniform(out: Float64Array, lo: number, hi: number): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  fork(label: string): Rng {
    const h0 = fnv1a(label, this.key[0] ^ 0x811c9dc5);
    const h1 = fnv1a(label, splitmix32(this.key[1] ^ h0));
    return new Sfc32([splitmix32(h0 ^ this.key[1]), h1]);
  }
}

/** A deterministic generator for `seed` (any finite number; its integer part is used). */
export function createRng(seed: number): Rng {
  return new Sfc32(seedKeyFromNumber(seed));
}
