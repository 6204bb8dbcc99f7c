/**
 * The engine's single entry point for the CLI, the language-server worker and tests:
 * analysis → planting → signature control → independent certificate.
 */
import { analyzeSystem, completeReport, analyzeProblem as analyzeWithBackend } from './analysis';
import { certify } from './certificate';
import { evaluate } from './derivatives';
import { getLinAlg } from './linalg';
import type { LinAlg } from './linalg/types';
import { buildGradientSystem, factorize, solveLabels } from './plant';
import { DEFAULT_ZERO_TOLERANCE, type ZeroTolerance } from './signature';
import { controlSignatures, type SignatureControlOptions } from './signatureControl';
import type { PlantProblem, RunOptions, SolvabilityReport, SolveResult } from './types';

/** Bumped whenever the same problem could produce different labels or certificates. */
export const ENGINE_VERSION = '0.1.0';

export interface EngineOptions extends RunOptions {
  /** Backend override (default: getLinAlg(), the native addon when it loads). */
  linalg?: LinAlg;
  /** Overrides problem.memoryBudgetBytes. */
  memoryBudgetBytes?: number;
}

export interface SolveOptions extends EngineOptions {
  /**
   * Zero rule for eigenvalues: a number is a relative tolerance (|λ| ≤ zeroTolerance · max|λ| counts
   * as zero); default signature.ts DEFAULT_ZERO_TOLERANCE (1e-9 relative).
   */
  zeroTolerance?: number | ZeroTolerance;
  /** Passed to signature control (candidates, label-change limit, seed, iterations). */
  control?: Omit<SignatureControlOptions, keyof RunOptions | 'zeroTolerance'>;
}

function withBudget(problem: PlantProblem, opts: EngineOptions): PlantProblem {
  return opts.memoryBudgetBytes === undefined ? problem : { ...problem, memoryBudgetBytes: opts.memoryBudgetBytes };
}

function zeroRule(tolerance: number | ZeroTolerance | undefined): ZeroTolerance {
  if (tolerance === undefined) return DEFAULT_ZERO_TOLERANCE;
  return typeof tolerance === 'number' ? { absTol: 0, relTol: tolerance } : tolerance;
}

/** Solvability before solving: counts, rank, consistency, conditioning, causes of rank loss. */
export function analyzeProblem(problem: PlantProblem, opts: EngineOptions = {}): SolvabilityReport {
  return analyzeWithBackend(withBudget(problem, opts), { ...opts, linalg: opts.linalg ?? getLinAlg() });
}

/**
 * Labels that plant every point as a critical point (closest to the base labels, or smallest loss at
 * a named point), moved to reach the Hessian targets where possible, and certificates recomputed
 * from scratch. Throws EngineError ('invalid-input', 'memory-budget', ...) and the signal's reason
 * when aborted.
 */
export function solveProblem(problem: PlantProblem, opts: SolveOptions = {}): SolveResult {
  const linalg = opts.linalg ?? getLinAlg();
  const budgeted = withBudget(problem, opts);
  const rule = zeroRule(opts.zeroTolerance);
  const run: RunOptions = { signal: opts.signal, onProgress: opts.onProgress };

  const system = buildGradientSystem(budgeted, run);
  const factorization = factorize(linalg, system, run);
  const report = analyzeSystem(budgeted, system, factorization);
  let Y = solveLabels(system, factorization);
  opts.signal?.throwIfAborted();

  const notes: string[] = [];
  if (budgeted.planted.some((p) => p.target.kind !== 'any')) {
    opts.onProgress?.('signatures', 0);
    const evaluations = budgeted.planted.map((p) => evaluate(budgeted.network, p.theta, budgeted.data.X, budgeted.data.m));
    const control = controlSignatures(budgeted, Y, { linalg, evaluations }, { ...opts.control, ...run, zeroTolerance: rule });
    Y = control.Y;
    notes.push(...control.notes);
    opts.onProgress?.('signatures', 1);
  }

  const certificates = certify(budgeted, Y, { linalg, zeroTolerance: rule, ...run });
  const completed = completeReport(report, budgeted, Y, certificates);
  return {
    Y,
    report: { ...completed, warnings: [...completed.warnings, ...notes] },
    certificates,
    backend: linalg.name,
    engineVersion: ENGINE_VERSION,
  };
}

export { ACTIVATIONS } from './types';
export type * from './types';
export { EngineError, type EngineErrorCode } from './errors';
export { createRng, type Rng } from './random';
export { activationFunctions, erf, erfc, isPositivelyHomogeneous } from './activations';
export {
  forward, initTheta, layerLayout, mseLoss, parameterCount, permuteHidden, perturbTheta, validateNetwork,
  type InitSpec, type LayerBlock,
} from './network';
export {
  evaluate, jacobian, jacobianTransposeVector, jacobianVector, lossGradient, lossHessian, lossHessianVector,
  residual, secondDirectional, weightedOutputHessian, weightedOutputHessianVector, type Evaluation,
} from './derivatives';
export { buildGradientSystem, factorize, plantLabels, solveLabels, solveMemoryFloats, validateProblem } from './plant';
export { analyzeSystem, completeReport, outputBiasFix } from './analysis';
export { certify, certifyPoint, CRITICAL_RELATIVE_GRADIENT, gradientMeasures } from './certificate';
export { getLinAlg, linalgBackendName } from './linalg';
export { landscapeData, linspace, neuronNormalizedDirection, planeGrid, planeThroughPoints, segmentCurve, type LandscapeData, type PlaneGrid, type SegmentCurve } from './landscape';
