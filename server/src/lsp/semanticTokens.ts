/** Semantic tokens from the language's lexer, with weight names and landscape names told apart by the tree. */
import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver/node';
import { ACTIVATIONS } from '../engine/types';
import { FUNCTION_KEYWORDS } from '../language/grammar';
import * as T from '../language/lexer';
import type { TokenType } from '../language/chevrotain';
import type { DocumentAnalysis } from './analysis';

const TYPES = ['keyword', 'function', 'variable', 'namespace', 'number', 'string', 'comment', 'operator', 'type', 'property'] as const;
const MODIFIERS = ['declaration'] as const;
type TokenKind = (typeof TYPES)[number];

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

const KEYWORD_TYPES = new Set<TokenType>(Object.values(T.KEYWORDS));
const FUNCTION_TYPES = new Set<TokenType>(FUNCTION_KEYWORDS);
const OPERATOR_TYPES = new Set<TokenType>([T.Arrow, T.Equals, T.Plus, T.Minus, T.Star]);
const ACTIVATION_NAMES = new Set<string>(ACTIVATIONS);

export function semanticTokens(analysis: DocumentAnalysis): SemanticTokens {
  if (analysis.tooLarge) return { data: [] };
  const lexed = T.critLexer.tokenize(analysis.text);
  const declarations = new Set<number>();
  const weightNames = new Set<number>();
  for (const symbol of analysis.weightSymbols()) {
    for (const d of symbol.declarations) declarations.add(d.range.start.offset);
    for (const r of symbol.references) weightNames.add(r.range.start.offset);
  }
  const landscapeNames = new Set(analysis.file.landscapes.map((l) => l.nameRange?.start.offset));

  const spans: { start: number; end: number; kind: TokenKind; declaration: boolean }[] = [];
  for (const token of [...lexed.tokens, ...(lexed.groups.comments ?? [])]) {
    const type = token.tokenType;
    const start = token.startOffset;
    let kind: TokenKind | undefined;
    let declaration = false;
    if (type === T.Identifier) {
      if (declarations.has(start)) [kind, declaration] = ['variable', true];
      else if (weightNames.has(start)) kind = 'variable';
      else if (landscapeNames.has(start)) [kind, declaration] = ['namespace', true];
      else if (ACTIVATION_NAMES.has(token.image)) kind = 'type';
      else kind = 'property';
    } else if (FUNCTION_TYPES.has(type)) kind = 'function';
    else if (KEYWORD_TYPES.has(type)) kind = 'keyword';
    else if (type === T.NumberLiteral) kind = 'number';
    else if (type === T.StringLiteral || type === T.UnterminatedString) kind = 'string';
    else if (type === T.LineComment || type === T.BlockComment || type === T.UnterminatedComment) kind = 'comment';
    else if (OPERATOR_TYPES.has(type)) kind = 'operator';
    if (kind !== undefined) spans.push({ start, end: start + token.image.length, kind, declaration });
  }
  spans.sort((a, b) => a.start - b.start);

  // Relative encoding; a token spanning lines (block comments) is split per line.
  const data: number[] = [];
  let previousLine = 0;
  let previousChar = 0;
  const push = (line: number, character: number, length: number, kind: TokenKind, declaration: boolean): void => {
    if (length <= 0) return;
    data.push(line - previousLine, line === previousLine ? character - previousChar : character, length, TYPES.indexOf(kind), declaration ? 1 : 0);
    previousLine = line;
    previousChar = character;
  };
  for (const span of spans) {
    let offset = span.start;
    for (const piece of analysis.text.slice(span.start, span.end).split(/(\r\n|\r|\n)/)) {
      if (piece !== '' && !/^[\r\n]+$/.test(piece)) {
        const at = analysis.lines.positionAt(offset);
        push(at.line, at.character, piece.length, span.kind, span.declaration);
      }
      offset += piece.length;
    }
  }
  return { data };
}
