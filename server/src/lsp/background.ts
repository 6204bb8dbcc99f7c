/**
 * Tier-2 diagnostics: for each landscape without tier-1 errors, compile it, hash the compiled
 * problem and get its solvability report, from the cache when the hash was seen before (editing a
 * comment re-checks nothing), else from the check worker. A newer version of the document aborts
 * the run (terminating the worker if it is busy with it).
 */
import { solvabilityDiagnostics } from '../language';
import type { CritDiagnostic, LandscapeNode } from '../language';
import type { SolvabilityReport } from '../engine/types';
import { CancelledError, type WorkerLane } from '../worker/lane';
import type { DocumentAnalysis } from './analysis';
import { landscapeHasErrors } from './analysis';
import { compileForServer, engineSettings } from './compile';
import { CHECK_TIMEOUT_MS } from './limits';
import type { LandscapeFacts, ServerModel } from './model';
import type { StatusTracker } from './status';

export interface BackgroundDeps {
  model: ServerModel;
  lane: WorkerLane;
  status: StatusTracker;
  /** Re-publish the document's diagnostics (tier 1 + current tier-2 facts). */
  publish: (uri: string) => void;
  /** Still the document's latest version? */
  isCurrent: (uri: string, version: number) => boolean;
  log: (message: string) => void;
}

function diagnosticKey(d: CritDiagnostic): string {
  return `${d.code}@${d.range.start.offset}-${d.range.end.offset}`;
}

export class BackgroundChecker {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: BackgroundDeps) {}

  /** Abort the document's running check (it changed or closed). */
  cancel(uri: string): void {
    this.running.get(uri)?.abort();
    this.running.delete(uri);
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  async check(analysis: DocumentAnalysis): Promise<void> {
    const { model } = this.deps;
    this.cancel(analysis.uri);
    model.pruneFacts(analysis);
    const settings = model.settings;
    if (!settings.trusted || settings.backgroundChecks === false) return;
    const controller = new AbortController();
    this.running.set(analysis.uri, controller);
    // 'checking' means numerics are running: a cached report (say, after a comment edit) shows none.
    // It ends after the last publish, so a client seeing 'idle' has the final diagnostics.
    let checking = false;
    const markChecking = (): void => {
      if (!checking) this.deps.status.checkStarted();
      checking = true;
    };
    try {
      for (const landscape of analysis.file.landscapes) {
        if (controller.signal.aborted || !this.deps.isCurrent(analysis.uri, analysis.version)) return;
        if (landscape.name === undefined || landscapeHasErrors(analysis, landscape)) continue;
        const facts = await this.checkLandscape(analysis, landscape, controller.signal, markChecking);
        if (facts === undefined) return;
        model.setFacts(analysis.uri, landscape.name, facts);
        this.deps.publish(analysis.uri);
      }
    } finally {
      if (this.running.get(analysis.uri) === controller) this.running.delete(analysis.uri);
      if (checking) this.deps.status.checkEnded();
    }
  }

  /** Undefined when cancelled. */
  private async checkLandscape(analysis: DocumentAnalysis, landscape: LandscapeNode, signal: AbortSignal, markChecking: () => void): Promise<LandscapeFacts | undefined> {
    const { model } = this.deps;
    const compilation = compileForServer(analysis.uri, landscape, model.settings);
    const { compiled, problemHash } = compilation;
    // Compiling re-validates the landscape: keep only what tier 1 did not already report.
    const tier1 = new Set(analysis.diagnostics.map(diagnosticKey));
    const facts: LandscapeFacts = { version: analysis.version, compiled, problemHash, diagnostics: compilation.diagnostics.filter((d) => !tier1.has(diagnosticKey(d))) };
    if (compiled === undefined || problemHash === undefined) return facts;
    let report: SolvabilityReport | undefined = model.reports.get(problemHash);
    if (report === undefined) {
      markChecking();
      try {
        const reply = await this.deps.lane.run(
          { type: 'check', problem: compiled.problem, settings: engineSettings(model.settings) },
          AbortSignal.any([signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]),
        );
        if (reply.type === 'checked') {
          report = reply.report;
          model.reports.set(problemHash, report);
        } else if (reply.type === 'failed') {
          facts.diagnostics.push({
            code: reply.code === 'memory-budget' ? 'solvability/memory-budget' : 'solvability/check-failed',
            severity: 'warning',
            message: `the solvability check could not run: ${reply.message}`,
            range: landscape.nameRange ?? landscape.range,
          });
        }
      } catch (error) {
        if (error instanceof CancelledError && signal.aborted) return undefined;
        if (!(error instanceof CancelledError)) throw error;
        facts.diagnostics.push({
          code: 'solvability/check-timeout',
          severity: 'information',
          message: `the background solvability check took longer than ${CHECK_TIMEOUT_MS / 1000} s and was stopped; Solve runs it in full`,
          range: landscape.nameRange ?? landscape.range,
        });
      }
    }
    if (report !== undefined) {
      facts.report = report;
      const solved = model.result(analysis.uri, compiled.name);
      const certificates = solved?.problemHash === problemHash ? solved.solve.certificates : undefined;
      facts.diagnostics.push(...solvabilityDiagnostics(landscape, compiled, solved?.problemHash === problemHash ? solved.solve.report : report, certificates));
    }
    return facts;
  }
}
