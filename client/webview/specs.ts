/**
 * Chooses the shared plot builder (server/src/io/plots.ts, the same specs the CLI renders) for a
 * panel and dresses the result in the VS Code theme: the builder picks its light or dark palette for
 * the marks, and the editor's own background, text colour and font are laid over its config.
 */
import type { TopLevelSpec } from 'vega-lite';
import { datasetSpec, interpolationSpec, planeSpec, probeEscapeSpec, probeLossSpec, probeTrajectorySpec, spectrumSpec, type PlotTheme } from '../../server/src/io/plots';
import { type PlotData, type PlotKind, reviveProbeResult } from '../src/webviewMessages';
import type { WebviewTheme } from './theme';

type Config = NonNullable<TopLevelSpec['config']>;

function builderTheme(theme: WebviewTheme): PlotTheme {
  return theme.kind === 'dark' || theme.kind === 'high-contrast' ? 'dark' : 'light';
}

function editorConfig(theme: WebviewTheme): Config {
  const text = { color: theme.foreground, font: theme.fontFamily };
  const axisText = { labelColor: theme.foreground, titleColor: theme.foreground, labelFont: theme.fontFamily, titleFont: theme.fontFamily };
  const highContrast = theme.kind === 'high-contrast' || theme.kind === 'high-contrast-light';
  return {
    background: theme.background,
    font: theme.fontFamily,
    title: { ...text, fontSize: theme.fontSize + 1 },
    axis: {
      ...axisText,
      labelFontSize: theme.fontSize - 2,
      titleFontSize: theme.fontSize - 1,
      // High contrast themes want visible structure rather than faint grids.
      ...(highContrast ? { gridColor: theme.gridColor, domainColor: theme.foreground, tickColor: theme.foreground } : {}),
    },
    legend: { ...axisText, labelFontSize: theme.fontSize - 2 },
    header: axisText,
    text: { color: theme.foreground, font: theme.fontFamily },
  };
}

/** Deep merge of plain config objects; `over` wins. Arrays and scalars are replaced, not merged. */
function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = merged[key];
    const bothObjects = [existing, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    merged[key] = bothObjects ? mergeConfig(existing as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return merged;
}

/** Side-by-side panels (`hconcat`) wrapped into rows of `columns`, so a narrow page needs no scrolling. */
function wrapPanels(spec: TopLevelSpec, columns: number): TopLevelSpec {
  const { hconcat, ...rest } = spec as unknown as Record<string, unknown>;
  return (Array.isArray(hconcat) ? { ...rest, concat: hconcat, columns } : spec) as unknown as TopLevelSpec;
}

/** Several builder specs shown one under another, sharing one config. */
function stack(specs: TopLevelSpec[]): TopLevelSpec {
  if (specs.length === 1) return specs[0];
  const parts = specs.map((spec) => {
    const { $schema: _schema, config: _config, ...rest } = spec as unknown as Record<string, unknown>;
    return rest;
  });
  return { $schema: specs[0].$schema, config: specs[0].config, vconcat: parts, spacing: 36 } as unknown as TopLevelSpec;
}

const clamp = (value: number, lo: number, hi: number): number => Math.round(Math.min(hi, Math.max(lo, value)));

/**
 * The escape plot's rows are named by optimizer (every hyperparameter) and start group, which can be
 * wider than a side panel: cut them to `px` (Vega adds an ellipsis; the summary table has them whole).
 */
function limitRowLabels(spec: TopLevelSpec, px: number): TopLevelSpec {
  const { layer } = spec as unknown as { layer?: { encoding?: { y?: { axis?: object } } }[] };
  if (!Array.isArray(layer)) return spec;
  const limited = layer.map((l) => (l.encoding?.y ? { ...l, encoding: { ...l.encoding, y: { ...l.encoding.y, axis: { ...l.encoding.y.axis, labelLimit: px } } } } : l));
  return { ...spec, layer: limited } as unknown as TopLevelSpec;
}

/** Room left for the plotting area once axes, titles and a legend are drawn around it. */
const DECORATION_PX = 170;

/**
 * The spec for one panel, or undefined when the data holds nothing to draw for it.
 * `availableWidth` is the page's width in CSS pixels: charts are sized to fit it.
 */
export function buildPlotSpec(kind: PlotKind, data: PlotData, theme: WebviewTheme, availableWidth: number): TopLevelSpec | undefined {
  const width = clamp(availableWidth - DECORATION_PX, 260, 900);
  const opts = { theme: builderTheme(theme), width };
  const result = data.result;
  let spec: TopLevelSpec | undefined;
  switch (kind) {
    case 'dataset': {
      const page = data.dataset;
      if (!page) break;
      // Two inputs: one square panel per series (base labels, solved labels, outputs), side by side.
      const panels = 1 + (page.labels ? 1 : 0) + (page.predictions?.length ?? 0);
      const side = page.dx === 2 && page.dy === 1 ? clamp(availableWidth / panels - 70, 140, 280) : undefined;
      spec = datasetSpec(page, side === undefined ? opts : { ...opts, width: side, height: side });
      if (side !== undefined) spec = wrapPanels(spec, Math.max(1, Math.floor(availableWidth / (side + 70))));
      break;
    }
    case 'interpolation': {
      const curves = result?.curves.interpolation ?? [];
      spec = curves.length > 0 ? stack(curves.map((c) => interpolationSpec(c, result?.certificates, opts))) : undefined;
      break;
    }
    case 'plane': {
      const planes = result?.curves.planes ?? [];
      const side = Math.min(width, 420);
      spec = planes.length > 0 ? stack(planes.map((p) => planeSpec(p, { ...opts, width: side, height: side }))) : undefined;
      break;
    }
    case 'spectrum': {
      const spectra = result?.curves.spectra ?? [];
      spec = spectra.length > 0 ? spectrumSpec(spectra, result?.certificates, opts) : undefined;
      break;
    }
    case 'probe': {
      // The CLI's three figures per probe (escape steps, loss curves, trajectories), one under another.
      const probes = (data.probes ?? []).map(reviveProbeResult);
      const side = Math.min(width, 420);
      // Loss panels (one per start group) two abreast when the page is wide enough, else one under another.
      const twoColumns = availableWidth >= 620;
      const lossPanel = twoColumns ? clamp(availableWidth / 2 - 130, 200, 420) : clamp(availableWidth - 150, 200, 600);
      const rowLabels = clamp(availableWidth * 0.45, 120, 600);
      const escapeWidth = clamp(availableWidth - rowLabels - 90, 160, 900);
      spec = probes.length > 0
        ? stack(
            probes.flatMap((p) => [
              limitRowLabels(probeEscapeSpec(p, { ...opts, width: escapeWidth }), rowLabels),
              { ...probeLossSpec(p, { ...opts, width: lossPanel, height: 200 }), columns: twoColumns ? 2 : 1 } as TopLevelSpec,
              probeTrajectorySpec(p, { ...opts, width: side, height: side }),
            ]),
          )
        : undefined;
      break;
    }
  }
  if (!spec) return undefined;
  const overlay = editorConfig(theme) as Record<string, unknown>;
  // Grid lines drawn across a heat map's cells only add noise (and high contrast makes them loud).
  if (kind === 'plane') overlay.axis = { ...(overlay.axis as object), grid: false };
  const config = mergeConfig((spec.config ?? {}) as Record<string, unknown>, overlay);
  return { ...spec, config } as TopLevelSpec;
}
