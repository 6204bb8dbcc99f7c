/**
 * `crit probe FILE [--out DIR]`: solve each landscape, run its `probe` blocks (TensorFlow.js training
 * from starts around planted points) and write, per probe, DIR/<landscape>/<probe>/: summary.csv,
 * runs.csv, trajectories.csv, result.json and escape/loss/trajectories .svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderSvg } from '../io/render';
import type { PlotTheme } from '../io/plots';
import { compileProbe } from '../probe/compile';
import { ProbeError } from '../probe/errors';
import { probeFiles, summaryLines } from '../probe/output';
import { runProbe } from '../probe/runner';
import { probeProblemOf } from '../probe/problem';
import type { ProbeResult } from '../probe/types';
import { compileAndSolve, DEFAULT_MEMORY_BUDGET_MIB, EXIT_ERROR, EXIT_OK, type CliIo } from './commands';
import { diagnosticLines, sortDiagnostics } from './pipeline';
import { progressReporter } from './progress';

export interface ProbeCommandOptions {
  out?: string;
  landscape?: string;
  probe?: string;
  theme?: PlotTheme;
  json?: boolean;
  memoryBudget?: number;
  workers?: number;
}

export async function probeCommand(io: CliIo, file: string, opts: ProbeCommandOptions): Promise<number> {
  const { solved, diagnostics, failed } = compileAndSolve(io, file, opts);
  if (!opts.json) for (const d of sortDiagnostics(diagnostics)) for (const line of diagnosticLines(d)) io.err(line);
  if (failed || diagnostics.some((d) => d.severity === 'error')) return EXIT_ERROR;
  const outDir = opts.out ?? join(dirname(resolve(file)), 'probes');
  const results: { landscape: string; probe: string; folder: string; backend: string; summary: ProbeResult['summary']; optimizerLabels: string[]; groupLabels: string[] }[] = [];
  const problems: string[] = [];
  let ran = 0;
  for (const s of solved) {
    const { node, compiled } = s.compilation;
    const probes = node.probes.map((p, k) => compileProbe(p, k)).filter((p) => opts.probe === undefined || p.name === opts.probe);
    if (probes.length === 0) continue;
    const problem = probeProblemOf(compiled, s.result.Y);
    for (const spec of probes) {
      const progress = progressReporter(`${compiled.name}/${spec.name}`, !opts.json && io.interactive);
      let result: ProbeResult;
      try {
        result = await runProbe(problem, spec, compiled.name, {
          onProgress: progress.update,
          memoryBudgetBytes: (opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET_MIB) * 1024 * 1024,
          workers: opts.workers,
        });
      } catch (e) {
        if (!(e instanceof ProbeError)) throw e;
        problems.push(`${file}: error probe/failed: landscape '${compiled.name}', probe '${spec.name}': ${e.message}`);
        continue;
      } finally {
        progress.stop();
      }
      ran++;
      const folder = join(outDir, compiled.name, spec.name);
      mkdirSync(folder, { recursive: true });
      const files = probeFiles(result, opts.theme ?? 'light');
      for (const [name, text] of Object.entries(files.texts)) writeFileSync(join(folder, name), text);
      for (const [name, plot] of Object.entries(files.plots)) writeFileSync(join(folder, `${name}.svg`), await renderSvg(plot));
      if (!opts.json) {
        for (const line of summaryLines(result)) io.out(line);
        io.out(`  written to ${folder}`);
      }
      results.push({ landscape: compiled.name, probe: spec.name, folder, backend: result.backend, summary: result.summary, optimizerLabels: result.optimizerLabels, groupLabels: result.groupLabels });
    }
  }
  for (const p of problems) io.err(p);
  if (ran === 0 && problems.length === 0) {
    const what = opts.probe === undefined ? 'no probe block in the solved landscapes' : `no probe named '${opts.probe}'`;
    if (!opts.json) io.err(`${file}: error cli/no-probe: ${what}`);
    problems.push(what);
  }
  const exitCode = problems.length > 0 ? EXIT_ERROR : EXIT_OK;
  if (opts.json) io.out(JSON.stringify({ exitCode, problems, probes: results }, null, 2));
  return exitCode;
}
