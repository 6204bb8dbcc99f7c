/** Conversions from the language layer's plain values to LSP types. */
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic, Range } from 'vscode-languageserver/node';
import type { CritDiagnostic, SourceRange } from '../language';

const SEVERITY: Record<CritDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspRange(range: SourceRange): Range {
  return { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
}

export function toLspDiagnostic(d: CritDiagnostic): Diagnostic {
  return { range: toLspRange(d.range), severity: SEVERITY[d.severity], code: d.code, source: 'crit', message: d.message };
}
