/**
 * A probe result as files and text: summary and per-run tables (CSV), every recorded step (CSV), the
 * whole result (JSON), and the plots' Vega-Lite specs (rendered to SVG by the caller).
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { writeCsvRows } from '../io/csv';
import { probeEscapeSpec, probeLossSpec, probeTrajectorySpec, type PlotTheme } from '../io/plots';
import type { ProbeResult } from './types';

export interface ProbeFiles {
  /** File name → text content. */
  texts: Record<string, string>;
  /** Plot name (without .svg) → Vega-Lite spec. */
  plots: Record<string, TopLevelSpec>;
}

const basinColumns = (result: ProbeResult) => [...result.points.map((p) => p.name), 'other', 'diverged'];

export function summaryCsv(result: ProbeResult): string {
  const basins = basinColumns(result);
  return writeCsvRows(
    ['optimizer', 'starts', 'runs', 'escaped', 'escape_rate', 'median_escape_step', 'converged', ...basins.map((b) => `basin_${b}`), 'wall_time_ms'],
    result.summary.map((s) => [
      result.optimizerLabels[s.optimizer], result.groupLabels[s.group], s.runs, s.escaped, s.escapeRate, s.medianEscapeStep, s.converged,
      ...basins.map((b) => s.basins[b] ?? 0), Math.round(s.wallTimeMs),
    ]),
  );
}

export function runsCsv(result: ProbeResult): string {
  return writeCsvRows(
    ['optimizer', 'starts', 'start', 'escape_step', 'final_basin', 'converged', 'final_loss', 'final_gradient_norm'],
    result.runs.map((r) => [result.optimizerLabels[r.optimizer], result.groupLabels[r.group], r.start, r.escapeStep, r.finalBasin, r.converged ? 1 : 0, r.finalLoss, r.finalGradientNorm]),
  );
}

/** Long format: one row per run and recorded step. */
export function trajectoriesCsv(result: ProbeResult): string {
  const rows: (string | number)[][] = [];
  for (const r of result.runs) {
    for (let i = 0; i < r.steps.length; i++) {
      rows.push([r.optimizer, r.group, r.start, r.steps[i], r.loss[i], r.gradientNorm[i], r.u[i], r.v[i], ...r.distances.map((d) => d[i])]);
    }
  }
  return writeCsvRows(['optimizer', 'group', 'start', 'step', 'loss', 'gradient_norm', 'u', 'v', ...result.points.map((p) => `distance_${p.name}`)], rows);
}

/** JSON has no Infinity/NaN: written as strings, as the export manifest does. */
export function resultJson(result: ProbeResult): string {
  return JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 1);
}

export function probeFiles(result: ProbeResult, theme: PlotTheme = 'light'): ProbeFiles {
  return {
    texts: {
      'summary.csv': summaryCsv(result),
      'runs.csv': runsCsv(result),
      'trajectories.csv': trajectoriesCsv(result),
      'result.json': resultJson(result),
    },
    plots: {
      escape: probeEscapeSpec(result, { theme }),
      loss: probeLossSpec(result, { theme }),
      trajectories: probeTrajectorySpec(result, { theme }),
    },
  };
}

const fixed = (x: number | null) => (x === null ? '—' : String(Math.round(x)));

/** The summary as aligned text lines for a terminal. */
export function summaryLines(result: ProbeResult): string[] {
  const header = ['optimizer', 'starts', 'left', 'median step', 'final basins', 'converged', 'time'];
  const rows = result.summary.map((s) => [
    result.optimizerLabels[s.optimizer],
    result.groupLabels[s.group],
    `${s.escaped}/${s.runs}`,
    fixed(s.medianEscapeStep),
    Object.entries(s.basins).map(([b, n]) => `${b}:${n}`).join(' '),
    `${s.converged}/${s.runs}`,
    `${(s.wallTimeMs / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => '  ' + cells.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd();
  return [
    `probe ${result.probe} (landscape ${result.landscape}; ${result.backend}, ${result.spec.steps} steps, escape: distance > ${result.spec.escape.distance} or loss < (1 − ${result.spec.escape.loss}) × centre loss)`,
    line(header),
    ...rows.map(line),
  ];
}
