/**
 * The solve worker thread (bundled to dist/server/solveWorker.js): runs the engine's solvability
 * check and full solve, and optimizer probes, off the server's thread, posting progress.
 * Cancellation is by termination (see lane.ts), so the engine needs no cooperation for it.
 */
import { parentPort } from 'node:worker_threads';
import { solveProblem } from '../engine';
import { checkSolvability } from '../language/solvabilityCheck';
import { compileForServer } from '../lsp/compile';
import { runProbe } from '../probe/runner';
import { computeCurves, curvesKey } from './curves';
import type { CurveRequest, WorkerJob, WorkerReply } from './messages';

/** Progress messages are throttled: the engine may report far more often than anyone can see. */
const PROGRESS_INTERVAL_MS = 50;

function check(job: Extract<WorkerJob, { type: 'check' }>): WorkerReply {
  const { compiled, problemHash, diagnostics } = compileForServer(job.uri, job.landscape, job.settings);
  if (compiled === undefined || problemHash === undefined) return { type: 'checked', jobId: job.jobId, analyzed: false, diagnostics };
  const { report, analyzed, diagnostics: solvability } = checkSolvability(job.landscape, compiled, {
    memoryBudgetBytes: job.settings.memoryBudgetBytes,
    cachedReport: new Map(job.cachedReports).get(problemHash),
    solved: job.solved?.problemHash === problemHash ? job.solved : undefined,
    // Tells the server numerics are running (its status says 'checking').
    onAnalyze: () => parentPort?.postMessage({ type: 'progress', jobId: job.jobId, phase: 'analyze', fraction: 0 } satisfies WorkerReply),
  });
  diagnostics.push(...solvability);
  return { type: 'checked', jobId: job.jobId, problemHash, report, analyzed, diagnostics };
}

function throttledProgress(jobId: number): (phase: string, fraction: number) => void {
  let lastProgress = 0;
  return (phase, fraction) => {
    const now = performance.now();
    if (now - lastProgress < PROGRESS_INTERVAL_MS && fraction < 1) return;
    lastProgress = now;
    parentPort?.postMessage({ type: 'progress', jobId, phase, fraction } satisfies WorkerReply);
  };
}

function solve(job: Extract<WorkerJob, { type: 'solve' }>): WorkerReply {
  const started = performance.now();
  const onProgress = throttledProgress(job.jobId);
  onProgress('compile', 0);
  const { compiled, problemHash, diagnostics } = compileForServer(job.uri, job.landscape, job.settings);
  if (compiled === undefined || problemHash === undefined) {
    const first = diagnostics.find((d) => d.severity === 'error');
    return { type: 'failed', jobId: job.jobId, message: first?.message ?? `${job.landscape.name ?? 'the landscape'} could not be compiled` };
  }
  const curves = compiled.plots.filter((p): p is CurveRequest => p.kind === 'interpolate' || p.kind === 'plane' || p.kind === 'directions');
  // The same numbers with the same plots: nothing to compute again.
  const cacheKey = `${problemHash}:${curvesKey(curves)}`;
  if (job.cachedKeys.includes(cacheKey)) return { type: 'cached', jobId: job.jobId, cacheKey };
  const zeroTolerance = job.settings.tolerances?.zeroEigenvalue ?? undefined;
  const result = solveProblem(compiled.problem, { memoryBudgetBytes: job.settings.memoryBudgetBytes, onProgress, zeroTolerance });
  const { interpolation, planes, errors: plotErrors } = computeCurves(compiled.problem, compiled.weights, result.Y, curves, { onProgress: (_phase, fraction) => onProgress('plots', fraction) });
  return { type: 'solved', jobId: job.jobId, cacheKey, problemHash, compiled, result, interpolation, planes, plotErrors, elapsedMs: performance.now() - started };
}

/** Runs on this thread (workers: 1): the lane already keeps probes off the server's thread. */
async function probe(job: Extract<WorkerJob, { type: 'probe' }>): Promise<WorkerReply> {
  const result = await runProbe(job.problem, job.spec, job.landscape, { onProgress: throttledProgress(job.jobId), memoryBudgetBytes: job.memoryBudgetBytes });
  return { type: 'probed', jobId: job.jobId, result };
}

function run(job: WorkerJob): WorkerReply | Promise<WorkerReply> {
  return job.type === 'check' ? check(job) : job.type === 'solve' ? solve(job) : probe(job);
}

// The lane sends one job at a time and waits for its final reply, so an async job never overlaps another.
parentPort?.on('message', async (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    reply = await run(job);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
    reply = { type: 'failed', jobId: job.jobId, message: error instanceof Error ? error.message : String(error), code };
  }
  parentPort?.postMessage(reply);
});
