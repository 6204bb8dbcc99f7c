/** Quick fixes: the fixes the diagnostics suggest (raise `points`, shift an output bias, replace an unknown activation ...). */
import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver/node';
import type { CritDiagnostic } from '../language';
import type { DocumentAnalysis } from './analysis';
import { toLspDiagnostic, toLspRange } from './convert';
import type { ServerModel } from './model';

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export function codeActions(model: ServerModel, analysis: DocumentAnalysis, range: Range): CodeAction[] {
  const all: CritDiagnostic[] = [...analysis.diagnostics];
  for (const facts of model.factsFor(analysis).values()) all.push(...facts.diagnostics);
  const actions: CodeAction[] = [];
  for (const diagnostic of all) {
    if (diagnostic.fixes === undefined || diagnostic.fixes.length === 0) continue;
    const lsp: Diagnostic = toLspDiagnostic(diagnostic);
    if (!overlaps(lsp.range, range)) continue;
    diagnostic.fixes.forEach((fix, index) => {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [lsp],
        isPreferred: index === 0,
        edit: { changes: { [analysis.uri]: fix.edits.map((e) => ({ range: toLspRange(e.range), newText: e.newText })) } },
      });
    });
  }
  return actions;
}
