/**
 * Hovers: a layer's weight count and shape, the network's N, the data's M against K·N and the rank,
 * a planted point's certificate once solved, and the reference text of keywords.
 */
import type { Hover } from 'vscode-languageserver/node';
import { KEYWORD_DOCS, nodeAt, rangeContains } from '../language';
import type { LandscapeNode } from '../language';
import type { CertificateJson } from '../protocol';
import { inCommentOrString, type DocumentAnalysis } from './analysis';
import { toLspRange } from './convert';
import type { ServerModel } from './model';
import { formatShape, labelCount, networkShape, plantedCount } from './shapes';
import { weightSymbolAt } from './navigation';
import { formatSignature } from '../engine/format';

/** The word (keyword spelling, `min-loss` included) under the offset. */
function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  const isWord = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_-]/.test(ch);
  let start = offset;
  let end = offset;
  while (start > 0 && isWord(text[start - 1]) && offset - start < 64) start--;
  while (end < text.length && isWord(text[end]) && end - offset < 64) end++;
  return end > start ? { word: text.slice(start, end), start, end } : undefined;
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : Number(x.toPrecision(4)).toString();
}

export function formatCertificate(c: CertificateJson | undefined): string {
  if (c === undefined) return '';
  const s = c.signature;
  const target = c.target.kind === 'saddle' ? `saddle(${c.target.index})` : c.target.kind;
  return [
    `**${c.name}**: ${c.achieved ? 'verified' : 'not reached'} (target ${target})`,
    `- gradient norm ${formatNumber(c.gradientNorm)} (relative ${formatNumber(c.relativeGradientNorm)})${c.critical ? '' : ' — not critical'}`,
    `- loss ${formatNumber(c.loss)}`,
    `- Hessian signature ${formatSignature(s)} at tolerance ${formatNumber(c.zeroTolerance)}; ${c.symmetryZeros} symmetry zeros; margin ${formatNumber(c.margin)} (${c.spectrumMethod})`,
    ...(c.reason === undefined ? [] : [`- ${c.reason}`]),
  ].join('\n');
}

function dataSummary(model: ServerModel, analysis: DocumentAnalysis, landscape: LandscapeNode): string {
  const shape = landscape.network === undefined ? undefined : networkShape(landscape.network);
  const K = plantedCount(landscape);
  const N = shape?.parameterCount;
  const M = labelCount(landscape);
  const KN = N === undefined ? undefined : K * N;
  const lines = [`M = m·d_y = ${M ?? '?'} label entries; K·N = ${K}·${N ?? '?'} = ${KN ?? '?'} gradient equations`];
  if (M !== undefined && KN !== undefined) lines.push(M >= KN ? `enough labels (M ≥ K·N)` : `**too few labels**: M < K·N`);
  const report = landscape.name === undefined ? undefined : model.factsFor(analysis).get(landscape.name)?.report;
  if (report !== undefined) {
    lines.push(`rank ${report.rank}/${report.equationCount} (tolerance ${formatNumber(report.rankTolerance)}); ${report.consistent ? 'consistent' : `**inconsistent** (residual ${formatNumber(report.consistencyResidual)})`}; condition number ${formatNumber(report.conditionNumber)}`);
    for (const cause of report.causes) lines.push(`- ${cause.message}`);
  }
  return lines.join('\n\n');
}

export function hover(model: ServerModel, analysis: DocumentAnalysis, offset: number): Hover | null {
  if (inCommentOrString(analysis, offset)) return null;
  const path = nodeAt(analysis.file, offset);
  const landscape = path.find((n): n is LandscapeNode => n.kind === 'Landscape');
  const word = wordAt(analysis.text, offset);
  const sections: string[] = [];
  const inner = path[path.length - 1];

  const weight = weightSymbolAt(analysis, offset);
  if (weight !== undefined) {
    const planted = weight.landscape.criticals.some((c) => c.name === weight.name);
    sections.push(`**weights ${weight.name}**${planted ? ': planted critical point' : ''}`);
    const result = weight.landscape.name === undefined ? undefined : model.result(analysis.uri, weight.landscape.name);
    const facts = weight.landscape.name === undefined ? undefined : model.factsFor(analysis).get(weight.landscape.name);
    const certificate = result?.json.certificates.find((c) => c.name === weight.name);
    if (certificate !== undefined) {
      const stale = facts?.problemHash !== undefined && facts.problemHash !== result?.problemHash;
      sections.push(formatCertificate(certificate) + (stale ? '\n\n_(from an earlier version of the spec: solve again)_' : ''));
    } else if (planted) sections.push('_Not solved yet: run Solve to certify it._');
  } else if (landscape !== undefined && (inner.kind === 'Layer' || inner.kind === 'Output' || (inner.kind === 'Number' && (path[path.length - 2]?.kind === 'Layer' || path[path.length - 2]?.kind === 'Output')))) {
    const node = inner.kind === 'Number' ? path[path.length - 2] : inner;
    const layer = landscape.network === undefined ? undefined : networkShape(landscape.network).layers.find((l) => l.node === node);
    if (layer !== undefined) sections.push(`**${formatShape(layer)}**: ${layer.weights ?? '?'} weights (out × in, as nn.Linear.weight)`);
  } else if (landscape?.network !== undefined && inner.kind === 'Network') {
    const shape = networkShape(landscape.network);
    sections.push(`**network**: N = ${shape.parameterCount ?? '?'} parameters\n\n${shape.layers.map((l) => `- ${formatShape(l)}: ${l.weights ?? '?'}`).join('\n')}`);
  } else if (landscape !== undefined && (inner.kind === 'Data' || inner.kind === 'Points')) {
    sections.push(dataSummary(model, analysis, landscape));
  }

  if (word !== undefined && Object.hasOwn(KEYWORD_DOCS, word.word) && weight === undefined) sections.push(KEYWORD_DOCS[word.word]);
  if (sections.length === 0) return null;
  const range = weight !== undefined ? [...weight.declarations.map((d) => d.range), ...weight.references.map((r) => r.range)].find((r) => rangeContains(r, offset)) : undefined;
  return {
    contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') },
    range: range !== undefined ? toLspRange(range) : word !== undefined ? toLspRange(analysis.lines.range(word.start, word.end)) : undefined,
  };
}
