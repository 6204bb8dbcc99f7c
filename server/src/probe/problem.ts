/** What a probe trains on, from a compiled and solved landscape. */
import type { CompiledLandscape } from '../language';
import type { ProbeProblem } from './types';

/** The solved dataset (labels Y) and every declared weight vector, planted points first. */
export function probeProblemOf(compiled: CompiledLandscape, Y: Float64Array): ProbeProblem {
  const { problem } = compiled;
  const planted = problem.planted.map((p) => ({ name: p.name, theta: p.theta }));
  const others = [...compiled.weights].filter(([name]) => !planted.some((p) => p.name === name)).map(([name, theta]) => ({ name, theta }));
  return { network: problem.network, m: problem.data.m, X: problem.data.X, Y, points: [...planted, ...others] };
}
