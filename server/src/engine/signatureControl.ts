/**
 * Choosing labels so that planted critical points get the Hessian signatures asked for.
 *
 * One planted point (and no fixed labels): the exact ray method of docs/math.md. Labels
 * y(t) = ŷ + t ρ with ρ ∈ null(Jᵀ) keep θ critical; the pencil (G, S(ρ)) tells exactly which t give
 * k negative eigenvalues (pencil.ts). Inside that interval t is chosen to maximise the margin
 * (smallest non-symmetry |λ|), measured on the dense Hessian, over both signs of t and several
 * directions ρ (the base residual projected onto null(Jᵀ), seeded random directions in null(Jᵀ) and
 * mixtures); labels close to y0 are preferred within `maxRelativeLabelChange`.
 *
 * K ≥ 2 points (or fixed labels, or a single point no ray reached): an open problem. A damped
 * Gauss–Newton search inside the affine set {C y = d, fixed entries held}: every eigenvalue on the
 * wrong side of ±ε is pushed across using dλ_i/dy_j = −(2/m) v_iᵀ ∇²ŷ_j v_i (exact for simple
 * eigenvalues), projected onto null(C), accepting only steps that lower the total violation (a convex
 * objective when every target is a minimum). Infeasibility is decided where it can be proved
 * (structural limits; hidden-unit permutations of one another, which share their spectrum for every
 * label; for minima, a Farkas-type obstruction radius); otherwise what was reached is reported.
 *
 * All of this works on the targets without their margin asks. Once every index holds, the margins are
 * widened together by the same search asking for a factor (2, then smaller after a failed round)
 * times the current margin per round; an asked margin not reached by then is searched for directly,
 * and those labels are kept only if every target holds. So asking for a margin never ends below the
 * margin reached without asking. Zeros that no critical labels can remove (symmetries,
 * data-dependent flat directions: signature.ts excusedZeroCount) are excused from strictness and
 * margins.
 *
 * Every result is re-verified here by a dense eigendecomposition of the full loss Hessian; the
 * certificate verifies again, independently.
 */
import { gradientMeasures } from './certificate';
import {
  gaussNewton,
  jacobian,
  lossHessian,
  secondDirectional,
  secondDirectionals,
  weightedOutputHessian,
  type Evaluation,
} from './derivatives';
import type { LinAlg, Mat } from './linalg/types';
import { layerLayout, parameterCount } from './network';
import { indexInterval, reducePencil } from './pencil';
import { plantLabels } from './plant';
import { createRng } from './random';
import {
  checkTarget,
  DEFAULT_ZERO_TOLERANCE,
  excusedZeroCount,
  structuralCheck,
  symmetryZeroCount,
  wantedIndex,
  type TargetCheck,
  type ZeroTolerance,
} from './signature';
import { dot, norm, projectOut, projectOutRows, rangeBasis } from './subspace';
import type { HessianTarget, NetworkSpec, PlantProblem, RunOptions, Theta } from './types';

export interface SignatureControlContext {
  linalg: LinAlg;
  /** One per planted point, in problem.planted order (derivatives.evaluate on the problem's inputs). */
  evaluations: Evaluation[];
  /** J per point (M × N) when the caller already has them; computed otherwise. */
  jacobians?: Mat[];
}

export interface SignatureControlOptions extends RunOptions {
  /** Ray directions tried for one point (default 8). */
  candidates?: number;
  /**
   * Labels farther than this from y0 (relative, ||y − y0|| / ||y0||) are used only when nothing closer
   * works. Default 1; never below twice the change the handed-in labels already have.
   */
  maxRelativeLabelChange?: number;
  /** Seed for the random directions (default 0). */
  seed?: number;
  /** Iteration limit of the K ≥ 2 search (default 200). */
  maxIterations?: number;
  /**
   * Rounds of joint margin widening after the targets are reached (default 8; 0 = off). Each asks for a
   * factor times the current margins: 2 at first, its square root after a failed round (down to 1.1).
   */
  widenRounds?: number;
  zeroTolerance?: ZeroTolerance;
}

/** What was verified for one point at the returned labels. */
export interface PointControl {
  name: string;
  target: HessianTarget;
  reached: boolean;
  check?: TargetCheck;
  relativeLabelChange: number;
  /** Margin at the labels handed in, before control (dense), for comparison. */
  marginBefore?: number;
  /** Relative gradient ||Jᵀ r|| / (||J||_F ||r||) at the returned labels. */
  relativeGradient: number;
}

export interface SignatureControlResult {
  Y: Float64Array;
  reached: boolean[];
  notes: string[];
  points: PointControl[];
  /**
   * When minima were not all reached: no labels within `radius` (Euclidean, label units) of the
   * returned ones make `points` all minima (Infinity: none anywhere). See minimaObstruction.
   */
  obstruction?: { radius: number; points: string[] };
}

/** The label budget: the asked one (default 1), never tighter than twice the change the handed-in labels already have. */
function labelBudget(opts: SignatureControlOptions, Y: Float64Array, Y0: Float64Array): number {
  return Math.max(opts.maxRelativeLabelChange ?? 1, 2 * relativeChange(Y, Y0));
}

function relativeChange(Y: Float64Array, Y0: Float64Array): number {
  let diff = 0;
  for (let j = 0; j < Y.length; j++) diff += (Y[j] - Y0[j]) ** 2;
  const scale = norm(Y0);
  return Math.sqrt(diff) / (scale > 0 ? scale : 1);
}

/** Dense verification of one point's target at labels Y. */
function verify(linalg: LinAlg, ev: Evaluation, Y: Float64Array, target: HessianTarget, zeros: number, rule: ZeroTolerance, opts: RunOptions): TargetCheck {
  const H = lossHessian(ev, Y, { linalg, signal: opts.signal });
  return checkTarget(linalg.symEig(H, false).values, target, zeros, rule);
}

/** The target with its margin ask removed (index, strictness and sharpness kept). */
function withoutMargin(target: HessianTarget): HessianTarget {
  if (target.kind === 'any' || target.margin === undefined) return target;
  const { margin: _margin, ...rest } = target;
  return rest;
}

/** Widening rounds by default (signature control option widenRounds). */
const DEFAULT_WIDEN_ROUNDS = 8;
/** Widening stops once a round would ask for less than this factor over the current margin. */
const WIDEN_MIN_FACTOR = 1.1;

// ---------- permutation equivalence (a provable K ≥ 2 case) ----------

function isOdd(activation: string): boolean {
  return activation === 'tanh' || activation === 'sin' || activation === 'linear';
}

/**
 * Whether θ_B is θ_A with hidden units reordered (and, for odd activations, sign-flipped): then
 * ŷ_B = ŷ_A and H_B(y) = Pᵀ H_A(y) P for every y (P a signed permutation), so both points have the
 * same spectrum at any labels. Matching is greedy layer by layer at relative tolerance 1e-12.
 */
export function hiddenUnitEquivalent(net: NetworkSpec, thetaA: Theta, thetaB: Theta): boolean {
  const blocks = layerLayout(net);
  const scale = Math.max(norm(thetaA), 1e-300);
  const tol = 1e-12 * scale;
  // perm[p] = unit of A matched by unit p of B in the previous layer's output; signs likewise.
  let perm = Array.from({ length: net.sizes[0] }, (_, i) => i);
  let signs = new Array<number>(net.sizes[0]).fill(1);
  for (const block of blocks) {
    const last = block.layer === blocks.length - 1;
    const rowOf = (theta: Theta, p: number, permuteInputs: boolean): number[] => {
      const row: number[] = [];
      for (let q = 0; q < block.cols; q++) {
        row.push(permuteInputs ? theta[block.weightOffset + p * block.cols + perm[q]] * signs[q] : theta[block.weightOffset + p * block.cols + q]);
      }
      if (block.biasOffset >= 0) row.push(theta[block.biasOffset + p]);
      return row;
    };
    const nextPerm: number[] = [];
    const nextSigns: number[] = [];
    const used = new Set<number>();
    for (let p = 0; p < block.rows; p++) {
      const rowB = rowOf(thetaB, p, false);
      const candidates = last ? [p] : Array.from({ length: block.rows }, (_, i) => i);
      let matched = false;
      for (const candidate of candidates) {
        if (used.has(candidate)) continue;
        const rowA = rowOf(thetaA, candidate, true);
        for (const sign of last || !isOdd(net.activations[block.layer]) ? [1] : [1, -1]) {
          if (rowA.every((value, i) => Math.abs(sign * value - rowB[i]) <= tol)) {
            used.add(candidate);
            nextPerm.push(candidate);
            nextSigns.push(sign);
            matched = true;
            break;
          }
        }
        if (matched) break;
      }
      if (!matched) return false;
    }
    perm = nextPerm;
    signs = nextSigns;
  }
  return true;
}

// ---------- one point: the ray method ----------

interface RayChoice {
  Y: Float64Array;
  check: TargetCheck;
  labelChange: number;
  t: number;
}

/** Better = reaches the index, then within the label budget, then larger margin (then smaller label change). */
function better(a: RayChoice, b: RayChoice | undefined, budget: number): boolean {
  if (b === undefined) return true;
  if (a.check.holds !== b.check.holds) return a.check.holds;
  const aIn = a.labelChange <= budget;
  const bIn = b.labelChange <= budget;
  if (aIn !== bIn) return aIn;
  if (!aIn) return a.labelChange < b.labelChange;
  return a.check.margin > b.check.margin;
}

function controlOnePoint(
  problem: PlantProblem,
  index: number,
  Y: Float64Array,
  ctx: SignatureControlContext,
  opts: SignatureControlOptions,
  notes: string[],
  zeros: number,
): void {
  const { linalg } = ctx;
  const point = problem.planted[index];
  const ev = ctx.evaluations[index];
  const J = ctx.jacobians?.[index] ?? jacobian(ev, problem.memoryBudgetBytes);
  const yhat = ev.trace.output;
  const Y0 = problem.data.Y0;
  const m = problem.data.m;
  const n = J.cols;
  const rule = opts.zeroTolerance ?? DEFAULT_ZERO_TOLERANCE;
  const budget = labelBudget(opts, Y, Y0);
  const k = wantedIndex(point.target, n, zeros) as number;
  const before = verify(linalg, ev, Y, point.target, zeros, rule, opts);

  const rangeJ = rangeBasis(linalg, J);
  const G = gaussNewton(linalg, J);
  const rng = createRng(opts.seed ?? 0).fork(`ray ${point.name}`);

  // Candidate directions in null(Jᵀ): the planted residual (= base residual projected when the
  // labels are the closest solution), the base residual, random ones of the same size, mixtures.
  const directions: Float64Array[] = [];
  const planted = projectOut(rangeJ, Float64Array.from(Y, (y, j) => y - yhat[j]));
  const base = projectOut(rangeJ, Float64Array.from(Y0, (y, j) => y - yhat[j]));
  const reference = norm(base) > 0 ? base : planted;
  const size = norm(reference) > 0 ? norm(reference) : Math.max(norm(yhat), 1) * 1e-2;
  for (const candidate of [planted, base]) {
    if (norm(candidate) > 1e-14 * size && !directions.some((d) => Math.abs(dot(d, candidate)) >= (1 - 1e-12) * norm(d) * norm(candidate))) {
      directions.push(candidate);
    }
  }
  const count = Math.max(opts.candidates ?? 8, directions.length);
  while (directions.length < count) {
    const random = projectOut(rangeJ, rng.fillNormal(new Float64Array(Y.length)));
    const scaled = random.map((value) => (value * size) / norm(random));
    if (directions.length > 0 && directions.length % 2 === 0) {
      // A mixture keeps some of the base residual (labels closer to y0) while moving the pencil.
      for (let j = 0; j < scaled.length; j++) scaled[j] = 0.5 * (scaled[j] + directions[0][j]);
    }
    directions.push(scaled);
  }

  let best: RayChoice | undefined;
  const evaluateAt = (rho: Float64Array, S: Mat, t: number): RayChoice => {
    const H: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n * n; i++) H.data[i] = (2 / m) * (G.data[i] - t * S.data[i]);
    const check = checkTarget(linalg.symEig(H, false).values, point.target, zeros, rule);
    const Yt = Float64Array.from(yhat, (y, j) => y + t * rho[j]);
    return { Y: Yt, check, labelChange: relativeChange(Yt, Y0), t };
  };
  for (let d = 0; d < directions.length; d++) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.(`signature ${point.name}`, d / directions.length);
    const rho = directions[d];
    const S = weightedOutputHessian(ev, rho, { signal: opts.signal, memoryBudgetBytes: problem.memoryBudgetBytes });
    const pencil = reducePencil(linalg, G, S);
    for (const sign of [1, -1] as const) {
      const interval = indexInterval(pencil.mu, k, sign);
      if (interval === undefined) continue;
      const choice = searchInterval(interval, sign, rho, (t) => evaluateAt(rho, S, t), budget, yhat, Y0);
      if (choice !== undefined && better(choice, best, budget)) best = choice;
    }
  }
  if (best === undefined) {
    notes.push(`${point.name}: no ray among ${directions.length} directions has ${k} crossings of the pencil (G, S) on either side; the index is out of reach of this method.`);
    return;
  }
  const verified = verify(linalg, ev, best.Y, point.target, zeros, rule, opts);
  // Keep the handed-in labels when they already reach the target with a wider margin.
  if (!before.holds || (verified.holds && verified.margin >= before.margin)) Y.set(best.Y);
}

/**
 * Maximises the margin over t inside the crossing interval: a grid of 24 interior points, then golden
 * section between the best point's neighbours. An unbounded end is capped where the labels leave the
 * budget (at least 4× the inner crossing).
 */
function searchInterval(
  interval: { low: number; high: number },
  sign: 1 | -1,
  rho: Float64Array,
  at: (t: number) => RayChoice,
  budget: number,
  yhat: Float64Array,
  Y0: Float64Array,
): RayChoice | undefined {
  let { low, high } = interval;
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    // ||ŷ − y0 + t ρ|| = budget · ||y0||: the largest |t| on this side inside the label budget.
    const offset = Float64Array.from(yhat, (y, j) => y - Y0[j]);
    const a = dot(rho, rho);
    const b = 2 * dot(rho, offset);
    const c = dot(offset, offset) - (budget * Math.max(norm(Y0), 1e-300)) ** 2;
    const disc = b * b - 4 * a * c;
    const root = disc >= 0 ? (sign > 0 ? (-b + Math.sqrt(disc)) / (2 * a) : (-b - Math.sqrt(disc)) / (2 * a)) : NaN;
    const inner = sign > 0 ? low : high;
    let cap = Number.isFinite(root) && sign * root > sign * inner ? root : inner + sign;
    if (Math.abs(cap) < 4 * Math.abs(inner)) cap = 4 * inner;
    if (sign > 0) high = cap;
    else low = cap;
  }
  const gridSize = 24;
  const ts = Array.from({ length: gridSize }, (_, i) => low + ((i + 1) / (gridSize + 1)) * (high - low));
  const values = ts.map(at);
  let bestIndex = 0;
  for (let i = 1; i < values.length; i++) if (better(values[i], values[bestIndex], budget)) bestIndex = i;
  let best = values[bestIndex];
  if (!best.check.holds) return best;
  // Golden section on the margin between the neighbours (the margin is continuous in t).
  let a = bestIndex > 0 ? ts[bestIndex - 1] : low;
  let b = bestIndex + 1 < ts.length ? ts[bestIndex + 1] : high;
  const ratio = (Math.sqrt(5) - 1) / 2;
  const score = (choice: RayChoice): number => (choice.check.holds && choice.labelChange <= Math.max(budget, best.labelChange) ? choice.check.margin : -Infinity);
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = at(c);
  let fd = at(d);
  for (let iteration = 0; iteration < 20; iteration++) {
    if (score(fc) >= score(fd)) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = at(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = at(d);
    }
  }
  for (const candidate of [fc, fd]) if (score(candidate) > score(best)) best = candidate;
  return best;
}

// ---------- K ≥ 2 (or fixed labels): search inside the affine solution set ----------

interface Wanted {
  point: number;
  /** +1: push λ above ε; −1: push below −ε. */
  sign: 1 | -1;
  lambda: number;
  vector: Float64Array;
  epsilon: number;
  /** The point's frozen eigenvalue scale (max |λ| at the start). */
  scale: number;
}

/**
 * ∇²L_a(y) = (2/m)(G_a − Σ_j (y_j − ŷ_{a,j}) ∇²ŷ_{a,j}) with G_a = J_aᵀJ_a computed once per point:
 * the search re-evaluates Hessians many times, and only the label-dependent part changes. The
 * returned matrix may be shared with later calls at the same labels: callers must not modify it.
 */
function cachedHessians(problem: PlantProblem, ctx: SignatureControlContext, opts: RunOptions): (point: number, y: Float64Array) => Mat {
  const gramians = new Map<number, Mat>();
  const scale = 2 / problem.data.m;
  // The last Hessian per point: a search restarts (each widening round) at the labels it last accepted.
  const last = new Map<number, { y: Float64Array; H: Mat }>();
  return (point, y) => {
    const previous = last.get(point);
    if (previous !== undefined && sameLabels(previous.y, y)) return previous.H;
    const ev = ctx.evaluations[point];
    let G = gramians.get(point);
    if (G === undefined) {
      G = gaussNewton(ctx.linalg, ctx.jacobians?.[point] ?? jacobian(ev, problem.memoryBudgetBytes));
      gramians.set(point, G);
    }
    const r = Float64Array.from(y, (value, j) => value - ev.trace.output[j]);
    const S = weightedOutputHessian(ev, r, { signal: opts.signal, memoryBudgetBytes: problem.memoryBudgetBytes });
    for (let i = 0; i < S.data.length; i++) S.data[i] = scale * (G.data[i] - S.data[i]);
    last.set(point, { y: Float64Array.from(y), H: S });
    return S;
  };
}

function sameLabels(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** Orthonormal basis of the constrained label directions: every J_a's columns and the fixed labels' unit vectors. */
function constrainedDirections(problem: PlantProblem, ctx: SignatureControlContext): Mat {
  const M = problem.data.m * problem.data.dy;
  const n = parameterCount(problem.network);
  const fixed = problem.data.fixed;
  const fixedIndices = fixed ? Array.from(fixed.keys()).filter((j) => fixed[j] === 1) : [];
  const columns = problem.planted.length * n + fixedIndices.length;
  const A: Mat = { rows: M, cols: columns, data: new Float64Array(M * columns) };
  problem.planted.forEach((_, a) => {
    const J = ctx.jacobians?.[a] ?? jacobian(ctx.evaluations[a], problem.memoryBudgetBytes);
    for (let j = 0; j < M; j++) for (let c = 0; c < n; c++) A.data[j * columns + a * n + c] = J.data[j * n + c];
  });
  fixedIndices.forEach((j, i) => (A.data[j * columns + problem.planted.length * n + i] = 1));
  return rangeBasis(ctx.linalg, A);
}

interface PushOutcome {
  /** Every wanted eigenvalue is beyond its ±ε. */
  success: boolean;
  iterations: number;
  /** Eigenvalues still on the wrong side of ±ε. */
  remaining: number;
  stalled: boolean;
}

/**
 * Damped Gauss–Newton on the eigenvalues: labels move inside {C y = d, fixed held} (steps projected
 * off `constrained`) until, at every active point, the k wanted-negative eigenvalues are ≤ −ε and the
 * rest ≥ ε (the symmetry zeros, the ones closest to 0, exempt). Each step is the minimum-norm label
 * change that moves the violating eigenvalues, linearised by dλ_i/dy_j = −(2/m) v_iᵀ ∇²ŷ_j v_i, to
 * 1.5 ε on their side; a step is kept only when the summed squared violation drops.
 */
function pushEigenvalues(
  problem: PlantProblem,
  active: number[],
  Y: Float64Array,
  ctx: SignatureControlContext,
  constrained: Mat,
  hessianAt: (point: number, y: Float64Array) => Mat,
  epsilonOf: (point: number, scale: number) => number,
  maxIterations: number,
  opts: RunOptions,
  zerosOf: number[],
): PushOutcome {
  const { linalg } = ctx;
  const m = problem.data.m;
  const M = Y.length;
  const n = parameterCount(problem.network);
  if (constrained.cols >= M) return { success: false, iterations: 0, remaining: -1, stalled: true };

  // Scales and ε are frozen at the start: with them fixed, Σ (ε − s λ_i)₊² is a fixed spectral
  // function of the affine H_a(y) (convex in y when every target is a minimum), so descent is honest.
  const frozen = new Map<number, { scale: number; epsilon: number }>();
  const collect = (y: Float64Array): { wanted: Wanted[]; near: Wanted[]; violation: number; wrong: number } => {
    const wanted: Wanted[] = [];
    const near: Wanted[] = [];
    let violation = 0;
    let wrong = 0;
    for (const a of active) {
      const zeros = zerosOf[a];
      const k = wantedIndex(problem.planted[a].target, n, zeros) as number;
      const eig = linalg.symEig(hessianAt(a, y), true);
      if (!frozen.has(a)) {
        const scale = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[n - 1]), 1e-300);
        frozen.set(a, { scale, epsilon: epsilonOf(a, scale) });
      }
      const { scale, epsilon } = frozen.get(a) as { scale: number; epsilon: number };
      const order = Array.from(eig.values.keys()).sort((i, j) => Math.abs(eig.values[i]) - Math.abs(eig.values[j]));
      const exempt = new Set(order.slice(0, zeros));
      let negativeSlot = 0;
      for (let i = 0; i < n; i++) {
        if (exempt.has(i)) continue;
        const sign: 1 | -1 = negativeSlot++ < k ? -1 : 1;
        const lambda = eig.values[i];
        // The objective aims at 1.5 ε (so a step lands inside, not on the border); success needs ε.
        const gap = 1.5 * epsilon - sign * lambda;
        const vectorOf = (): Float64Array => Float64Array.from({ length: n }, (_, r) => eig.vectors.data[r * n + i]);
        if (gap > 0) {
          wanted.push({ point: a, sign, lambda, vector: vectorOf(), epsilon, scale });
          violation += (gap / scale) ** 2;
          if (epsilon - sign * lambda > 0) wrong++;
        } else {
          near.push({ point: a, sign, lambda, vector: vectorOf(), epsilon, scale });
        }
      }
    }
    // Keep as "near" only those within the deepest violation's distance of the target.
    const depth = Math.max(0, ...wanted.map((w) => (1.5 * w.epsilon - w.sign * w.lambda) / w.scale));
    return { wanted, near: near.filter((w) => (w.sign * w.lambda - 1.5 * w.epsilon) / w.scale <= depth), violation, wrong };
  };

  let state = collect(Y);
  let damping = 1e-6;
  let iteration = 0;
  for (; iteration < maxIterations && state.wrong > 0; iteration++) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.('signature search', iteration / maxIterations);
    // Rows and gaps in units of each point's frozen scale, exactly as the objective weighs them, so
    // that heavy damping turns the step into steepest descent of the objective.
    // Hold the eigenvalues just beyond the target (within the deepest violation) in place, so the step
    // does not trade one violation for a new one; the violators themselves move to 1.5 ε.
    const moved = [...state.wanted, ...state.near];
    const r = moved.length;
    const raw: Mat = { rows: r, cols: M, data: new Float64Array(r * M) };
    // vᵀ∇²ŷ_j v for every moved eigenvector, one batched pass per point.
    for (const a of active) {
      const mine = moved.flatMap((w, i) => (w.point === a ? [i] : []));
      if (mine.length === 0) continue;
      const V: Mat = { rows: mine.length, cols: n, data: new Float64Array(mine.length * n) };
      mine.forEach((i, s) => V.data.set(moved[i].vector, s * n));
      const second = secondDirectionals(ctx.evaluations[a], V, linalg).data;
      mine.forEach((i, s) => {
        const factor = ((-2 / m) * moved[i].sign) / moved[i].scale;
        for (let j = 0; j < M; j++) raw.data[i * M + j] = factor * second[s * M + j];
      });
    }
    // All rows projected off the constrained directions at once (two products, not r loops over M × rank).
    const rows = projectOutRows(linalg, constrained, raw);
    const gaps = Float64Array.from(moved, (w) => Math.max(0, 1.5 * w.epsilon - w.sign * w.lambda) / w.scale);
    const gram = linalg.gemm(rows, rows, false, true);
    let trace = 0;
    for (let i = 0; i < r; i++) trace += gram.data[i * r + i];
    let accepted = false;
    for (let attempt = 0; attempt < 20 && !accepted; attempt++) {
      // Minimum-norm damped step Δ = Rᵀ (R Rᵀ + μ I)⁻¹ gaps.
      const damped: Mat = { rows: r, cols: r, data: Float64Array.from(gram.data) };
      for (let i = 0; i < r; i++) damped.data[i * r + i] += damping * (trace / r + 1e-300);
      const coefficients = linalg.lstsq(damped, { rows: r, cols: 1, data: gaps }, 1e-14).X;
      const step = linalg.gemm(coefficients, rows, true, false).data;
      const trial = Float64Array.from(Y, (y, j) => y + step[j]);
      const next = collect(trial);
      if (next.violation < state.violation) {
        Y.set(trial);
        state = next;
        damping = Math.max(damping / 4, 1e-9);
        accepted = true;
      } else {
        damping *= 8;
      }
    }
    if (!accepted) return { success: false, iterations: iteration + 1, remaining: state.wrong, stalled: true };
  }
  return { success: state.wrong === 0, iterations: iteration, remaining: state.wrong, stalled: false };
}

/**
 * A Farkas-type obstruction when every leader should be a minimum. For weights c_i ≥ 0 on
 * eigenpairs, Z_a = Σ_i c_i v_i v_iᵀ ⪰ 0 and ℓ(y) = Σ_a ⟨Z_a, H_a(y)⟩ is affine in y. Labels with all
 * H_a ⪰ 0 have ℓ ≥ 0, and along the constraint set ℓ(y) ≥ ℓ(y*) − γ ||y − y*|| with γ = ||P ∇ℓ||
 * (P: projection onto the free label directions). So when ℓ(y*) < 0, no labels within
 * R = −ℓ(y*) / γ of y* make all the points minima: proved, not guessed; γ at rounding level means no
 * labels at all do. Two weightings are tried, the larger R kept: c_i = −λ_i on the negative
 * eigenvalues, and the search objective's own gradient weights (1.5 ε − λ_i)₊ / scale², which make
 * γ → 0 (R → ∞) as the convex search approaches an infeasible optimum.
 */
function minimaObstruction(
  problem: PlantProblem,
  leaders: number[],
  Y: Float64Array,
  ctx: SignatureControlContext,
  constrained: Mat,
  hessianAt: (point: number, y: Float64Array) => Mat,
  epsilonOf: (point: number, scale: number) => number,
): { radius: number; points: string[]; message: string } | undefined {
  const n = parameterCount(problem.network);
  const m = problem.data.m;
  const spectra = leaders.map((a) => {
    const eig = ctx.linalg.symEig(hessianAt(a, Y), true);
    const scale = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[n - 1]), 1e-300);
    return { a, eig, scale, epsilon: epsilonOf(a, scale) };
  });
  const directional = new Map<string, Float64Array>();
  const weightings: ((lambda: number, scale: number, epsilon: number) => number)[] = [
    (lambda) => Math.max(0, -lambda),
    (lambda, scale, epsilon) => Math.max(0, 1.5 * epsilon - lambda) / (scale * scale),
  ];
  let best: { radius: number; gamma: number; scale: number } | undefined;
  for (const weight of weightings) {
    const gradient = new Float64Array(Y.length);
    let value = 0;
    let size = 0;
    // ℓ(y*) must be negative beyond the zero tolerance of the eigenvalues it weighs, not by rounding.
    let rounding = 0;
    for (const { a, eig, scale, epsilon } of spectra) {
      for (let i = 0; i < n; i++) {
        const c = weight(eig.values[i], scale, epsilon);
        if (c === 0) continue;
        value += c * eig.values[i];
        rounding += c * DEFAULT_ZERO_TOLERANCE.relTol * scale;
        const key = `${a}:${i}`;
        let q = directional.get(key);
        if (q === undefined) {
          q = secondDirectional(ctx.evaluations[a], Float64Array.from({ length: n }, (_, r) => eig.vectors.data[r * n + i]));
          directional.set(key, q);
        }
        for (let j = 0; j < Y.length; j++) gradient[j] += c * (-2 / m) * q[j];
        size += c * (2 / m) * norm(q);
      }
    }
    if (value >= -rounding) continue;
    const gamma = norm(projectOut(constrained, gradient));
    const radius = gamma <= 1e-12 * size ? Infinity : -value / gamma;
    if (best === undefined || radius > best.radius) best = { radius, gamma, scale: size };
  }
  if (best === undefined) return undefined;
  const points = leaders.map((a) => problem.planted[a].name);
  const names = points.join(', ');
  const message =
    best.radius === Infinity
      ? `infeasible: no labels make ${names} all minima (a positive semidefinite combination of their Hessians is constant and negative on the whole critical set).`
      : `proved: no labels within ||Δy|| < ${best.radius.toExponential(3)} (${(best.radius / Math.max(norm(Y), 1e-300)).toExponential(2)} relative) of the reached labels make ${names} all minima (a positive semidefinite combination of their Hessians stays negative there).`;
  return { radius: best.radius, points, message };
}

// ---------- entry point ----------

/**
 * Moves the planted labels Y (m × d_y, satisfying the gradient constraints) so that every planted
 * point with a target other than 'any' gets its Hessian signature, with the margin widened.
 * Returns new labels (Y is not modified), per point whether the target was verified, and notes
 * explaining every failure.
 */
export function controlSignatures(
  problem: PlantProblem,
  Y: Float64Array,
  supplied: SignatureControlContext,
  opts: SignatureControlOptions = {},
): SignatureControlResult {
  const labels = Float64Array.from(Y);
  if (problem.planted.every((p) => p.target.kind === 'any')) return { Y: labels, reached: problem.planted.map(() => true), notes: [], points: [] };
  // Every J once: the ray, the constraint basis, the forced zeros and the checks all reuse them.
  const ctx: SignatureControlContext = {
    ...supplied,
    jacobians: supplied.jacobians ?? supplied.evaluations.map((ev) => jacobian(ev, problem.memoryBudgetBytes)),
  };
  const notes: string[] = [];
  const n = parameterCount(problem.network);
  const rule = opts.zeroTolerance ?? DEFAULT_ZERO_TOLERANCE;
  const { linalg, evaluations } = ctx;
  const jacobianOf = (a: number): Mat => (ctx.jacobians as Mat[])[a];
  // Zeros no labels can remove (symmetries, and data-dependent ones such as always-active relu units).
  const zerosOf = problem.planted.map((p, a) =>
    excusedZeroCount(linalg, evaluations[a], jacobianOf(a), p.target, { signal: opts.signal, memoryBudgetBytes: problem.memoryBudgetBytes }),
  );
  for (const [a, count] of zerosOf.entries()) {
    const symmetry = symmetryZeroCount(problem.network);
    if (count > symmetry) {
      notes.push(`${problem.planted[a].name}: ${count} zero eigenvalues are forced at every critical labels (${symmetry} by rescaling symmetries, ${count - symmetry} by the data: fewer independent label entries than parameters, or relu units active on every sample or on none); targets are meant apart from them.`);
    }
  }
  const Y0 = problem.data.Y0;
  const budget = labelBudget(opts, Y, Y0);
  const controlled = problem.planted.map((p, a) => ({ a, target: p.target })).filter(({ target }) => target.kind !== 'any');
  const impossible = new Set<number>();
  for (const { a, target } of controlled) {
    const structural = structuralCheck(problem.network, target);
    if (!structural.ok) {
      impossible.add(a);
      notes.push(`${problem.planted[a].name}: ${structural.reason}`);
    }
  }
  // Hidden-unit permutations of one another predict the same outputs and share their spectrum at
  // every labels: the later one follows the earlier, or the pair is provably infeasible.
  const followers = new Map<number, number>();
  for (let b = 0; b < problem.planted.length; b++) {
    for (let a = 0; a < b && !followers.has(b); a++) {
      if (followers.has(a) || !hiddenUnitEquivalent(problem.network, problem.planted[a].theta, problem.planted[b].theta)) continue;
      const [A, B] = [problem.planted[a], problem.planted[b]];
      const [indexA, indexB] = [wantedIndex(A.target, n, zerosOf[a]), wantedIndex(B.target, n, zerosOf[b])];
      if (indexA !== undefined && indexB !== undefined && indexA !== indexB) {
        impossible.add(a);
        impossible.add(b);
        notes.push(
          `${A.name} and ${B.name} are hidden-unit permutations of each other, so their Hessians have the same spectrum for every labels: ${indexA} and ${indexB} negative eigenvalues cannot both hold (infeasible).`,
        );
      } else {
        followers.set(b, a);
        notes.push(`${B.name} is a hidden-unit permutation of ${A.name}: same outputs and spectrum at every labels, controlled through ${A.name}.`);
      }
    }
  }
  // A follower's target is met exactly when its leader's is: a leader inherits the follower's target when it has none.
  const targetOf = (a: number): HessianTarget => {
    const own = problem.planted[a].target;
    if (own.kind !== 'any') return own;
    for (const [b, leader] of followers) if (leader === a && problem.planted[b].target.kind !== 'any') return problem.planted[b].target;
    return own;
  };
  const leaders = problem.planted.map((_, a) => a).filter((a) => !impossible.has(a) && !followers.has(a) && targetOf(a).kind !== 'any');
  // The ray, the index search and the widening work on the target without its margin, exactly as when
  // no margin is asked; the asked margin is then met on the way, or searched for at the end and kept
  // only if reached. So asking for a margin never ends at a smaller one than not asking.
  const indexTargetOf = (a: number): HessianTarget => withoutMargin(targetOf(a));
  const indexProblem: PlantProblem = { ...problem, planted: problem.planted.map((p, a) => ({ ...p, target: indexTargetOf(a) })) };
  const hasFixed = problem.data.fixed?.some((flag) => flag === 1) ?? false;
  // The ray method needs every planted point's gradient constraints to be the leader's own.
  const single = leaders.length === 1 && !hasFixed && problem.planted.every((_, a) => a === leaders[0] || followers.get(a) === leaders[0]);
  let constrained: Mat | undefined;
  let obstruction: SignatureControlResult['obstruction'];
  // The search for the index asks for |λ| ≥ 1e-6 of the point's eigenvalue scale, whatever margin is
  // asked (the widening and the final margin search take it from there); the margin search asks for
  // the asked margin, at least that.
  const indexEpsilon = (_a: number, scale: number): number => 1e-6 * scale;
  const searchEpsilon = (a: number, scale: number): number => {
    const target = targetOf(a);
    return Math.max(target.kind === 'any' ? 0 : (target.margin ?? 0), 1e-6 * scale);
  };
  const hessianAt = cachedHessians(problem, ctx, opts);
  // Dense verification of a leader's target at labels y; the spectrum is kept per point while the
  // labels stay the same (several targets and checks are asked of the same labels).
  const spectra = new Map<number, { y: Float64Array; values: Float64Array }>();
  const checkAt = (a: number, y: Float64Array, target: HessianTarget): TargetCheck => {
    let spectrum = spectra.get(a);
    if (spectrum === undefined || !sameLabels(spectrum.y, y)) {
      spectrum = { y: Float64Array.from(y), values: linalg.symEig(lossHessian(evaluations[a], y, { linalg, signal: opts.signal }), false).values };
      spectra.set(a, spectrum);
    }
    return checkTarget(spectrum.values, target, zerosOf[a], rule);
  };
  const marginBefore = new Map<number, number | undefined>();
  for (const a of leaders) {
    const check = checkAt(a, labels, targetOf(a));
    marginBefore.set(a, check.holds ? check.margin : undefined);
  }
  // Many projected search steps accumulate rounding in C y = d: re-plant from the current labels (the
  // closest exact solution to them, y + C⁺(d − C y)) so every point is critical at rounding level.
  let polishedFrom = Y;
  const polish = (): void => {
    if (labels.every((value, j) => value === polishedFrom[j])) return;
    // Fixed entries go back to their exact y0 values (projected steps leave rounding there too).
    const fixed = problem.data.fixed;
    const base = Float64Array.from(labels, (value, j) => (fixed?.[j] === 1 ? Y0[j] : value));
    labels.set(plantLabels({ ...problem, objective: { kind: 'closest' }, data: { ...problem.data, Y0: base } }, linalg, opts).Y);
    polishedFrom = Float64Array.from(labels);
  };
  if (single) controlOnePoint(indexProblem, leaders[0], labels, ctx, opts, notes, zerosOf[leaders[0]]);
  // The search: for K ≥ 2 or fixed labels, and for one point when no ray reached the target.
  const unreached = leaders.filter((a) => !checkAt(a, labels, indexTargetOf(a)).holds);
  if (unreached.length > 0) {
    // The search may fail and leave the spectra worse: keep its labels only if no leader loses the
    // wanted number of negative eigenvalues.
    const snapshot = Float64Array.from(labels);
    const rightIndex = (y: Float64Array): number =>
      leaders.filter((a) => {
        const check = checkAt(a, y, indexTargetOf(a));
        return check.holds || check.signature.negative === wantedIndex(targetOf(a), n, zerosOf[a]);
      }).length;
    const before = rightIndex(labels);
    constrained = constrainedDirections(problem, ctx);
    const outcome = pushEigenvalues(
      indexProblem,
      leaders,
      labels,
      ctx,
      constrained,
      hessianAt,
      indexEpsilon,
      opts.maxIterations ?? 200,
      opts,
      zerosOf,
    );
    if (constrained.cols >= labels.length) {
      notes.push(`the gradient constraints (and fixed labels) leave no free label direction (rank ${constrained.cols} of ${labels.length}): the labels are determined.`);
    }
    if (!outcome.success && rightIndex(labels) < before) {
      labels.set(snapshot);
      notes.push('the signature search made the spectra worse and was undone.');
    }
    // The search may stop short of its ε yet every target hold (eigenvalues in (0, ε)): only explain real failures.
    const failed = !outcome.success && !leaders.every((a) => checkAt(a, labels, indexTargetOf(a)).holds);
    if (failed && constrained.cols < labels.length) {
      notes.push(
        outcome.stalled
          ? `signature search stalled after ${outcome.iterations} iterations: no damped step reduced the violations (${outcome.remaining} eigenvalues on the wrong side).`
          : `signature search stopped at the iteration limit (${outcome.iterations}) with ${outcome.remaining} eigenvalues on the wrong side.`,
      );
    }
    polish();
    if (failed && leaders.every((a) => targetOf(a).kind === 'minimum')) {
      const found = minimaObstruction(indexProblem, leaders, labels, ctx, constrained, hessianAt, indexEpsilon);
      if (found !== undefined) {
        notes.push(found.message);
        obstruction = { radius: found.radius, points: found.points };
      }
    }
  }
  // Widen the margins together: ask every leader for `factor` times its margin, factor 2 at first. A
  // failed round (search short of the ask, labels out of budget, a margin not improved) does not end
  // the widening but retries with the factor's square root, down to WIDEN_MIN_FACTOR: the labels
  // handed in (e.g. after reaching an asked margin) may sit where a doubling no longer fits the
  // budget while a smaller step does, and stopping there left asked margins below unasked ones.
  if (leaders.length > 0 && (opts.widenRounds ?? DEFAULT_WIDEN_ROUNDS) > 0) {
    const checks = leaders.map((a) => checkAt(a, labels, indexTargetOf(a)));
    if (checks.every((check) => check.holds)) {
      constrained ??= constrainedDirections(problem, ctx);
      let margins = checks.map((check) => check.margin);
      let factor = 2;
      for (let round = 0; round < (opts.widenRounds ?? DEFAULT_WIDEN_ROUNDS) && factor >= WIDEN_MIN_FACTOR; round++) {
        const trial = Float64Array.from(labels);
        const wanted = new Map(leaders.map((a, i) => [a, factor * margins[i]]));
        const outcome = pushEigenvalues(indexProblem, leaders, trial, ctx, constrained, hessianAt, (a) => wanted.get(a) as number, 15, opts, zerosOf);
        const next = outcome.success && relativeChange(trial, Y0) <= budget
          ? leaders.map((a) => checkAt(a, trial, indexTargetOf(a)))
          : undefined;
        if (next === undefined || !next.every((check, i) => check.holds && check.margin > margins[i])) {
          factor = Math.sqrt(factor);
          continue;
        }
        labels.set(trial);
        margins = next.map((check) => check.margin);
      }
    }
  }
  // An asked margin the widening did not reach (or widening is off): search for it directly from labels
  // where every index holds, kept only if every target then holds.
  const indexHolds = leaders.every((a) => checkAt(a, labels, indexTargetOf(a)).holds);
  if (indexHolds && leaders.some((a) => !checkAt(a, labels, targetOf(a)).holds)) {
    constrained ??= constrainedDirections(problem, ctx);
    const trial = Float64Array.from(labels);
    const outcome = pushEigenvalues(indexProblem, leaders, trial, ctx, constrained, hessianAt, searchEpsilon, opts.maxIterations ?? 200, opts, zerosOf);
    if (outcome.success && leaders.every((a) => checkAt(a, trial, targetOf(a)).holds)) labels.set(trial);
  }
  polish();
  // Verify every controlled point at the final labels, followers and impossible ones included.
  const points: PointControl[] = [];
  const reached = problem.planted.map(() => true);
  for (const { a, target } of controlled) {
    const ev = evaluations[a];
    const check = verify(linalg, ev, labels, target, zerosOf[a], rule, opts);
    const J = jacobianOf(a);
    const leader = followers.get(a) ?? a;
    points.push({
      name: problem.planted[a].name,
      target,
      reached: check.holds,
      check,
      marginBefore: marginBefore.get(leader),
      relativeLabelChange: relativeChange(labels, Y0),
      relativeGradient: gradientMeasures(ev, labels, problem.memoryBudgetBytes, J).relativeGradientNorm,
    });
    reached[a] = check.holds;
    if (!check.holds && !impossible.has(a)) notes.push(`${problem.planted[a].name}: target not reached: ${check.reason}.`);
  }
  return { Y: labels, reached, notes, points, obstruction };
}
