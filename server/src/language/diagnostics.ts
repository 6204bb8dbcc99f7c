/** Diagnostics as the language layer reports them: LSP-shaped but free of LSP types. */
import type { SourceRange } from './positions';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface SuggestedFix {
  title: string;
  edits: TextEdit[];
}

export interface CritDiagnostic {
  /** Stable, documented in docs/diagnostics.md, e.g. 'syntax/expected-activation'. */
  code: string;
  severity: Severity;
  message: string;
  range: SourceRange;
  fixes?: SuggestedFix[];
}
