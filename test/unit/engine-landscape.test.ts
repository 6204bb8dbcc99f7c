import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../server/src/engine/random';
import { forward, initTheta, layerLayout, mseLoss } from '../../server/src/engine/network';
import { linspace, neuronNormalizedDirection, planeGrid, planeThroughPoints, segmentCurve } from '../../server/src/engine/landscape';
import { plantLabels } from '../../server/src/engine/plant';
import { pureLinAlg } from '../../server/src/engine/linalg/pure';
import type { NetworkSpec, PlantProblem } from '../../server/src/engine/types';

const net: NetworkSpec = { sizes: [3, 4, 1], activations: ['tanh', 'tanh'], bias: true };

function setup() {
  const rng = createRng(21);
  const m = 120;
  const X = rng.fork('x').fillNormal(new Float64Array(m * 3));
  const Y0 = rng.fork('y').fillNormal(new Float64Array(m));
  const points = ['A', 'B', 'C'].map((name) => ({ name, theta: initTheta(net, { kind: 'normal', mean: 0, std: 1 }, rng.fork(name)), target: { kind: 'any' as const } }));
  const problem: PlantProblem = { network: net, data: { m, dx: 3, dy: 1, X, Y0 }, planted: points.slice(0, 2), objective: { kind: 'closest' } };
  const { Y } = plantLabels(problem, pureLinAlg);
  return { data: { net, X, Y, m }, points, rng };
}

test('segment: endpoints are the planted critical points, interior matches a direct evaluation', () => {
  const { data, points } = setup();
  const alpha = linspace(-0.5, 1.5, 9);
  const curve = segmentCurve(data, points[0].theta, points[1].theta, alpha);
  assert.equal(curve.loss.length, 9);
  for (const s of [2, 6]) assert.ok(curve.gradientNorm[s] < 1e-12, `α = ${alpha[s]} gradient ${curve.gradientNorm[s]}`);
  const mid = points[0].theta.map((a, k) => 0.5 * a + 0.5 * points[1].theta[k]);
  assert.ok(Math.abs(curve.loss[4] - mseLoss(data.Y, forward(net, mid, data.X, data.m), data.m)) < 1e-12 * curve.loss[4]);
  assert.ok(curve.gradientNorm[4] > 1e-6);
});

test('plane through three points: each point lands at its coordinates with its loss', () => {
  const { data, points } = setup();
  const [a, b, c] = points.map((p) => p.theta);
  const { d1, d2, coordinates } = planeThroughPoints(a, b, c);
  let dot = 0;
  for (let k = 0; k < d1.length; k++) dot += d1[k] * d2[k];
  assert.ok(Math.abs(dot) < 1e-12);
  const [cu, cv] = coordinates[2];
  const grid = planeGrid(data, a, d1, d2, Float64Array.from([0, 1, cu]), Float64Array.from([0, cv]));
  const lossOf = (t: Float64Array) => mseLoss(data.Y, forward(net, t, data.X, data.m), data.m);
  assert.ok(Math.abs(grid.loss[0] - lossOf(a)) < 1e-12 * lossOf(a));
  assert.ok(Math.abs(grid.loss[2] - lossOf(b)) < 1e-12 * lossOf(b));
  assert.ok(Math.abs(grid.loss[5] - lossOf(c)) < 1e-10 * lossOf(c));
  assert.throws(() => planeThroughPoints(a, b, Float64Array.from(a, (x, k) => 2 * b[k] - x)), /collinear/);
});

test('random directions normalised per neuron are seeded and match each neuron’s weight norm', () => {
  const { points } = setup();
  const theta = points[0].theta;
  const d = neuronNormalizedDirection(net, theta, createRng(4));
  assert.deepEqual(d, neuronNormalizedDirection(net, theta, createRng(4)));
  assert.notDeepEqual(d, neuronNormalizedDirection(net, theta, createRng(5)));
  for (const { rows, cols, weightOffset, biasOffset } of layerLayout(net)) {
    for (let p = 0; p < rows; p++) {
      let t2 = theta[biasOffset + p] ** 2;
      let d2 = d[biasOffset + p] ** 2;
      for (let q = 0; q < cols; q++) {
        t2 += theta[weightOffset + p * cols + q] ** 2;
        d2 += d[weightOffset + p * cols + q] ** 2;
      }
      assert.ok(Math.abs(Math.sqrt(d2) - Math.sqrt(t2)) < 1e-12 * Math.sqrt(t2));
    }
  }
});
