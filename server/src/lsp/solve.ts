/**
 * `crit/solve`: one landscape compiled and solved in the solve worker, with progress, cancellable by
 * the client and by any edit of its document. The result is kept per document and landscape (for
 * `crit/result`, hovers, inlay hints, certificate diagnostics and export) and by problem hash and
 * plot requests (re-solving unchanged numbers is instant: the worker only compiles and hashes).
 */
import type { PointCertificate, SolveResult } from '../engine/types';
import type { CertificateJson, LandscapeRef, LandscapeResult, SolveResponse, SolvabilityJson } from '../protocol';
import type { CompiledLandscape } from '../language';
import { CancelledError, type WorkerLane } from '../worker/lane';
import type { WorkerReply } from '../worker/messages';
import type { DocumentAnalysis } from './analysis';
import { runnableLandscape } from './analysis';
import { LandscapeRuns } from './landscapeRuns';
import type { ServerModel, StoredResult } from './model';
import type { StatusTracker } from './status';

export interface ProgressSink {
  report(percentage: number, message: string): void;
}

export interface SolveDeps {
  model: ServerModel;
  lane: WorkerLane;
  status: StatusTracker;
  /** A landscape has a new stored result. */
  resultChanged: (ref: LandscapeRef, version: number, achieved: boolean) => void;
}

function certificateJson(c: PointCertificate): CertificateJson {
  const { eigenvalues: _eigenvalues, ...rest } = c;
  return rest;
}

function solvabilityJson(report: SolveResult['report']): SolvabilityJson {
  return { ...report, causes: report.causes.map((c) => ({ kind: c.kind, harmless: c.harmless, message: c.message })) };
}

export function landscapeResultJson(
  ref: LandscapeRef,
  version: number,
  problemHash: string,
  compiled: CompiledLandscape,
  solve: SolveResult,
  curves: Extract<WorkerReply, { type: 'solved' }>,
): LandscapeResult {
  const { network, data } = compiled.problem;
  return {
    ...ref,
    version,
    problemHash,
    achieved: solve.certificates.every((c) => c.achieved),
    backend: solve.backend,
    engineVersion: solve.engineVersion,
    network: { sizes: [...network.sizes], activations: [...network.activations], bias: network.bias },
    dataset: { m: data.m, dx: data.dx, dy: data.dy },
    solvability: solvabilityJson(solve.report),
    certificates: solve.certificates.map(certificateJson),
    curves: {
      interpolation: curves.interpolation,
      planes: curves.planes,
      errors: curves.plotErrors,
      spectra: solve.certificates
        .filter((c) => c.eigenvalues !== undefined)
        .map((c) => ({ point: c.name, eigenvalues: Array.from(c.eigenvalues ?? []), zeroTolerance: c.zeroTolerance, method: c.spectrumMethod })),
    },
    elapsedMs: curves.elapsedMs,
  };
}

/**
 * The engine reports a fraction per phase, and how many phases a solve has depends on the spec. An
 * editor's progress bar only moves forward: each new phase covers half of what is left, so the
 * overall fraction is monotone and never claims 100% before the end.
 */
export class OverallProgress {
  private phase: string | undefined;
  private completed = -1;
  private last = 0;

  update(phase: string, fraction: number): number {
    if (phase !== this.phase) {
      this.phase = phase;
      this.completed++;
    }
    const start = 1 - 0.5 ** this.completed;
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    this.last = Math.max(this.last, start + f * 0.5 ** (this.completed + 1));
    return this.last;
  }
}

/** Runs are per document and landscape (LandscapeRuns): a new solve of a landscape aborts the one before. */
export class SolveService extends LandscapeRuns {
  constructor(private readonly deps: SolveDeps) {
    super();
  }

  async solve(analysis: DocumentAnalysis, landscapeName: string, progress: ProgressSink, cancel: AbortSignal): Promise<SolveResponse> {
    const { model, status } = this.deps;
    const ref: LandscapeRef = { uri: analysis.uri, landscape: landscapeName };
    if (!model.settings.trusted) return { status: 'failed', message: 'the workspace is not trusted: Crit solves nothing until it is' };
    const landscape = runnableLandscape(analysis, landscapeName);
    if ('failed' in landscape) return { status: 'failed', message: landscape.failed };
    const { signal, finish } = this.startRun(ref, cancel);
    status.solving(ref, 0, 'starting');
    progress.report(0, 'starting');
    try {
      const overall = new OverallProgress();
      const onProgress = (phase: string, fraction: number): void => {
        const done = overall.update(phase, fraction);
        status.solving(ref, done, phase);
        progress.report(Math.round(done * 100), `${phase} ${Math.round(fraction * 100)}%`);
      };
      const job = { type: 'solve', landscape, uri: analysis.uri, settings: model.settings } as const;
      let reply = await this.deps.lane.run({ ...job, cachedKeys: model.solves.keys() }, signal, onProgress);
      const cached = reply.type === 'cached' ? model.solves.get(reply.cacheKey) : undefined;
      if (cached !== undefined) {
        status.solveEnded(ref, 'solved', cached.json.achieved ? 'every target verified' : 'solved; some targets not reached');
        return this.store(ref, analysis.version, { ...cached, json: { ...cached.json, ...ref, version: analysis.version } });
      }
      // Evicted between asking and answering: solve for real.
      if (reply.type === 'cached') reply = await this.deps.lane.run({ ...job, cachedKeys: [] }, signal, onProgress);
      if (reply.type === 'failed') {
        status.solveEnded(ref, 'failed', reply.message);
        return { status: 'failed', message: reply.message };
      }
      if (reply.type !== 'solved') throw new Error(`unexpected worker reply '${reply.type}'`);
      const json = landscapeResultJson(ref, analysis.version, reply.problemHash, reply.compiled, reply.result, reply);
      const response = this.store(ref, analysis.version, { problemHash: reply.problemHash, compiled: reply.compiled, solve: reply.result, json });
      model.solves.set(reply.cacheKey, model.result(ref.uri, ref.landscape)!);
      status.solveEnded(ref, 'solved', json.achieved ? 'every target verified' : 'solved; some targets not reached');
      return response;
    } catch (error) {
      if (error instanceof CancelledError) {
        status.solveEnded(ref, undefined);
        return { status: 'cancelled' };
      }
      const message = error instanceof Error ? error.message : String(error);
      status.solveEnded(ref, 'failed', message);
      return { status: 'failed', message };
    } finally {
      finish();
    }
  }

  private store(ref: LandscapeRef, version: number, result: StoredResult): SolveResponse {
    this.deps.model.setResult(ref.uri, ref.landscape, result);
    this.deps.resultChanged(ref, version, result.json.achieved);
    return { status: 'solved', result: result.json };
  }
}
