/**
 * Solvability of the gradient constraints C y = d, before and after solving: counts, numerical
 * rank at a stated tolerance, consistency, conditioning, and the known causes of rank loss by name
 * (docs/math.md, "Rank is not the whole story: consistency").
 */
import { EngineError } from './errors';
import { forward, layerLayout } from './network';
import { buildGradientSystem, factorize, rangeResidual, type Factorization, type GradientSystem } from './plant';
import { symmetryZeroCount } from './signature';
import type { LinAlg } from './linalg/types';
import type { HessianFreedom, PlantProblem, PointCertificate, RankLossCause, RunOptions, SolvabilityReport, Theta } from './types';

/**
 * C y = d counts as consistent when ||(I − C C⁺) d|| / ||d|| is at most this. Consistent systems
 * measure 1e-16 … 1e-12 (rounding times conditioning); the output-bias conflict measures 1e-3 and up.
 */
export const CONSISTENCY_TOLERANCE = 1e-9;
/** Warn when cond(C) exceeds this: labels then carry about log10(cond) fewer correct digits. */
export const CONDITION_WARNING = 1e8;
/** Warn when ||y − y0|| / ||y0|| exceeds this (the paper's "high loss values"). */
export const LABEL_CHANGE_WARNING = 10;
/** Warn when the loss at a planted point exceeds this multiple of ||y0||²/m. */
export const LOSS_WARNING = 100;
/** Mean predictions count as equal when they differ by at most this times the largest |ŷ| (or 1). */
const MEAN_GAP_TOLERANCE = 1e-12;

/** With a linear output layer and biases, ∂ŷ/∂b_out = 1 at every θ, so those rows of C coincide. */
function hasOutputBiasRows(problem: PlantProblem): boolean {
  const { activations, bias } = problem.network;
  return bias && activations[activations.length - 1] === 'linear';
}

/** mean_i ŷ_i per output. */
function meanPrediction(yhat: Float64Array, m: number, dy: number): number[] {
  const mean = new Array<number>(dy).fill(0);
  for (let i = 0; i < m; i++) for (let o = 0; o < dy; o++) mean[o] += yhat[i * dy + o];
  return mean.map((s) => s / m);
}

function format(values: number[]): string {
  return values.length === 1 ? values[0].toPrecision(6) : `[${values.map((v) => v.toPrecision(6)).join(', ')}]`;
}

/** The report for an already built and factorised system (what solveProblem uses, to factorise once). */
export function analyzeSystem(problem: PlantProblem, system: GradientSystem, factorization: Factorization): SolvabilityReport {
  const { planted, data } = problem;
  const K = planted.length;
  const n = system.parameterCount;
  const equations = system.C.rows;
  const labels = system.C.cols;
  const { rank, tolerance, svd } = factorization;
  const consistencyResidual = rangeResidual(factorization, system.rhs);
  const consistent = consistencyResidual <= CONSISTENCY_TOLERANCE;
  const conditionNumber = rank > 0 ? svd.s[0] / svd.s[rank - 1] : Infinity;
  const causes: RankLossCause[] = [];
  const warnings: string[] = [];

  const symmetry = symmetryZeroCount(problem.network);
  if (symmetry > 0) {
    causes.push({
      kind: 'symmetry',
      harmless: true,
      directions: K * symmetry,
      message:
        `${symmetry} rescaling direction${symmetry === 1 ? '' : 's'} per planted point (hidden units with positively homogeneous activations: ` +
        'scaling a unit\'s incoming weights and its outgoing weights inversely leaves the outputs unchanged), ' +
        `${K * symmetry} in all: J v = 0 along them, so those gradient equations hold for any labels. Harmless.`,
    });
  }

  let coincidentBiasRows = 0;
  if (hasOutputBiasRows(problem) && K >= 2) {
    const dy = data.dy;
    coincidentBiasRows = (K - 1) * dy;
    const reference = planted[0].name;
    const referenceMean = meanPrediction(system.predictions[0], data.m, dy);
    let scale = 1;
    for (const yhat of system.predictions) for (const y of yhat) scale = Math.max(scale, Math.abs(y));
    for (let k = 1; k < K; k++) {
      const gap = meanPrediction(system.predictions[k], data.m, dy).map((mean, o) => mean - referenceMean[o]);
      if (gap.every((g) => Math.abs(g) <= MEAN_GAP_TOLERANCE * scale)) continue;
      const name = planted[k].name;
      causes.push({
        kind: 'output-bias',
        harmless: false,
        points: [reference, name],
        meanPredictionGap: gap,
        message:
          `The output layer is linear with biases, so the output-bias equations of '${reference}' and '${name}' coincide: ` +
          `both require the labels' mean to equal the point's mean prediction, but '${name}' predicts on average ${format(gap)} ` +
          `more than '${reference}'. No labels make both critical. Fix: shift '${name}''s output bias by ${format(gap.map((g) => -g))} ` +
          '(equal mean predictions; the network function changes by that constant only).',
      });
    }
  }

  const explained = K * symmetry + coincidentBiasRows;
  const expectedRank = Math.min(equations - explained, labels);
  if (labels < equations - explained) {
    warnings.push(
      `Only ${labels} free label entries for ${equations - explained} independent gradient equations (K·N = ${K}·${n} minus ${explained} explained dependencies): ` +
        'the system is overdetermined and generally inconsistent. Add samples or outputs, or plant fewer points.',
    );
  }
  const unexplained = expectedRank - rank;
  if (unexplained > 0) {
    causes.push({
      kind: 'coincidence',
      harmless: consistent,
      directions: unexplained,
      message:
        `C has ${unexplained} dependent direction${unexplained === 1 ? '' : 's'} beyond the known symmetries and output-bias rows ` +
        `(rank ${rank} at tolerance ${tolerance.toExponential(2)}, ${expectedRank} expected): e.g. dead or always-active relu units, ` +
        `planted points that coincide or are permuted copies, or inputs too few or too alike. ${consistent ? 'The equations are still consistent: harmless.' : 'Together with the inconsistency below, these directions cannot be satisfied.'}`,
    });
  }
  if (!consistent) {
    warnings.push(
      `The gradient constraints are inconsistent: ||(I − C C⁺) d|| / ||d|| = ${consistencyResidual.toExponential(2)} (tolerance ${CONSISTENCY_TOLERANCE}). ` +
        'The labels found are the least-squares compromise and the planted points are not exactly critical.',
    );
  }
  const controlled = planted.filter((p) => p.target.kind !== 'any');
  let hessianFreedom: HessianFreedom | undefined;
  if (controlled.length > 0) {
    hessianFreedom = {
      controlledPoints: controlled.length,
      freeDirections: Math.max(0, labels - rank),
      fullControlEquations: (controlled.length * n * (n + 1)) / 2,
    };
    if (hessianFreedom.freeDirections === 0) {
      warnings.push(
        `No label freedom is left for the Hessian targets: the gradient equations have rank ${rank} and there are ${labels} free label entries, ` +
          `so the labels are unique and the Hessian at ${controlled.map((p) => `'${p.name}'`).join(', ')} is whatever they give; it cannot be controlled. ` +
          'Add samples (or free fixed labels) to get label directions that keep every point critical.',
      );
    }
  }
  if (conditionNumber > CONDITION_WARNING) {
    warnings.push(
      `cond(C) = ${conditionNumber.toExponential(2)} is extreme: expect very large label changes and loss values. ` +
        'Wider inputs, a larger input spread or fewer planted points help; more data does not.',
    );
  }
  return {
    labelCount: labels,
    equationCount: equations,
    parameterCount: n,
    rank,
    rankTolerance: tolerance,
    consistencyResidual,
    consistent,
    conditionNumber,
    causes,
    ...(hessianFreedom === undefined ? {} : { hessianFreedom }),
    warnings,
  };
}

/** Counts, rank, consistency, conditioning and causes, before solving. */
export function analyzeProblem(problem: PlantProblem, opts: RunOptions & { linalg: LinAlg }): SolvabilityReport {
  const system = buildGradientSystem(problem, opts);
  return analyzeSystem(problem, system, factorize(opts.linalg, system, opts));
}

/** Fills relativeLabelChange = ||Y − Y0|| / ||Y0|| and the warnings only the solved labels can raise. */
export function completeReport(report: SolvabilityReport, problem: PlantProblem, Y: Float64Array, certificates: PointCertificate[]): SolvabilityReport {
  const Y0 = problem.data.Y0;
  let change2 = 0;
  let base2 = 0;
  for (let j = 0; j < Y.length; j++) {
    change2 += (Y[j] - Y0[j]) ** 2;
    base2 += Y0[j] ** 2;
  }
  // With all-zero base labels the change is measured against the solved labels instead.
  let reference2 = base2;
  if (reference2 === 0) for (const y of Y) reference2 += y * y;
  const relativeLabelChange = reference2 === 0 ? 0 : Math.sqrt(change2 / reference2);
  const warnings = [...report.warnings];
  if (relativeLabelChange > LABEL_CHANGE_WARNING) {
    warnings.push(`The labels changed by ${relativeLabelChange.toExponential(2)} times their size (||y − y0|| / ||y0||): the planted landscape has very high loss values.`);
  }
  // The loss scale of the base labels: their mean square per sample (what predicting 0 would cost).
  const baseLossScale = base2 / problem.data.m;
  for (const cert of certificates) {
    if (baseLossScale > 0 && cert.loss > LOSS_WARNING * baseLossScale) {
      warnings.push(`The loss at '${cert.name}' is ${cert.loss.toExponential(2)}, ${(cert.loss / baseLossScale).toExponential(1)} times the base labels' mean square ||y0||²/m.`);
    }
    if (!cert.critical) warnings.push(`'${cert.name}' is not critical: ||Jᵀr|| / (||J||_F ||r||) = ${cert.relativeGradientNorm.toExponential(2)}.`);
  }
  return { ...report, relativeLabelChange, warnings };
}

/**
 * A copy of the named point's θ with its output bias shifted so that its mean prediction equals the
 * first other planted point's: the fix the output-bias cause offers. Only the output bias changes,
 * and with a linear output layer that shifts every prediction by the same constant.
 */
export function outputBiasFix(problem: PlantProblem, pointName: string): Theta {
  if (!hasOutputBiasRows(problem)) {
    throw new EngineError('invalid-input', 'the output-bias fix applies to networks with a linear output layer and biases');
  }
  const { planted, data, network } = problem;
  const point = planted.find((p) => p.name === pointName);
  const reference = planted.find((p) => p.name !== pointName);
  if (!point) throw new EngineError('invalid-input', `no planted point named '${pointName}'`);
  if (!reference) throw new EngineError('invalid-input', 'the output-bias fix needs a second planted point to match');
  const [pointMean, referenceMean] = [point, reference].map((p) => meanPrediction(forward(network, p.theta, data.X, data.m), data.m, data.dy));
  const last = layerLayout(network)[network.sizes.length - 2];
  const theta = Float64Array.from(point.theta);
  for (let o = 0; o < data.dy; o++) theta[last.biasOffset + o] -= pointMean[o] - referenceMean[o];
  return theta;
}
