/**
 * Tier 2 of validation for one compiled landscape: the engine's solvability analysis (counts, rank,
 * consistency and its cause, conditioning) mapped to diagnostics. The language server's check
 * worker and `crit check` both run exactly this.
 *
 * Not re-exported from ./index: it pulls in the engine's linear-algebra backend, which the
 * extension's bundles that use the language (hover texts, samples) do not need.
 */
import { analyzeProblem, EngineError } from '../engine';
import type { PointCertificate, SolvabilityReport } from '../engine/types';
import type * as A from './ast';
import type { CompiledLandscape } from './compile';
import type { CritDiagnostic } from './diagnostics';
import { solvabilityDiagnostics } from './solvability';

export interface SolvabilityCheckOptions {
  /** Refuse dense matrices above this many bytes (a solvability/memory-budget warning, not a crash). */
  memoryBudgetBytes?: number;
  /** A report already computed for this exact problem: nothing is analysed again. */
  cachedReport?: SolvabilityReport;
  /** A solve of this exact problem: its report and certificates give the diagnostics. */
  solved?: { report: SolvabilityReport; certificates: PointCertificate[] };
  /** Called just before the analysis runs (not when the report is cached). */
  onAnalyze?: () => void;
}

export interface SolvabilityCheck {
  /** The analysis report; undefined when the memory budget refused it. */
  report?: SolvabilityReport;
  /** False when the report came from `cachedReport` (or none could be made). */
  analyzed: boolean;
  diagnostics: CritDiagnostic[];
}

export function checkSolvability(landscape: A.LandscapeNode, compiled: CompiledLandscape, opts: SolvabilityCheckOptions = {}): SolvabilityCheck {
  let report = opts.cachedReport;
  const analyzed = report === undefined;
  if (report === undefined) {
    opts.onAnalyze?.();
    try {
      report = analyzeProblem(compiled.problem, { memoryBudgetBytes: opts.memoryBudgetBytes });
    } catch (error) {
      if (!(error instanceof EngineError && error.code === 'memory-budget')) throw error;
      return {
        analyzed: false,
        diagnostics: [
          {
            code: 'solvability/memory-budget',
            severity: 'warning',
            message: `the solvability check could not run: ${error.message}`,
            range: landscape.nameRange ?? landscape.range,
          },
        ],
      };
    }
  }
  const shown = opts.solved ?? { report, certificates: undefined };
  return { report, analyzed, diagnostics: solvabilityDiagnostics(landscape, compiled, shown.report, shown.certificates) };
}
