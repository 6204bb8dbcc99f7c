/**
 * Runs a probe: every optimizer from every start of every group, trained with TensorFlow.js on the
 * solved dataset, recording the full-batch loss, gradient norm, distances to every point and 2-D
 * coordinates; then escape steps, final basins and the summary table.
 *
 * Reproducible: starts come from the engine's seeded streams `start/<group>/<k>` and mini-batches from
 * `batch/<group>/<k>`, so every optimizer sees the same starts and the same batch order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { forward, mseLoss } from '../engine/network';
import { createRng, type Rng } from '../engine/random';
import type { RunOptions, Theta } from '../engine/types';
import { ProbeError } from './errors';
import { createProjector, project, type ProjectionFrame } from './projection';
import { centerSpectrum, drawStart, type CenterSpectrum } from './starts';
import { createOptimizer, createParameters, loadTf, tfLoss, type TfRuntime } from './tfjs';
import type { OptimizerSpec, ProbeProblem, ProbeResult, ProbeRun, ProbeSpec, ProbeSummaryRow, StartGroupSpec } from './types';

/** At most this many recorded points per run (the step between records grows with `steps`). */
export const MAX_RECORDS = 2000;

/** Training yields to the event loop this often, so an abort raised on the same thread stops a run mid-way. */
const YIELD_EVERY_MS = 50;

export interface ProbeRunOptions extends RunOptions {
  /** Bounds the dense Hessians used for eigen/stable starts. */
  memoryBudgetBytes?: number;
  /** Worker threads to train runs on (default 1: this thread). Results do not depend on it. */
  workers?: number;
}

/** Messages between runProbe and server/src/probe/probeWorker.ts. */
export interface ProbeWorkerRequest {
  problem: ProbeProblem;
  spec: ProbeSpec;
  frame: ProjectionFrame;
  jobs: ProbeJob[];
}

export type ProbeWorkerReply = { kind: 'run'; run: ProbeRun } | { kind: 'done' } | { kind: 'error'; message: string };

export interface TrainRecord {
  step: number;
  theta: Float64Array;
  loss: number;
  gradientNorm: number;
}

/**
 * Trains one run with `optimizer` from `start` for `steps` steps, calling `record` at step 0, every
 * `every` steps and after the last step (with the full-batch loss and gradient norm). `record`
 * returning false stops the run (divergence). Mini-batches are drawn from `batchRng`. `signal` is
 * checked at every step.
 */
export async function train(
  runtime: TfRuntime,
  problem: ProbeProblem,
  start: Theta,
  optimizer: OptimizerSpec,
  steps: number,
  batchRng: Rng,
  every: number,
  record: (r: TrainRecord) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  const { tf } = runtime;
  const { network, m } = problem;
  const dx = network.sizes[0];
  const dy = network.sizes[network.sizes.length - 1];
  const parameters = createParameters(tf, network, start);
  const opt = createOptimizer(tf, optimizer);
  const X = tf.tensor2d(Float32Array.from(problem.X), [m, dx]);
  const Y = tf.tensor2d(Float32Array.from(problem.Y), [m, dy]);
  const batch = optimizer.batch === 'full' || optimizer.batch >= m ? m : optimizer.batch;
  const order = Int32Array.from({ length: m }, (_, i) => i);
  let cursor = m;
  const nextBatch = (): Int32Array => {
    const indices = new Int32Array(batch);
    for (let k = 0; k < batch; k++) {
      if (cursor === m) {
        // A new epoch: Fisher-Yates shuffle from the run's own stream.
        for (let i = m - 1; i > 0; i--) {
          const j = Math.floor(batchRng.uniform01() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        cursor = 0;
      }
      indices[k] = order[cursor++];
    }
    return indices;
  };
  const fullGradients = () => tf.variableGrads(() => tfLoss(tf, network, parameters, X, Y), parameters.variables);
  const measure = (g: ReturnType<typeof fullGradients>, step: number): boolean => {
    const loss = g.value.dataSync()[0];
    let squares = 0;
    for (const grad of Object.values(g.grads)) {
      const values = grad.dataSync();
      for (let k = 0; k < values.length; k++) squares += values[k] * values[k];
    }
    return record({ step, theta: parameters.read(), loss, gradientNorm: Math.sqrt(squares) });
  };
  const dispose = (g: ReturnType<typeof fullGradients>) => {
    g.value.dispose();
    tf.dispose(Object.values(g.grads));
  };
  let yielded = performance.now();
  try {
    for (let step = 0; step <= steps; step++) {
      if (signal && performance.now() - yielded > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
      signal?.throwIfAborted();
      const recorded = step % every === 0 || step === steps;
      const full = recorded || batch === m ? fullGradients() : undefined;
      if (full && recorded && !measure(full, step)) {
        dispose(full);
        return;
      }
      if (step === steps) {
        if (full) dispose(full);
        return;
      }
      if (batch === m && full) {
        opt.applyGradients(full.grads);
        dispose(full);
      } else {
        if (full) dispose(full);
        const indices = tf.tensor1d(nextBatch(), 'int32');
        const Xb = tf.gather(X, indices);
        const Yb = tf.gather(Y, indices);
        const g = tf.variableGrads(() => tfLoss(tf, network, parameters, Xb as typeof X, Yb as typeof Y), parameters.variables);
        opt.applyGradients(g.grads);
        dispose(g);
        tf.dispose([indices, Xb, Yb]);
      }
    }
  } finally {
    opt.dispose();
    parameters.dispose();
    tf.dispose([X, Y]);
  }
}

const format = (x: number) => String(Number(x.toPrecision(4)));

export function optimizerLabel(o: OptimizerSpec): string {
  const params = Object.entries(o.params).map(([k, v]) => ` ${k}=${format(v)}`).join('');
  return `${o.name} lr=${format(o.lr)}${params} batch=${o.batch}`;
}

export function groupLabel(g: StartGroupSpec): string {
  return `${g.around} ${g.direction} r=${format(g.radius)}`;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return Math.sqrt(s);
}

/** One run to train: which optimizer, group and start, from where, measured against which centre. */
export interface ProbeJob {
  optimizer: number;
  group: number;
  start: number;
  theta: Float64Array;
  centerIndex: number;
  centerLoss: number;
}

/** Trains one run and traces it: what ProbeRun records. */
export async function executeRun(runtime: TfRuntime, problem: ProbeProblem, spec: ProbeSpec, frame: ProjectionFrame, job: ProbeJob, signal?: AbortSignal): Promise<ProbeRun> {
  const began = performance.now();
  const every = Math.max(1, Math.ceil(spec.steps / MAX_RECORDS));
  const { centerIndex, centerLoss } = job;
  const run: ProbeRun = {
    optimizer: job.optimizer,
    group: job.group,
    start: job.start,
    steps: [],
    loss: [],
    gradientNorm: [],
    distances: problem.points.map(() => []),
    u: [],
    v: [],
    escapeStep: null,
    finalBasin: 'other',
    converged: false,
    finalLoss: NaN,
    finalGradientNorm: NaN,
    wallTimeMs: 0,
  };
  let diverged = false;
  let last: Float64Array = job.theta;
  const batchRng = createRng(spec.seed).fork(`batch/${job.group}/${job.start}`);
  await train(runtime, problem, job.theta, spec.optimizers[job.optimizer], spec.steps, batchRng, every, (r) => {
    run.steps.push(r.step);
    run.loss.push(r.loss);
    run.gradientNorm.push(r.gradientNorm);
    problem.points.forEach((p, k) => run.distances[k].push(distance(r.theta, p.theta)));
    const [u, v] = project(frame, r.theta);
    run.u.push(u);
    run.v.push(v);
    last = r.theta;
    if (
      run.escapeStep === null &&
      (run.distances[centerIndex][run.distances[centerIndex].length - 1] > spec.escape.distance || r.loss < centerLoss * (1 - spec.escape.loss))
    ) {
      run.escapeStep = r.step;
    }
    diverged = !Number.isFinite(r.loss) || !Number.isFinite(r.gradientNorm);
    return !diverged;
  }, signal);
  run.finalLoss = run.loss[run.loss.length - 1];
  run.finalGradientNorm = run.gradientNorm[run.gradientNorm.length - 1];
  if (diverged) run.finalBasin = 'diverged';
  else {
    let best = Infinity;
    problem.points.forEach((p) => {
      const d = distance(last, p.theta);
      if (d <= spec.basinRadius && d < best) {
        best = d;
        run.finalBasin = p.name;
      }
    });
    run.converged = run.finalGradientNorm <= spec.gradientTolerance * (1 + Math.abs(run.finalLoss));
  }
  run.wallTimeMs = performance.now() - began;
  return run;
}

/** Trains `jobs` one after another on this thread, reporting each finished run. */
async function runHere(problem: ProbeProblem, spec: ProbeSpec, frame: ProjectionFrame, jobs: ProbeJob[], onRun: (run: ProbeRun) => void, signal?: AbortSignal): Promise<void> {
  const runtime = await loadTf();
  for (const job of jobs) {
    signal?.throwIfAborted();
    onRun(await executeRun(runtime, problem, spec, frame, job, signal));
  }
}

/** Runs every optimizer × group × start of `spec`; `landscape` only labels the result. */
export async function runProbe(problem: ProbeProblem, spec: ProbeSpec, landscape: string, opts: ProbeRunOptions = {}): Promise<ProbeResult> {
  const began = performance.now();
  const runtime = await loadTf();
  const pointIndex = new Map(problem.points.map((p, k) => [p.name, k]));
  const spectra = new Map<string, CenterSpectrum>();
  const spectrumAt = (name: string): CenterSpectrum => {
    let s = spectra.get(name);
    if (!s) {
      s = centerSpectrum(problem, problem.points[pointIndex.get(name) as number].theta, opts.memoryBudgetBytes);
      spectra.set(name, s);
    }
    return s;
  };
  for (const g of spec.groups) {
    if (!pointIndex.has(g.around)) throw new ProbeError(`probe '${spec.name}': no weights named ${g.around} to start around`);
  }
  const rootRng = createRng(spec.seed);
  const starts = spec.groups.map((g, gi) => {
    const center = problem.points[pointIndex.get(g.around) as number].theta;
    const spectrum = g.direction === 'random' ? undefined : spectrumAt(g.around);
    return Array.from({ length: g.count }, (_, k) => drawStart(center, g.radius, g.direction, spectrum, rootRng.fork(`start/${gi}/${k}`), g.around));
  });
  const centerLoss = spec.groups.map((g) => {
    const theta = problem.points[pointIndex.get(g.around) as number].theta;
    return mseLoss(problem.Y, forward(problem.network, theta, problem.X, problem.m), problem.m);
  });
  const projector = createProjector(problem.points, problem.points.length === 1 ? spectrumAt(problem.points[0].name) : undefined);

  const jobs: ProbeJob[] = [];
  spec.optimizers.forEach((_, oi) =>
    spec.groups.forEach((g, gi) => {
      for (let k = 0; k < g.count; k++) {
        jobs.push({ optimizer: oi, group: gi, start: k, theta: starts[gi][k], centerIndex: pointIndex.get(g.around) as number, centerLoss: centerLoss[gi] });
      }
    }),
  );
  const finished: ProbeRun[] = [];
  const onRun = (run: ProbeRun) => {
    finished.push(run);
    opts.onProgress?.(`probe ${spec.name}`, finished.length / jobs.length);
  };
  const workers = Math.max(1, Math.min(opts.workers ?? 1, jobs.length));
  const entry = workers > 1 ? probeWorkerEntry() : undefined;
  if (entry) await runInWorkers(entry, workers, problem, spec, projector.frame, jobs, onRun, opts.signal);
  else await runHere(problem, spec, projector.frame, jobs, onRun, opts.signal);
  const order = (r: ProbeRun) => jobs.findIndex((j) => j.optimizer === r.optimizer && j.group === r.group && j.start === r.start);
  const runs = finished.sort((a, b) => order(a) - order(b));

  const summary: ProbeSummaryRow[] = [];
  spec.optimizers.forEach((_, oi) =>
    spec.groups.forEach((_g, gi) => {
      const groupRuns = runs.filter((r) => r.optimizer === oi && r.group === gi);
      const escapes = groupRuns.flatMap((r) => (r.escapeStep === null ? [] : [r.escapeStep]));
      const basins: Record<string, number> = {};
      for (const r of groupRuns) basins[r.finalBasin] = (basins[r.finalBasin] ?? 0) + 1;
      summary.push({
        optimizer: oi,
        group: gi,
        runs: groupRuns.length,
        escaped: escapes.length,
        escapeRate: groupRuns.length === 0 ? 0 : escapes.length / groupRuns.length,
        medianEscapeStep: median(escapes),
        basins,
        converged: groupRuns.filter((r) => r.converged).length,
        wallTimeMs: groupRuns.reduce((sum, r) => sum + r.wallTimeMs, 0),
      });
    }),
  );
  return {
    landscape,
    probe: spec.name,
    backend: runtime.backend,
    spec,
    optimizerLabels: spec.optimizers.map(optimizerLabel),
    groupLabels: spec.groups.map(groupLabel),
    points: problem.points.map((p) => ({ name: p.name, loss: mseLoss(problem.Y, forward(problem.network, p.theta, problem.X, problem.m), problem.m) })),
    centerLoss,
    projection: projector.projection,
    runs,
    summary,
    wallTimeMs: performance.now() - began,
    workers: entry ? workers : 1,
  };
}

/**
 * How to start a probe worker: the bundled file next to this one (dist/cli/probeWorker.js), else the
 * TypeScript source registered through tsx (tests, `node --import tsx`); none: train on this thread.
 */
function probeWorkerEntry(): { code: string; evaluate: boolean } | undefined {
  const bundled = join(__dirname, 'probeWorker.js');
  if (existsSync(bundled)) return { code: bundled, evaluate: false };
  const source = join(__dirname, 'probeWorker.ts');
  // A worker does not inherit --import tsx; registering tsx's CommonJS hook in the worker does the same.
  if (existsSync(source)) return { code: `require('tsx/cjs'); require(${JSON.stringify(source)});`, evaluate: true };
  return undefined;
}

/** Deals the jobs round-robin to `count` worker threads; each trains its share one run after another. */
function runInWorkers(
  entry: { code: string; evaluate: boolean },
  count: number,
  problem: ProbeProblem,
  spec: ProbeSpec,
  frame: ProjectionFrame,
  jobs: ProbeJob[],
  onRun: (run: ProbeRun) => void,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const threads: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let pending = count;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      for (const t of threads) void t.terminate();
      reject(error);
    };
    signal?.addEventListener('abort', () => fail(signal.reason), { once: true });
    for (let w = 0; w < count; w++) {
      const share = jobs.filter((_, k) => k % count === w);
      const thread = new Worker(entry.code, { eval: entry.evaluate });
      threads.push(thread);
      thread.on('message', (reply: ProbeWorkerReply) => {
        if (reply.kind === 'run') onRun(reply.run);
        else if (reply.kind === 'error') fail(new ProbeError(reply.message));
        else {
          void thread.terminate();
          if (--pending === 0 && !failed) resolve();
        }
      });
      thread.on('error', fail);
      const request: ProbeWorkerRequest = { problem, spec, frame, jobs: share };
      thread.postMessage(request);
    }
  });
}
