/** The diagnostics published for a document: tier 1 of its current version plus the tier-2 facts of that version. */
import type { Diagnostic } from 'vscode-languageserver/node';
import type { DocumentAnalysis } from './analysis';
import { toLspDiagnostic } from './convert';
import type { ServerModel } from './model';

export function collectDiagnostics(model: ServerModel, analysis: DocumentAnalysis): Diagnostic[] {
  const diagnostics = analysis.diagnostics.map(toLspDiagnostic);
  for (const facts of model.factsFor(analysis).values()) diagnostics.push(...facts.diagnostics.map(toLspDiagnostic));
  return diagnostics;
}
