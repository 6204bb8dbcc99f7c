/**
 * Extreme eigenvalues of a symmetric operator given only as a matrix-vector product (for a loss
 * Hessian: a Hessian-vector product), by Lanczos with full reorthogonalisation.
 *
 * Full reorthogonalisation (classical Gram-Schmidt, twice) keeps the Krylov basis orthonormal to
 * rounding, so no spurious copies of converged Ritz values appear; it costs O(n·j) per step and
 * n·j doubles of storage, fine for the few hundred steps extreme eigenvalues need. On breakdown (an
 * invariant subspace found) the iteration continues from a fresh random vector orthogonal to the
 * basis, so the spectrum of an operator with n ≤ maxIterations is found completely.
 *
 * Limitation: a Krylov space holds one copy of each eigenvalue per restart, so multiplicities can be
 * underestimated; count signatures on a dense spectrum whenever N allows it.
 */
import type { LinAlg } from './linalg/types';
import { createRng } from './random';
import type { RunOptions } from './types';

/** out = A v for the symmetric operator A (out is zeroed by the caller's convention: overwrite it). */
export type MatVec = (v: Float64Array, out: Float64Array) => void;

export interface LanczosOptions extends RunOptions {
  /** How many eigenvalues at each wanted end. */
  k: number;
  which: 'smallest' | 'largest' | 'both';
  /** Seed of the random start vector (and of restart vectors). Default 0. */
  seed?: number;
  /** Explicit start vector (overrides the seed for the first vector). */
  start?: Float64Array;
  /** Default min(n, max(4k + 40, 100)). */
  maxIterations?: number;
  /** A Ritz pair is converged when ||A x − θ x|| ≤ tolerance · max|θ|. Default 1e-10. */
  tolerance?: number;
}

export interface LanczosResult {
  /** The k smallest Ritz values, ascending (empty unless which is 'smallest' or 'both'). */
  smallest: Float64Array;
  /** The k largest Ritz values, ascending (empty unless which is 'largest' or 'both'). */
  largest: Float64Array;
  /** Residual norms ||A x − θ x|| of the returned values, same order (smallest first, then largest). */
  residuals: Float64Array;
  iterations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** w ← w − Σ_i (q_i·w) q_i, twice ("twice is enough", Kahan–Parlett). */
function orthogonalize(w: Float64Array, basis: Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) {
      const c = dot(q, w);
      for (let i = 0; i < w.length; i++) w[i] -= c * q[i];
    }
  }
}

/** Tridiagonal T (diagonal alpha, off-diagonal beta) as a dense row-major matrix. */
function tridiagonal(alpha: number[], beta: number[]): { rows: number; cols: number; data: Float64Array } {
  const j = alpha.length;
  const data = new Float64Array(j * j);
  for (let i = 0; i < j; i++) {
    data[i * j + i] = alpha[i];
    if (i + 1 < j) {
      data[i * j + i + 1] = beta[i];
      data[(i + 1) * j + i] = beta[i];
    }
  }
  return { rows: j, cols: j, data };
}

/** Extreme eigenvalues of the n × n symmetric operator `matvec`. */
export function lanczosExtremes(linalg: LinAlg, n: number, matvec: MatVec, options: LanczosOptions): LanczosResult {
  const k = Math.min(options.k, n);
  const wantSmall = options.which !== 'largest';
  const wantLarge = options.which !== 'smallest';
  const maxIterations = Math.min(n, options.maxIterations ?? Math.max(4 * k + 40, 100));
  const tolerance = options.tolerance ?? 1e-10;
  const rng = createRng(options.seed ?? 0).fork('lanczos');

  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = options.start ? Float64Array.from(options.start) : rng.fillNormal(new Float64Array(n));
  let norm = Math.sqrt(dot(q, q));
  if (norm === 0) q = rng.fillNormal(new Float64Array(n));
  norm = Math.sqrt(dot(q, q));
  for (let i = 0; i < n; i++) q[i] /= norm;

  const w = new Float64Array(n);
  let operatorScale = 0;
  let result: LanczosResult | undefined;
  for (let j = 0; j < maxIterations; j++) {
    options.signal?.throwIfAborted();
    basis.push(q);
    matvec(q, w);
    const a = dot(q, w);
    alpha.push(a);
    operatorScale = Math.max(operatorScale, Math.abs(a));
    orthogonalize(w, basis);
    let b = Math.sqrt(dot(w, w));
    operatorScale = Math.max(operatorScale, b);
    const last = j + 1 === maxIterations;
    const check = last || (j + 1 >= Math.min(n, 2 * k) && (j + 1) % 5 === 0);
    if (check) {
      result = ritz(linalg, alpha, beta, b, k, wantSmall, wantLarge);
      const scale = Math.max(operatorScale, ...Array.from(result.smallest, Math.abs), ...Array.from(result.largest, Math.abs));
      result.iterations = j + 1;
      result.converged = result.residuals.every((r) => r <= tolerance * scale);
      options.onProgress?.('lanczos', (j + 1) / maxIterations);
      if (result.converged || last) return result;
    }
    if (b <= 1e-13 * operatorScale) {
      // Invariant subspace: restart orthogonally so the rest of the spectrum stays reachable.
      const fresh = rng.fillNormal(new Float64Array(n));
      orthogonalize(fresh, basis);
      const freshNorm = Math.sqrt(dot(fresh, fresh));
      for (let i = 0; i < n; i++) w[i] = fresh[i] / freshNorm;
      b = 0;
    } else {
      for (let i = 0; i < n; i++) w[i] /= b;
    }
    beta.push(b);
    q = Float64Array.from(w);
  }
  // Only reached when maxIterations is 0 (n = 0).
  return result ?? { smallest: new Float64Array(0), largest: new Float64Array(0), residuals: new Float64Array(0), iterations: 0, converged: true };
}

/** Ritz values of T_j with residual bounds |β_j · s_{j,i}| (s_i the eigenvector of T_j). */
function ritz(
  linalg: LinAlg,
  alpha: number[],
  beta: number[],
  lastBeta: number,
  k: number,
  wantSmall: boolean,
  wantLarge: boolean,
): LanczosResult {
  const j = alpha.length;
  const eig = linalg.symEig(tridiagonal(alpha, beta), true);
  const count = Math.min(k, j);
  const residualOf = (index: number): number => Math.abs(lastBeta * eig.vectors.data[(j - 1) * j + index]);
  const smallIdx = wantSmall ? Array.from({ length: count }, (_, i) => i) : [];
  const largeIdx = wantLarge ? Array.from({ length: count }, (_, i) => j - count + i) : [];
  return {
    smallest: Float64Array.from(smallIdx, (i) => eig.values[i]),
    largest: Float64Array.from(largeIdx, (i) => eig.values[i]),
    residuals: Float64Array.from([...smallIdx, ...largeIdx], residualOf),
    iterations: j,
    converged: false,
  };
}
