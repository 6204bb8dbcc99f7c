import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../server/src/engine/random';
import { forward, initTheta, parameterCount, permuteHidden } from '../../server/src/engine/network';
import { analyzeProblem, outputBiasFix } from '../../server/src/engine/analysis';
import { plantLabels } from '../../server/src/engine/plant';
import { solveProblem } from '../../server/src/engine';
import { certify } from '../../server/src/engine/certificate';
import { getLinAlg } from '../../server/src/engine/linalg';
import type { NetworkSpec, PlantProblem } from '../../server/src/engine/types';

const linalg = getLinAlg();

function makeProblem(net: NetworkSpec, K: number, m: number, seed: number): PlantProblem {
  const rng = createRng(seed);
  const dx = net.sizes[0];
  const dy = net.sizes[net.sizes.length - 1];
  const X = rng.fork('x').fillNormal(new Float64Array(m * dx));
  const Y0 = rng.fork('y').fillNormal(new Float64Array(m * dy));
  const planted = Array.from({ length: K }, (_, k) => ({
    name: String.fromCharCode(65 + k),
    theta: initTheta(net, { kind: 'normal', mean: 0, std: 1 }, rng.fork(`p${k}`)),
    target: { kind: 'any' as const },
  }));
  return { network: net, data: { m, dx, dy, X, Y0 }, planted, objective: { kind: 'closest' } };
}

test('relu 2-8-1 without bias, K = 1: rank 16 = 24 − 8, symmetry named, consistent, critical', () => {
  const net: NetworkSpec = { sizes: [2, 8, 1], activations: ['relu', 'linear'], bias: false };
  const problem = makeProblem(net, 1, 120, 4);
  const report = analyzeProblem(problem, { linalg });
  assert.equal(report.equationCount, 24);
  assert.equal(report.labelCount, 120);
  assert.equal(report.rank, 16);
  assert.ok(report.consistent, `residual ${report.consistencyResidual}`);
  assert.deepEqual(report.causes.map((c) => [c.kind, c.harmless]), [['symmetry', true]]);
  assert.equal(report.causes[0].kind === 'symmetry' && report.causes[0].directions, 8);
  const { Y } = plantLabels(problem, linalg);
  const [cert] = certify(problem, Y, { linalg });
  assert.ok(cert.gradientNorm < 1e-13, `‖∇L‖ = ${cert.gradientNorm}`);
  // With another draw two units' half-planes split the 120 inputs identically: 3 more dependent
  // directions, reported as a harmless coincidence on top of the symmetry.
  const other = analyzeProblem(makeProblem(net, 1, 120, 3), { linalg });
  assert.equal(other.rank, 13);
  assert.ok(other.consistent);
  assert.deepEqual(other.causes.map((c) => [c.kind, c.harmless, 'directions' in c ? c.directions : 0]), [['symmetry', true, 8], ['coincidence', true, 3]]);
});

test('tanh with linear output and bias, K = 2: output-bias conflict named with the gap; the fix makes it consistent', () => {
  const net: NetworkSpec = { sizes: [3, 5, 2], activations: ['tanh', 'linear'], bias: true };
  const problem = makeProblem(net, 2, 200, 4);
  const report = analyzeProblem(problem, { linalg });
  assert.equal(report.consistent, false);
  assert.ok(report.consistencyResidual > 1e-6);
  const cause = report.causes.find((c) => c.kind === 'output-bias');
  assert.ok(cause && cause.kind === 'output-bias');
  assert.deepEqual(cause.points, ['A', 'B']);
  const mean = (theta: Float64Array, o: number) => {
    const y = forward(net, theta, problem.data.X, problem.data.m);
    let s = 0;
    for (let i = 0; i < problem.data.m; i++) s += y[i * 2 + o];
    return s / problem.data.m;
  };
  for (let o = 0; o < 2; o++) {
    assert.ok(Math.abs(cause.meanPredictionGap[o] - (mean(problem.planted[1].theta, o) - mean(problem.planted[0].theta, o))) < 1e-12);
  }
  assert.match(cause.message, /shift 'B''s output bias/);
  assert.equal(report.rank, 2 * parameterCount(net) - 2);
  // Unfixed: not critical. Fixed: consistent and critical at rounding level.
  const broken = certify(problem, plantLabels(problem, linalg).Y, { linalg });
  assert.ok(broken.some((c) => !c.critical && c.gradientNorm > 1e-6));
  const fixed: PlantProblem = { ...problem, planted: [problem.planted[0], { ...problem.planted[1], theta: outputBiasFix(problem, 'B') }] };
  const fixedReport = analyzeProblem(fixed, { linalg });
  assert.ok(fixedReport.consistent, `residual ${fixedReport.consistencyResidual}`);
  assert.ok(!fixedReport.causes.some((c) => c.kind === 'output-bias'));
  for (const cert of certify(fixed, plantLabels(fixed, linalg).Y, { linalg })) {
    assert.ok(cert.gradientNorm < 1e-12, `‖∇L‖ = ${cert.gradientNorm}`);
    assert.ok(cert.relativeGradientNorm <= 1e-12);
  }
});

test('a permuted copy adds no rank: an extra harmless coincidence, still consistent', () => {
  const net: NetworkSpec = { sizes: [3, 4, 1], activations: ['tanh', 'tanh'], bias: true };
  const problem = makeProblem(net, 1, 100, 5);
  const copy = { name: 'Aperm', theta: permuteHidden(net, problem.planted[0].theta, 0, [2, 0, 3, 1]), target: { kind: 'any' as const } };
  const report = analyzeProblem({ ...problem, planted: [...problem.planted, copy] }, { linalg });
  const n = parameterCount(net);
  assert.equal(report.rank, n);
  assert.ok(report.consistent);
  const cause = report.causes.find((c) => c.kind === 'coincidence');
  assert.ok(cause && cause.kind === 'coincidence' && cause.directions === n && cause.harmless);
});

test('counting and conditioning warnings', () => {
  const net: NetworkSpec = { sizes: [2, 8, 1], activations: ['tanh', 'tanh'], bias: true };
  const problem = makeProblem(net, 2, 30, 6);
  const report = analyzeProblem(problem, { linalg });
  assert.ok(report.warnings.some((w) => /overdetermined/.test(w)));
  assert.equal(report.consistent, false);
});

test('two random points in a narrow tanh net: huge label change is measured and warned about (docs/math.md table)', () => {
  const net: NetworkSpec = { sizes: [2, 8, 1], activations: ['tanh', 'linear'], bias: false };
  const problem = makeProblem(net, 2, 240, 3);
  const result = solveProblem(problem, { linalg });
  assert.ok(result.report.conditionNumber > 1e4);
  assert.ok((result.report.relativeLabelChange ?? 0) > 10);
  assert.ok(result.report.warnings.some((w) => /labels changed by/.test(w)));
  assert.ok(result.report.warnings.some((w) => /The loss at 'A' is/.test(w)));
  for (const cert of result.certificates) assert.ok(cert.relativeGradientNorm <= 1e-12);
});

test('Hessian freedom: M − rank(C) label directions for signature control, warned about when none is left', () => {
  const net: NetworkSpec = { sizes: [3, 5, 1], activations: ['tanh', 'linear'], bias: false };
  const n = parameterCount(net);
  // No Hessian target: nothing to report.
  assert.equal(analyzeProblem(makeProblem(net, 1, 60, 3), { linalg }).hessianFreedom, undefined);
  const roomy = makeProblem(net, 1, 60, 3);
  roomy.planted[0].target = { kind: 'minimum' };
  const report = analyzeProblem(roomy, { linalg });
  assert.deepEqual(report.hessianFreedom, { controlledPoints: 1, freeDirections: 60 - report.rank, fullControlEquations: (n * (n + 1)) / 2 });
  assert.equal(report.rank, n);
  assert.ok(!report.warnings.some((w) => /No label freedom/.test(w)));
  // m = N samples: the labels are unique (y = ŷ), so the Hessian is the Gauss–Newton one whatever is asked.
  const tight = makeProblem(net, 1, n, 3);
  tight.planted[0].target = { kind: 'saddle', index: 2 };
  const unique = analyzeProblem(tight, { linalg });
  assert.equal(unique.rank, n);
  assert.equal(unique.hessianFreedom?.freeDirections, 0);
  assert.ok(unique.warnings.some((w) => /No label freedom is left .*'A'.*cannot be controlled/.test(w)), unique.warnings.join('\n'));
  // Fixed labels take their directions away: only the free entries count.
  const fixed = makeProblem(net, 1, 60, 3);
  fixed.planted[0].target = { kind: 'minimum' };
  fixed.data.fixed = Uint8Array.from({ length: 60 }, (_, j) => (j < 60 - n ? 1 : 0));
  const pinned = analyzeProblem(fixed, { linalg });
  assert.equal(pinned.labelCount, n);
  assert.equal(pinned.hessianFreedom?.freeDirections, n - pinned.rank);
});
