/**
 * The solve worker thread (bundled to dist/server/solveWorker.js): runs the engine's solvability
 * check and full solve off the server's thread, posting progress. Cancellation is by termination
 * (see lane.ts), so the engine needs no cooperation for it.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeProblem, solveProblem } from '../engine';
import { computeCurves } from './curves';
import type { WorkerJob, WorkerReply } from './messages';

/** Progress messages are throttled: the engine may report far more often than anyone can see. */
const PROGRESS_INTERVAL_MS = 50;

function run(job: WorkerJob): WorkerReply {
  const runOptions = { memoryBudgetBytes: job.settings.memoryBudgetBytes };
  const problem = { ...job.problem, memoryBudgetBytes: job.settings.memoryBudgetBytes ?? job.problem.memoryBudgetBytes };
  if (job.type === 'check') {
    return { type: 'checked', jobId: job.jobId, report: analyzeProblem(problem, runOptions) };
  }
  let lastProgress = 0;
  const onProgress = (phase: string, fraction: number): void => {
    const now = performance.now();
    if (now - lastProgress < PROGRESS_INTERVAL_MS && fraction < 1) return;
    lastProgress = now;
    parentPort?.postMessage({ type: 'progress', jobId: job.jobId, phase, fraction } satisfies WorkerReply);
  };
  const started = performance.now();
  const zeroTolerance = job.settings.tolerances?.zeroEigenvalue ?? undefined;
  const result = solveProblem(problem, { ...runOptions, onProgress, zeroTolerance });
  const { interpolation, planes } = computeCurves(problem, result.Y, job.curves, { onProgress: (_phase, fraction) => onProgress('plots', fraction) });
  return { type: 'solved', jobId: job.jobId, result, interpolation, planes, elapsedMs: performance.now() - started };
}

parentPort?.on('message', (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    reply = run(job);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
    reply = { type: 'failed', jobId: job.jobId, message: error instanceof Error ? error.message : String(error), code };
  }
  parentPort?.postMessage(reply);
});
