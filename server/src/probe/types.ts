/**
 * Optimizer probes as plain data: what to run (ProbeSpec, compiled from a `probe` block) and what came
 * out (ProbeResult). Results hold only numbers, strings and arrays, so the CLI writes them as JSON/CSV
 * and the language server can send them to the extension unchanged.
 */
import type { NetworkSpec, Theta } from '../engine/types';
import type { OptimizerName } from '../language/probe';

export { OPTIMIZERS, OPTIMIZER_PARAMETERS, type OptimizerName } from '../language/probe';

/** Full batch, or mini-batches of this many points drawn without replacement (reshuffled every epoch). */
export type BatchSize = 'full' | number;

export interface OptimizerSpec {
  name: OptimizerName;
  lr: number;
  /** Every hyperparameter of OPTIMIZER_PARAMETERS[name], defaults filled in. */
  params: Record<string, number>;
  batch: BatchSize;
}

/**
 * How start points are displaced from the centre, along a unit direction drawn at random:
 * - random: from the whole parameter space;
 * - eigen-negative / eigen-positive: from the span of the Hessian eigenvectors with negative / positive eigenvalues;
 * - stable: from the span of the non-negative ones (the tangent space of the saddle's stable manifold).
 */
export type StartDirection = 'random' | 'eigen-negative' | 'eigen-positive' | 'stable';

export interface StartGroupSpec {
  /** Name of the planted (or declared) point the starts are drawn around. */
  around: string;
  radius: number;
  direction: StartDirection;
  count: number;
}

export interface ProbeSpec {
  /** The probe's name (the block's, or `probe` + its index). */
  name: string;
  optimizers: OptimizerSpec[];
  groups: StartGroupSpec[];
  steps: number;
  seed: number;
  /**
   * A run has left its centre when its distance from it exceeds `distance`, or its loss falls below
   * (1 − `loss`) × the centre's loss (relative, so float32 rounding of large losses does not count).
   */
  escape: { distance: number; loss: number };
  /** A run ends in a planted point's basin when it finishes within this distance of it (default: escape distance). */
  basinRadius: number;
  /** A run has converged when its final full-batch gradient norm is at most gradientTolerance · (1 + final loss). */
  gradientTolerance: number;
}

/** What a probe needs from a solved landscape. */
export interface ProbeProblem {
  network: NetworkSpec;
  m: number;
  /** m × d_x row-major. */
  X: Float64Array;
  /** Solved labels, m × d_y row-major. */
  Y: Float64Array;
  /** Every point runs are measured against (planted points first, in declaration order). */
  points: { name: string; theta: Theta }[];
}

/** How trajectories are drawn in two dimensions. */
export interface ProbeProjection {
  /**
   * plane: the plane through the first three points (first at (0, 0), second at (1, 0));
   * line: u along the first → second point (α), v the distance from that line in the same unit;
   * eigen: around the only point, u along its most negative-curvature Hessian eigenvector, v along the most positive.
   */
  kind: 'plane' | 'line' | 'eigen';
  uLabel: string;
  vLabel: string;
  /** Where each point lands. */
  points: { name: string; u: number; v: number }[];
}

export interface ProbeRun {
  optimizer: number;
  group: number;
  start: number;
  /** Steps at which the values below were recorded (0 = the start; the last entry is the final point). */
  steps: number[];
  /** Full-batch loss and gradient norm (float32, from tfjs). */
  loss: number[];
  gradientNorm: number[];
  /** distances[k][i]: ‖θ − points[k]‖ at steps[i]. */
  distances: number[][];
  u: number[];
  v: number[];
  /** First recorded step at which the run had left its centre; null when it never did. */
  escapeStep: number | null;
  /** A point's name, 'other', or 'diverged' (the loss became infinite or NaN). */
  finalBasin: string;
  converged: boolean;
  finalLoss: number;
  finalGradientNorm: number;
  /** Time spent training this run. */
  wallTimeMs: number;
}

export interface ProbeSummaryRow {
  optimizer: number;
  group: number;
  runs: number;
  escaped: number;
  escapeRate: number;
  /** Median escape step over the runs that escaped; null when none did. */
  medianEscapeStep: number | null;
  /** Runs ending in each basin (point names, 'other', 'diverged'). */
  basins: Record<string, number>;
  converged: number;
  /** Training time summed over the row's runs (runs may have trained in parallel). */
  wallTimeMs: number;
}

export interface ProbeResult {
  landscape: string;
  probe: string;
  /** Which TensorFlow.js backend trained: the native tfjs-node binding or the pure JavaScript CPU backend. */
  backend: 'tfjs-node' | 'tfjs-cpu';
  spec: ProbeSpec;
  /** Labels for tables and legends: `adam lr=0.01 batch=full`, `A stable r=0.05`. */
  optimizerLabels: string[];
  groupLabels: string[];
  points: { name: string; loss: number }[];
  /** Float64 loss at each group's centre (the reference of the loss escape rule). */
  centerLoss: number[];
  projection: ProbeProjection;
  runs: ProbeRun[];
  summary: ProbeSummaryRow[];
  /** The whole probe, from start drawing to the summary. */
  wallTimeMs: number;
  /** Worker threads that trained the runs (1: the calling thread). */
  workers: number;
}
