/**
 * compileLandscape: a landscape's AST -> the engine's PlantProblem, plus plot and export requests as
 * plain data. Every random draw comes from the landscape seed through labelled streams
 * (engine/random.ts `fork`), so the same spec and seed give a bit-identical problem, and adding a
 * statement never shifts the draws of another.
 */
import { isAbsolute, resolve } from 'node:path';
import type * as A from './ast';
import type { CritDiagnostic } from './diagnostics';
import type { SourceRange } from './positions';
import { DEFAULTS, flattenArray, hessianTargetOf, MAX_SOLVE_BYTES, networkSpecOf, plantedNames } from './semantics';
import { validateFile } from './validate';
import { forward, initTheta, layerLayout, parameterCount, permuteHidden } from '../engine/network';
import { neuronNormalizedDirection } from '../engine/landscape';
import { createRng, type Rng } from '../engine/random';
import type { NetworkSpec, PlantedPoint, PlantProblem, Theta } from '../engine/types';
import { readCsvMatrix } from '../io/csv';
import { arraysToTheta } from '../io/export';
import { readNpy, type NumericArray } from '../io/npy';
import { readNpz } from '../io/npz';

/** Reads a file named in a spec. Relative paths resolve against the spec's folder; may throw (untrusted workspaces refuse). */
export interface FileReader {
  readFile(path: string): Uint8Array;
}

export type PlotRequest =
  | { kind: 'interpolate'; from: string; to: string; alphaMin: number; alphaMax: number; steps: number; range: SourceRange }
  | { kind: 'plane'; points: [string, string, string]; min: number; max: number; steps: number; range: SourceRange }
  /**
   * Loss around `center` along random directions, each normalised per neuron (Li et al. 2018): every
   * neuron's incoming weights and bias have the norm of the same neuron's in the center.
   */
  | { kind: 'directions'; center: string; directions: Float64Array[]; min: number; max: number; steps: number; range: SourceRange }
  | { kind: 'spectrum'; point: string; range: SourceRange }
  | { kind: 'dataset'; range: SourceRange };

export interface ExportRequest {
  /** As written (relative to the spec's folder unless absolute). */
  path: string;
  formats: ('npz' | 'csv')[];
  range: SourceRange;
}

export interface CompiledLandscape {
  name: string;
  problem: PlantProblem;
  /** Every declared weight vector (planted or not), for plots and exports. */
  weights: Map<string, Theta>;
  plots: PlotRequest[];
  exports: ExportRequest[];
  seed: number;
  /** The landscape's own text (for the manifest and its hash). */
  sourceText: string;
}

/** A failure tied to a construct; becomes a diagnostic. */
class CompileFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly range: SourceRange,
  ) {
    super(message);
  }
}

/**
 * Compiles one landscape. Returns no problem when validation finds errors in it (they are returned as
 * diagnostics) or when a file cannot be read. Never throws.
 */
export function compileLandscape(
  l: A.LandscapeNode,
  reader: FileReader | undefined,
  opts: { baseDir?: string } = {},
): { problem?: CompiledLandscape; diagnostics: CritDiagnostic[] } {
  const validation = validateFile({ kind: 'File', range: l.range, landscapes: [l], comments: [] });
  if (validation.some((d) => d.severity === 'error')) return { diagnostics: validation };
  try {
    return { problem: new Compiler(l, reader, opts.baseDir).compile(), diagnostics: validation };
  } catch (error) {
    if (error instanceof CompileFailure) {
      return { diagnostics: [...validation, { code: error.code, severity: 'error', message: error.message, range: error.range }] };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { diagnostics: [...validation, { code: 'compile/failed', severity: 'error', message: `could not build the problem: ${message}`, range: l.nameRange ?? l.range }] };
  }
}

class Compiler {
  private readonly rng: Rng;
  private readonly seed: number;
  private readonly net: NetworkSpec;
  private readonly weights = new Map<string, Theta>();

  constructor(
    private readonly l: A.LandscapeNode,
    private readonly reader: FileReader | undefined,
    private readonly baseDir: string | undefined,
  ) {
    this.seed = l.seed?.value?.value ?? DEFAULTS.seed;
    this.rng = createRng(this.seed);
    // Validation passed, so the network is complete.
    this.net = networkSpecOf(l)!;
  }

  compile(): CompiledLandscape {
    const data = this.l.data!;
    const m = data.points!.count!.value;
    const dx = this.net.sizes[0];
    const dy = this.net.sizes[this.net.sizes.length - 1];
    const X = this.inputs(data, m, dx);
    for (const w of this.l.weights) {
      if (w.name !== undefined && w.init && !this.weights.has(w.name)) this.weights.set(w.name, this.weightExpression(w.name, w.init));
    }
    const Y0 = this.labels(data, X, m, dy);
    const fixed = this.fixedMask(data, m, dy);
    const planted: PlantedPoint[] = plantedNames(this.l).map((name) => {
      const c = this.l.criticals.find((k) => k.name === name)!;
      return { name, theta: this.weights.get(name)!, target: hessianTargetOf(c)! };
    });
    const objective = this.l.objective?.mode === 'min-loss-at' ? { kind: 'min-loss-at' as const, point: this.l.objective.point!.name } : { kind: 'closest' as const };
    const problem: PlantProblem = {
      network: this.net,
      data: { m, dx, dy, X, Y0, ...(fixed ? { fixed } : {}) },
      planted,
      objective,
      memoryBudgetBytes: MAX_SOLVE_BYTES,
    };
    return {
      name: this.l.name ?? 'landscape',
      problem,
      weights: this.weights,
      plots: this.l.plots.map((p, i) => this.plot(p, i)).filter((p) => p !== undefined),
      exports: this.l.exports.map((e) => ({
        path: e.path ?? '',
        formats: e.formats.length > 0 ? [...new Set(e.formats.map((f) => f.name as 'npz' | 'csv'))] : [...DEFAULTS.exportFormats],
        range: e.range,
      })),
      seed: this.seed,
      sourceText: this.l.sourceText,
    };
  }

  private read(ref: A.FileRefNode): Uint8Array {
    const path = ref.path ?? '';
    const where = ref.pathRange ?? ref.range;
    if (!this.reader) throw new CompileFailure('files/not-allowed', `reading "${path}" is not allowed here (untrusted workspace, or no file access)`, where);
    const full = this.baseDir && !isAbsolute(path) ? resolve(this.baseDir, path) : path;
    try {
      return this.reader.readFile(full);
    } catch (error) {
      throw new CompileFailure('files/unreadable', `cannot read "${path}": ${error instanceof Error ? error.message : String(error)}`, where);
    }
  }

  /** A numeric matrix from a .csv or .npy file, as (rows, cols); 1-D arrays are one column. */
  private readMatrix(ref: A.FileRefNode, what: string): { rows: number; cols: number; data: Float64Array } {
    const bytes = this.read(ref);
    const path = ref.path ?? '';
    const where = ref.pathRange ?? ref.range;
    let array: NumericArray;
    try {
      if (/\.npy$/i.test(path)) array = readNpy(bytes);
      else if (/\.(csv|txt|tsv)$/i.test(path)) array = readCsvMatrix(bytes);
      else throw new Error(`${what} files must be .csv or .npy`);
    } catch (error) {
      throw new CompileFailure('files/bad-format', `"${path}": ${error instanceof Error ? error.message : String(error)}`, where);
    }
    if (array.shape.length > 2) throw new CompileFailure('files/shape-mismatch', `"${path}" holds a ${array.shape.length}-D array; ${what} must be a matrix`, where);
    const rows = array.shape.length === 0 ? 1 : array.shape[0];
    const cols = array.shape.length === 2 ? array.shape[1] : 1;
    return { rows, cols, data: array.data };
  }

  private expectShape(ref: A.FileRefNode, got: { rows: number; cols: number }, rows: number, cols: number, what: string): void {
    if (got.rows !== rows || got.cols !== cols) {
      throw new CompileFailure(
        'files/shape-mismatch',
        `"${ref.path}" is ${got.rows} × ${got.cols}, but ${what} must be ${rows} × ${cols} (points × ${cols === 1 ? 'one column' : 'columns'})`,
        ref.pathRange ?? ref.range,
      );
    }
  }

  private inputs(data: A.DataNode, m: number, dx: number): Float64Array {
    const source = data.inputs?.source;
    const X = new Float64Array(m * dx);
    const rng = this.rng.fork('inputs');
    if (!source) return rng.fillNormal(X, DEFAULTS.inputs.mean, DEFAULTS.inputs.std);
    if (source.kind === 'FileRef') {
      const matrix = this.readMatrix(source, 'inputs');
      this.expectShape(source, matrix, m, dx, 'the inputs');
      X.set(matrix.data);
      return X;
    }
    const [a, b] = source.args.map((n) => (n as A.NumberNode).value);
    if (source.name === 'normal') return rng.fillNormal(X, a, b);
    if (source.name === 'uniform') return rng.fillUniform(X, a, b);
    // grid(lo, hi): n points per axis, the last input varying fastest (validation checked m = n^dx).
    const n = Math.round(m ** (1 / dx));
    const axis = Array.from({ length: n }, (_, i) => (n === 1 ? (a + b) / 2 : a + ((b - a) * i) / (n - 1)));
    for (let row = 0; row < m; row++) {
      let rest = row;
      for (let j = dx - 1; j >= 0; j--) {
        X[row * dx + j] = axis[rest % n];
        rest = Math.floor(rest / n);
      }
    }
    return X;
  }

  private labels(data: A.DataNode, X: Float64Array, m: number, dy: number): Float64Array {
    const labels = data.labels;
    let Y0: Float64Array = new Float64Array(m * dy);
    const base = labels?.base;
    if (base?.kind === 'FileRef') {
      const matrix = this.readMatrix(base, 'labels');
      this.expectShape(base, matrix, m, dy, 'the labels');
      Y0.set(matrix.data);
    } else if (base?.kind === 'Call' && base.name === 'teacher') {
      Y0 = forward(this.net, this.weights.get((base.args[0] as A.NameRefNode).name)!, X, m);
    }
    const noise = labels?.noise;
    if (noise) {
      const std = (noise.args[0] as A.NumberNode).value;
      const rng = this.rng.fork('noise');
      for (let i = 0; i < Y0.length; i++) Y0[i] += rng.normal(0, std);
    }
    return Y0;
  }

  private fixedMask(data: A.DataNode, m: number, dy: number): Uint8Array | undefined {
    const fixed = data.fixed;
    if (!fixed) return undefined;
    const mask = new Uint8Array(m * dy);
    if (fixed.first) {
      mask.fill(1, 0, Math.min(m, fixed.first.value) * dy);
      return mask;
    }
    if (!fixed.file) return undefined;
    const matrix = this.readMatrix(fixed.file, 'the fixed-label mask');
    // One value per point holds all its outputs; one per label entry holds that entry.
    const perPoint = matrix.rows === m && matrix.cols === 1 && dy > 1;
    if (!perPoint) this.expectShape(fixed.file, matrix, m, dy, 'the mask');
    for (let i = 0; i < matrix.data.length; i++) {
      const v = matrix.data[i];
      if (v !== 0 && v !== 1) throw new CompileFailure('files/bad-format', `"${fixed.file.path}" must hold only 0 (free) and 1 (fixed), found ${v}`, fixed.file.pathRange ?? fixed.file.range);
      if (perPoint) mask.fill(v, i * dy, (i + 1) * dy);
      else mask[i] = v;
    }
    return mask;
  }

  private weightExpression(name: string, e: A.WeightExpressionNode): Theta {
    const n = parameterCount(this.net);
    const rng = this.rng.fork(`weights:${name}`);
    const theta = new Float64Array(n);
    e.terms.forEach((term, i) => {
      // Explicit blocks inside a sum may omit layers: they start from zeros.
      const value = this.weightAtom(term.atom!, rng.fork(`term:${i}`));
      for (let k = 0; k < n; k++) theta[k] += term.coefficient * value[k];
    });
    return theta;
  }

  private weightAtom(atom: A.WeightAtomNode, rng: Rng): Theta {
    switch (atom.kind) {
      case 'NameRef':
        return this.weights.get(atom.name)!;
      case 'Array':
        return initTheta(this.net, { kind: 'values', values: flattenArray(atom) }, rng);
      case 'ExplicitWeights': {
        const theta = new Float64Array(parameterCount(this.net));
        const blocks = layerLayout(this.net);
        for (const entry of atom.entries) {
          const [, kind, layer] = /^([Wb])(\d+)$/.exec(entry.key)!;
          const block = blocks[Number(layer)];
          theta.set(flattenArray(entry.value!), kind === 'W' ? block.weightOffset : block.biasOffset);
        }
        return theta;
      }
      case 'FileRef':
        return this.weightFile(atom);
      case 'Call':
        return this.weightCall(atom, rng);
    }
  }

  private weightCall(c: A.CallNode, rng: Rng): Theta {
    const nums = c.args.map((a) => (a.kind === 'Number' ? a.value : NaN));
    switch (c.name) {
      case 'normal':
        return initTheta(this.net, { kind: 'normal', mean: nums[0], std: nums[1] }, rng);
      case 'uniform':
        return initTheta(this.net, { kind: 'uniform', low: nums[0], high: nums[1] }, rng);
      case 'glorot':
        return initTheta(this.net, { kind: 'glorot-normal' }, rng);
      case 'he':
        return initTheta(this.net, { kind: 'he-normal' }, rng);
      case 'permute': {
        const source = this.weights.get((c.args[0] as A.NameRefNode).name)!;
        const layerArg = c.args.find((a): a is A.LayerArgNode => a.kind === 'LayerArg');
        const hidden = (layerArg?.index?.value ?? 1) - 1;
        const given = c.args.find((a): a is A.ArrayNode => a.kind === 'Array');
        const perm = given ? flattenArray(given) : randomPermutation(this.net.sizes[hidden + 1], rng);
        return permuteHidden(this.net, source, hidden, perm);
      }
      default:
        throw new CompileFailure('names/unknown-function', `\`${c.name}\` cannot give weights`, c.nameRange);
    }
  }

  private weightFile(ref: A.FileRefNode): Theta {
    const bytes = this.read(ref);
    const path = ref.path ?? '';
    const where = ref.pathRange ?? ref.range;
    try {
      if (/\.npz$/i.test(path)) return arraysToTheta(this.net, readNpz(bytes), `"${path}"`);
      if (/\.npy$/i.test(path)) {
        const flat = readNpy(bytes);
        return initTheta(this.net, { kind: 'values', values: flat.data }, this.rng);
      }
    } catch (error) {
      throw new CompileFailure('files/bad-format', `"${path}": ${error instanceof Error ? error.message : String(error)}`, where);
    }
    throw new CompileFailure('files/bad-format', `weights files must be .npz (W0, b0, W1, ... like Crit's export) or a flat .npy θ, got "${path}"`, where);
  }

  private plot(p: A.PlotNode, index: number): PlotRequest | undefined {
    const names = p.points.map((r) => r.name);
    switch (p.plot) {
      case 'interpolate': {
        const d = DEFAULTS.interpolate;
        return { kind: 'interpolate', from: names[0], to: names[1], alphaMin: p.from?.value ?? d.from, alphaMax: p.to?.value ?? d.to, steps: p.steps?.value ?? d.steps, range: p.range };
      }
      case 'plane': {
        const d = DEFAULTS.plane;
        return { kind: 'plane', points: [names[0], names[1], names[2]], min: p.from?.value ?? d.from, max: p.to?.value ?? d.to, steps: p.steps?.value ?? d.steps, range: p.range };
      }
      case 'directions': {
        const d = DEFAULTS.directions;
        const rng = this.rng.fork(`plot:${index}`);
        const center = this.weights.get(names[0])!;
        const count = p.directionCount?.value ?? 2;
        const directions = Array.from({ length: count }, () => neuronNormalizedDirection(this.net, center, rng));
        return { kind: 'directions', center: names[0], directions, min: p.from?.value ?? d.from, max: p.to?.value ?? d.to, steps: p.steps?.value ?? d.steps, range: p.range };
      }
      case 'spectrum':
        return { kind: 'spectrum', point: names[0], range: p.range };
      case 'dataset':
        return { kind: 'dataset', range: p.range };
      default:
        return undefined;
    }
  }
}

/** Fisher–Yates with the given stream. */
function randomPermutation(size: number, rng: Rng): number[] {
  const perm = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform01() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}
