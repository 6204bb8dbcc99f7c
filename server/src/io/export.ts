/**
 * The export folder of one solved landscape, readable by NumPy and PyTorch without Crit:
 *
 *   dataset.npz      X (m, d_x), Y (m, d_y), Y_base (m, d_y), float64
 *   dataset.csv      header x1..x{d_x}, y1..y{d_y} (the solved labels)
 *   weights/NAME.npz W0, b0, W1, b1, ... with W_l shaped (out, in); no b keys without biases
 *   manifest.json    spec text and hash, seed, engine, network, planted certificates, solvability
 *
 * `buildExportFiles` is pure (data in, bytes out); `writeExportFolder` puts the files on disk
 * atomically (a temporary folder beside the target, then one rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { layerLayout } from '../engine/network';
import type { CertificateSummary, NetworkSpec, PlantProblem, SolvabilityReport, SolveResult, Theta } from '../engine/types';
import { writeCsv } from './csv';
import type { NumericArray } from './npy';
import { writeNpz } from './npz';

export const EXPORT_FORMAT = 'crit-export';
export const EXPORT_FORMAT_VERSION = 1;
export type DatasetFormat = 'npz' | 'csv';

/** What the export needs from a compiled landscape (structurally a subset of the language's CompiledLandscape). */
export interface ExportSource {
  name: string;
  problem: PlantProblem;
  seed: number;
  /** The .crit text the landscape was compiled from. */
  sourceText: string;
}

export interface ManifestPlanted extends CertificateSummary {
  /** Relative path of the weights file, '/'-separated. */
  weights: string;
}

export interface Manifest {
  format: typeof EXPORT_FORMAT;
  formatVersion: number;
  landscape: string;
  spec: { text: string; sha256: string };
  seed: number;
  engine: { version: string; backend: SolveResult['backend'] };
  network: NetworkSpec;
  data: { file: string; csv?: string; m: number; dx: number; dy: number; fixedLabels: number };
  objective: PlantProblem['objective'];
  planted: ManifestPlanted[];
  solvability: Omit<SolvabilityReport, 'hessianFreedom'>;
}

export class ExportError extends Error {
  override readonly name = 'ExportError';
}

/** Weight names become file names: keep them to identifiers so no name can leave the folder. */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** θ split into W0, b0, W1, ... with W_l shaped (out, in), as nn.Linear stores them. */
export function thetaToArrays(net: NetworkSpec, theta: Theta): [string, NumericArray][] {
  const arrays: [string, NumericArray][] = [];
  for (const block of layerLayout(net)) {
    const size = block.rows * block.cols;
    arrays.push([`W${block.layer}`, { shape: [block.rows, block.cols], data: theta.slice(block.weightOffset, block.weightOffset + size) }]);
    if (block.biasOffset >= 0) {
      arrays.push([`b${block.layer}`, { shape: [block.rows], data: theta.slice(block.biasOffset, block.biasOffset + block.rows) }]);
    }
  }
  return arrays;
}

/** The inverse of thetaToArrays; throws ExportError when a key is missing or has the wrong shape. */
export function arraysToTheta(net: NetworkSpec, arrays: Map<string, NumericArray>, what: string): Theta {
  const blocks = layerLayout(net);
  const last = blocks[blocks.length - 1];
  const theta = new Float64Array(last.biasOffset >= 0 ? last.biasOffset + last.rows : last.weightOffset + last.rows * last.cols);
  for (const block of blocks) {
    const put = (key: string, shape: number[], offset: number) => {
      const a = arrays.get(key);
      if (!a) throw new ExportError(`${what}: missing array '${key}'`);
      if (a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
        throw new ExportError(`${what}: '${key}' has shape (${a.shape.join(', ')}), the network needs (${shape.join(', ')})`);
      }
      theta.set(a.data, offset);
    };
    put(`W${block.layer}`, [block.rows, block.cols], block.weightOffset);
    if (block.biasOffset >= 0) put(`b${block.layer}`, [block.rows], block.biasOffset);
  }
  return theta;
}

/** Non-finite numbers (an infinite condition number) are written as the strings "Infinity", "-Infinity", "NaN". */
export function manifestToJson(manifest: Manifest): string {
  return JSON.stringify(manifest, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2) + '\n';
}

export function buildManifest(source: ExportSource, result: SolveResult, datasetFormats: readonly DatasetFormat[]): Manifest {
  const { problem } = source;
  const { report } = result;
  const fixedLabels = problem.data.fixed ? problem.data.fixed.reduce((n, f) => n + (f ? 1 : 0), 0) : 0;
  const planted = result.certificates.map((c): ManifestPlanted => {
    const entry: ManifestPlanted = {
      name: c.name,
      weights: `weights/${c.name}.npz`,
      target: c.target,
      gradientNorm: c.gradientNorm,
      relativeGradientNorm: c.relativeGradientNorm,
      loss: c.loss,
      signature: c.signature,
      zeroTolerance: c.zeroTolerance,
      symmetryZeros: c.symmetryZeros,
      minEigenvalue: c.minEigenvalue,
      maxEigenvalue: c.maxEigenvalue,
      margin: c.margin,
      spectrumMethod: c.spectrumMethod,
      critical: c.critical,
      achieved: c.achieved,
    };
    if (c.reason !== undefined) entry.reason = c.reason;
    return entry;
  });
  return {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    landscape: source.name,
    spec: { text: source.sourceText, sha256: sha256Hex(source.sourceText) },
    seed: source.seed,
    engine: { version: result.engineVersion, backend: result.backend },
    network: { sizes: [...problem.network.sizes], activations: [...problem.network.activations], bias: problem.network.bias },
    data: {
      file: 'dataset.npz',
      ...(datasetFormats.includes('csv') ? { csv: 'dataset.csv' } : {}),
      m: problem.data.m,
      dx: problem.data.dx,
      dy: problem.data.dy,
      fixedLabels,
    },
    objective: problem.objective,
    planted,
    solvability: {
      labelCount: report.labelCount,
      equationCount: report.equationCount,
      parameterCount: report.parameterCount,
      rank: report.rank,
      rankTolerance: report.rankTolerance,
      consistencyResidual: report.consistencyResidual,
      consistent: report.consistent,
      conditionNumber: report.conditionNumber,
      ...(report.relativeLabelChange !== undefined ? { relativeLabelChange: report.relativeLabelChange } : {}),
      causes: report.causes,
      warnings: report.warnings,
    },
  };
}

/**
 * Every file of the export folder, keyed by '/'-separated relative path. dataset.npz is always
 * written (verify reads it); dataset.csv when 'csv' is among the formats.
 */
export function buildExportFiles(
  source: ExportSource,
  result: SolveResult,
  datasetFormats: readonly DatasetFormat[] = ['npz', 'csv'],
): Map<string, Uint8Array> {
  const { network, data, planted } = source.problem;
  const { m, dx, dy } = data;
  if (result.Y.length !== m * dy) throw new ExportError(`the solved labels have ${result.Y.length} entries, the dataset needs ${m * dy}`);
  const files = new Map<string, Uint8Array>();
  files.set(
    'dataset.npz',
    writeNpz([
      ['X', { shape: [m, dx], data: data.X }],
      ['Y', { shape: [m, dy], data: result.Y }],
      ['Y_base', { shape: [m, dy], data: data.Y0 }],
    ]),
  );
  if (datasetFormats.includes('csv')) {
    const header = [...Array.from({ length: dx }, (_, i) => `x${i + 1}`), ...Array.from({ length: dy }, (_, i) => `y${i + 1}`)];
    const table = new Float64Array(m * (dx + dy));
    for (let i = 0; i < m; i++) {
      table.set(data.X.subarray(i * dx, (i + 1) * dx), i * (dx + dy));
      table.set(result.Y.subarray(i * dy, (i + 1) * dy), i * (dx + dy) + dx);
    }
    files.set('dataset.csv', new TextEncoder().encode(writeCsv(header, { shape: [m, dx + dy], data: table })));
  }
  for (const point of planted) {
    if (!SAFE_NAME.test(point.name)) throw new ExportError(`weight name '${point.name}' cannot be used as a file name`);
    files.set(`weights/${point.name}.npz`, writeNpz(thetaToArrays(network, point.theta)));
  }
  files.set('manifest.json', new TextEncoder().encode(manifestToJson(buildManifest(source, result, datasetFormats))));
  return files;
}

/** True when `dir` holds a Crit export (a manifest.json with the crit-export format tag). */
export function isExportFolder(dir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { format?: unknown };
    return manifest.format === EXPORT_FORMAT;
  } catch {
    return false;
  }
}

/**
 * Writes the files into `dir` atomically: everything goes to a temporary folder beside `dir`, which
 * is then renamed into place, so an interrupted export leaves no half-written folder under `dir`.
 * An existing `dir` is an error unless `force`; even with force only an empty folder or a previous
 * Crit export is replaced, never an unrelated folder.
 */
export function writeExportFolder(dir: string, files: Map<string, Uint8Array>, opts: { force?: boolean } = {}): void {
  const target = resolve(dir);
  const parent = dirname(target);
  const checkTarget = () => {
    if (!existsSync(target)) return;
    if (!opts.force) throw new ExportError(`${dir} already exists; use --force to replace it or choose another folder`);
    if (!statSync(target).isDirectory()) throw new ExportError(`${dir} exists and is not a folder; not replacing it`);
    if (!isExportFolder(target) && !isEmptyFolder(target)) {
      throw new ExportError(`${dir} exists and is not a Crit export (no Crit manifest.json); not replacing it even with --force`);
    }
  };
  checkTarget();
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(parent, `.${basename(target)}.tmp-${tag}`);
  try {
    mkdirSync(temp);
    for (const [relative, bytes] of files) {
      const path = join(temp, ...relative.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    checkTarget();
    if (existsSync(target)) {
      // Move the old export aside first so that a failure between the renames loses nothing.
      const old = join(parent, `.${basename(target)}.old-${tag}`);
      renameSync(target, old);
      try {
        renameSync(temp, target);
      } catch (e) {
        renameSync(old, target);
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, target);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function isEmptyFolder(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** Builds and writes the export folder of one solved landscape; returns the manifest written. */
export function exportLandscape(
  dir: string,
  source: ExportSource,
  result: SolveResult,
  opts: { force?: boolean; datasetFormats?: readonly DatasetFormat[] } = {},
): Manifest {
  const formats = opts.datasetFormats ?? ['npz', 'csv'];
  writeExportFolder(dir, buildExportFiles(source, result, formats), opts);
  return buildManifest(source, result, formats);
}
