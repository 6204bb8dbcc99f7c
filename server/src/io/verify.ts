/**
 * Re-checks an export folder from its files alone: reads manifest.json, dataset.npz and every
 * weights/NAME.npz, recomputes each planted point's certificate with the engine (fresh forward
 * pass, gradient, Hessian spectrum) and compares it with what the manifest claims.
 *
 * Tolerances (recomputation may use another linear-algebra backend, so rounding differs):
 * - gradientNorm: |a − b| ≤ 1e-6·max(|a|, |b|) + 1e-10·scale, scale = (2/m)·||J||_F·||r|| (so two
 *   rounding-level gradients always agree); relativeGradientNorm: |a − b| ≤ 1e-6·max + 1e-10.
 * - loss: relative 1e-9; min/max eigenvalue: 1e-6 relative plus the zero tolerance.
 * - signature counts, critical and achieved: exactly equal. zeroTolerance: relative 1e-6.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certifyPoint, CRITICAL_RELATIVE_GRADIENT } from '../engine/certificate';
import { formatSignature } from '../engine/format';
import { getLinAlg } from '../engine/linalg';
import type { LinAlg } from '../engine/linalg/types';
import { ACTIVATIONS, type Activation, type HessianTarget, type PlantProblem, type PointCertificate, type RunOptions } from '../engine/types';
import { arraysToTheta, EXPORT_FORMAT, ExportError, sha256Hex, type Manifest, type ManifestPlanted } from './export';
import type { NumericArray } from './npy';
import { readNpz } from './npz';

export const VERIFY_TOLERANCES = {
  relative: 1e-6,
  loss: 1e-9,
  criticalRelativeGradient: CRITICAL_RELATIVE_GRADIENT,
} as const;

export interface VerifyMismatch {
  /** The planted point, or undefined for folder-level problems. */
  point?: string;
  field: string;
  manifest: unknown;
  recomputed: unknown;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  manifest?: Manifest;
  /** Recomputed certificates, in manifest order. */
  certificates: PointCertificate[];
  mismatches: VerifyMismatch[];
}

/** Reads one file of the export by '/'-separated relative path; throws when it is missing. */
export type ExportFileReader = (relativePath: string) => Uint8Array;

export function folderReader(dir: string): ExportFileReader {
  return (relative) => {
    if (relative.split('/').some((part) => part === '..' || part === '')) throw new ExportError(`refusing to read '${relative}' outside the export`);
    return readFileSync(join(dir, ...relative.split('/')));
  };
}

export function verifyExportFolder(dir: string, opts: RunOptions & { linalg?: LinAlg } = {}): VerifyReport {
  return verifyExport(folderReader(dir), opts);
}

export function verifyExport(read: ExportFileReader, opts: RunOptions & { linalg?: LinAlg } = {}): VerifyReport {
  const mismatches: VerifyMismatch[] = [];
  const fail = (field: string, message: string): VerifyReport => ({
    ok: false,
    certificates: [],
    mismatches: [...mismatches, { field, manifest: undefined, recomputed: undefined, message }],
  });
  let manifest: Manifest;
  try {
    manifest = parseManifest(new TextDecoder().decode(read('manifest.json')));
  } catch (e) {
    return fail('manifest.json', errorText(e));
  }
  if (sha256Hex(manifest.spec.text) !== manifest.spec.sha256) {
    mismatches.push({ field: 'spec.sha256', manifest: manifest.spec.sha256, recomputed: sha256Hex(manifest.spec.text), message: 'the spec text does not match its hash' });
  }

  let problem: PlantProblem;
  let Y: Float64Array;
  try {
    ({ problem, Y } = problemFromFiles(manifest, read));
  } catch (e) {
    return { ...fail('files', errorText(e)), manifest };
  }

  const linalg = opts.linalg ?? getLinAlg();
  const certificates: PointCertificate[] = [];
  problem.planted.forEach((point, k) => {
    opts.signal?.throwIfAborted();
    opts.onProgress?.(`verify ${point.name}`, k / problem.planted.length);
    const cert = certifyPoint(problem, point, Y, { linalg, signal: opts.signal });
    certificates.push(cert);
    mismatches.push(...comparePoint(manifest.planted[k], cert));
  });
  opts.onProgress?.('verify', 1);
  return { ok: mismatches.length === 0, manifest, certificates, mismatches };
}

function problemFromFiles(manifest: Manifest, read: ExportFileReader): { problem: PlantProblem; Y: Float64Array } {
  const { network } = manifest;
  const dataset = readNpz(read(manifest.data.file));
  const dx = network.sizes[0];
  const dy = network.sizes[network.sizes.length - 1];
  const X = requireMatrix(dataset, 'X', dx, manifest.data.file);
  const m = X.shape[0];
  const Y = requireMatrix(dataset, 'Y', dy, manifest.data.file);
  const Y0 = requireMatrix(dataset, 'Y_base', dy, manifest.data.file);
  if (Y.shape[0] !== m || Y0.shape[0] !== m) throw new ExportError(`${manifest.data.file}: X, Y and Y_base have different numbers of rows`);
  if (m !== manifest.data.m) throw new ExportError(`${manifest.data.file}: ${m} samples, the manifest says ${manifest.data.m}`);
  const planted = manifest.planted.map((p) => ({
    name: p.name,
    theta: arraysToTheta(network, readNpz(read(p.weights)), p.weights),
    target: p.target,
  }));
  return {
    problem: { network, data: { m, dx, dy, X: X.data, Y0: Y0.data }, planted, objective: manifest.objective },
    Y: Y.data,
  };
}

function requireMatrix(arrays: Map<string, NumericArray>, key: string, cols: number, file: string): NumericArray {
  const a = arrays.get(key);
  if (!a) throw new ExportError(`${file}: missing array '${key}'`);
  if (a.shape.length !== 2 || a.shape[1] !== cols) {
    throw new ExportError(`${file}: '${key}' has shape (${a.shape.join(', ')}), the network needs (m, ${cols})`);
  }
  return a;
}

function comparePoint(claimed: ManifestPlanted, cert: PointCertificate): VerifyMismatch[] {
  const out: VerifyMismatch[] = [];
  const check = (field: string, ok: boolean, manifestValue: unknown, recomputed: unknown, why: string) => {
    if (!ok) out.push({ point: claimed.name, field, manifest: manifestValue, recomputed, message: `${claimed.name}.${field}: ${why}` });
  };
  const rel = VERIFY_TOLERANCES.relative;
  const close = (a: number, b: number, relTol: number, absTol: number) =>
    (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b)) + absTol;
  // (2/m)·||J||_F·||r||: the size a gradient is measured against.
  const scale = cert.relativeGradientNorm > 0 ? cert.gradientNorm / cert.relativeGradientNorm : 0;
  const critical = VERIFY_TOLERANCES.criticalRelativeGradient;
  check('gradientNorm', close(claimed.gradientNorm, cert.gradientNorm, rel, critical * scale), claimed.gradientNorm, cert.gradientNorm,
    `manifest ${claimed.gradientNorm.toExponential(3)}, recomputed ${cert.gradientNorm.toExponential(3)}`);
  check('relativeGradientNorm', close(claimed.relativeGradientNorm, cert.relativeGradientNorm, rel, critical), claimed.relativeGradientNorm,
    cert.relativeGradientNorm, `manifest ${claimed.relativeGradientNorm.toExponential(3)}, recomputed ${cert.relativeGradientNorm.toExponential(3)}`);
  check('loss', close(claimed.loss, cert.loss, VERIFY_TOLERANCES.loss, 0), claimed.loss, cert.loss, `manifest ${claimed.loss}, recomputed ${cert.loss}`);
  const s = claimed.signature;
  const r = cert.signature;
  check('signature', s.positive === r.positive && s.negative === r.negative && s.zero === r.zero, s, r,
    `manifest ${formatSignature(s)}, recomputed ${formatSignature(r)}`);
  check('zeroTolerance', close(claimed.zeroTolerance, cert.zeroTolerance, rel, 0), claimed.zeroTolerance, cert.zeroTolerance,
    `manifest ${claimed.zeroTolerance}, recomputed ${cert.zeroTolerance}`);
  for (const field of ['minEigenvalue', 'maxEigenvalue'] as const) {
    check(field, close(claimed[field], cert[field], rel, cert.zeroTolerance), claimed[field], cert[field], `manifest ${claimed[field]}, recomputed ${cert[field]}`);
  }
  check('critical', claimed.critical === cert.critical, claimed.critical, cert.critical, `manifest ${claimed.critical}, recomputed ${cert.critical}`);
  check('achieved', claimed.achieved === cert.achieved, claimed.achieved, cert.achieved,
    `manifest ${claimed.achieved}, recomputed ${cert.achieved}${cert.reason ? ` (${cert.reason})` : ''}`);
  return out;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** manifestToJson writes non-finite numbers as strings; read them back as numbers. */
function num(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity' || v === '-Infinity' || v === 'NaN') return Number(v);
  throw new ExportError(`manifest.json: ${what} should be a number`);
}

function int(v: unknown, what: string): number {
  const n = num(v, what);
  if (!Number.isInteger(n) || n < 0) throw new ExportError(`manifest.json: ${what} should be a non-negative integer`);
  return n;
}

function parseTarget(v: unknown, what: string): HessianTarget {
  if (!isRecord(v) || typeof v.kind !== 'string') throw new ExportError(`manifest.json: ${what} should be a Hessian target`);
  const extras = {
    ...(v.margin !== undefined ? { margin: num(v.margin, `${what}.margin`) } : {}),
    ...(v.sharpness !== undefined ? { sharpness: num(v.sharpness, `${what}.sharpness`) } : {}),
  };
  switch (v.kind) {
    case 'any': return { kind: 'any' };
    case 'minimum':
    case 'maximum': return { kind: v.kind, ...extras };
    case 'saddle': return { kind: 'saddle', index: int(v.index, `${what}.index`), ...extras };
    default: throw new ExportError(`manifest.json: ${what}.kind '${v.kind}' is not a Hessian target`);
  }
}

/** Parses and checks manifest.json; throws ExportError naming the first bad field. */
export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ExportError(`manifest.json is not valid JSON: ${errorText(e)}`);
  }
  if (!isRecord(raw) || raw.format !== EXPORT_FORMAT) throw new ExportError(`manifest.json is not a Crit export manifest (format should be '${EXPORT_FORMAT}')`);
  const { spec, network, data, planted } = raw;
  if (!isRecord(spec) || typeof spec.text !== 'string' || typeof spec.sha256 !== 'string') throw new ExportError('manifest.json: spec {text, sha256} missing');
  if (!isRecord(network) || !Array.isArray(network.sizes) || !Array.isArray(network.activations) || typeof network.bias !== 'boolean') {
    throw new ExportError('manifest.json: network {sizes, activations, bias} missing');
  }
  const sizes = network.sizes.map((s, i) => int(s, `network.sizes[${i}]`));
  if (sizes.length < 2 || sizes.some((s) => s < 1)) throw new ExportError('manifest.json: network.sizes needs at least two positive sizes');
  const activations = network.activations.map((a, i) => {
    if (!(ACTIVATIONS as readonly unknown[]).includes(a)) throw new ExportError(`manifest.json: network.activations[${i}] '${String(a)}' is not an activation`);
    return a as Activation;
  });
  if (activations.length !== sizes.length - 1) throw new ExportError('manifest.json: network needs one activation per weight matrix');
  if (!isRecord(data) || typeof data.file !== 'string') throw new ExportError('manifest.json: data.file missing');
  if (!Array.isArray(planted)) throw new ExportError('manifest.json: planted should be a list');
  const points = planted.map((p, i): ManifestPlanted => {
    const what = `planted[${i}]`;
    if (!isRecord(p) || typeof p.name !== 'string' || typeof p.weights !== 'string' || !isRecord(p.signature)) {
      throw new ExportError(`manifest.json: ${what} needs name, weights and signature`);
    }
    return {
      name: p.name,
      weights: p.weights,
      target: parseTarget(p.target, `${what}.target`),
      gradientNorm: num(p.gradientNorm, `${what}.gradientNorm`),
      relativeGradientNorm: num(p.relativeGradientNorm, `${what}.relativeGradientNorm`),
      loss: num(p.loss, `${what}.loss`),
      signature: {
        positive: int(p.signature.positive, `${what}.signature.positive`),
        negative: int(p.signature.negative, `${what}.signature.negative`),
        zero: int(p.signature.zero, `${what}.signature.zero`),
      },
      zeroTolerance: num(p.zeroTolerance, `${what}.zeroTolerance`),
      symmetryZeros: int(p.symmetryZeros ?? 0, `${what}.symmetryZeros`),
      minEigenvalue: num(p.minEigenvalue, `${what}.minEigenvalue`),
      maxEigenvalue: num(p.maxEigenvalue, `${what}.maxEigenvalue`),
      margin: num(p.margin, `${what}.margin`),
      spectrumMethod: p.spectrumMethod === 'lanczos' ? 'lanczos' : 'dense',
      critical: p.critical === true,
      achieved: p.achieved === true,
      ...(typeof p.reason === 'string' ? { reason: p.reason } : {}),
    };
  });
  const manifest = raw as unknown as Manifest;
  return {
    ...manifest,
    network: { sizes, activations, bias: network.bias },
    data: { ...(data as unknown as Manifest['data']), m: int(data.m, 'data.m') },
    objective: isRecord(raw.objective) ? (raw.objective as Manifest['objective']) : { kind: 'closest' },
    planted: points,
  };
}
