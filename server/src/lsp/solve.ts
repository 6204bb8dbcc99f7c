/**
 * `crit/solve`: one landscape solved in the solve worker, with progress, cancellable by the client
 * and by any edit of its document. The result is kept per document and landscape (for `crit/result`,
 * hovers, inlay hints, certificate diagnostics and export) and by problem hash (re-solving unchanged
 * numbers is instant).
 */
import { createHash } from 'node:crypto';
import type { PointCertificate, SolveResult } from '../engine/types';
import type { CertificateJson, LandscapeRef, LandscapeResult, SolveResponse, SolvabilityJson } from '../protocol';
import type { CompiledLandscape } from '../language';
import { CancelledError, type WorkerLane } from '../worker/lane';
import type { CurveRequest, WorkerReply } from '../worker/messages';
import type { DocumentAnalysis } from './analysis';
import { landscapeHasErrors, landscapeNamed } from './analysis';
import { compileForServer, engineSettings } from './compile';
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
  log: (message: string) => void;
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
      spectra: solve.certificates
        .filter((c) => c.eigenvalues !== undefined)
        .map((c) => ({ point: c.name, eigenvalues: Array.from(c.eigenvalues ?? []), zeroTolerance: c.zeroTolerance, method: c.spectrumMethod })),
    },
    elapsedMs: curves.elapsedMs,
  };
}

/** What the plots ask for, hashed (random directions are arrays: hash their bytes, not their JSON). */
function curvesKey(curves: CurveRequest[]): string {
  const hash = createHash('sha256');
  for (const curve of curves) {
    const { range: _range, ...rest } = curve;
    if (rest.kind === 'directions') {
      hash.update(JSON.stringify({ ...rest, directions: rest.directions.length }));
      for (const d of rest.directions) hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    } else hash.update(JSON.stringify(rest));
  }
  return hash.digest('hex');
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

export class SolveService {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: SolveDeps) {}

  /** Cancel every solve of the document (it changed or closed). */
  cancelDocument(uri: string): void {
    for (const [key, controller] of this.running) {
      if (key.startsWith(`${uri}#`)) controller.abort();
    }
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  async solve(analysis: DocumentAnalysis, landscapeName: string, progress: ProgressSink, cancel: AbortSignal): Promise<SolveResponse> {
    const { model, status } = this.deps;
    const ref: LandscapeRef = { uri: analysis.uri, landscape: landscapeName };
    if (!model.settings.trusted) return { status: 'failed', message: 'the workspace is not trusted: Crit solves nothing until it is' };
    const landscape = landscapeNamed(analysis, landscapeName);
    if (landscape === undefined) return { status: 'failed', message: `no landscape named '${landscapeName}' in this file` };
    if (landscapeHasErrors(analysis, landscape)) return { status: 'failed', message: `${landscapeName} has errors; fix them first (see Problems)` };
    const compilation = compileForServer(analysis.uri, landscape, model.settings);
    const { compiled, problemHash } = compilation;
    if (compiled === undefined || problemHash === undefined) {
      const first = compilation.diagnostics.find((d) => d.severity === 'error');
      return { status: 'failed', message: first?.message ?? `${landscapeName} could not be compiled` };
    }

    const curves = compiled.plots.filter((p): p is CurveRequest => p.kind === 'interpolate' || p.kind === 'plane' || p.kind === 'directions');
    // The same numbers with the same plots: nothing to compute again.
    const cacheKey = `${problemHash}:${curvesKey(curves)}`;
    const cached = model.solves.get(cacheKey);
    if (cached !== undefined) return this.store(ref, analysis.version, cacheKey, { ...cached, json: { ...cached.json, ...ref, version: analysis.version } });

    const key = `${ref.uri}#${ref.landscape}`;
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    const signal = AbortSignal.any([controller.signal, cancel]);
    status.solving(ref, 0, 'starting');
    progress.report(0, 'starting');
    try {
      const overall = new OverallProgress();
      const reply = await this.deps.lane.run({ type: 'solve', problem: compiled.problem, settings: engineSettings(model.settings), curves }, signal, (phase, fraction) => {
        const done = overall.update(phase, fraction);
        status.solving(ref, done, phase);
        progress.report(Math.round(done * 100), `${phase} ${Math.round(fraction * 100)}%`);
      });
      if (reply.type === 'failed') {
        status.solveEnded(ref, 'failed', reply.message);
        return { status: 'failed', message: reply.message };
      }
      if (reply.type !== 'solved') throw new Error(`unexpected worker reply '${reply.type}'`);
      const json = landscapeResultJson(ref, analysis.version, problemHash, compiled, reply.result, reply);
      const response = this.store(ref, analysis.version, cacheKey, { problemHash, compiled, solve: reply.result, json });
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
      if (this.running.get(key) === controller) this.running.delete(key);
    }
  }

  private store(ref: LandscapeRef, version: number, cacheKey: string, result: StoredResult): SolveResponse {
    this.deps.model.setResult(ref.uri, ref.landscape, result);
    this.deps.model.solves.set(cacheKey, result);
    this.deps.resultChanged(ref, version, result.json.achieved);
    return { status: 'solved', result: result.json };
  }
}
