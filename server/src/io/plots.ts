/**
 * Vega-Lite specs for Crit's plots, as pure functions (data in, JSON out), shared by the CLI
 * (rendered to SVG in Node by `renderSvg`) and the extension's webviews (rendered in the page).
 * Inputs are plain arrays; the protocol re-exports the curve types declared here and its CertificateJson
 * and DatasetPage fit PointLabel and DatasetRows, so either side passes what it has without conversion.
 * Each plot also has a table builder: the numbers behind the picture, for CSV.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { formatSignature, formatTarget } from '../engine/format';
import type { HessianTarget, Signature } from '../engine/types';

export { formatSignature, formatTarget };
import type { NumericArray } from './npy';

export type PlotTheme = 'light' | 'dark';

export interface PlotOptions {
  theme?: PlotTheme;
  /**
   * Log scale on the loss axis (non-positive values are left out). Default for interpolation: when the
   * losses span two decades or more; for planes: false.
   */
  logScale?: boolean;
  width?: number;
  height?: number;
}

/** What a plot says about a planted point: its certified signature against its target. */
export interface PointLabel {
  name: string;
  signature: Signature;
  target: HessianTarget;
  achieved: boolean;
}

/** Loss (and gradient norm) along θ(α) = (1 − α) θ_from + α θ_to. */
export interface InterpolationCurve {
  from: string;
  to: string;
  alpha: number[];
  loss: number[];
  gradientNorm?: number[];
}

/** Loss on a grid over a plane through three points or along two directions; loss[i][j] at (u[i], v[j]). */
export interface PlaneGrid {
  title: string;
  u: number[];
  v: number[];
  loss: number[][];
  /** Planted points lying in the plane, at their (u, v) coordinates. */
  points?: { name: string; u: number; v: number }[];
}

/** The Hessian spectrum of one planted point (ascending), with the band counted as zero. */
export interface SpectrumCurve {
  point: string;
  /** Ascending; the extremes only when method is 'lanczos'. */
  eigenvalues: number[];
  zeroTolerance: number;
  method: 'dense' | 'lanczos';
}

/** Rows of a dataset with their labels (the protocol's DatasetPage carries one page of them). */
export interface DatasetRows {
  m: number;
  dx: number;
  dy: number;
  /** Row-major, rows × dx. */
  inputs: number[];
  /** Row-major, rows × dy. */
  baseLabels: number[];
  /** Solved labels, row-major rows × dy; null until the landscape is solved. */
  labels: number[] | null;
  /** Network outputs at planted points (row-major rows × dy each). */
  predictions?: { name: string; values: number[] }[];
}

/** The numbers behind one plot: column names and a row-major matrix. */
export interface PlotTable {
  header: string[];
  matrix: NumericArray;
}

interface Palette {
  background: string;
  text: string;
  grid: string;
  domain: string;
  accent: string;
  muted: string;
  band: string;
  positive: string;
  negative: string;
  zero: string;
  categories: string[];
}

const PALETTES: Record<PlotTheme, Palette> = {
  light: {
    background: '#ffffff',
    text: '#1f2328',
    grid: '#e5e7eb',
    domain: '#6b7280',
    accent: '#1f6feb',
    muted: '#9ca3af',
    band: '#fde68a',
    positive: '#1f6feb',
    negative: '#d1242f',
    zero: '#6b7280',
    categories: ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989'],
  },
  dark: {
    background: '#1e1e1e',
    text: '#d4d4d4',
    grid: '#3a3a3a',
    domain: '#8b949e',
    accent: '#58a6ff',
    muted: '#6e7681',
    band: '#5a4a10',
    positive: '#58a6ff',
    negative: '#ff7b72',
    zero: '#8b949e',
    categories: ['#58a6ff', '#ff7b72', '#56d364', '#e3b341', '#bc8cff', '#f778ba'],
  },
};

/** Vega-Lite config for a theme: background, text and grid colours, category range. */
export function themeConfig(theme: PlotTheme = 'light'): NonNullable<TopLevelSpec['config']> {
  const p = PALETTES[theme];
  return {
    background: p.background,
    font: 'sans-serif',
    view: { stroke: p.grid },
    title: { color: p.text, fontSize: 13 },
    axis: { labelColor: p.text, titleColor: p.text, gridColor: p.grid, domainColor: p.domain, tickColor: p.domain },
    legend: { labelColor: p.text, titleColor: p.text },
    header: { labelColor: p.text, titleColor: p.text },
    range: { category: p.categories },
  };
}

const SIZE = { width: 520, height: 220 };

/** "A (30+, 2−, 0 zero) saddle(2) ✓" */
export function pointCaption(p: PointLabel): string {
  return `${p.name} ${formatSignature(p.signature)} ${formatTarget(p.target)} ${p.achieved ? '✓' : '✗'}`;
}

/** Loss and gradient norm along θ(α) = (1 − α) θ_from + α θ_to, planted points marked at α = 0 and 1. */
export function interpolationSpec(curve: InterpolationCurve, points: PointLabel[] = [], opts: PlotOptions = {}): TopLevelSpec {
  const p = PALETTES[opts.theme ?? 'light'];
  // Log scale by default only when the positive losses span two decades or more: a nearly flat high loss reads better on a linear axis.
  const positive = curve.loss.filter((x) => x > 0);
  const log = opts.logScale ?? (positive.length > 0 && Math.max(...positive) >= 100 * Math.min(...positive));
  const width = opts.width ?? SIZE.width;
  const height = opts.height ?? SIZE.height;
  const values = curve.alpha.map((alpha, i) => ({ alpha, loss: curve.loss[i], gradientNorm: curve.gradientNorm?.[i] ?? null }));
  const byName = new Map(points.map((q) => [q.name, q]));
  const marks = [
    { alpha: 0, name: curve.from },
    { alpha: 1, name: curve.to },
  ].map((m) => {
    const label = byName.get(m.name);
    return { alpha: m.alpha, caption: label ? pointCaption(label) : m.name };
  });
  const alphaAxis = { field: 'alpha', type: 'quantitative' as const, title: `α  (θ = (1 − α)·${curve.from} + α·${curve.to})` };
  // Each caption on its own line at the top of the panel, the first reading rightwards from α = 0 and
  // the second leftwards from α = 1: in a narrow panel they pass each other instead of overprinting.
  const CAPTION_LINE = 14;
  const captionLayers = marks.map((m, i) => ({
    data: { values: [m] },
    mark: {
      type: 'text' as const,
      color: p.text,
      align: i === 0 ? ('left' as const) : ('right' as const),
      dx: i === 0 ? 4 : -4,
      baseline: 'top' as const,
    },
    encoding: { x: { field: 'alpha', type: 'quantitative' as const }, y: { value: 2 + i * CAPTION_LINE }, text: { field: 'caption', type: 'nominal' as const } },
  }));
  const markLayers = [
    { data: { values: marks }, mark: { type: 'rule' as const, color: p.muted, strokeDash: [4, 3] }, encoding: { x: { field: 'alpha', type: 'quantitative' as const } } },
    ...captionLayers,
  ];
  const panel = (field: 'loss' | 'gradientNorm', title: string, logScale: boolean, color: string) => ({
    width,
    height,
    layer: [
      {
        data: { values },
        transform: [{ filter: logScale ? `isValid(datum.${field}) && datum.${field} > 0` : `isValid(datum.${field})` }],
        mark: { type: 'line' as const, color, point: false },
        encoding: {
          x: alphaAxis,
          y: {
            field,
            type: 'quantitative' as const,
            title,
            scale: logScale ? { type: 'log' as const, nice: false } : { zero: false },
            axis: logScale ? { format: '~g' } : {},
          },
          tooltip: [
            { field: 'alpha', type: 'quantitative' as const, format: '.4f' },
            { field, type: 'quantitative' as const, format: '.6e' },
          ],
        },
      },
      ...markLayers,
    ],
  });
  const panels: object[] = [panel('loss', log ? 'loss (log)' : 'loss', log, p.accent)];
  if (curve.gradientNorm) panels.push(panel('gradientNorm', '‖∇L‖ (log)', true, p.negative));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Interpolation ${curve.from} → ${curve.to}`,
    config: themeConfig(opts.theme),
    vconcat: panels,
  } as TopLevelSpec;
}

export function interpolationTable(curve: InterpolationCurve): PlotTable {
  const withGradient = curve.gradientNorm !== undefined;
  const cols = withGradient ? 3 : 2;
  const data = new Float64Array(curve.alpha.length * cols);
  curve.alpha.forEach((alpha, i) => {
    data[i * cols] = alpha;
    data[i * cols + 1] = curve.loss[i];
    if (withGradient) data[i * cols + 2] = curve.gradientNorm?.[i] ?? NaN;
  });
  return { header: withGradient ? ['alpha', 'loss', 'gradient_norm'] : ['alpha', 'loss'], matrix: { shape: [curve.alpha.length, cols], data } };
}

/** Cell edges halfway between grid coordinates (the outer cells as wide as their neighbour). */
function cellEdges(coords: number[]): { lo: number[]; hi: number[] } {
  const n = coords.length;
  const half = (i: number) => (n < 2 ? 0.5 : (coords[Math.min(i + 1, n - 1)] - coords[Math.max(i - 1, 0)]) / (i === 0 || i === n - 1 ? 2 : 4));
  return { lo: coords.map((c, i) => c - half(i)), hi: coords.map((c, i) => c + half(i)) };
}

/** The loss over a plane (or two random directions) as a heatmap, over one direction as a line; planted points marked. */
export function planeSpec(grid: PlaneGrid, opts: PlotOptions = {}): TopLevelSpec {
  const p = PALETTES[opts.theme ?? 'light'];
  const allPositive = grid.loss.every((row) => row.every((x) => x > 0));
  const log = (opts.logScale ?? false) && allPositive;
  const ue = cellEdges(grid.u);
  const ve = cellEdges(grid.v);
  const values = grid.u.flatMap((u, i) =>
    grid.v.map((v, j) => ({ u, v, u0: ue.lo[i], u1: ue.hi[i], v0: ve.lo[j], v1: ve.hi[j], loss: grid.loss[i][j] })),
  );
  const size = opts.width ?? 360;
  if (grid.v.length === 1) return sliceSpec(grid, log, opts);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: grid.title,
    config: themeConfig(opts.theme),
    width: size,
    height: opts.height ?? size,
    layer: [
      {
        data: { values },
        transform: [{ filter: 'isValid(datum.loss) && isFinite(datum.loss)' }],
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'u0', type: 'quantitative', title: 'u', scale: { zero: false, nice: false } },
          x2: { field: 'u1' },
          y: { field: 'v0', type: 'quantitative', title: 'v', scale: { zero: false, nice: false } },
          y2: { field: 'v1' },
          color: { field: 'loss', type: 'quantitative', title: log ? 'loss (log)' : 'loss', scale: { type: log ? 'log' : 'linear', scheme: 'viridis' } },
          tooltip: [
            { field: 'u', type: 'quantitative', format: '.4f' },
            { field: 'v', type: 'quantitative', format: '.4f' },
            { field: 'loss', type: 'quantitative', format: '.6e' },
          ],
        },
      },
      {
        data: { values: grid.points ?? [] },
        mark: { type: 'point', filled: true, color: '#ffffff', stroke: p.text, size: 60 },
        encoding: { x: { field: 'u', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
      },
      {
        data: { values: grid.points ?? [] },
        mark: { type: 'text', color: '#ffffff', dx: 8, align: 'left', fontWeight: 'bold' },
        encoding: { x: { field: 'u', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' }, text: { field: 'name' } },
      },
    ],
  } as TopLevelSpec;
}

/** A grid with a single v (one random direction): the loss along u as a line, points marked. */
function sliceSpec(grid: PlaneGrid, log: boolean, opts: PlotOptions): TopLevelSpec {
  const p = PALETTES[opts.theme ?? 'light'];
  const values = grid.u.map((u, i) => ({ u, loss: grid.loss[i][0] }));
  const onSlice = (grid.points ?? []).filter((q) => q.v === grid.v[0]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: grid.title,
    config: themeConfig(opts.theme),
    width: opts.width ?? SIZE.width,
    height: opts.height ?? SIZE.height,
    layer: [
      {
        data: { values },
        transform: [{ filter: log ? 'isValid(datum.loss) && datum.loss > 0' : 'isValid(datum.loss) && isFinite(datum.loss)' }],
        mark: { type: 'line', color: p.accent },
        encoding: {
          x: { field: 'u', type: 'quantitative', title: 'u (along the direction)' },
          y: { field: 'loss', type: 'quantitative', title: log ? 'loss (log)' : 'loss', scale: log ? { type: 'log', nice: false } : { zero: false } },
        },
      },
      { data: { values: onSlice }, mark: { type: 'rule', color: p.muted, strokeDash: [4, 3] }, encoding: { x: { field: 'u', type: 'quantitative' } } },
      {
        data: { values: onSlice },
        mark: { type: 'text', color: p.text, align: 'left', dx: 4, baseline: 'top' },
        encoding: { x: { field: 'u', type: 'quantitative' }, y: { value: 4 }, text: { field: 'name' } },
      },
    ],
  } as TopLevelSpec;
}

export function planeTable(grid: PlaneGrid): PlotTable {
  const rows = grid.u.length * grid.v.length;
  const data = new Float64Array(rows * 3);
  let r = 0;
  grid.u.forEach((u, i) =>
    grid.v.forEach((v, j) => {
      data.set([u, v, grid.loss[i][j]], 3 * r++);
    }),
  );
  return { header: ['u', 'v', 'loss'], matrix: { shape: [rows, 3], data } };
}

/**
 * Eigenvalues of each planted point's loss Hessian against their index, on a symmetric-log axis
 * whose linear part is the zero band |λ| ≤ zeroTolerance (shaded): points inside count as zero.
 */
export function spectrumSpec(curves: SpectrumCurve[], points: PointLabel[] = [], opts: PlotOptions = {}): TopLevelSpec {
  const p = PALETTES[opts.theme ?? 'light'];
  const byName = new Map(points.map((q) => [q.name, q]));
  const panels = curves.map((c) => {
    const values = c.eigenvalues.map((lambda, index) => ({
      index,
      eigenvalue: lambda,
      sign: Math.abs(lambda) <= c.zeroTolerance ? 'zero' : lambda > 0 ? 'positive' : 'negative',
    }));
    const label = byName.get(c.point);
    const title = `${label ? pointCaption(label) : c.point}   (zero band ±${c.zeroTolerance.toExponential(1)}, ${c.method})`;
    const constant = c.zeroTolerance > 0 ? c.zeroTolerance : 1e-12;
    const ticks = symlogTicks(c.eigenvalues, constant);
    return {
      title,
      width: opts.width ?? SIZE.width,
      height: opts.height ?? SIZE.height,
      layer: [
        {
          data: { values: [{ lo: -c.zeroTolerance, hi: c.zeroTolerance }] },
          mark: { type: 'rect', color: p.band, opacity: 0.8 },
          encoding: { y: { field: 'lo', type: 'quantitative', scale: { type: 'symlog', constant } }, y2: { field: 'hi' } },
        },
        {
          data: { values },
          mark: { type: 'point', filled: true, size: 30 },
          encoding: {
            x: { field: 'index', type: 'quantitative', title: 'eigenvalue index (ascending)', axis: { tickMinStep: 1, format: 'd' } },
            y: {
              field: 'eigenvalue',
              type: 'quantitative',
              title: 'λ (symlog)',
              scale: { type: 'symlog', constant },
              axis: { values: ticks, format: '.0e' },
            },
            color: {
              field: 'sign',
              type: 'nominal',
              title: 'sign',
              scale: { domain: ['negative', 'zero', 'positive'], range: [p.negative, p.zero, p.positive] },
            },
            tooltip: [
              { field: 'index', type: 'quantitative' },
              { field: 'eigenvalue', type: 'quantitative', format: '.6e' },
              { field: 'sign', type: 'nominal' },
            ],
          },
        },
      ],
      resolve: { scale: { y: 'shared' } },
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Hessian spectrum',
    config: themeConfig(opts.theme),
    vconcat: panels,
  } as TopLevelSpec;
}

/** Tick values for a symlog axis: 0 and ±powers of ten from the zero band up to the largest |λ|, at most 5 per side. */
function symlogTicks(eigenvalues: number[], constant: number): number[] {
  const maxAbs = eigenvalues.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  if (!(maxAbs > constant)) return [0];
  const lo = Math.ceil(Math.log10(constant));
  const hi = Math.floor(Math.log10(maxAbs));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / 5));
  const ticks = [0];
  for (let k = hi; k >= lo; k -= step) {
    if (eigenvalues.some((x) => x > 0)) ticks.push(10 ** k);
    if (eigenvalues.some((x) => x < 0)) ticks.push(-(10 ** k));
  }
  return ticks.sort((a, b) => a - b);
}

export function spectrumTable(curves: SpectrumCurve[]): PlotTable {
  const rows = curves.reduce((n, c) => n + c.eigenvalues.length, 0);
  const data = new Float64Array(rows * 4);
  let r = 0;
  curves.forEach((c, k) =>
    c.eigenvalues.forEach((lambda, index) => {
      data.set([k, index, lambda, c.zeroTolerance], 4 * r++);
    }),
  );
  return { header: ['point', 'index', 'eigenvalue', 'zero_tolerance'], matrix: { shape: [rows, 4], data } };
}

/**
 * The dataset: with one input and one output, labels (base and solved) and the network outputs at
 * the planted points against x; with two inputs, the plane coloured by each; otherwise a histogram
 * of the label change y − y_base.
 */
export function datasetSpec(d: DatasetRows, opts: PlotOptions = {}): TopLevelSpec {
  const p = PALETTES[opts.theme ?? 'light'];
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json' as const,
    config: themeConfig(opts.theme),
  };
  const series = datasetSeries(d);
  if (d.dy === 1 && d.dx === 1) {
    // Line marks are drawn in x order by Vega-Lite, so the samples need no sorting here.
    const values = series.flatMap((s) => s.values.map((y, i) => ({ x: d.inputs[i], y, series: s.name, kind: s.kind })));
    return {
      ...base,
      title: 'Dataset: labels and network outputs',
      width: opts.width ?? SIZE.width,
      height: opts.height ?? 300,
      layer: [
        {
          data: { values: values.filter((v) => v.kind === 'label') },
          mark: { type: 'point', filled: true, size: 14, opacity: 0.7 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: 'x1' },
            y: { field: 'y', type: 'quantitative', title: 'y1' },
            color: {
              field: 'series',
              type: 'nominal',
              title: null,
              scale: { domain: series.map((s) => s.name), range: [p.muted, ...(d.labels ? [p.accent] : []), ...p.categories.slice(1)] },
            },
          },
        },
        {
          data: { values: values.filter((v) => v.kind === 'prediction') },
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'y', type: 'quantitative' },
            color: { field: 'series', type: 'nominal' },
          },
        },
      ],
    } as TopLevelSpec;
  }
  if (d.dy === 1 && d.dx === 2) {
    const panels = series.map((s) => ({
      title: s.name,
      width: opts.width ?? 220,
      height: opts.height ?? 220,
      data: { values: s.values.map((y, i) => ({ x1: d.inputs[2 * i], x2: d.inputs[2 * i + 1], y })) },
      mark: { type: 'point', filled: true, size: 18 },
      encoding: {
        x: { field: 'x1', type: 'quantitative' },
        y: { field: 'x2', type: 'quantitative' },
        color: { field: 'y', type: 'quantitative', title: 'y1', scale: { scheme: 'redblue', domainMid: 0 } },
      },
    }));
    return { ...base, title: 'Dataset over (x1, x2)', hconcat: panels, resolve: { scale: { color: 'shared' } } } as TopLevelSpec;
  }
  const labels = d.labels;
  const values = labels ? labels.map((y, j) => ({ change: y - d.baseLabels[j] })) : d.baseLabels.map((y) => ({ change: y }));
  return {
    ...base,
    title: labels ? 'Label change y − y_base (all entries)' : 'Base labels (not solved yet)',
    width: opts.width ?? SIZE.width,
    height: opts.height ?? SIZE.height,
    data: { values },
    mark: { type: 'bar', color: p.accent },
    encoding: {
      x: { field: 'change', type: 'quantitative', bin: { maxbins: 50 }, title: labels ? 'y − y_base' : 'y_base' },
      y: { aggregate: 'count', type: 'quantitative', title: 'entries' },
    },
  } as TopLevelSpec;
}

function datasetSeries(d: DatasetRows): { name: string; kind: 'label' | 'prediction'; values: number[] }[] {
  const series: { name: string; kind: 'label' | 'prediction'; values: number[] }[] = [{ name: 'base labels', kind: 'label', values: d.baseLabels }];
  if (d.labels) series.push({ name: 'solved labels', kind: 'label', values: d.labels });
  for (const pred of d.predictions ?? []) series.push({ name: `output at ${pred.name}`, kind: 'prediction', values: pred.values });
  return series;
}

export function datasetTable(d: DatasetRows): PlotTable {
  const preds = d.predictions ?? [];
  const cols = d.dx + d.dy * (2 + preds.length);
  const header = [
    ...Array.from({ length: d.dx }, (_, i) => `x${i + 1}`),
    ...Array.from({ length: d.dy }, (_, o) => `y_base${o + 1}`),
    ...Array.from({ length: d.dy }, (_, o) => `y${o + 1}`),
    ...preds.flatMap((pr) => Array.from({ length: d.dy }, (_, o) => `yhat_${pr.name}${o + 1}`)),
  ];
  const data = new Float64Array(d.m * cols);
  for (let i = 0; i < d.m; i++) {
    const row = [
      ...d.inputs.slice(i * d.dx, (i + 1) * d.dx),
      ...d.baseLabels.slice(i * d.dy, (i + 1) * d.dy),
      ...(d.labels ? d.labels.slice(i * d.dy, (i + 1) * d.dy) : new Array<number>(d.dy).fill(NaN)),
      ...preds.flatMap((pr) => pr.values.slice(i * d.dy, (i + 1) * d.dy)),
    ];
    data.set(row, i * cols);
  }
  return { header, matrix: { shape: [d.m, cols], data } };
}

// ---------------------------------------------------------------------------------------------- probes

/**
 * What the probe plots need from a probe result (server/src/probe/types.ts ProbeResult has this shape):
 * runs are indexed by optimizer (with its batch size) and start group; labels name them.
 */
export interface ProbePlotInput {
  probe: string;
  optimizerLabels: string[];
  groupLabels: string[];
  spec: { steps: number };
  projection: { uLabel: string; vLabel: string; points: { name: string; u: number; v: number }[] };
  runs: {
    optimizer: number;
    group: number;
    start: number;
    steps: number[];
    loss: number[];
    u: number[];
    v: number[];
    escapeStep: number | null;
  }[];
  summary: { optimizer: number; group: number; runs: number; escaped: number; medianEscapeStep: number | null }[];
}

/** Points per run drawn at most: the pictures stay light; the CSV holds every recorded step. */
const PROBE_PLOT_POINTS = 150;

function thinned<T>(run: ProbePlotInput['runs'][number], row: (i: number) => T): T[] {
  const n = run.steps.length;
  const stride = Math.max(1, Math.ceil(n / PROBE_PLOT_POINTS));
  const out: T[] = [];
  for (let i = 0; i < n; i += stride) out.push(row(i));
  if ((n - 1) % stride !== 0) out.push(row(n - 1));
  return out;
}

const runKey = (r: { optimizer: number; group: number; start: number }) => `${r.optimizer}/${r.group}/${r.start}`;

/** Full-batch loss against step for every run, one panel per start group, colour per optimizer. */
export function probeLossSpec(result: ProbePlotInput, opts: PlotOptions = {}): TopLevelSpec {
  const values = result.runs.flatMap((r) =>
    thinned(r, (i) => ({ step: r.steps[i], loss: r.loss[i], optimizer: result.optimizerLabels[r.optimizer], group: result.groupLabels[r.group], run: runKey(r) })),
  );
  const log = opts.logScale ?? values.every((d) => d.loss > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Probe ${result.probe}: loss along training`,
    config: themeConfig(opts.theme),
    data: { values },
    transform: [{ filter: log ? 'isValid(datum.loss) && datum.loss > 0' : 'isValid(datum.loss) && isFinite(datum.loss)' }],
    facet: { field: 'group', type: 'nominal', title: 'starts', sort: result.groupLabels },
    columns: 2,
    spec: {
      width: opts.width ?? 300,
      height: opts.height ?? 200,
      mark: { type: 'line', strokeWidth: 1, opacity: 0.8 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'loss', type: 'quantitative', title: log ? 'loss (log)' : 'loss', scale: log ? { type: 'log', nice: false } : { zero: false }, axis: { format: '~g' } },
        color: { field: 'optimizer', type: 'nominal', title: 'optimizer', sort: result.optimizerLabels, legend: { labelLimit: 400 } },
        detail: { field: 'run', type: 'nominal' },
      },
    },
  } as TopLevelSpec;
}

/** Trajectories in the probe's 2-D projection (plane or line through planted points), points marked. */
export function probeTrajectorySpec(result: ProbePlotInput, opts: PlotOptions = {}): TopLevelSpec {
  const p = PALETTES[opts.theme ?? 'light'];
  const values = result.runs.flatMap((r) =>
    thinned(r, (i) => ({ step: r.steps[i], u: r.u[i], v: r.v[i], optimizer: result.optimizerLabels[r.optimizer], group: result.groupLabels[r.group], run: runKey(r) })),
  );
  const size = opts.width ?? 420;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Probe ${result.probe}: trajectories`,
    config: themeConfig(opts.theme),
    width: size,
    height: opts.height ?? size,
    layer: [
      {
        data: { values },
        transform: [{ filter: 'isValid(datum.u) && isFinite(datum.u) && isValid(datum.v) && isFinite(datum.v)' }],
        mark: { type: 'line', strokeWidth: 1, opacity: 0.7 },
        encoding: {
          x: { field: 'u', type: 'quantitative', title: result.projection.uLabel, scale: { zero: false } },
          y: { field: 'v', type: 'quantitative', title: result.projection.vLabel, scale: { zero: false } },
          color: { field: 'optimizer', type: 'nominal', title: 'optimizer', sort: result.optimizerLabels, legend: { labelLimit: 400 } },
          strokeDash: { field: 'group', type: 'nominal', title: 'starts', sort: result.groupLabels, legend: { labelLimit: 400 } },
          detail: { field: 'run', type: 'nominal' },
          order: { field: 'step', type: 'quantitative' },
        },
      },
      {
        data: { values: result.projection.points },
        mark: { type: 'point', filled: true, color: p.text, size: 70, shape: 'diamond' },
        encoding: { x: { field: 'u', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
      },
      {
        data: { values: result.projection.points },
        mark: { type: 'text', color: p.text, dx: 8, align: 'left', fontWeight: 'bold' },
        encoding: { x: { field: 'u', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' }, text: { field: 'name' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Escape steps: one tick per run on a row per optimizer × start group (runs that never left their
 * centre at the last step, hollow), the median of the escaped runs as a bar, escape rates in the labels.
 */
export function probeEscapeSpec(result: ProbePlotInput, opts: PlotOptions = {}): TopLevelSpec {
  const p = PALETTES[opts.theme ?? 'light'];
  const rowLabel = (optimizer: number, group: number) => {
    const s = result.summary.find((x) => x.optimizer === optimizer && x.group === group);
    return `${result.optimizerLabels[optimizer]} | ${result.groupLabels[group]}${s ? ` (${s.escaped}/${s.runs} left)` : ''}`;
  };
  const ticks = result.runs.map((r) => ({
    row: rowLabel(r.optimizer, r.group),
    step: r.escapeStep ?? result.spec.steps,
    outcome: r.escapeStep === null ? 'stayed' : 'left',
  }));
  const medians = result.summary.filter((s) => s.medianEscapeStep !== null).map((s) => ({ row: rowLabel(s.optimizer, s.group), step: s.medianEscapeStep }));
  const y = { field: 'row', type: 'nominal' as const, title: null, sort: null, axis: { labelLimit: 1000 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Probe ${result.probe}: steps until a run left its centre`,
    config: themeConfig(opts.theme),
    width: opts.width ?? 420,
    layer: [
      {
        data: { values: medians },
        mark: { type: 'tick', color: p.negative, thickness: 3, size: 22 },
        encoding: { x: { field: 'step', type: 'quantitative' }, y },
      },
      {
        data: { values: ticks },
        mark: { type: 'point', size: 40 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'escape step (red: median of the runs that left)', scale: { domain: [0, result.spec.steps] } },
          y,
          shape: { field: 'outcome', type: 'nominal', title: 'run', scale: { domain: ['left', 'stayed'], range: ['circle', 'square'] } },
          color: { value: p.accent },
          fill: { field: 'outcome', type: 'nominal', legend: null, scale: { domain: ['left', 'stayed'], range: [p.accent, 'transparent'] } },
        },
      },
    ],
  } as TopLevelSpec;
}
