/**
 * Tier-2 diagnostics: each landscape without tier-1 errors goes to the check worker, which compiles
 * it (off this thread: a large dataset takes a while to draw), hashes the compiled problem, and
 * analyses it unless a report for that hash is cached here (editing a comment re-analyses nothing),
 * then maps the report to diagnostics on this version's tree. A newer version of the document
 * aborts the run, terminating the worker if it is busy with it.
 */
import type { CritDiagnostic, LandscapeNode } from '../language';
import { CancelledError, type WorkerLane } from '../worker/lane';
import type { DocumentAnalysis } from './analysis';
import { landscapeHasErrors } from './analysis';
import { CHECK_TIMEOUT_MS } from './limits';
import { landscapeText, type LandscapeFacts, type ServerModel } from './model';
import type { StatusTracker } from './status';

export interface BackgroundDeps {
  model: ServerModel;
  lane: WorkerLane;
  status: StatusTracker;
  /** Re-publish the document's diagnostics (tier 1 + current tier-2 facts). */
  publish: (uri: string) => void;
  /** Still the document's latest version? */
  isCurrent: (uri: string, version: number) => boolean;
}

function hasName(landscape: LandscapeNode): landscape is LandscapeNode & { name: string } {
  return landscape.name !== undefined;
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
        if (!hasName(landscape) || landscapeHasErrors(analysis, landscape)) continue;
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
  private async checkLandscape(analysis: DocumentAnalysis, landscape: LandscapeNode & { name: string }, signal: AbortSignal, markChecking: () => void): Promise<LandscapeFacts | undefined> {
    const { model } = this.deps;
    const solved = model.result(analysis.uri, landscape.name);
    const facts: LandscapeFacts = { version: analysis.version, text: landscapeText(analysis, landscape), start: landscape.range.start, diagnostics: [] };
    try {
      const reply = await this.deps.lane.run(
        {
          type: 'check',
          landscape,
          uri: analysis.uri,
          settings: model.settings,
          cachedReports: model.reports.entries(),
          solved: solved === undefined ? undefined : { problemHash: solved.problemHash, report: solved.solve.report, certificates: solved.solve.certificates },
        },
        AbortSignal.any([signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]),
        markChecking,
      );
      if (reply.type === 'checked') {
        // Compiling re-validates the landscape: keep only what tier 1 did not already report.
        const tier1 = new Set(analysis.diagnostics.map(diagnosticKey));
        facts.diagnostics = reply.diagnostics.filter((d) => !tier1.has(diagnosticKey(d)));
        facts.problemHash = reply.problemHash;
        facts.report = reply.report;
        if (reply.problemHash !== undefined && reply.report !== undefined) model.reports.set(reply.problemHash, reply.report);
      } else if (reply.type === 'failed') {
        facts.diagnostics.push({
          // A memory-budget refusal is already a diagnostic of the check itself (checkSolvability).
          code: 'solvability/check-failed',
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
    return facts;
  }
}
