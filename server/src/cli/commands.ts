/**
 * The `crit` commands: check, solve, verify, plot. Each returns its exit status:
 * 0 success, 1 errors (bad input, unsolvable, mismatch), 2 solved but a Hessian target not reached.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { forward, solveProblem, EngineError } from '../engine';
import type { PointCertificate, RunOptions, SolveResult } from '../engine/types';
import { solvabilityDiagnostics, type CompiledLandscape, type PlotRequest } from '../language';
import { writeCsv } from '../io/csv';
import { exportLandscape, ExportError } from '../io/export';
import {
  datasetSpec, datasetTable, interpolationSpec, interpolationTable, planeSpec, planeTable, spectrumSpec, spectrumTable,
  formatSignature, formatTarget, type PlotTable, type PlotTheme, type PointLabel, type SpectrumCurve,
} from '../io/plots';
import { renderSvg } from '../io/render';
import { verifyExportFolder } from '../io/verify';
import { FileFormatError } from '../io/npy';
import { computeCurves } from '../worker/curves';
import { checkSolvability } from '../language/solvabilityCheck';
import { compileSpec, diagnosticJson, diagnosticLines, loadSpec, sortDiagnostics, type FileDiagnostic, type LandscapeCompilation } from './pipeline';
import { progressReporter } from './progress';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_NOT_REACHED = 2;

/** Default memory budget for dense matrices: an out-of-memory crash becomes a clear error. */
export const DEFAULT_MEMORY_BUDGET_MIB = 2048;

/** Where a command writes: lines to stdout and stderr; `interactive` when stderr is a terminal (progress bars). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  interactive: boolean;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  interactive: process.stderr.isTTY === true,
};

function printDiagnostics(io: CliIo, list: FileDiagnostic[], json: boolean): void {
  if (json) return;
  for (const d of sortDiagnostics(list)) for (const line of diagnosticLines(d)) io.err(line);
}

const hasErrors = (list: FileDiagnostic[]) => list.some((d) => d.severity === 'error');

/** The --memory-budget option in bytes (the spec's own cap is checked by validation). */
function budgetBytes(memoryBudgetMiB: number | undefined): number {
  return (memoryBudgetMiB ?? DEFAULT_MEMORY_BUDGET_MIB) * 1024 * 1024;
}

// ---------------------------------------------------------------------------------------------- check

export interface CheckCommandOptions {
  json?: boolean;
  /** False (--no-analysis): syntax, names, shapes and counts only, no solvability analysis. */
  analysis?: boolean;
  memoryBudget?: number;
}

export function checkCommand(io: CliIo, files: string[], opts: CheckCommandOptions): number {
  const all: FileDiagnostic[] = [];
  for (const path of files) {
    const spec = loadSpec(path);
    all.push(...spec.diagnostics);
    if (hasErrors(spec.diagnostics) && spec.file.landscapes.length === 0) continue;
    for (const c of compileSpec(spec)) {
      all.push(...c.diagnostics);
      // Tier 2, as the language server's background check: only landscapes that compiled cleanly.
      if (opts.analysis === false || c.compiled === undefined || hasErrors(c.diagnostics)) continue;
      const { diagnostics } = checkSolvability(c.node, c.compiled, { memoryBudgetBytes: budgetBytes(opts.memoryBudget) });
      all.push(...diagnostics.map((d) => ({ ...d, file: path })));
    }
  }
  const sorted = sortDiagnostics(all);
  if (opts.json) io.out(JSON.stringify({ diagnostics: sorted.map(diagnosticJson) }, null, 2));
  else {
    for (const d of sorted) for (const line of diagnosticLines(d)) io.out(line);
    const errors = sorted.filter((d) => d.severity === 'error').length;
    const warnings = sorted.filter((d) => d.severity === 'warning').length;
    io.err(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  }
  return hasErrors(sorted) ? EXIT_ERROR : EXIT_OK;
}

// ---------------------------------------------------------------------------------------------- solve

export interface SolveCommandOptions {
  out?: string;
  force?: boolean;
  json?: boolean;
  landscape?: string;
  export?: boolean;
  memoryBudget?: number;
}

export interface Solved {
  compilation: LandscapeCompilation & { compiled: CompiledLandscape };
  result: SolveResult;
}

/** Compiles FILE and solves each landscape; diagnostics (with solvability ones) are collected. */
export function compileAndSolve(
  io: CliIo,
  file: string,
  opts: { landscape?: string; memoryBudget?: number; json?: boolean },
): { solved: Solved[]; diagnostics: FileDiagnostic[]; failed: boolean } {
  const spec = loadSpec(file);
  // With --landscape, problems inside the other landscapes of the file do not stop this one.
  const chosen = spec.file.landscapes.find((l) => l.name === opts.landscape);
  const inside = (d: FileDiagnostic, l: { range: { start: { offset: number }; end: { offset: number } } }) =>
    d.range.start.offset < l.range.end.offset && d.range.end.offset >= l.range.start.offset;
  const diagnostics = chosen === undefined
    ? [...spec.diagnostics]
    : spec.diagnostics.filter((d) => inside(d, chosen) || !spec.file.landscapes.some((l) => inside(d, l)));
  const compilations = hasErrors(spec.diagnostics) && spec.file.landscapes.length === 0 ? [] : compileSpec(spec, opts.landscape);
  for (const c of compilations) diagnostics.push(...c.diagnostics);
  if (!hasErrors(diagnostics) && compilations.length === 0) {
    const what = opts.landscape === undefined ? 'no landscape in the file' : `no landscape named '${opts.landscape}'`;
    diagnostics.push({ file, code: 'cli/no-landscape', severity: 'error', message: what, range: spec.file.range });
  }
  if (hasErrors(diagnostics)) return { solved: [], diagnostics, failed: true };
  const solved: Solved[] = [];
  let failed = false;
  for (const c of compilations) {
    const compiled = c.compiled;
    if (compiled === undefined) continue;
    const progress = progressReporter(`${compiled.name}`, !opts.json && io.interactive);
    try {
      const result = solveProblem(compiled.problem, {
        onProgress: progress.update,
        memoryBudgetBytes: budgetBytes(opts.memoryBudget),
      });
      progress.stop();
      diagnostics.push(...solvabilityDiagnostics(c.node, compiled, result.report, result.certificates).map((d) => ({ ...d, file })));
      solved.push({ compilation: { ...c, compiled }, result });
    } catch (e) {
      progress.stop();
      failed = true;
      const code = e instanceof EngineError ? `engine/${e.code}` : 'engine/failed';
      diagnostics.push({ file, code, severity: 'error', message: `landscape '${compiled.name}' could not be solved: ${(e as Error).message}`, range: c.node.range });
    }
  }
  return { solved, diagnostics, failed };
}

/** Where a landscape's export goes: --out DIR/NAME, else each `export` path of the spec, else SPEC_FOLDER/NAME. */
function exportTargets(file: string, compiled: CompiledLandscape, outDir: string | undefined): { dir: string; formats: ('npz' | 'csv')[] }[] {
  if (outDir !== undefined) return [{ dir: join(outDir, compiled.name), formats: ['npz', 'csv'] }];
  const specDir = dirname(resolve(file));
  if (compiled.exports.length > 0) return compiled.exports.map((e) => ({ dir: resolve(specDir, e.path), formats: e.formats }));
  return [{ dir: join(specDir, compiled.name), formats: ['npz', 'csv'] }];
}

const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

function certificateJson(c: PointCertificate): object {
  // The full spectrum belongs to the export and the plots, not to the summary.
  const { eigenvalues: _eigenvalues, ...rest } = c;
  return rest;
}

function printCertificate(io: CliIo, name: string, result: SolveResult, exportDirs: string[]): void {
  const { report, certificates } = result;
  io.out(`landscape ${name}`);
  io.out(
    `  rank ${report.rank} of ${report.equationCount} equations, ${report.labelCount} labels, cond ${sci(report.conditionNumber)}` +
      (report.relativeLabelChange !== undefined ? `, labels changed by ${sci(report.relativeLabelChange)} (relative)` : ''),
  );
  const rows = certificates.map((c) => [
    c.achieved ? '✓' : '✗',
    c.name,
    formatTarget(c.target),
    formatSignature(c.signature),
    sci(c.gradientNorm),
    sci(c.relativeGradientNorm),
    sci(c.loss),
  ]);
  const header = ['', 'point', 'target', 'signature (+, −, 0)', '‖∇L‖', '‖Jᵀr‖/(‖J‖‖r‖)', 'loss'];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => '  ' + cells.map((cell, k) => cell.padEnd(widths[k])).join('  ').trimEnd();
  io.out(line(header));
  rows.forEach((r, k) => {
    io.out(line(r));
    const c = certificates[k];
    if (!c.achieved && c.reason) io.out(`      ${c.reason}`);
  });
  for (const w of report.warnings) io.out(`  warning: ${w}`);
  for (const dir of exportDirs) io.out(`  export written to ${dir}`);
}

export function solveCommand(io: CliIo, file: string, opts: SolveCommandOptions): number {
  const { solved, diagnostics, failed } = compileAndSolve(io, file, opts);
  printDiagnostics(io, diagnostics, opts.json === true);
  let exitCode = failed || hasErrors(diagnostics) ? EXIT_ERROR : EXIT_OK;
  const summaries: object[] = [];
  for (const { compilation, result } of solved) {
    const compiled = compilation.compiled;
    const written: string[] = [];
    // An export promises critical points: a failed planting is reported, not exported.
    const notCritical = result.certificates.filter((c) => !c.critical).map((c) => c.name);
    if (notCritical.length > 0) {
      exitCode = EXIT_ERROR;
      if (opts.export !== false && !opts.json) io.err(`${file}: no export for '${compiled.name}': ${notCritical.join(', ')} not critical`);
    } else if (opts.export !== false) {
      for (const target of exportTargets(file, compiled, opts.out)) {
        try {
          exportLandscape(target.dir, compiled, result, { force: opts.force, datasetFormats: target.formats });
          written.push(target.dir);
        } catch (e) {
          if (!(e instanceof ExportError)) throw e;
          if (!opts.json) io.err(`${file}: error cli/export: ${e.message}`);
          diagnostics.push({ file, code: 'cli/export', severity: 'error', message: e.message, range: compilation.node.range });
          exitCode = EXIT_ERROR;
        }
      }
    }
    const achieved = result.certificates.every((c) => c.achieved);
    if (!achieved && exitCode === EXIT_OK) exitCode = EXIT_NOT_REACHED;
    if (opts.json) {
      summaries.push({
        file,
        landscape: compiled.name,
        achieved,
        exports: written,
        backend: result.backend,
        engineVersion: result.engineVersion,
        solvability: result.report,
        certificates: result.certificates.map(certificateJson),
      });
    } else printCertificate(io, compiled.name, result, written);
  }
  if (exitCode === EXIT_NOT_REACHED && !opts.json) io.err('solved, but not every Hessian target was reached (exit 2)');
  if (opts.json) io.out(JSON.stringify({ exitCode, diagnostics: sortDiagnostics(diagnostics).map(diagnosticJson), landscapes: summaries }, jsonNumbers, 2));
  return exitCode;
}

/** JSON has no Infinity/NaN: write them as strings, as the manifest does. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

// ---------------------------------------------------------------------------------------------- verify

export function verifyCommand(io: CliIo, dir: string, opts: { json?: boolean }): number {
  const progress = progressReporter('verify', !opts.json && io.interactive);
  let report;
  try {
    report = verifyExportFolder(dir, { onProgress: progress.update });
  } finally {
    progress.stop();
  }
  if (opts.json) {
    io.out(JSON.stringify({ ok: report.ok, mismatches: report.mismatches, certificates: report.certificates.map(certificateJson) }, jsonNumbers, 2));
  } else {
    for (const c of report.certificates) {
      const bad = report.mismatches.some((m) => m.point === c.name);
      io.out(`${bad ? '✗' : '✓'} ${c.name}: ‖∇L‖ ${sci(c.gradientNorm)}, relative ${sci(c.relativeGradientNorm)}, loss ${sci(c.loss)}, signature ${formatSignature(c.signature)}`);
    }
    for (const m of report.mismatches) io.err(`${dir}: mismatch ${m.message}`);
    io.out(report.ok ? `${dir}: every planted point agrees with the manifest` : `${dir}: ${report.mismatches.length} mismatch${report.mismatches.length === 1 ? '' : 'es'}`);
  }
  return report.ok ? EXIT_OK : EXIT_ERROR;
}

// ---------------------------------------------------------------------------------------------- plot

interface PlotFile {
  name: string;
  spec: ReturnType<typeof datasetSpec>;
  table: PlotTable;
}

/** The spec's plots of one solved landscape (dataset and spectrum when the spec asks for none). */
export function landscapePlots(compiled: CompiledLandscape, result: SolveResult, theme: PlotTheme, run: RunOptions = {}): PlotFile[] {
  const requests: PlotRequest[] = compiled.plots.length > 0 ? compiled.plots : [{ kind: 'dataset', range: undefined as never }, { kind: 'spectrum', point: '*', range: undefined as never }];
  const { problem } = compiled;
  const labels: PointLabel[] = result.certificates;
  const curveRequests = requests.filter((r): r is Extract<PlotRequest, { kind: 'interpolate' | 'plane' | 'directions' }> => r.kind === 'interpolate' || r.kind === 'plane' || r.kind === 'directions');
  // Plots may name declared weights that are not planted: computeCurves looks them up among all weights.
  const curves = computeCurves(problem, compiled.weights, result.Y, curveRequests, run);
  if (curves.errors.length > 0) throw new Error(curves.errors.join('; '));
  const files: PlotFile[] = [];
  const used = new Set<string>();
  const unique = (name: string) => {
    let candidate = name;
    for (let k = 2; used.has(candidate); k++) candidate = `${name}-${k}`;
    used.add(candidate);
    return candidate;
  };
  let interpolationIndex = 0;
  let planeIndex = 0;
  for (const r of requests) {
    if (r.kind === 'interpolate') {
      const curve = curves.interpolation[interpolationIndex++];
      files.push({ name: unique(`interpolate-${r.from}-${r.to}`), spec: interpolationSpec(curve, labels, { theme }), table: interpolationTable(curve) });
    } else if (r.kind === 'plane' || r.kind === 'directions') {
      const grid = curves.planes[planeIndex++];
      const name = r.kind === 'plane' ? `plane-${r.points.join('-')}` : `directions-${r.center}`;
      files.push({ name: unique(name), spec: planeSpec(grid, { theme, logScale: true }), table: planeTable(grid) });
    } else if (r.kind === 'spectrum') {
      const spectra: SpectrumCurve[] = result.certificates
        .filter((c) => r.point === '*' || c.name === r.point)
        .map((c) => ({
          point: c.name,
          eigenvalues: c.eigenvalues ? Array.from(c.eigenvalues) : [c.minEigenvalue, c.maxEigenvalue],
          zeroTolerance: c.zeroTolerance,
          method: c.spectrumMethod,
        }));
      files.push({ name: unique(r.point === '*' ? 'spectrum' : `spectrum-${r.point}`), spec: spectrumSpec(spectra, labels, { theme }), table: spectrumTable(spectra) });
    } else {
      const { m, dx, dy, X, Y0 } = problem.data;
      const input = {
        m, dx, dy,
        inputs: Array.from(X),
        baseLabels: Array.from(Y0),
        labels: Array.from(result.Y),
        predictions: problem.planted.map((p) => ({ name: p.name, values: Array.from(forward(problem.network, p.theta, X, m)) })),
      };
      files.push({ name: unique('dataset'), spec: datasetSpec(input, { theme }), table: datasetTable(input) });
    }
  }
  return files;
}

export async function plotCommand(io: CliIo, file: string, opts: { out: string; landscape?: string; theme?: PlotTheme; json?: boolean; memoryBudget?: number }): Promise<number> {
  const { solved, diagnostics, failed } = compileAndSolve(io, file, opts);
  printDiagnostics(io, diagnostics, opts.json === true);
  if (failed || hasErrors(diagnostics)) return EXIT_ERROR;
  const written: string[] = [];
  for (const { compilation, result } of solved) {
    const dir = join(opts.out, compilation.compiled.name);
    mkdirSync(dir, { recursive: true });
    for (const plot of landscapePlots(compilation.compiled, result, opts.theme ?? 'light')) {
      const svgPath = join(dir, `${plot.name}.svg`);
      const csvPath = join(dir, `${plot.name}.csv`);
      writeFileSync(svgPath, await renderSvg(plot.spec));
      writeFileSync(csvPath, writeCsv(plot.table.header, plot.table.matrix));
      written.push(svgPath, csvPath);
      if (!opts.json) io.out(`wrote ${svgPath} and ${plot.name}.csv`);
    }
  }
  if (opts.json) io.out(JSON.stringify({ files: written }, null, 2));
  return EXIT_OK;
}

/** Errors nobody anticipated still leave with a message and exit 1, never a stack trace alone. */
export function describeUnexpected(e: unknown): string {
  if (e instanceof FileFormatError || e instanceof ExportError || e instanceof EngineError) return e.message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
