/**
 * What the server knows, as plain data for the handlers: the tier-1 analysis of each open document,
 * the tier-2 facts of each landscape (its compiled problem, content hash and solvability report) and
 * the last solve result of each landscape.
 */
import type { CompiledLandscape, CritDiagnostic } from '../language';
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

  /** Facts of the landscapes of one document version (older versions' facts are not returned). */
  factsFor(analysis: DocumentAnalysis): Map<string, LandscapeFacts> {
    const byName = this.facts.get(analysis.uri);
    const current = new Map<string, LandscapeFacts>();
    for (const [name, facts] of byName ?? []) if (facts.version === analysis.version) current.set(name, facts);
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
