import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileLandscape, parseCrit } from '../../server/src/language';
import { solveProblem } from '../../server/src/engine';
import { evaluate, jacobian, lossGradient, lossHessian, residual, type Evaluation } from '../../server/src/engine/derivatives';
import { getLinAlg } from '../../server/src/engine/linalg';
import { layerLayout, parameterCount } from '../../server/src/engine/network';
import { gaussNewton, weightedOutputHessian } from '../../server/src/engine/derivatives';
import { indexInterval, predictedIndex, reducePencil } from '../../server/src/engine/pencil';
import { plantLabels } from '../../server/src/engine/plant';
import { createRng } from '../../server/src/engine/random';
import { forcedZeroCount, marginOf } from '../../server/src/engine/signature';
import { projectOut, projectOutRows, rangeBasis } from '../../server/src/engine/subspace';
import { controlSignatures, hiddenUnitEquivalent, type SignatureControlOptions } from '../../server/src/engine/signatureControl';
import type { HessianTarget, NetworkSpec, PlantProblem, Theta } from '../../server/src/engine/types';

const linalg = getLinAlg();

function tanhNet(sizes: number[]): NetworkSpec {
  return { sizes, activations: [...sizes.slice(2).map(() => 'tanh' as const), 'linear'], bias: false };
}

/** Inputs and teacher-plus-noise base labels, seeded. */
function dataset(net: NetworkSpec, m: number, seed: number, inputStd = 1): { X: Float64Array; Y0: Float64Array } {
  const rng = createRng(seed).fork('data');
  const X = rng.fillNormal(new Float64Array(m * net.sizes[0]), 0, inputStd);
  const teacher = rng.fillNormal(new Float64Array(parameterCount(net)));
  const Y0 = Float64Array.from(evaluate(net, teacher, X, m).trace.output, (v) => v + 0.1 * rng.normal());
  return { X, Y0 };
}

function problemOf(net: NetworkSpec, m: number, points: { name: string; theta: Theta; target: HessianTarget }[], seed = 1, inputStd = 1): PlantProblem {
  const { X, Y0 } = dataset(net, m, seed, inputStd);
  return { network: net, data: { m, dx: net.sizes[0], dy: 1, X, Y0 }, planted: points, objective: { kind: 'closest' } };
}

function solve(problem: PlantProblem, opts: SignatureControlOptions = {}) {
  const { Y } = plantLabels(problem, linalg);
  const evaluations = problem.planted.map((p) => evaluate(problem.network, p.theta, problem.data.X, problem.data.m));
  return { planted: Y, evaluations, ...controlSignatures(problem, Y, { linalg, evaluations }, opts) };
}

/** Independent verification: dense loss Hessian eigenvalues and the scale-free gradient at the final labels. */
function verifyAt(ev: Evaluation, Y: Float64Array): { negatives: number; margin: number; relativeGradient: number } {
  const values = linalg.symEig(lossHessian(ev, Y, { linalg }), false).values;
  const J = jacobian(ev);
  const r = residual(ev, Y);
  const g = lossGradient(ev, Y);
  const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  // ||∇L|| = (2/m)||Jᵀr||: undo the factor for the scale-free ||Jᵀr|| / (||J||_F ||r||).
  const relativeGradient = (norm(g) * ev.m) / 2 / (norm(J.data) * norm(r));
  return { negatives: values.filter((v) => v < 0).length, margin: marginOf(values, 0), relativeGradient };
}

test('pencil: the predicted inertia #{t μ > 1} matches the dense Hessian along the ray', () => {
  const net = tanhNet([3, 8, 1]);
  const theta = createRng(5).fillNormal(new Float64Array(32));
  const problem = problemOf(net, 200, [{ name: 'A', theta, target: { kind: 'any' } }]);
  const ev = evaluate(net, theta, problem.data.X, 200);
  const J = jacobian(ev);
  const rho = Float64Array.from(problem.data.Y0, (y, j) => y - ev.trace.output[j]);
  const x = linalg.lstsq(J, { rows: 200, cols: 1, data: rho }, 1e-14).X;
  const Jx = linalg.gemm(J, x).data;
  for (let j = 0; j < rho.length; j++) rho[j] -= Jx[j];
  const G = gaussNewton(linalg, J);
  const S = weightedOutputHessian(ev, rho);
  const pencil = reducePencil(linalg, G, S);
  assert.equal(pencil.commonNull, 0);
  for (const k of [0, 1, 3, 5]) {
    for (const sign of [1, -1] as const) {
      const interval = indexInterval(pencil.mu, k, sign);
      if (interval === undefined) continue;
      const t = Number.isFinite(interval.high) && Number.isFinite(interval.low) ? (interval.low + interval.high) / 2 : sign * 2 * Math.max(Math.abs(interval.low), Math.abs(interval.high) === Infinity ? 0 : Math.abs(interval.high));
      assert.equal(predictedIndex(pencil.mu, t), k);
      const Y = Float64Array.from(ev.trace.output, (y, j) => y + t * rho[j]);
      assert.equal(verifyAt(ev, Y).negatives, k, `k=${k} sign=${sign} t=${t}`);
    }
  }
});

test('tanh 3-8-1, one point: minimum, saddle(2), saddle(6) reached exactly with widened margins', () => {
  const net = tanhNet([3, 8, 1]);
  const theta = createRng(1).fillNormal(new Float64Array(32));
  for (const target of [{ kind: 'minimum' }, { kind: 'saddle', index: 2 }, { kind: 'saddle', index: 6 }] as HessianTarget[]) {
    const problem = problemOf(net, 640, [{ name: 'A', theta, target }]);
    const result = solve(problem, { candidates: 4, widenRounds: 3 });
    assert.deepEqual(result.reached, [true], result.notes.join('\n'));
    const check = verifyAt(result.evaluations[0], result.Y);
    assert.equal(check.negatives, target.kind === 'saddle' ? target.index : 0);
    assert.ok(check.margin > 1e-5, `margin ${check.margin}`);
    assert.ok(check.relativeGradient <= 1e-10, `relative gradient ${check.relativeGradient}`);
    assert.equal(result.points[0].check?.signature.negative, check.negatives);
  }
});

test('tanh 3-6-6-1, one point: saddle(1, 3, 8, 20) reached exactly', () => {
  const net = tanhNet([3, 6, 6, 1]);
  const theta = createRng(2).fillNormal(new Float64Array(60));
  for (const index of [1, 3, 8, 20]) {
    const problem = problemOf(net, 240, [{ name: 'A', theta, target: { kind: 'saddle', index } }]);
    const result = solve(problem, { candidates: 3, widenRounds: 1 });
    assert.deepEqual(result.reached, [true], `saddle(${index}): ${result.notes.join('\n')}`);
    const check = verifyAt(result.evaluations[0], result.Y);
    assert.equal(check.negatives, index);
    assert.ok(check.margin > 1e-8, `saddle(${index}) margin ${check.margin}`);
    assert.ok(check.relativeGradient <= 1e-10);
  }
});

test('a structurally impossible target is reported, not attempted', () => {
  const net = tanhNet([3, 8, 1]);
  const theta = createRng(3).fillNormal(new Float64Array(32));
  const result = solve(problemOf(net, 100, [{ name: 'A', theta, target: { kind: 'maximum' } }]));
  assert.deepEqual(result.reached, [false]);
  assert.match(result.notes.join(' '), /maximum is impossible: the output layer is linear/);
});

/** θ with the hidden units of every hidden layer reversed (and, for tanh, the first unit's sign flipped). */
function permuted(net: NetworkSpec, theta: Theta): Theta {
  const out = Float64Array.from(theta);
  const blocks = layerLayout(net);
  for (let l = 0; l + 1 < blocks.length; l++) {
    const block = blocks[l];
    const next = blocks[l + 1];
    const units = block.rows;
    const perm = Array.from({ length: units }, (_, i) => units - 1 - i);
    const sign = (u: number) => (u === 0 ? -1 : 1);
    const src = Float64Array.from(out);
    for (let u = 0; u < units; u++) {
      for (let q = 0; q < block.cols; q++) out[block.weightOffset + u * block.cols + q] = sign(u) * src[block.weightOffset + perm[u] * block.cols + q];
      for (let p = 0; p < next.rows; p++) out[next.weightOffset + p * next.cols + u] = sign(u) * src[next.weightOffset + p * next.cols + perm[u]];
    }
  }
  return out;
}

test('K = 2 with B a permuted copy of A: both minima reached; minimum + saddle(2) proved infeasible', () => {
  const net = tanhNet([3, 8, 1]);
  const theta = createRng(4).fillNormal(new Float64Array(32));
  const copy = permuted(net, theta);
  assert.ok(hiddenUnitEquivalent(net, theta, copy));
  assert.ok(!hiddenUnitEquivalent(net, theta, createRng(9).fillNormal(new Float64Array(32))));
  const both = solve(problemOf(net, 320, [
    { name: 'A', theta, target: { kind: 'minimum' } },
    { name: 'B', theta: copy, target: { kind: 'minimum' } },
  ]), { candidates: 3, widenRounds: 1 });
  assert.deepEqual(both.reached, [true, true], both.notes.join('\n'));
  for (const ev of both.evaluations) {
    const check = verifyAt(ev, both.Y);
    assert.equal(check.negatives, 0);
    assert.ok(check.relativeGradient <= 1e-10);
  }
  const conflict = solve(problemOf(net, 320, [
    { name: 'A', theta, target: { kind: 'minimum' } },
    { name: 'B', theta: copy, target: { kind: 'saddle', index: 2 } },
  ]));
  assert.deepEqual(conflict.reached, [false, false]);
  assert.match(conflict.notes.join(' '), /permutations of each other.*infeasible/);
});

test('K = 2 random points, both minima: not reached, with a proved obstruction radius that holds', () => {
  const net = tanhNet([3, 8, 1]);
  const rng = createRng(6);
  const points = ['A', 'B'].map((name) => ({ name, theta: rng.fillNormal(new Float64Array(32)), target: { kind: 'minimum' } as HessianTarget }));
  const problem = problemOf(net, 320, points);
  const result = solve(problem, { maxIterations: 15, widenRounds: 0 });
  assert.deepEqual(result.reached, [false, false]);
  for (let a = 0; a < 2; a++) {
    const check = verifyAt(result.evaluations[a], result.Y);
    assert.equal(result.points[a].check?.signature.negative, check.negatives, 'reported signature is the verified one');
    assert.ok(check.relativeGradient <= 1e-10, 'labels stay in the critical set');
  }
  assert.match(result.notes.join(' '), /iteration limit|stalled/);
  const obstruction = result.obstruction;
  assert.ok(obstruction !== undefined && obstruction.radius > 0, result.notes.join('\n'));
  assert.match(result.notes.join(' '), /proved: no labels within/);
  // Spot-check the claim: random critical-set moves of 0.9 R leave some point with a negative eigenvalue.
  const M = problem.data.m;
  const columns = result.evaluations.map((ev) => jacobian(ev));
  const stacked = { rows: M, cols: 64, data: new Float64Array(M * 64) };
  for (let j = 0; j < M; j++) for (let a = 0; a < 2; a++) for (let c = 0; c < 32; c++) stacked.data[j * 64 + a * 32 + c] = columns[a].data[j * 32 + c];
  const U = linalg.svd(stacked).U;
  const probe = createRng(8);
  for (let trial = 0; trial < 4; trial++) {
    const d = probe.fillNormal(new Float64Array(M));
    const coefficients = linalg.gemm(U, { rows: M, cols: 1, data: d }, true, false).data;
    const inRange = linalg.gemm(U, { rows: U.cols, cols: 1, data: coefficients }).data;
    for (let j = 0; j < M; j++) d[j] -= inRange[j];
    const length = Math.sqrt(d.reduce((s, x) => s + x * x, 0));
    const Y = Float64Array.from(result.Y, (y, j) => y + (0.9 * obstruction.radius * d[j]) / length);
    const negatives = result.evaluations.map((ev) => verifyAt(ev, Y).negatives);
    assert.ok(negatives.some((count) => count > 0), `trial ${trial}: both minima inside the proved radius`);
  }
});

test('K = 2 random points with spread inputs (x ~ N(0, 3²), w ~ N(0, 2²)): the search reaches two minima', () => {
  const net = tanhNet([3, 8, 1]);
  const m = 320;
  const rng = createRng(103).fork('data');
  const X = rng.fillNormal(new Float64Array(m * 3), 0, 3);
  const teacher = rng.fillNormal(new Float64Array(32));
  const Y0 = Float64Array.from(evaluate(net, teacher, X, m).trace.output, (v) => v + 0.1 * rng.normal());
  const planted = ['A', 'B'].map((name) => ({ name, theta: rng.fillNormal(new Float64Array(32), 0, 2), target: { kind: 'minimum' } as HessianTarget }));
  const problem: PlantProblem = { network: net, data: { m, dx: 3, dy: 1, X, Y0 }, planted, objective: { kind: 'closest' } };
  const result = solve(problem, { widenRounds: 1 });
  assert.deepEqual(result.reached, [true, true], result.notes.join('\n'));
  for (const ev of result.evaluations) {
    const check = verifyAt(ev, result.Y);
    assert.equal(check.negatives, 0);
    assert.ok(check.margin > 0);
    assert.ok(check.relativeGradient <= 1e-10);
  }
});

test('relu: a minimum means positive apart from the forced zeros; data-dependent flat directions are counted', () => {
  const relu361: NetworkSpec = { sizes: [3, 6, 1], activations: ['relu', 'linear'], bias: false };
  const rng = createRng(4);
  const m = 120;
  const X = rng.fillNormal(new Float64Array(m * 3));
  const Y0 = rng.fillNormal(new Float64Array(m));
  const theta = rng.fillNormal(new Float64Array(24));
  const problem: PlantProblem = { network: relu361, data: { m, dx: 3, dy: 1, X, Y0 }, planted: [{ name: 'A', theta, target: { kind: 'minimum' } }], objective: { kind: 'closest' } };
  const result = solve(problem, { candidates: 2, widenRounds: 1 });
  assert.deepEqual(result.reached, [true], result.notes.join('\n'));
  assert.deepEqual(result.points[0].check?.signature, { positive: 18, negative: 0, zero: 6 });
  assert.equal(forcedZeroCount(linalg, result.evaluations[0], jacobian(result.evaluations[0])), 6);
  // A relu unit active on no sample: its incoming and outgoing weights are flat for every labels.
  const dead = Float64Array.from(theta);
  for (let q = 0; q < 3; q++) dead[q] = 0;
  const ev = evaluate(relu361, dead, X, m);
  assert.equal(forcedZeroCount(linalg, ev, jacobian(ev)), 6 + 3);
});

test('margin and sharpness asks: met when the ray allows, reported with the reason when not', () => {
  const net = tanhNet([3, 8, 1]);
  const theta = createRng(1).fillNormal(new Float64Array(32));
  const free = solve(problemOf(net, 320, [{ name: 'A', theta, target: { kind: 'minimum' } }]), { candidates: 2, widenRounds: 0 });
  const check = free.points[0].check;
  assert.ok(check !== undefined && check.holds);
  // A sharpness just above the reached largest eigenvalue is met, and verified.
  const sharp = solve(problemOf(net, 320, [{ name: 'A', theta, target: { kind: 'minimum', sharpness: 1.001 * check.maxEigenvalue } }]), { candidates: 2, widenRounds: 0 });
  assert.deepEqual(sharp.reached, [true]);
  assert.ok(verifyAt(sharp.evaluations[0], sharp.Y).negatives === 0);
  // A margin far beyond the eigenvalue scale cannot be met: reported, with the reason.
  const wide = solve(problemOf(net, 320, [{ name: 'A', theta, target: { kind: 'minimum', margin: 100 * check.maxEigenvalue } }]), { candidates: 2, widenRounds: 1, maxIterations: 3 });
  assert.deepEqual(wide.reached, [false]);
  assert.match(wide.notes.join(' '), /margin .* below the asked/);
});

test('pencil on a relu net: the common null space (symmetries and data) is split off and the inertia still matches', () => {
  const net: NetworkSpec = { sizes: [3, 6, 6, 1], activations: ['relu', 'relu', 'linear'], bias: false };
  const rng = createRng(3);
  const m = 200;
  const X = rng.fillNormal(new Float64Array(m * 3));
  const theta = rng.fillNormal(new Float64Array(60));
  const ev = evaluate(net, theta, X, m);
  const J = jacobian(ev);
  const raw = rng.fillNormal(new Float64Array(m));
  const Jx = linalg.gemm(J, linalg.lstsq(J, { rows: m, cols: 1, data: raw }, 1e-13).X).data;
  const rho = raw.map((v, j) => v - Jx[j]);
  const pencil = reducePencil(linalg, gaussNewton(linalg, J), weightedOutputHessian(ev, rho));
  const forced = forcedZeroCount(linalg, ev, J);
  assert.ok(forced >= 12, `at least the 12 rescaling symmetries, got ${forced}`);
  assert.equal(pencil.commonNull, forced);
  for (const k of [0, 2, 5, 8]) {
    const interval = indexInterval(pencil.mu, k, 1);
    assert.ok(interval !== undefined && Number.isFinite(interval.high));
    const t = (interval.low + interval.high) / 2;
    const Y = Float64Array.from(ev.trace.output, (v, j) => v + t * rho[j]);
    const values = linalg.symEig(lossHessian(ev, Y, { linalg }), false).values;
    const tolerance = 1e-9 * Math.max(...Array.from(values, Math.abs));
    assert.equal(values.filter((v) => v < -tolerance).length, k);
    assert.equal(values.filter((v) => Math.abs(v) <= tolerance).length, forced);
  }
});

test('signature control is cancellable', () => {
  const net = tanhNet([3, 8, 1]);
  const theta = createRng(1).fillNormal(new Float64Array(32));
  const problem = problemOf(net, 100, [{ name: 'A', theta, target: { kind: 'saddle', index: 2 } }]);
  const controller = new AbortController();
  controller.abort();
  assert.throws(() => solve(problem, { signal: controller.signal }), { name: 'AbortError' });
});

test('fixed labels: the search reaches saddle(2) and holds the fixed entries exactly', () => {
  const net = tanhNet([3, 8, 1]);
  const m = 320;
  const rng = createRng(5);
  const X = rng.fillNormal(new Float64Array(m * 3));
  const theta = rng.fillNormal(new Float64Array(32));
  const Y0 = Float64Array.from(evaluate(net, rng.fillNormal(new Float64Array(32)), X, m).trace.output, (v) => v + 0.1 * rng.normal());
  const fixed = new Uint8Array(m);
  for (let i = 0; i < m; i += 2) fixed[i] = 1;
  const problem: PlantProblem = { network: net, data: { m, dx: 3, dy: 1, X, Y0, fixed }, planted: [{ name: 'A', theta, target: { kind: 'saddle', index: 2 } }], objective: { kind: 'closest' } };
  const result = solve(problem, { widenRounds: 1 });
  assert.deepEqual(result.reached, [true], result.notes.join('\n'));
  for (let i = 0; i < m; i += 2) assert.equal(result.Y[i], problem.data.Y0[i]);
  const check = verifyAt(result.evaluations[0], result.Y);
  assert.equal(check.negatives, 2);
  assert.ok(check.relativeGradient <= 1e-10);
});

test('asking for a margin never ends below the margin reached without asking (samples/sharp_vs_flat.crit, sharp)', () => {
  const text = readFileSync(join(__dirname, '../../samples/sharp_vs_flat.crit'), 'utf8');
  const landscape = parseCrit(text).file.landscapes.find((l) => l.name === 'sharp');
  assert.ok(landscape !== undefined);
  const compiled = compileLandscape(landscape, undefined).problem;
  assert.ok(compiled !== undefined);
  const withTarget = (target: HessianTarget): PlantProblem => ({ ...compiled.problem, planted: compiled.problem.planted.map((p) => ({ ...p, target })) });
  const [free] = solveProblem(withTarget({ kind: 'minimum' }), { linalg }).certificates;
  assert.ok(free.achieved, free.reason);
  for (const margin of [0.0005, 0.001]) {
    const [asked] = solveProblem(withTarget({ kind: 'minimum', margin }), { linalg }).certificates;
    assert.ok(asked.achieved, `margin ${margin}: ${asked.reason}`);
    assert.ok(asked.margin >= free.margin * (1 - 1e-9), `margin ${margin}: reached ${asked.margin}, ${free.margin} without asking`);
  }
});

test('projectOutRows removes the range of U from every row, as projectOut does row by row', () => {
  const rng = createRng(12);
  const A = { rows: 40, cols: 6, data: rng.fillNormal(new Float64Array(240)) };
  const U = rangeBasis(linalg, A);
  const R = { rows: 5, cols: 40, data: rng.fillNormal(new Float64Array(200)) };
  const projected = projectOutRows(linalg, U, R);
  for (let i = 0; i < R.rows; i++) {
    const row = projectOut(U, R.data.slice(i * 40, (i + 1) * 40));
    for (let j = 0; j < 40; j++) assert.ok(Math.abs(projected.data[i * 40 + j] - row[j]) <= 1e-13, `row ${i} entry ${j}`);
  }
  // Nothing of range(U) is left: Uᵀ r = 0 for every projected row.
  const inRange = linalg.gemm(projected, U).data;
  for (const value of inRange) assert.ok(Math.abs(value) <= 1e-13);
});
