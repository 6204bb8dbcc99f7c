import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzeProblem, certifyPoint, createRng, EngineError, ENGINE_VERSION, getLinAlg, parameterCount, solveProblem,
  type NetworkSpec, type PlantProblem,
} from '../../server/src/engine';
import { teacherProblem } from './engine-helpers';

const GLOROT = { kind: 'glorot-normal' } as const;
const net: NetworkSpec = { sizes: [4, 5, 1], activations: ['tanh', 'tanh'], bias: true };

test('solveProblem: K = 1..4 tanh points certified critical at rounding level, report filled', () => {
  const n = parameterCount(net);
  for (let K = 1; K <= 4; K++) {
    const result = solveProblem(teacherProblem(net, K, 3 * K * n, K, GLOROT));
    assert.equal(result.engineVersion, ENGINE_VERSION);
    assert.equal(result.certificates.length, K);
    assert.equal(result.report.rank, K * n);
    assert.ok(result.report.consistent);
    assert.ok(result.report.relativeLabelChange !== undefined && result.report.relativeLabelChange > 0);
    for (const cert of result.certificates) {
      assert.ok(cert.relativeGradientNorm <= 1e-12, `K=${K} ${cert.name} ${cert.relativeGradientNorm}`);
      assert.ok(cert.critical && cert.achieved);
      assert.equal(cert.spectrumMethod, 'dense');
      assert.equal(cert.signature.positive + cert.signature.negative + cert.signature.zero, n);
    }
  }
});

test('solveProblem is bit-identical for the same spec and seed', () => {
  const a = solveProblem(teacherProblem(net, 2, 150, 9, GLOROT));
  const b = solveProblem(teacherProblem(net, 2, 150, 9, GLOROT));
  assert.deepEqual(Buffer.from(a.Y.buffer), Buffer.from(b.Y.buffer));
  assert.deepEqual(a.certificates.map((c) => c.eigenvalues), b.certificates.map((c) => c.eigenvalues));
});

test('solveProblem honours the memory budget option and the abort signal', () => {
  const problem = teacherProblem(net, 2, 150, 1, GLOROT);
  assert.throws(() => solveProblem(problem, { memoryBudgetBytes: 1000 }), (e: unknown) => e instanceof EngineError && e.code === 'memory-budget');
  assert.throws(() => analyzeProblem(problem, { memoryBudgetBytes: 1000 }), (e: unknown) => e instanceof EngineError && e.code === 'memory-budget');
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  assert.throws(() => solveProblem(problem, { signal: controller.signal }), /stop/);
  const phases = new Set<string>();
  solveProblem(problem, { onProgress: (phase, fraction) => {
    assert.ok(fraction >= 0 && fraction <= 1);
    phases.add(phase);
  } });
  assert.ok(phases.has('SVD of C'));
});

test('a minimum target for one point is verified in the certificate, never assumed', () => {
  const problem = teacherProblem(net, 1, 200, 12, GLOROT);
  problem.planted[0].target = { kind: 'minimum' };
  const [cert] = solveProblem(problem).certificates;
  assert.ok(cert.critical);
  assert.ok(cert.eigenvalues !== undefined);
  // Whatever signature control did, achieved must agree with the certified spectrum.
  const negatives = Array.from(cert.eigenvalues).filter((l) => l < -cert.zeroTolerance).length;
  assert.equal(cert.signature.negative, negatives);
  assert.equal(cert.achieved, negatives === 0 && cert.signature.zero <= cert.symmetryZeros + (cert.dataZeros ?? 0));
});

test('relu 3-8-8-1 saddle(3): the certificate excuses the same forced zeros as signature control (symmetry + data)', () => {
  const relu: NetworkSpec = { sizes: [3, 8, 8, 1], activations: ['relu', 'relu', 'linear'], bias: false };
  const rng = createRng(1);
  const m = 200;
  const X = rng.fillNormal(new Float64Array(m * 3));
  const Y0 = rng.fillNormal(new Float64Array(m));
  const theta = rng.fillNormal(new Float64Array(parameterCount(relu)));
  const problem: PlantProblem = { network: relu, data: { m, dx: 3, dy: 1, X, Y0 }, planted: [{ name: 'A', theta, target: { kind: 'saddle', index: 3 } }], objective: { kind: 'closest' } };
  const [cert] = solveProblem(problem).certificates;
  // 16 rescaling symmetries (one per hidden relu unit) and 8 more forced by this data.
  assert.equal(cert.symmetryZeros, 16);
  assert.equal(cert.dataZeros, 8);
  assert.deepEqual(cert.signature, { positive: 69, negative: 3, zero: 24 });
  assert.ok(cert.achieved, cert.reason);
  assert.ok(cert.margin > cert.zeroTolerance);
});

test('above the dense limit the certificate uses Lanczos extremes and claims only what they decide', () => {
  const problem = teacherProblem(net, 1, 150, 4, GLOROT);
  const result = solveProblem(problem);
  const dense = result.certificates[0];
  const linalg = getLinAlg();
  const viaLanczos = certifyPoint(problem, { ...problem.planted[0], target: { kind: 'any' } }, result.Y, { linalg, denseLimit: 5 });
  assert.equal(viaLanczos.spectrumMethod, 'lanczos');
  assert.ok(Math.abs(viaLanczos.minEigenvalue - dense.minEigenvalue) <= 1e-8 * Math.abs(dense.maxEigenvalue));
  assert.ok(Math.abs(viaLanczos.maxEigenvalue - dense.maxEigenvalue) <= 1e-8 * Math.abs(dense.maxEigenvalue));
  assert.ok(viaLanczos.achieved);
  const saddle = certifyPoint(problem, { ...problem.planted[0], target: { kind: 'saddle', index: 1 } }, result.Y, { linalg, denseLimit: 5 });
  assert.equal(saddle.achieved, false);
  assert.match(saddle.reason ?? '', /not verified/);
});
