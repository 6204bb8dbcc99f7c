/** compileLandscape: a landscape's AST -> the engine's PlantProblem, plus plot and export requests as plain data. */
import type { LandscapeNode } from './ast';
import type { CritDiagnostic } from './diagnostics';
import type { SourceRange } from './positions';
import type { PlantProblem } from '../engine/types';

/** Reads a file named in a spec. Relative paths resolve against the spec's folder; may throw (untrusted workspaces refuse). */
export interface FileReader {
  readFile(path: string): Uint8Array;
}

export type PlotRequest =
  | { kind: 'interpolate'; from: string; to: string; alphaMin: number; alphaMax: number; steps: number; range: SourceRange }
  | { kind: 'plane'; points: [string, string, string]; min: number; max: number; steps: number; range: SourceRange }
  | { kind: 'directions'; center: string; directions: Float64Array[]; min: number; max: number; steps: number; range: SourceRange }
  | { kind: 'spectrum'; point: string; range: SourceRange }
  | { kind: 'dataset'; range: SourceRange };

export interface ExportRequest {
  /** As written (relative to the spec's folder unless absolute). */
  path: string;
  formats: ('npz' | 'csv')[];
  range: SourceRange;
}

export interface CompiledLandscape {
  name: string;
  problem: PlantProblem;
  plots: PlotRequest[];
  exports: ExportRequest[];
  seed: number;
  /** The landscape's own text (for the manifest and its hash). */
  sourceText: string;
}

export function compileLandscape(
  l: LandscapeNode,
  reader: FileReader | undefined,
  opts: { baseDir?: string; sourceText?: string } = {},
): { problem?: CompiledLandscape; diagnostics: CritDiagnostic[] } {
  void l;
  void reader;
  void opts;
  return { diagnostics: [] };
}
