/**
 * Worker thread for probes: trains its share of the runs (runner.ts runInWorkers) and posts each run
 * as it finishes. Bundled to dist/cli/probeWorker.js; under tsx the runner starts this source file.
 */
import { parentPort } from 'node:worker_threads';
import { executeRun, type ProbeWorkerReply, type ProbeWorkerRequest } from './runner';
import { loadTf } from './tfjs';

const port = parentPort;
if (port) {
  port.once('message', (request: ProbeWorkerRequest) => {
    void (async () => {
      try {
        const runtime = await loadTf();
        for (const job of request.jobs) {
          const reply: ProbeWorkerReply = { kind: 'run', run: await executeRun(runtime, request.problem, request.spec, request.frame, job) };
          port.postMessage(reply);
        }
        port.postMessage({ kind: 'done' } satisfies ProbeWorkerReply);
      } catch (e) {
        port.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies ProbeWorkerReply);
      }
    })();
  });
}
