import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRng } from '../../server/src/engine/random';
import {
  forward, initTheta, layerLayout, parameterCount, permuteHidden, perturbTheta,
} from '../../server/src/engine/network';
import { EngineError } from '../../server/src/engine/errors';
import type { NetworkSpec } from '../../server/src/engine/types';

const net: NetworkSpec = { sizes: [3, 5, 4, 2], activations: ['tanh', 'gelu', 'linear'], bias: true };

test('layout: W0, b0, W1, b1, ... with (out, in) row-major shapes', () => {
  assert.equal(parameterCount(net), 5 * 3 + 5 + 4 * 5 + 4 + 2 * 4 + 2);
  assert.deepEqual(layerLayout(net), [
    { layer: 0, rows: 5, cols: 3, weightOffset: 0, biasOffset: 15 },
    { layer: 1, rows: 4, cols: 5, weightOffset: 20, biasOffset: 40 },
    { layer: 2, rows: 2, cols: 4, weightOffset: 44, biasOffset: 52 },
  ]);
  const noBias = { ...net, bias: false };
  assert.equal(parameterCount(noBias), 15 + 20 + 8);
  assert.equal(layerLayout(noBias)[1].biasOffset, -1);
});

test('forward agrees with an independent NumPy computation', () => {
  const rng = createRng(1);
  const theta = initTheta(net, { kind: 'normal', mean: 0, std: 1 }, rng.fork('theta'));
  const m = 7;
  const X = rng.fork('x').fillNormal(new Float64Array(m * 3));
  const ours = forward(net, theta, X, m);
  const script = `
import json, sys, math
import numpy as np
d = json.load(sys.stdin)
t = np.array(d['theta']); X = np.array(d['X']).reshape(${m}, 3)
sizes = [3, 5, 4, 2]; o = 0; a = X
acts = [np.tanh, lambda z: z * 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2))), lambda z: z]
for l in range(3):
    W = t[o:o + sizes[l+1] * sizes[l]].reshape(sizes[l+1], sizes[l]); o += W.size
    b = t[o:o + sizes[l+1]]; o += sizes[l+1]
    a = acts[l](a @ W.T + b)
print(json.dumps(a.ravel().tolist()))`;
  const ref = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify({ theta: [...theta], X: [...X] }) }).toString());
  for (let j = 0; j < ours.length; j++) assert.ok(Math.abs(ours[j] - ref[j]) <= 1e-13 * (1 + Math.abs(ref[j])), `entry ${j}`);
});

test('initialisers: explicit values, seeded determinism, Glorot/He scales and zero biases', () => {
  const n = parameterCount(net);
  const values = Array.from({ length: n }, (_, k) => k / 10);
  assert.deepEqual([...initTheta(net, { kind: 'values', values }, createRng(0))], values);
  assert.throws(() => initTheta(net, { kind: 'values', values: [1, 2] }, createRng(0)), EngineError);
  const a = initTheta(net, { kind: 'he-normal' }, createRng(3));
  assert.deepEqual(a, initTheta(net, { kind: 'he-normal' }, createRng(3)));
  const wide: NetworkSpec = { sizes: [400, 300, 1], activations: ['relu', 'linear'], bias: true };
  const glorot = initTheta(wide, { kind: 'glorot-uniform' }, createRng(4));
  const limit = Math.sqrt(6 / 700);
  let sumSq = 0;
  for (let k = 0; k < 120000; k++) {
    assert.ok(Math.abs(glorot[k]) <= limit);
    sumSq += glorot[k] ** 2;
  }
  assert.ok(Math.abs(sumSq / 120000 - limit * limit / 3) < 0.02 * limit * limit);
  for (let k = 120000; k < 120300; k++) assert.equal(glorot[k], 0);
  const he = initTheta(wide, { kind: 'he-normal' }, createRng(5));
  let heSq = 0;
  for (let k = 0; k < 120000; k++) heSq += he[k] ** 2;
  assert.ok(Math.abs(heSq / 120000 - 2 / 400) < 0.02 * (2 / 400));
  const u = initTheta(net, { kind: 'uniform', low: 2, high: 3 }, createRng(6));
  for (const x of u) assert.ok(x >= 2 && x < 3);
});

test('derived points: perturbation scale and permuted copies compute the same function', () => {
  const rng = createRng(11);
  const A = initTheta(net, { kind: 'normal', mean: 0, std: 1 }, rng.fork('A'));
  const B = perturbTheta(A, 0.1, rng.fork('B'));
  let sq = 0;
  for (let k = 0; k < A.length; k++) sq += (B[k] - A[k]) ** 2;
  assert.ok(Math.sqrt(sq / A.length) > 0.05 && Math.sqrt(sq / A.length) < 0.15);
  const m = 9;
  const X = rng.fork('x').fillNormal(new Float64Array(m * 3));
  const P0 = permuteHidden(net, A, 0, [4, 2, 0, 1, 3]);
  const P1 = permuteHidden(net, P0, 1, [3, 1, 2, 0]);
  assert.notDeepEqual(P1, A);
  const yA = forward(net, A, X, m);
  const yP = forward(net, P1, X, m);
  for (let j = 0; j < yA.length; j++) assert.ok(Math.abs(yA[j] - yP[j]) < 1e-14);
  assert.throws(() => permuteHidden(net, A, 2, [0, 1]), EngineError);
  assert.throws(() => permuteHidden(net, A, 0, [0, 0, 1, 2, 3]), EngineError);
});
