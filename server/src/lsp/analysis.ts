/**
 * Tier-1 analysis of one document version: syntax, names and shapes (parseCrit + validateFile).
 * Cheap and synchronous; cached per document until its version changes.
 */
import { LineIndex, parseCrit, validateFile, weightReferences } from '../language';
import type { CritDiagnostic, FileNode, LandscapeNode, WeightSymbol } from '../language';
import { MAX_DOCUMENT_CHARS } from './limits';

export interface DocumentAnalysis {
  uri: string;
  version: number;
  text: string;
  lines: LineIndex;
  file: FileNode;
  /** Above MAX_DOCUMENT_CHARS: not parsed, and token-level features answer nothing. */
  tooLarge: boolean;
  /** Syntax errors first, then validation. */
  diagnostics: CritDiagnostic[];
  /** Weight names per landscape, computed on first use. */
  weightSymbols(): WeightSymbol[];
}

export function analyzeText(uri: string, version: number, text: string): DocumentAnalysis {
  const lines = new LineIndex(text);
  let file: FileNode;
  let diagnostics: CritDiagnostic[];
  if (text.length > MAX_DOCUMENT_CHARS) {
    file = { kind: 'File', range: lines.range(0, text.length), landscapes: [], comments: [] };
    diagnostics = [
      {
        code: 'limits/document-too-large',
        severity: 'error',
        message: `this file has ${text.length} characters, more than the ${MAX_DOCUMENT_CHARS} the editor checks; split it into smaller specs`,
        range: lines.range(0, 0),
      },
    ];
  } else {
    const parsed = parseCrit(text);
    file = parsed.file;
    diagnostics = [...parsed.errors, ...validateFile(parsed.file)];
  }
  let symbols: WeightSymbol[] | undefined;
  return { uri, version, text, lines, file, tooLarge: text.length > MAX_DOCUMENT_CHARS, diagnostics, weightSymbols: () => (symbols ??= weightReferences(file)) };
}

/** Keeps the analysis of each open document's latest version. */
export class AnalysisCache {
  private readonly byUri = new Map<string, DocumentAnalysis>();

  get(document: { uri: string; version: number; getText(): string }): DocumentAnalysis {
    const cached = this.byUri.get(document.uri);
    if (cached !== undefined && cached.version === document.version) return cached;
    const analysis = analyzeText(document.uri, document.version, document.getText());
    this.byUri.set(document.uri, analysis);
    return analysis;
  }

  delete(uri: string): void {
    this.byUri.delete(uri);
  }
}

export function landscapeNamed(analysis: DocumentAnalysis, name: string): LandscapeNode | undefined {
  return analysis.file.landscapes.find((l) => l.name === name);
}

/** True when a tier-1 error lies inside the landscape: it is not compiled, checked or solved then. */
export function landscapeHasErrors(analysis: DocumentAnalysis, landscape: LandscapeNode): boolean {
  return analysis.diagnostics.some(
    (d) => d.severity === 'error' && d.range.start.offset < landscape.range.end.offset && d.range.end.offset >= landscape.range.start.offset,
  );
}

/** The landscape a solve or probe can run on, or why it cannot: absent, or with errors inside. */
export function runnableLandscape(analysis: DocumentAnalysis, name: string): LandscapeNode | { failed: string } {
  const landscape = landscapeNamed(analysis, name);
  if (landscape === undefined) return { failed: `no landscape named '${name}' in this file` };
  if (landscapeHasErrors(analysis, landscape)) return { failed: `${name} has errors; fix them first (see Problems)` };
  return landscape;
}

/** True inside a comment or a string: no keyword help there. */
export function inCommentOrString(analysis: DocumentAnalysis, offset: number): boolean {
  if (analysis.file.comments.some((c) => c.range.start.offset < offset && offset <= c.range.end.offset)) return true;
  // Strings never span lines: count unescaped quotes before the offset on its line.
  const lineStart = analysis.text.lastIndexOf('\n', offset - 1) + 1;
  let quotes = 0;
  for (let i = lineStart; i < offset; i++) {
    if (analysis.text[i] === '\\') i++;
    else if (analysis.text[i] === '"') quotes++;
  }
  return quotes % 2 === 1;
}
