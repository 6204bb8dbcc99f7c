/**
 * Start points of probe runs, in float64 with the engine: θ_0 = centre + radius · d, d a unit vector
 * drawn at random from the whole space or from a span of Hessian eigenvectors at the centre.
 */
import { evaluate, lossHessian } from '../engine/derivatives';
import { getLinAlg } from '../engine/linalg';
import type { SymEig } from '../engine/linalg/types';
import type { Rng } from '../engine/random';
import { denseSpectrum } from '../engine/spectrum';
import { DEFAULT_ZERO_TOLERANCE, zeroToleranceOf } from '../engine/signature';
import type { Theta } from '../engine/types';
import { ProbeError } from './errors';
import type { ProbeProblem, StartDirection } from './types';

/** The Hessian spectrum at θ with eigenvectors, and the tolerance under which eigenvalues count as zero. */
export interface CenterSpectrum {
  eig: SymEig;
  zeroTolerance: number;
}

export function centerSpectrum(problem: ProbeProblem, theta: Theta, memoryBudgetBytes?: number): CenterSpectrum {
  const linalg = getLinAlg();
  const H = lossHessian(evaluate(problem.network, theta, problem.X, problem.m), problem.Y, { linalg, memoryBudgetBytes });
  const eig = denseSpectrum(linalg, H, { vectors: true, memoryBudgetBytes });
  return { eig, zeroTolerance: zeroToleranceOf(eig.values, DEFAULT_ZERO_TOLERANCE) };
}

/** Indices of the eigenvectors spanning the directions a start may take. */
export function directionBasis(spectrum: CenterSpectrum, direction: Exclude<StartDirection, 'random'>): number[] {
  const { values } = spectrum.eig;
  const tol = spectrum.zeroTolerance;
  const keep = (lambda: number) =>
    direction === 'eigen-negative' ? lambda < -tol : direction === 'eigen-positive' ? lambda > tol : lambda >= -tol;
  return Array.from(values.keys()).filter((j) => keep(values[j]));
}

const DIRECTION_WORDS: Record<Exclude<StartDirection, 'random'>, string> = {
  'eigen-negative': 'negative-curvature',
  'eigen-positive': 'positive-curvature',
  stable: 'non-negative-curvature (stable)',
};

/** θ_0 = centre + radius · d with d uniform on the unit sphere of the chosen subspace. */
export function drawStart(center: Theta, radius: number, direction: StartDirection, spectrum: CenterSpectrum | undefined, rng: Rng, centerName: string): Float64Array {
  const n = center.length;
  let d: Float64Array;
  if (direction === 'random') d = rng.fillNormal(new Float64Array(n));
  else {
    if (!spectrum) throw new ProbeError(`the Hessian spectrum at ${centerName} is needed for ${direction} starts`);
    const basis = directionBasis(spectrum, direction);
    if (basis.length === 0) throw new ProbeError(`the Hessian at ${centerName} has no ${DIRECTION_WORDS[direction]} eigenvector: no ${direction} start can be drawn`);
    const coefficients = rng.fillNormal(new Float64Array(basis.length));
    const V = spectrum.eig.vectors;
    d = new Float64Array(n);
    basis.forEach((j, c) => {
      for (let k = 0; k < n; k++) d[k] += coefficients[c] * V.data[k * V.cols + j];
    });
  }
  let norm2 = 0;
  for (let k = 0; k < n; k++) norm2 += d[k] * d[k];
  const norm = Math.sqrt(norm2);
  const start = new Float64Array(n);
  for (let k = 0; k < n; k++) start[k] = center[k] + (radius * d[k]) / norm;
  return start;
}
