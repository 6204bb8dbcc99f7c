/**
 * A lane runs jobs one at a time on its own worker thread. The engine computes synchronously, so a
 * running job cannot see an AbortSignal raised on this thread: cancelling it terminates the thread,
 * and the next job starts a fresh one. A queued job is simply dropped when its signal aborts.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerJob, WorkerJobInput, WorkerReply } from './messages';

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** dist/server/solveWorker.js next to the bundled server; the TypeScript source (through tsx) otherwise. */
function workerEntry(): { file: string; execArgv: string[] } {
  const bundled = join(__dirname, 'solveWorker.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: join(__dirname, 'solveWorker.ts'), execArgv: ['--import', 'tsx'] };
}

const WORKER_HEAP_MB = 2048;

interface QueuedJob {
  job: WorkerJob;
  signal: AbortSignal;
  onProgress: (phase: string, fraction: number) => void;
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
}

export class WorkerLane {
  private worker: Worker | undefined;
  private running: QueuedJob | undefined;
  private readonly queue: QueuedJob[] = [];
  private nextJobId = 1;

  constructor(
    private readonly name: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Resolves with the worker's final reply ('done' or 'failed'); rejects with CancelledError on abort. */
  run(job: WorkerJobInput, signal: AbortSignal, onProgress: (phase: string, fraction: number) => void = () => {}): Promise<WorkerReply> {
    if (signal.aborted) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => {
      const queued: QueuedJob = { job: { ...job, jobId: this.nextJobId++ } as WorkerJob, signal, onProgress, resolve, reject };
      signal.addEventListener('abort', () => this.abort(queued), { once: true });
      this.queue.push(queued);
      this.pump();
    });
  }

  dispose(): void {
    for (const queued of this.queue.splice(0)) queued.reject(new CancelledError());
    if (this.running !== undefined) this.running.reject(new CancelledError());
    this.running = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private abort(queued: QueuedJob): void {
    const index = this.queue.indexOf(queued);
    if (index >= 0) {
      this.queue.splice(index, 1);
      queued.reject(new CancelledError());
      return;
    }
    if (this.running === queued) {
      this.running = undefined;
      const worker = this.worker;
      this.worker = undefined;
      void worker?.terminate();
      queued.reject(new CancelledError());
      this.pump();
    }
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const entry = workerEntry();
    // The heap limit bounds what a hostile spec can make the worker allocate; typed arrays are also
    // capped by the engine's memory budget.
    const worker = new Worker(entry.file, { execArgv: entry.execArgv, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.on('message', (reply: WorkerReply) => this.onReply(worker, reply));
    worker.on('error', (error) => this.onWorkerGone(worker, `worker error: ${error.message}`));
    worker.on('exit', (code) => this.onWorkerGone(worker, `worker exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onReply(worker: Worker, reply: WorkerReply): void {
    const running = this.running;
    if (worker !== this.worker || running === undefined || reply.jobId !== running.job.jobId) return;
    if (reply.type === 'progress') {
      running.onProgress(reply.phase, reply.fraction);
      return;
    }
    this.running = undefined;
    running.resolve(reply);
    this.pump();
  }

  /** A worker that dies on its own (crash, out of memory) fails its job; the lane carries on. */
  private onWorkerGone(worker: Worker, why: string): void {
    if (worker !== this.worker) return; // terminated on purpose
    this.worker = undefined;
    this.log(`[${this.name}] ${why}`);
    const running = this.running;
    this.running = undefined;
    if (running !== undefined) running.resolve({ type: 'failed', jobId: running.job.jobId, message: `the solver stopped unexpectedly (${why})` });
    this.pump();
  }

  private pump(): void {
    if (this.running !== undefined) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.running = next;
    this.ensureWorker().postMessage(next.job);
  }
}
