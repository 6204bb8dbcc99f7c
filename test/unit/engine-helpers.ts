/** Shared by the engine tests: a norm-wise relative error and seeded teacher-plus-noise problems. */
import assert from 'node:assert/strict';
import { forward, initTheta, type InitSpec } from '../../server/src/engine/network';
import { createRng } from '../../server/src/engine/random';
import type { NetworkSpec, PlantProblem } from '../../server/src/engine/types';

/** max |a − b| / max(max |b|, tiny): a norm-wise relative error. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < a.length; k++) {
    diff = Math.max(diff, Math.abs(a[k] - b[k]));
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return diff / Math.max(scale, 1e-300);
}

/**
 * m inputs ~ N(0, 2²), base labels from a teacher net (drawn with `teacherInit`) plus N(0, 0.1²) noise,
 * and K standard-normal planted points P0, P1, ... with no Hessian target, all from one seed.
 */
export function teacherProblem(
  net: NetworkSpec, K: number, m: number, seed: number, teacherInit: InitSpec = { kind: 'normal', mean: 0, std: 1 },
): PlantProblem {
  const rng = createRng(seed);
  const dx = net.sizes[0];
  const dy = net.sizes[net.sizes.length - 1];
  const X = rng.fork('x').fillNormal(new Float64Array(m * dx), 0, 2);
  const teacher = initTheta(net, teacherInit, rng.fork('teacher'));
  const noise = rng.fork('noise');
  const Y0 = forward(net, teacher, X, m).map((y) => y + 0.1 * noise.normal());
  const planted = Array.from({ length: K }, (_, k) => ({
    name: `P${k}`,
    theta: initTheta(net, { kind: 'normal', mean: 0, std: 1 }, rng.fork(`P${k}`)),
    target: { kind: 'any' as const },
  }));
  return { network: net, data: { m, dx, dy, X, Y0 }, planted, objective: { kind: 'closest' } };
}
