/**
 * Meaning shared by validation and compilation: limits, defaults, the language's functions, and the
 * network a landscape describes.
 */
import type * as A from './ast';
import { ACTIVATIONS, type Activation, type HessianTarget, type NetworkSpec } from '../engine/types';

/** Largest `points`: a dense C of K·N × m·d_y float64 must stay buildable. */
export const MAX_POINTS = 1_000_000;
/** Largest layer width or input/output dimension. */
export const MAX_WIDTH = 10_000;
/** Most hidden layers a network may have. */
export const MAX_HIDDEN_LAYERS = 100;
/** Largest plot resolution per axis. */
export const MAX_PLOT_STEPS = 1001;
/** Dense storage the solve may need before validation calls the spec too large (C, Jacobian, SVD factors). */
export const MAX_SOLVE_BYTES = 4 * 1024 ** 3;

export const DEFAULTS = {
  seed: 0,
  bias: true,
  outputActivation: 'linear' as Activation,
  inputs: { kind: 'normal', mean: 0, std: 1 },
  interpolate: { from: -0.5, to: 1.5, steps: 101 },
  plane: { from: -0.5, to: 1.5, steps: 41 },
  directions: { from: -1, to: 1, steps: 41 },
  exportFormats: ['npz'] as ('npz' | 'csv')[],
} as const;

export const EXPORT_FORMATS = ['npz', 'csv'] as const;

export type FunctionContext = 'inputs' | 'labels' | 'weights';

export interface FunctionSignature {
  contexts: FunctionContext[];
  /** What the arguments are, for messages: `normal(mean, std)`. */
  usage: string;
  /** Required numeric arguments (names), or 'permute'/'teacher' with their own checks. */
  numbers?: string[];
}

/** Every function of the language. Unknown names are reported with a suggestion from this list. */
export const FUNCTIONS: Record<string, FunctionSignature> = {
  normal: { contexts: ['inputs', 'weights'], usage: 'normal(mean, std)', numbers: ['mean', 'std'] },
  uniform: { contexts: ['inputs', 'weights'], usage: 'uniform(lo, hi)', numbers: ['lo', 'hi'] },
  grid: { contexts: ['inputs'], usage: 'grid(lo, hi)', numbers: ['lo', 'hi'] },
  teacher: { contexts: ['labels'], usage: 'teacher(NAME)' },
  noise: { contexts: ['labels'], usage: 'noise(std)', numbers: ['std'] },
  zeros: { contexts: ['labels'], usage: 'zeros', numbers: [] },
  glorot: { contexts: ['weights'], usage: 'glorot', numbers: [] },
  he: { contexts: ['weights'], usage: 'he', numbers: [] },
  permute: { contexts: ['weights'], usage: 'permute(NAME [, layer L] [, [p0, p1, ...]])' },
};

export function functionsFor(context: FunctionContext): string[] {
  return Object.entries(FUNCTIONS)
    .filter(([, f]) => f.contexts.includes(context))
    .map(([name]) => name);
}

export function isActivation(name: string | undefined): name is Activation {
  return name !== undefined && (ACTIVATIONS as readonly string[]).includes(name);
}

/** Whole, finite and within [min, max]. */
export function isWholeIn(n: A.NumberNode | undefined, min: number, max: number): n is A.NumberNode {
  return n !== undefined && Number.isInteger(n.value) && n.value >= min && n.value <= max;
}

/**
 * The NetworkSpec a landscape describes, or undefined while any part is missing or invalid (validation
 * says which). Hidden layers default to nothing; the output activation to linear; bias to on.
 */
export function networkSpecOf(l: A.LandscapeNode): NetworkSpec | undefined {
  const net = l.network;
  if (!net || net.layers.length > MAX_HIDDEN_LAYERS || !isWholeIn(net.input?.width, 1, MAX_WIDTH) || !isWholeIn(net.output?.width, 1, MAX_WIDTH)) return undefined;
  const sizes = [net.input.width.value];
  const activations: Activation[] = [];
  for (const layer of net.layers) {
    if (!isWholeIn(layer.width, 1, MAX_WIDTH) || !isActivation(layer.activation)) return undefined;
    sizes.push(layer.width.value);
    activations.push(layer.activation);
  }
  const outputActivation = net.output.activation ?? DEFAULTS.outputActivation;
  if (!isActivation(outputActivation)) return undefined;
  sizes.push(net.output.width.value);
  activations.push(outputActivation);
  return { sizes, activations, bias: net.bias?.value ?? DEFAULTS.bias };
}

/** Weight names planted as critical points, in declaration order, each once. */
export function plantedNames(l: A.LandscapeNode): string[] {
  const names: string[] = [];
  for (const c of l.criticals) if (c.name !== undefined && !names.includes(c.name)) names.push(c.name);
  return names;
}

/** Edit distance counting a swap of neighbours as one edit (tahn -> tanh), for did-you-mean suggestions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate within a small edit distance (case-insensitive), if any. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // Short names (A, B, W0) are too close to everything: only suggest a different spelling of the same word.
  const allowed = word.length < 3 ? 0 : Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/** The shape of a nested array literal, or undefined when ragged or mixing numbers and arrays. */
export function arrayShape(a: A.ArrayNode): number[] | undefined {
  if (a.items.length === 0) return [0];
  if (a.items.every((i) => i.kind === 'Number')) return [a.items.length];
  if (!a.items.every((i) => i.kind === 'Array')) return undefined;
  const inner = (a.items as A.ArrayNode[]).map(arrayShape);
  const first = inner[0];
  if (!first || inner.some((s) => !s || s.join(',') !== first.join(','))) return undefined;
  return [a.items.length, ...first];
}

/** Numbers of a nested array in row-major order. */
export function flattenArray(a: A.ArrayNode, out: number[] = []): number[] {
  for (const i of a.items) {
    if (i.kind === 'Number') out.push(i.value);
    else flattenArray(i, out);
  }
  return out;
}


/** The engine's HessianTarget for a critical block; undefined while incomplete. No body or no hessian: any. */
export function hessianTargetOf(c: A.CriticalNode): HessianTarget | undefined {
  const h = c.hessian;
  const extras = {
    ...(c.margin && Number.isFinite(c.margin.value) ? { margin: c.margin.value } : {}),
    ...(c.sharpness && Number.isFinite(c.sharpness.value) ? { sharpness: c.sharpness.value } : {}),
  };
  if (!h) return { kind: 'any' };
  switch (h.target) {
    case 'any':
      return { kind: 'any' };
    case 'minimum':
    case 'maximum':
      return { kind: h.target, ...extras };
    case 'saddle':
      return isWholeIn(h.index, 0, Number.MAX_SAFE_INTEGER) ? { kind: 'saddle', index: h.index.value, ...extras } : undefined;
    default:
      return undefined;
  }
}
