// Optimizer probes: language block, start directions, the tfjs training against a float64 engine
// gradient-descent run, reproducibility, and the sample's qualitative claim (stable-manifold starts
// stay longest at the saddle; mini-batch noise shortens the stay), with fixed seeds.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { solveProblem } from '../../server/src/engine';
import { evaluate, lossGradient } from '../../server/src/engine/derivatives';
import { createRng } from '../../server/src/engine/random';
import { compileLandscape, parseCrit, validateFile } from '../../server/src/language';
import { renderSvg } from '../../server/src/io/render';
import { compileProbe } from '../../server/src/probe/compile';
import { ProbeError } from '../../server/src/probe/errors';
import { probeFiles } from '../../server/src/probe/output';
import { runProbe, train } from '../../server/src/probe/runner';
import { centerSpectrum, directionBasis, drawStart } from '../../server/src/probe/starts';
import { loadTf } from '../../server/src/probe/tfjs';
import type { ProbeProblem, ProbeResult, ProbeSpec } from '../../server/src/probe/types';
import { crit } from './cli-helpers';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'probe_saddle_escape.crit');

function solvedSample(): { problem: ProbeProblem; spec: ProbeSpec } {
  const { file } = parseCrit(readFileSync(SAMPLE, 'utf8'));
  const landscape = file.landscapes[0];
  const compiled = compileLandscape(landscape, undefined).problem!;
  const result = solveProblem(compiled.problem);
  assert.ok(result.certificates[0].achieved, 'the sample plants an index-1 saddle');
  const problem: ProbeProblem = {
    network: compiled.problem.network,
    m: compiled.problem.data.m,
    X: compiled.problem.data.X,
    Y: result.Y,
    points: compiled.problem.planted.map((p) => ({ name: p.name, theta: p.theta })),
  };
  return { problem, spec: compileProbe(landscape.probes[0], 0) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

describe('probe block', () => {
  const spec = (probe: string) => `landscape s {
  network { input 2; layer 3 tanh; output 1 }
  data { points 40 }
  weights A = normal(0, 1)
  critical A
  ${probe}
}`;

  it('compiles with defaults and expands optimizers over batch sizes', () => {
    const { file, errors } = parseCrit(spec('probe p { optimizer adam lr 0.05 beta1 0.8; optimizer sgd; batch full, 8; starts 3 around A direction eigen negative; escape loss 0.02 }'));
    assert.deepEqual(errors, []);
    assert.deepEqual(validateFile(file), []);
    const p = compileProbe(file.landscapes[0].probes[0], 0);
    assert.equal(p.name, 'p');
    assert.deepEqual(p.optimizers.map((o) => [o.name, o.lr, o.batch]), [['adam', 0.05, 'full'], ['adam', 0.05, 8], ['sgd', 0.01, 'full'], ['sgd', 0.01, 8]]);
    assert.deepEqual(p.optimizers[0].params, { beta1: 0.8, beta2: 0.999, epsilon: 1e-7 });
    assert.deepEqual(p.groups, [{ around: 'A', radius: 0.05, direction: 'eigen-negative', count: 3 }]);
    assert.deepEqual([p.steps, p.seed, p.escape], [1000, 0, { distance: 0.5, loss: 0.02 }]);
  });

  it('reports unknown names with fixes, bad values, missing parts and misspelt statements', () => {
    const codes = (probe: string) => {
      const { file, errors } = parseCrit(spec(probe));
      return [...errors, ...validateFile(file)].map((d) => d.code);
    };
    assert.deepEqual(codes('probe { optimizer adamm; starts 2 around A }'), ['names/unknown-optimizer']);
    assert.deepEqual(codes('probe { optimizer adam beta3 0.9 beta2 1.5; starts 2 around A }'), ['names/unknown-hyperparameter', 'values/out-of-range']);
    assert.deepEqual(codes('probe { optimizer sgd; starts 2 around B direction eigen negativ }'), ['names/undefined-weights', 'names/unknown-direction']);
    assert.deepEqual(codes('probe { optimizer sgd; starts 2.5 around A; batch ful, 100; escape los 0.1 }'), ['values/not-a-whole-number', 'values/batch-size', 'values/batch-size', 'names/unknown-escape-rule']);
    assert.deepEqual(codes('probe { }'), ['structure/probe-without-optimizer', 'structure/probe-without-starts']);
    assert.deepEqual(codes('probe { optimizer sgd; starts 10000 around A; optimizer adam; steps 1000000 }'), ['counts/probe-too-large']);
    assert.deepEqual(codes('probe { optimizer sgd lr 0.1\n optimzer adam\n starts 2 around A }'), ['syntax/unknown-statement']);
    assert.deepEqual(codes('probe { optimizer sgd; starts 2 around A direction stable\n optimzer adam }'), ['syntax/unknown-statement']);
    const { file } = parseCrit(spec('probe { optimizer adamm; starts 2 around A }'));
    assert.equal(validateFile(file)[0].fixes?.[0].edits[0].newText, 'adam');
  });
});

describe('probe runs', () => {
  let problem: ProbeProblem;
  let spec: ProbeSpec;
  before(() => ({ problem, spec } = solvedSample()));

  it('draws starts at the radius inside the asked eigenspace', () => {
    const A = problem.points[0].theta;
    const spectrum = centerSpectrum(problem, A);
    const negative = directionBasis(spectrum, 'eigen-negative');
    assert.equal(negative.length, 1);
    const v = Float64Array.from({ length: A.length }, (_, k) => spectrum.eig.vectors.data[k * A.length + negative[0]]);
    for (const direction of ['stable', 'eigen-negative', 'random'] as const) {
      const start = drawStart(A, 0.01, direction, spectrum, createRng(5).fork(direction), 'A');
      const d = start.map((x, k) => x - A[k]);
      const along = Math.abs(d.reduce((s, x, k) => s + x * v[k], 0));
      assert.ok(Math.abs(Math.hypot(...d) - 0.01) < 1e-12, 'at the radius');
      if (direction === 'stable') assert.ok(along < 1e-12, 'orthogonal to the negative eigenvector');
      if (direction === 'eigen-negative') assert.ok(Math.abs(along - 0.01) < 1e-12, 'along the negative eigenvector');
    }
    const minimumLike = { ...spectrum, eig: { ...spectrum.eig, values: spectrum.eig.values.map(Math.abs) } };
    assert.throws(() => drawStart(A, 0.01, 'eigen-negative', minimumLike, createRng(5), 'A'), (e: Error) => e instanceof ProbeError && /no negative-curvature eigenvector/.test(e.message));
  });

  it('tfjs sgd agrees with float64 gradient descent on the engine gradient over its first steps', async () => {
    const runtime = await loadTf();
    const lr = 0.2;
    const steps = 20;
    let theta = drawStart(problem.points[0].theta, 0.05, 'random', undefined, createRng(11), 'A');
    const tfThetas: Float64Array[] = [];
    await train(runtime, problem, theta, { name: 'sgd', lr, params: {}, batch: 'full' }, steps, createRng(0), 1, (r) => (tfThetas.push(r.theta), true));
    assert.equal(tfThetas.length, steps + 1);
    for (let t = 0; t <= steps; t++) {
      const scale = Math.hypot(...theta);
      const gap = Math.hypot(...theta.map((x, k) => x - tfThetas[t][k]));
      // float32 parameters and arithmetic: the relative gap grows from ~2e-8 to ~1e-7 over 20 steps.
      assert.ok(gap / scale < 1e-6, `step ${t}: ‖θ_tfjs − θ_float64‖/‖θ‖ = ${gap / scale}`);
      const g = lossGradient(evaluate(problem.network, theta, problem.X, problem.m), problem.Y);
      theta = theta.map((x, k) => x - lr * g[k]);
    }
  });

  it('the sample: stable-manifold starts stay longest; mini-batches shorten the stay (fixed seeds)', async () => {
    const small: ProbeSpec = { ...spec, steps: 450, groups: spec.groups.map((g) => ({ ...g, count: 4 })) };
    const result = await runProbe(problem, small, 'saddle_escape');
    const row = (optimizer: number, group: number) => result.summary.find((s) => s.optimizer === optimizer && s.group === group)!;
    const escapes = (optimizer: number, group: number) => result.runs.filter((r) => r.optimizer === optimizer && r.group === group).map((r) => r.escapeStep ?? small.steps);
    // optimizers: [sgd full, sgd batch 30]; groups: [stable, eigen negative]
    assert.deepEqual(result.optimizerLabels, ['sgd lr=0.2 batch=full', 'sgd lr=0.2 batch=30']);
    const stableFull = escapes(0, 0);
    const negativeFull = escapes(0, 1);
    const stableBatch = escapes(1, 0);
    assert.ok(Math.min(...stableFull) > Math.max(...negativeFull), `every stable start stays longer: ${stableFull} vs ${negativeFull}`);
    assert.ok(median(stableFull) > 2 * median(negativeFull), `median ${median(stableFull)} vs ${median(negativeFull)}`);
    assert.ok(Math.max(...stableBatch) < Math.min(...stableFull), `mini-batches shorten the stay: ${stableBatch} vs ${stableFull}`);
    assert.equal(row(0, 1).escapeRate, 1);
    assert.equal(row(0, 0).medianEscapeStep, median(stableFull));

    // Seeded: the same runs again, also when trained on two worker threads.
    const again = await runProbe(problem, { ...small, optimizers: small.optimizers.slice(1), groups: small.groups.slice(0, 1) }, 'saddle_escape', { workers: 2 });
    assert.equal(again.workers, 2);
    assert.deepEqual(again.runs.map((r) => [r.start, r.loss]), result.runs.filter((r) => r.optimizer === 1 && r.group === 0).map((r) => [r.start, r.loss]));
  });
});

describe('probe cancellation', () => {
  it('an abort stops the runs with the signal\'s reason', async () => {
    const { problem, spec } = solvedSample();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 200);
    const began = performance.now();
    await assert.rejects(runProbe(problem, { ...spec, steps: 20_000 }, 's', { signal: controller.signal }), /stop/);
    assert.ok(performance.now() - began < 5000, 'stopped mid-run');
  });
});

describe('probe output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crit-probe-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('crit probe writes tables, JSON and SVG plots and prints the summary', async () => {
    const spec = join(dir, 'tiny.crit');
    const text = readFileSync(SAMPLE, 'utf8').replace('starts 6 around A radius 0.01 direction stable', 'starts 1 around A radius 0.01 direction stable').replace('starts 6 around A radius 0.01 direction eigen negative', 'starts 1 around A radius 0.2').replace('steps 600', 'steps 40');
    (await import('node:fs')).writeFileSync(spec, text);
    const run = await crit('probe', spec, '--out', join(dir, 'out'));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /probe saddle_escape .*tfjs-(node|cpu)/);
    assert.match(run.stdout, /sgd lr=0\.2 batch=30 +A random r=0\.2/);
    const folder = join(dir, 'out', 'saddle_escape', 'saddle_escape');
    assert.deepEqual(readdirSync(folder).sort(), ['escape.svg', 'loss.svg', 'result.json', 'runs.csv', 'summary.csv', 'trajectories.csv', 'trajectories.svg']);
    const result = JSON.parse(readFileSync(join(folder, 'result.json'), 'utf8')) as ProbeResult;
    assert.equal(result.runs.length, 4);
    assert.equal(result.runs[0].steps.at(-1), 40);
    const trajectories = readFileSync(join(folder, 'trajectories.csv'), 'utf8').trim().split('\n');
    assert.equal(trajectories[0], 'optimizer,group,start,step,loss,gradient_norm,u,v,distance_A');
    assert.equal(trajectories.length, 1 + 4 * 41);
    assert.ok(readFileSync(join(folder, 'escape.svg'), 'utf8').startsWith('<svg'));

    const missing = await crit('probe', spec.replace('tiny', 'none'));
    assert.equal(missing.status, 1);
  });

  it('plot specs render in both themes', async () => {
    const result: ProbeResult = {
      landscape: 'l', probe: 'p', backend: 'tfjs-cpu',
      spec: { name: 'p', optimizers: [], groups: [], steps: 3, seed: 0, escape: { distance: 1, loss: 0.1 }, basinRadius: 1, gradientTolerance: 1e-3 },
      optimizerLabels: ['sgd'], groupLabels: ['A random r=1'], points: [{ name: 'A', loss: 1 }], centerLoss: [1],
      projection: { kind: 'eigen', uLabel: 'u', vLabel: 'v', points: [{ name: 'A', u: 0, v: 0 }] },
      runs: [{ optimizer: 0, group: 0, start: 0, steps: [0, 1, 2, 3], loss: [1, 0.9, 0.5, 0.2], gradientNorm: [1, 1, 1, 1], distances: [[0.1, 0.5, 1.2, 2]], u: [0, 0.1, 0.5, 1], v: [0, 0, 0.1, 0.2], escapeStep: 2, finalBasin: 'other', converged: false, finalLoss: 0.2, finalGradientNorm: 1, wallTimeMs: 1 }],
      summary: [{ optimizer: 0, group: 0, runs: 1, escaped: 1, escapeRate: 1, medianEscapeStep: 2, basins: { other: 1 }, converged: 0, wallTimeMs: 1 }],
      wallTimeMs: 1,
      workers: 1,
    };
    for (const theme of ['light', 'dark'] as const) {
      for (const plot of Object.values(probeFiles(result, theme).plots)) assert.ok((await renderSvg(plot)).includes('<path'));
    }
  });
});
