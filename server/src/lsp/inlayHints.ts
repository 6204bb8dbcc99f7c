/** Inlay hints: N after `network`, each layer's shape, and M against K·N (and the rank once known) after `data`. */
import { InlayHintKind } from 'vscode-languageserver/node';
import type { InlayHint, Range } from 'vscode-languageserver/node';
import type { SourcePosition } from '../language';
import type { DocumentAnalysis } from './analysis';
import type { ServerModel } from './model';
import { formatShape, labelCount, networkShape, plantedCount } from './shapes';

function inRange(position: SourcePosition, range: Range): boolean {
  return position.line >= range.start.line && position.line <= range.end.line;
}

function hint(position: SourcePosition, label: string): InlayHint {
  return { position: { line: position.line, character: position.character }, label, kind: InlayHintKind.Type, paddingLeft: true };
}

/** The position right after a keyword that starts a node's range. */
function afterKeyword(analysis: DocumentAnalysis, start: SourcePosition, keyword: string): SourcePosition {
  return analysis.lines.positionAt(start.offset + keyword.length);
}

export function inlayHints(model: ServerModel, analysis: DocumentAnalysis, range: Range): InlayHint[] {
  const hints: InlayHint[] = [];
  const facts = model.factsFor(analysis);
  for (const landscape of analysis.file.landscapes) {
    if (landscape.range.end.line < range.start.line || landscape.range.start.line > range.end.line) continue;
    const shape = landscape.network === undefined ? undefined : networkShape(landscape.network);
    if (landscape.network !== undefined && shape !== undefined) {
      const at = afterKeyword(analysis, landscape.network.range.start, 'network');
      if (inRange(at, range) && shape.parameterCount !== undefined) hints.push(hint(at, `N = ${shape.parameterCount}`));
      for (const layer of shape.layers) {
        if (inRange(layer.node.range.end, range)) hints.push(hint(layer.node.range.end, formatShape(layer)));
      }
    }
    if (landscape.data !== undefined) {
      const at = afterKeyword(analysis, landscape.data.range.start, 'data');
      if (!inRange(at, range)) continue;
      const M = labelCount(landscape);
      const N = shape?.parameterCount;
      const KN = N === undefined ? undefined : plantedCount(landscape) * N;
      const parts: string[] = [];
      if (M !== undefined && KN !== undefined) parts.push(`M ${M} ${M >= KN ? '≥' : '<'} K·N ${KN}`);
      const report = landscape.name === undefined ? undefined : facts.get(landscape.name)?.report;
      if (report !== undefined) parts.push(`rank ${report.rank}/${report.equationCount}`);
      if (parts.length > 0) hints.push(hint(at, parts.join(', ')));
    }
  }
  return hints;
}
