/**
 * Planting: labels y that make every planted θ_k an exact critical point of the MSE loss.
 *
 * ∇L(θ_k) = −(2/m) J_kᵀ (y − ŷ_k) = 0 for all k is the linear system C y = d with
 * C = [J_1ᵀ; …; J_Kᵀ] (KN × M) and d = [J_1ᵀ ŷ_1; …; J_Kᵀ ŷ_K]. Fixed label entries are moved to
 * the right-hand side, and among the solutions the one closest to the base labels is taken:
 * y_F = y0_F + C_F⁺ (d − C y0), with one thin SVD of C_F that also serves the solvability analysis.
 */
import { checkMemoryBudget, EngineError } from './errors';
import { evaluate, jacobian } from './derivatives';
import type { LinAlg, Mat, ThinSvd } from './linalg/types';
import { checkTheta, parameterCount, validateNetwork } from './network';
import type { PlantProblem, RunOptions } from './types';

/** The gradient constraints restricted to the free label entries. */
export interface GradientSystem {
  /** C_F: KN × (number of free label entries). Row k·N + a is parameter a of planted point k. */
  C: Mat;
  /** Right-hand side d − C_X y0_X (the fixed entries' contribution moved over), KN entries. */
  rhs: Float64Array;
  /** Indices (into the m·d_y label entries) of the free entries, ascending. */
  free: Int32Array;
  /** Labels the solution stays closest to (y0, or ŷ at the named point for 'min-loss-at'), fixed entries = Y0. */
  base: Float64Array;
  /** ŷ at every planted point (m × d_y each). */
  predictions: Float64Array[];
  /** N */
  parameterCount: number;
}

/**
 * Singular values at or below tolerance = σ_max · max(rows, cols) · ε count as zero: the same rule
 * decides the numerical rank in the analysis and the pseudo-inverse in the solve.
 */
export interface Factorization {
  svd: ThinSvd;
  rank: number;
  tolerance: number;
}

const EPSILON = Number.EPSILON;

/**
 * Dense float64 storage the solve needs, in floats: C (KN·M), one Jacobian at a time (M·N), the
 * SVD factors of C (U: KN·k, Vᵀ: k·M, k = min(KN, M)) and the backend's working copy of C.
 */
export function solveMemoryFloats(problem: PlantProblem): number {
  const n = parameterCount(problem.network);
  const rows = problem.planted.length * n;
  const cols = problem.data.m * problem.data.dy;
  const k = Math.min(rows, cols);
  return 2 * rows * cols + cols * n + rows * k + k * cols;
}

/** Throws 'invalid-input' when the problem's pieces do not fit together. */
export function validateProblem(problem: PlantProblem): void {
  const { network, data, planted, objective } = problem;
  validateNetwork(network);
  if (data.dx !== network.sizes[0]) throw new EngineError('invalid-input', `inputs have ${data.dx} features, the network takes ${network.sizes[0]}`);
  const dy = network.sizes[network.sizes.length - 1];
  if (data.dy !== dy) throw new EngineError('invalid-input', `labels have ${data.dy} outputs, the network gives ${dy}`);
  if (data.X.length !== data.m * data.dx) throw new EngineError('invalid-input', `X has ${data.X.length} entries, expected ${data.m} × ${data.dx}`);
  if (data.Y0.length !== data.m * data.dy) throw new EngineError('invalid-input', `Y0 has ${data.Y0.length} entries, expected ${data.m} × ${data.dy}`);
  if (data.fixed && data.fixed.length !== data.m * data.dy) {
    throw new EngineError('invalid-input', `the fixed-label mask has ${data.fixed.length} entries, expected ${data.m * data.dy}`);
  }
  if (planted.length === 0) throw new EngineError('invalid-input', 'nothing to plant: no planted points');
  const names = new Set<string>();
  for (const point of planted) {
    if (names.has(point.name)) throw new EngineError('invalid-input', `planted point '${point.name}' is named twice`);
    names.add(point.name);
    checkTheta(network, point.theta, `planted point '${point.name}'`);
  }
  if (objective.kind === 'min-loss-at' && !names.has(objective.point)) {
    throw new EngineError('invalid-input', `the objective names '${objective.point}', which is not a planted point`);
  }
}

/** Builds C_F, the right-hand side and the base labels (after checking the memory budget). */
export function buildGradientSystem(problem: PlantProblem, opts: RunOptions = {}): GradientSystem {
  validateProblem(problem);
  checkMemoryBudget(
    `Planting ${problem.planted.length} point(s) (C is ${problem.planted.length * parameterCount(problem.network)} × ${problem.data.m * problem.data.dy}, plus its SVD)`,
    solveMemoryFloats(problem),
    problem.memoryBudgetBytes,
  );
  const { network, data, planted, objective } = problem;
  const n = parameterCount(network);
  const total = data.m * data.dy;
  const freeList: number[] = [];
  for (let j = 0; j < total; j++) if (!data.fixed || data.fixed[j] === 0) freeList.push(j);
  const free = Int32Array.from(freeList);
  const rows = planted.length * n;
  const cols = free.length;
  const C = new Float64Array(rows * cols);
  const rhs = new Float64Array(rows);
  const predictions: Float64Array[] = [];
  planted.forEach((point, k) => {
    opts.signal?.throwIfAborted();
    opts.onProgress?.(`Jacobian ${point.name}`, k / planted.length);
    const ev = evaluate(network, point.theta, data.X, data.m);
    const yhat = ev.trace.output;
    predictions.push(yhat);
    const J = jacobian(ev).data;
    // Row k·N + a of C is column a of J_k: C[kN + a, f] = J_k[free[f], a].
    for (let f = 0; f < cols; f++) {
      const source = free[f] * n;
      for (let a = 0; a < n; a++) C[(k * n + a) * cols + f] = J[source + a];
    }
    // rhs = J_kᵀ ŷ_k − Σ_{fixed j} J_k[j, ·] y0_j
    for (let j = 0; j < total; j++) {
      const isFixed = data.fixed !== undefined && data.fixed[j] !== 0;
      const weight = isFixed ? yhat[j] - data.Y0[j] : yhat[j];
      if (weight === 0) continue;
      for (let a = 0; a < n; a++) rhs[k * n + a] += J[j * n + a] * weight;
    }
  });
  opts.onProgress?.('Jacobian', 1);
  const base = Float64Array.from(data.Y0);
  if (objective.kind === 'min-loss-at') {
    // The loss at θ_a is ||y − ŷ_a||²/m, so the smallest loss there is the projection closest to ŷ_a.
    const target = predictions[planted.findIndex((p) => p.name === objective.point)];
    for (const j of free) base[j] = target[j];
  }
  return { C: { rows, cols, data: C }, rhs, free, base, predictions, parameterCount: n };
}

/** One thin SVD of C_F, and the rank at tolerance σ_max · max(shape) · ε. */
export function factorize(linalg: LinAlg, system: GradientSystem, opts: RunOptions = {}): Factorization {
  opts.signal?.throwIfAborted();
  opts.onProgress?.('SVD of C', 0);
  if (system.C.cols === 0) {
    return { svd: { U: { rows: system.C.rows, cols: 0, data: new Float64Array(0) }, s: new Float64Array(0), Vt: { rows: 0, cols: 0, data: new Float64Array(0) } }, rank: 0, tolerance: 0 };
  }
  const svd = linalg.svd(system.C);
  const sMax = svd.s.length > 0 ? svd.s[0] : 0;
  const tolerance = sMax * Math.max(system.C.rows, system.C.cols) * EPSILON;
  let rank = 0;
  while (rank < svd.s.length && svd.s[rank] > tolerance) rank++;
  opts.onProgress?.('SVD of C', 1);
  return { svd, rank, tolerance };
}

/** Uᵣᵀ b for the first `rank` left singular vectors. */
function projectOnRange(f: Factorization, b: Float64Array): Float64Array {
  const { U } = f.svd;
  const coefficients = new Float64Array(f.rank);
  for (let r = 0; r < b.length; r++) {
    const br = b[r];
    if (br === 0) continue;
    for (let t = 0; t < f.rank; t++) coefficients[t] += U.data[r * U.cols + t] * br;
  }
  return coefficients;
}

/**
 * ||(I − C C⁺) b|| / ||b|| (0 for b = 0): how far b is from the range of C. The residual vector
 * b − Uᵣ(Uᵣᵀ b) is formed explicitly: ||b||² − ||Uᵣᵀb||² would cancel down to a √ε ≈ 1e-8 floor.
 */
export function rangeResidual(f: Factorization, b: Float64Array): number {
  const coefficients = projectOnRange(f, b);
  const { U } = f.svd;
  let bNorm2 = 0;
  let residual2 = 0;
  for (let r = 0; r < b.length; r++) {
    let inRange = 0;
    for (let t = 0; t < f.rank; t++) inRange += U.data[r * U.cols + t] * coefficients[t];
    bNorm2 += b[r] * b[r];
    residual2 += (b[r] - inRange) ** 2;
  }
  return bNorm2 === 0 ? 0 : Math.sqrt(residual2 / bNorm2);
}

/**
 * y with y_F = base_F + C_F⁺ (rhs − C_F base_F) and the fixed entries at Y0: the labels closest to
 * the base that satisfy the gradient constraints (in the least-squares sense when inconsistent).
 */
export function solveLabels(system: GradientSystem, f: Factorization): Float64Array {
  const { C, rhs, free, base } = system;
  const cols = C.cols;
  const defect = Float64Array.from(rhs);
  for (let r = 0; r < C.rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += C.data[r * cols + c] * base[free[c]];
    defect[r] -= sum;
  }
  const coefficients = projectOnRange(f, defect);
  for (let t = 0; t < f.rank; t++) coefficients[t] /= f.svd.s[t];
  const Y = Float64Array.from(base);
  const { Vt } = f.svd;
  for (let t = 0; t < f.rank; t++) {
    const w = coefficients[t];
    for (let c = 0; c < cols; c++) Y[free[c]] += Vt.data[t * cols + c] * w;
  }
  return Y;
}

/** Build, factorise and solve in one call: labels for the problem, plus the pieces the analysis reuses. */
export function plantLabels(
  problem: PlantProblem, linalg: LinAlg, opts: RunOptions = {},
): { Y: Float64Array; system: GradientSystem; factorization: Factorization } {
  const system = buildGradientSystem(problem, opts);
  const factorization = factorize(linalg, system, opts);
  opts.signal?.throwIfAborted();
  return { Y: solveLabels(system, factorization), system, factorization };
}
