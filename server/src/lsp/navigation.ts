/** Go to definition, find references and rename for weight names (scoped to their landscape). */
import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { rangeContains } from '../language';
import type { SourceRange, WeightSymbol } from '../language';
import { KEYWORDS } from '../language/lexer';
import type { DocumentAnalysis } from './analysis';
import { toLspRange } from './convert';

export function weightSymbolAt(analysis: DocumentAnalysis, offset: number): WeightSymbol | undefined {
  return analysis.weightSymbols().find((s) => s.declarations.some((d) => rangeContains(d.range, offset)) || s.references.some((r) => rangeContains(r.range, offset)));
}

function occurrences(symbol: WeightSymbol, includeDeclaration: boolean): SourceRange[] {
  return [...(includeDeclaration ? symbol.declarations.map((d) => d.range) : []), ...symbol.references.map((r) => r.range)];
}

export function definition(analysis: DocumentAnalysis, offset: number): Location[] {
  const symbol = weightSymbolAt(analysis, offset);
  return (symbol?.declarations ?? []).map((d) => ({ uri: analysis.uri, range: toLspRange(d.range) }));
}

export function references(analysis: DocumentAnalysis, offset: number, includeDeclaration: boolean): Location[] {
  const symbol = weightSymbolAt(analysis, offset);
  return symbol === undefined ? [] : occurrences(symbol, includeDeclaration).map((range) => ({ uri: analysis.uri, range: toLspRange(range) }));
}

export function prepareRename(analysis: DocumentAnalysis, offset: number): { range: Range; placeholder: string } | null {
  const symbol = weightSymbolAt(analysis, offset);
  const at = symbol === undefined ? undefined : occurrences(symbol, true).find((r) => rangeContains(r, offset));
  return symbol === undefined || at === undefined ? null : { range: toLspRange(at), placeholder: symbol.name };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws (answered as an error) when the new name is not a usable weight name. */
export function rename(analysis: DocumentAnalysis, offset: number, newName: string): WorkspaceEdit | null {
  const symbol = weightSymbolAt(analysis, offset);
  if (symbol === undefined) return null;
  if (!IDENTIFIER.test(newName)) throw new Error(`'${newName}' is not a valid weight name (letters, digits and _, not starting with a digit)`);
  if (Object.hasOwn(KEYWORDS, newName)) throw new Error(`'${newName}' is a keyword of the language`);
  const clash = analysis.weightSymbols().find((s) => s.landscape === symbol.landscape && s.name === newName && s.declarations.length > 0);
  if (clash !== undefined && newName !== symbol.name) throw new Error(`'${newName}' is already declared in this landscape`);
  const edits: TextEdit[] = occurrences(symbol, true).map((range) => ({ range: toLspRange(range), newText: newName }));
  return { changes: { [analysis.uri]: edits } };
}
