/** Outline (document symbols) and folding ranges. */
import { FoldingRangeKind, SymbolKind } from 'vscode-languageserver/node';
import type { DocumentSymbol, FoldingRange } from 'vscode-languageserver/node';
import type { AstNode, LandscapeItem, LandscapeNode, SourceRange } from '../language';
import { childrenOf } from '../language';
import type { DocumentAnalysis } from './analysis';
import { toLspRange } from './convert';
import { formatShape, networkShape } from './shapes';

function symbol(name: string, detail: string | undefined, kind: SymbolKind, range: SourceRange, selection: SourceRange | undefined, children?: DocumentSymbol[]): DocumentSymbol {
  return { name: name === '' ? '?' : name, detail, kind, range: toLspRange(range), selectionRange: toLspRange(selection ?? range), children };
}

function itemSymbol(item: LandscapeItem): DocumentSymbol | undefined {
  switch (item.kind) {
    case 'Network': {
      const shape = networkShape(item);
      const layers = shape.layers.map((l) => symbol(l.node.kind === 'Output' ? 'output' : `layer ${l.index}`, formatShape(l), SymbolKind.Field, l.node.range, undefined));
      return symbol('network', shape.parameterCount === undefined ? undefined : `N = ${shape.parameterCount}`, SymbolKind.Struct, item.range, undefined, layers);
    }
    case 'Data':
      return symbol('data', item.points?.count === undefined ? undefined : `${item.points.count.text} points`, SymbolKind.Struct, item.range, undefined);
    case 'Weights':
      return symbol(item.name ?? '?', 'weights', SymbolKind.Variable, item.range, item.nameRange);
    case 'Critical':
      return symbol(`critical ${item.name ?? '?'}`, item.hessian?.target, SymbolKind.Event, item.range, item.nameRange);
    case 'Objective':
      return symbol('objective', item.mode, SymbolKind.Property, item.range, undefined);
    case 'Plot':
      return symbol(`plot ${item.plot ?? '?'}`, item.points.map((p) => p.name).join(' '), SymbolKind.Function, item.range, item.plotRange);
    case 'Export':
      return symbol('export', item.path, SymbolKind.File, item.range, item.pathRange);
    case 'Seed':
      return symbol('seed', item.value?.text, SymbolKind.Constant, item.range, undefined);
    default:
      return undefined;
  }
}

/** Top-level symbols are the landscapes (the client relies on it to list them). */
export function documentSymbols(analysis: DocumentAnalysis): DocumentSymbol[] {
  return analysis.file.landscapes
    .filter((l): l is LandscapeNode & { name: string } => l.name !== undefined)
    .map((l) => symbol(l.name, 'landscape', SymbolKind.Namespace, l.range, l.nameRange, l.items.map(itemSymbol).filter((s) => s !== undefined)));
}

const FOLDABLE = new Set<AstNode['kind']>(['Landscape', 'Network', 'Data', 'Critical', 'ExplicitWeights', 'Array', 'Weights']);

export function foldingRanges(analysis: DocumentAnalysis): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const visit = (node: AstNode): void => {
    if (FOLDABLE.has(node.kind) && node.range.end.line > node.range.start.line) {
      ranges.push({ startLine: node.range.start.line, endLine: node.range.end.line - 1 });
    }
    for (const child of childrenOf(node)) visit(child);
  };
  visit(analysis.file);
  // Runs of line comments and multi-line block comments fold as comments.
  let run: { start: number; end: number } | undefined;
  const flush = (): void => {
    if (run !== undefined && run.end > run.start) ranges.push({ startLine: run.start, endLine: run.end, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const comment of analysis.file.comments) {
    const { start, end } = comment.range;
    if (comment.text.startsWith('/*')) {
      flush();
      if (end.line > start.line) ranges.push({ startLine: start.line, endLine: end.line, kind: FoldingRangeKind.Comment });
      continue;
    }
    if (run !== undefined && start.line === run.end + 1) run.end = start.line;
    else {
      flush();
      run = { start: start.line, end: start.line };
    }
  }
  flush();
  return ranges;
}
