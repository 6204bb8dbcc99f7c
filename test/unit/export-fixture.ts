/** A small solved landscape (engine planting + certificates, no language layer) for export tests. */
import { analyzeProblem, completeReport } from '../../server/src/engine/analysis';
import { certify } from '../../server/src/engine/certificate';
import { pureLinAlg } from '../../server/src/engine/linalg/pure';
import { forward, initTheta, parameterCount } from '../../server/src/engine/network';
import { plantLabels } from '../../server/src/engine/plant';
import { createRng } from '../../server/src/engine/random';
import type { HessianTarget, NetworkSpec, PlantProblem, SolveResult } from '../../server/src/engine/types';
import type { ExportSource } from '../../server/src/io/export';

const linalg = pureLinAlg;

/** Two random planted points A and B with teacher-plus-noise base labels, solved and certified. */
export function solvedExample(net: NetworkSpec, seed = 3, target: HessianTarget = { kind: 'any' }): { source: ExportSource; result: SolveResult } {
  const rng = createRng(seed);
  const dx = net.sizes[0];
  const dy = net.sizes[net.sizes.length - 1];
  // Three times as many label entries as gradient equations (K = 2), at least 60 samples.
  const m = Math.max(60, Math.ceil((3 * 2 * parameterCount(net)) / dy));
  const X = rng.fork('x').fillNormal(new Float64Array(m * dx), 0, 2);
  const teacher = initTheta(net, { kind: 'normal', mean: 0, std: 1 }, rng.fork('teacher'));
  const Y0 = forward(net, teacher, X, m).map((y) => y + 0.1 * rng.normal());
  const planted = ['A', 'B'].map((name) => ({ name, theta: initTheta(net, { kind: 'normal', mean: 0, std: 1 }, rng.fork(name)), target }));
  const problem: PlantProblem = { network: net, data: { m, dx, dy, X, Y0 }, planted, objective: { kind: 'closest' } };
  const report = analyzeProblem(problem, { linalg });
  const { Y } = plantLabels(problem, linalg);
  const certificates = certify(problem, Y, { linalg });
  return {
    source: { name: 'two_points', problem, seed, sourceText: 'landscape two_points { seed 3 }\n' },
    result: { Y, report: completeReport(report, problem, Y, certificates), certificates, backend: 'pure-ts', engineVersion: '0.1.0' },
  };
}

