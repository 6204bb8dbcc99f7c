/**
 * `crit/probe`: a landscape's `probe` blocks trained in the probe worker lane (TensorFlow.js), after
 * a solve unless the stored result is of the document's current numbers. Progress covers the solve
 * (first fifth, when one is needed) and then each probe's finished runs; the client, an edit of the
 * document or a newer probe request of the same landscape cancels it.
 */
import { compileProbe } from '../probe/compile';
import { probeProblemOf } from '../probe/problem';
import type { ProbeParams, ProbeResponse, ProbeResultJson, SolveResponse } from '../protocol';
import { CancelledError, type WorkerLane } from '../worker/lane';
import type { DocumentAnalysis } from './analysis';
import { runnableLandscape } from './analysis';
import { currentCompilation } from './custom';
import { LandscapeRuns } from './landscapeRuns';
import type { ServerModel } from './model';
import type { ProgressSink } from './solve';
import type { StatusTracker } from './status';

/** Share of the progress bar a solve before the probes takes. */
const SOLVE_SHARE = 0.2;

export interface ProbeDeps {
  model: ServerModel;
  lane: WorkerLane;
  status: StatusTracker;
  /** Solves the landscape (SolveService.solve), reporting on `progress`. */
  solve: (analysis: DocumentAnalysis, landscape: string, progress: ProgressSink, cancel: AbortSignal) => Promise<SolveResponse>;
}

/** Runs are per document and landscape (LandscapeRuns): a new probe of a landscape aborts the one before. */
export class ProbeService extends LandscapeRuns {
  constructor(private readonly deps: ProbeDeps) {
    super();
  }

  async probe(analysis: DocumentAnalysis, params: ProbeParams, progress: ProgressSink, cancel: AbortSignal): Promise<ProbeResponse> {
    const { model, lane } = this.deps;
    if (!model.settings.trusted) return { status: 'failed', message: 'the workspace is not trusted: Crit runs no probe until it is' };
    const landscape = runnableLandscape(analysis, params.landscape);
    if ('failed' in landscape) return { status: 'failed', message: landscape.failed };
    if (landscape.probes.length === 0) return { status: 'failed', message: `${params.landscape} has no probe block` };
    const specs = landscape.probes.map((node, k) => compileProbe(node, k)).filter((spec) => params.probe === undefined || spec.name === params.probe);
    if (specs.length === 0) return { status: 'failed', message: `${params.landscape} has no probe named '${params.probe}'` };

    const ref = { uri: analysis.uri, landscape: params.landscape };
    const { signal, finish } = this.startRun(ref, cancel);
    try {
      const { problemHash } = currentCompilation(model, analysis, landscape);
      let stored = model.result(analysis.uri, params.landscape);
      let start = 0;
      if (stored === undefined || problemHash === undefined || stored.problemHash !== problemHash) {
        const solveProgress: ProgressSink = { report: (percentage, message) => progress.report(Math.round(percentage * SOLVE_SHARE), `solve: ${message}`) };
        const solved = await this.deps.solve(analysis, params.landscape, solveProgress, signal);
        if (solved.status !== 'solved') return solved;
        if (signal.aborted) return { status: 'cancelled' };
        stored = model.result(analysis.uri, params.landscape);
        if (stored === undefined) return { status: 'failed', message: 'the solve left no result' };
        start = SOLVE_SHARE;
      }
      const problem = probeProblemOf(stored.compiled, stored.solve.Y);
      const results: ProbeResultJson[] = [];
      for (const [i, spec] of specs.entries()) {
        const onProgress = (phase: string, fraction: number): void => {
          const overall = start + ((1 - start) * (i + Math.min(1, Math.max(0, fraction)))) / specs.length;
          progress.report(Math.round(overall * 100), `${phase} ${Math.round(fraction * 100)}%`);
          this.deps.status.probing(ref, overall, phase);
        };
        onProgress(`probe ${spec.name}`, 0);
        const job = { type: 'probe', landscape: params.landscape, problem, spec, memoryBudgetBytes: model.settings.memoryBudgetBytes } as const;
        const reply = await lane.run(job, signal, onProgress);
        if (reply.type === 'failed') return { status: 'failed', message: `probe ${spec.name}: ${reply.message}` };
        if (reply.type !== 'probed') throw new Error(`unexpected worker reply '${reply.type}'`);
        // Non-finite numbers become null when the response is serialised (ProbeResultJson says so).
        results.push(reply.result);
      }
      return { status: 'done', results };
    } catch (error) {
      if (error instanceof CancelledError) return { status: 'cancelled' };
      return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
    } finally {
      this.deps.status.probeEnded(ref);
      finish();
    }
  }
}
