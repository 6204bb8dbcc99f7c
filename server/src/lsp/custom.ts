/** Handlers of `crit/result`, `crit/dataset` and `crit/export` (solving is in solve.ts). */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { forward } from '../engine/network';
import { exportLandscape, type DatasetFormat } from '../io/export';
import type { LandscapeNode } from '../language';
import type { DatasetPage, DatasetParams, ExportParams, ExportResponse, LandscapeRef, LandscapeResult, SolveResponse } from '../protocol';
import type { DocumentAnalysis } from './analysis';
import { landscapeHasErrors, landscapeNamed } from './analysis';
import { compileForServer, specFolder, type ServerCompilation } from './compile';
import { MAX_DATASET_ROWS } from './limits';
import type { ServerModel, StoredResult } from './model';

export function resultRequest(model: ServerModel, params: LandscapeRef): LandscapeResult | null {
  return model.result(params.uri, params.landscape)?.json ?? null;
}

/** The landscape compiled from this document version (cached: a preview asks for page after page). */
export function currentCompilation(model: ServerModel, analysis: DocumentAnalysis, landscape: LandscapeNode): ServerCompilation {
  const key = `${analysis.uri}#${landscape.name ?? ''}@${analysis.version}`;
  let compilation = model.compilations.get(key);
  if (compilation === undefined) {
    compilation = compileForServer(analysis.uri, landscape, model.settings);
    model.compilations.set(key, compilation);
  }
  return compilation;
}

/** Rows of the compiled dataset; solved labels when the stored result solved these very numbers. */
export function datasetRequest(model: ServerModel, analysis: DocumentAnalysis, params: DatasetParams): DatasetPage | null {
  const landscape = landscapeNamed(analysis, params.landscape);
  if (landscape === undefined || landscapeHasErrors(analysis, landscape)) return null;
  const { compiled, problemHash } = currentCompilation(model, analysis, landscape);
  if (compiled === undefined) return null;
  const { data, network, planted } = compiled.problem;
  const offset = Math.max(0, Math.min(data.m, Math.floor(params.offset ?? 0)));
  const rows = Math.max(0, Math.min(data.m - offset, Math.floor(params.limit ?? MAX_DATASET_ROWS), MAX_DATASET_ROWS));
  const inputs = data.X.subarray(offset * data.dx, (offset + rows) * data.dx);
  const solved = model.result(analysis.uri, params.landscape);
  const labels = solved !== undefined && solved.problemHash === problemHash ? Array.from(solved.solve.Y.subarray(offset * data.dy, (offset + rows) * data.dy)) : null;
  return {
    m: data.m,
    dx: data.dx,
    dy: data.dy,
    offset,
    inputs: Array.from(inputs),
    baseLabels: Array.from(data.Y0.subarray(offset * data.dy, (offset + rows) * data.dy)),
    labels,
    predictions: rows === 0 ? [] : planted.map((p) => ({ name: p.name, values: Array.from(forward(network, p.theta, inputs, rows)) })),
  };
}

/** Where an export goes: the request's folder, else the spec's first `export` path, else `<spec folder>/<landscape>`. */
export function exportTarget(result: StoredResult, uri: string, outDir: string | undefined): string | undefined {
  const baseDir = specFolder(uri);
  const written = outDir ?? result.compiled.exports[0]?.path;
  if (written !== undefined) {
    if (isAbsolute(written)) return written;
    return baseDir === undefined ? undefined : resolve(baseDir, written);
  }
  return baseDir === undefined ? undefined : join(baseDir, result.compiled.name);
}

const SUPPORTED_FORMATS: readonly DatasetFormat[] = ['npz', 'csv'];

/** Writes the export of a solved landscape (the caller solves first when needed). */
export function writeExport(model: ServerModel, result: StoredResult, params: ExportParams): ExportResponse {
  if (!model.settings.trusted) return { status: 'failed', message: 'the workspace is not trusted: Crit writes no export until it is' };
  const dir = exportTarget(result, params.uri, params.outDir);
  if (dir === undefined) return { status: 'failed', message: 'save the spec first, or give an absolute folder: relative paths resolve against its folder' };
  if (existsSync(dir) && params.force !== true) return { status: 'exists', path: dir };
  const wanted = result.compiled.exports[0]?.formats ?? model.settings.exportFormats ?? ['npz', 'csv'];
  const datasetFormats = SUPPORTED_FORMATS.filter((f) => (wanted as string[]).includes(f));
  try {
    exportLandscape(dir, { name: result.compiled.name, problem: result.compiled.problem, seed: result.compiled.seed, sourceText: result.compiled.sourceText }, result.solve, {
      force: params.force === true,
      datasetFormats,
    });
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1).split('\\').join('/'))
    .sort();
  return { status: 'written', path: dir, files };
}

/** `crit/export`: solves first when the stored result is not of the document's current numbers. */
export async function exportRequest(
  model: ServerModel,
  analysis: DocumentAnalysis,
  params: ExportParams,
  solve: () => Promise<SolveResponse>,
): Promise<ExportResponse> {
  if (!model.settings.trusted) return { status: 'failed', message: 'the workspace is not trusted: Crit writes no export until it is' };
  const landscape = landscapeNamed(analysis, params.landscape);
  if (landscape === undefined) return { status: 'failed', message: `no landscape named '${params.landscape}' in this file` };
  const { problemHash } = currentCompilation(model, analysis, landscape);
  let result = model.result(params.uri, params.landscape);
  if (result === undefined || problemHash === undefined || result.problemHash !== problemHash) {
    const solved = await solve();
    if (solved.status === 'cancelled') return { status: 'failed', message: 'the solve was cancelled; nothing was exported' };
    if (solved.status === 'failed') return solved;
    result = model.result(params.uri, params.landscape);
    if (result === undefined) return { status: 'failed', message: 'the solve left no result' };
  }
  return writeExport(model, result, params);
}
