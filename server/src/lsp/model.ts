/**
 * What the server knows, as plain data for the handlers: the tier-1 analysis of each open document,
 * the tier-2 facts of each landscape (its compiled problem, content hash and solvability report) and
 * the last solve result of each landscape.
 */
import type { CompiledLandscape, CritDiagnostic, LandscapeNode, SourcePosition, SourceRange } from '../language';
import type { SolvabilityReport, SolveResult } from '../engine/types';
import type { CritSettings, LandscapeResult } from '../protocol';
import type { DocumentAnalysis } from './analysis';
import { AnalysisCache } from './analysis';
import { LruCache } from './lruCache';
import { COMPILATION_CACHE_ENTRIES, REPORT_CACHE_ENTRIES, SOLVE_CACHE_ENTRIES } from './limits';
import type { ServerCompilation } from './compile';

/** Tier-2 knowledge of one landscape, valid for one document version. */
export interface LandscapeFacts {
  version: number;
  /** The landscape's source text and start in that version: facts carry over while it is unchanged. */
  text: string;
  start: SourcePosition;
  /** Undefined when the landscape did not compile. */
  problemHash?: string;
  report?: SolvabilityReport;
  /** Compile diagnostics, then the engine's solvability and certificate diagnostics. */
  diagnostics: CritDiagnostic[];
}

export interface StoredResult {
  problemHash: string;
  compiled: CompiledLandscape;
  solve: SolveResult;
  json: LandscapeResult;
}

export interface DocumentLike {
  uri: string;
  version: number;
  getText(): string;
}

export class ServerModel {
  settings: CritSettings = { trusted: false, backgroundChecks: true };
  private readonly analyses = new AnalysisCache();
  private readonly facts = new Map<string, Map<string, LandscapeFacts>>();
  private readonly results = new Map<string, Map<string, StoredResult>>();
  /** Solvability reports by problem hash: an edit that changes no number re-checks nothing. */
  readonly reports = new LruCache<SolvabilityReport>(REPORT_CACHE_ENTRIES);
  /** Solve results by problem hash and plot requests: re-solving unchanged numbers is instant. */
  readonly solves = new LruCache<StoredResult>(SOLVE_CACHE_ENTRIES);
  /** Landscapes compiled for explicit requests (dataset pages, export), by uri, name and version. */
  readonly compilations = new LruCache<ServerCompilation>(COMPILATION_CACHE_ENTRIES);

  analysis(document: DocumentLike): DocumentAnalysis {
    return this.analyses.get(document);
  }

  landscapeFacts(uri: string, landscape: string): LandscapeFacts | undefined {
    return this.facts.get(uri)?.get(landscape);
  }

  /**
   * Facts of the landscapes of one document version. Facts of an older version still apply to a
   * landscape whose text is unchanged (an edit elsewhere in the file): they are moved to its new
   * position, so its tier-2 diagnostics do not flicker while the new version is checked.
   */
  factsFor(analysis: DocumentAnalysis): Map<string, LandscapeFacts> {
    const byName = this.facts.get(analysis.uri);
    const current = new Map<string, LandscapeFacts>();
    if (byName === undefined) return current;
    for (const landscape of analysis.file.landscapes) {
      const facts = landscape.name === undefined ? undefined : byName.get(landscape.name);
      if (facts === undefined || landscape.name === undefined) continue;
      if (facts.version === analysis.version) {
        current.set(landscape.name, facts);
        continue;
      }
      const start = landscape.range.start;
      if (facts.text !== landscapeText(analysis, landscape) || facts.start.character !== start.character) continue;
      const moved = moveFacts(facts, analysis.version, start);
      byName.set(landscape.name, moved);
      current.set(landscape.name, moved);
    }
    return current;
  }

  setFacts(uri: string, landscape: string, facts: LandscapeFacts): void {
    let byName = this.facts.get(uri);
    if (byName === undefined) this.facts.set(uri, (byName = new Map()));
    byName.set(landscape, facts);
  }

  result(uri: string, landscape: string): StoredResult | undefined {
    return this.results.get(uri)?.get(landscape);
  }

  setResult(uri: string, landscape: string, result: StoredResult): void {
    let byName = this.results.get(uri);
    if (byName === undefined) this.results.set(uri, (byName = new Map()));
    byName.set(landscape, result);
  }

  /** Forgets a closed document (its results go too: they are kept for open documents only). */
  close(uri: string): void {
    this.analyses.delete(uri);
    this.facts.delete(uri);
    this.results.delete(uri);
  }

  /** Drops facts of landscapes no longer in the document (renamed or deleted), keeping memory flat. */
  pruneFacts(analysis: DocumentAnalysis): void {
    const names = new Set(analysis.file.landscapes.map((l) => l.name));
    const byName = this.facts.get(analysis.uri);
    for (const name of byName?.keys() ?? []) if (!names.has(name)) byName?.delete(name);
  }
}

export function landscapeText(analysis: DocumentAnalysis, landscape: LandscapeNode): string {
  return analysis.text.slice(landscape.range.start.offset, landscape.range.end.offset);
}

/** The same facts for a later version where the landscape starts at `start` (same text, same column). */
function moveFacts(facts: LandscapeFacts, version: number, start: SourcePosition): LandscapeFacts {
  const lines = start.line - facts.start.line;
  const offsets = start.offset - facts.start.offset;
  const position = (p: SourcePosition): SourcePosition => ({ line: p.line + lines, character: p.character, offset: p.offset + offsets });
  const range = (r: SourceRange): SourceRange => ({ start: position(r.start), end: position(r.end) });
  return {
    ...facts,
    version,
    start,
    diagnostics: facts.diagnostics.map((d) => ({
      ...d,
      range: range(d.range),
      fixes: d.fixes?.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, range: range(e.range) })) })),
    })),
  };
}
