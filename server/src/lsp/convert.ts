/** Conversions from the language layer's plain values to LSP types. */
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { Tier1Diagnostic } from './analysis';

const SEVERITY: Record<Tier1Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(d: Tier1Diagnostic): Diagnostic {
  return {
    range: { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } },
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'crit',
    message: d.message,
  };
}
