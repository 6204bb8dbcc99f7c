/**
 * Every message exchanged between a Crit plot webview and the extension, in one place.
 * Imported by both sides (the extension bundle and the browser bundle), so it must stay free of
 * `vscode` and DOM types. The webview never touches files: it only renders and hands images back.
 */

import type { DatasetPage, LandscapeResult, ProbeResultJson } from '../../server/src/protocol';
import type { ProbeResult } from '../../server/src/probe/types';

export const PLOT_KINDS = ['dataset', 'interpolation', 'plane', 'spectrum', 'probe'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

/** Which plot of which landscape a panel shows. */
export interface PlotTarget {
  kind: PlotKind;
  /** Document URI string of the `.crit` file. */
  uri: string;
  landscape: string;
}

export type ImageFormat = 'png' | 'svg';

/**
 * What a panel draws: the server's last result of the landscape, plus the first rows of the dataset
 * for the preview, or the last `crit/probe` results for the probe view (as they came over JSON-RPC:
 * non-finite numbers are null; see reviveProbeResult).
 */
export interface PlotData {
  result: LandscapeResult | null;
  dataset?: DatasetPage | null;
  probes?: ProbeResultJson[];
}

const finite = (x: number | null): number => x ?? Number.NaN;
const finiteAll = (xs: (number | null)[]): number[] => xs.map(finite);

/**
 * A probe result as the server computed it: JSON turned its NaN and ±Infinity (a diverged run's
 * losses and coordinates) into null, which would read as 0 in arithmetic; they become NaN again.
 * `escapeStep` and `medianEscapeStep` are null by design (never left) and stay null.
 */
export function reviveProbeResult(json: ProbeResultJson): ProbeResult {
  return {
    ...json,
    points: json.points.map((p) => ({ ...p, loss: finite(p.loss) })),
    centerLoss: finiteAll(json.centerLoss),
    runs: json.runs.map((r) => ({
      ...r,
      loss: finiteAll(r.loss),
      gradientNorm: finiteAll(r.gradientNorm),
      distances: r.distances.map(finiteAll),
      u: finiteAll(r.u),
      v: finiteAll(r.v),
      finalLoss: finite(r.finalLoss),
      finalGradientNorm: finite(r.finalGradientNorm),
    })),
  } as ProbeResult;
}

/** Extension -> webview. */
export type ToWebviewMessage =
  /** Data to draw. `revision` increases with every re-solve, so the webview can tell stale data apart. */
  | { type: 'show'; target: PlotTarget; revision: number; data: PlotData }
  /** Nothing to draw (no result yet, or the solve failed): a short human reason. */
  | { type: 'empty'; target: PlotTarget; reason: string }
  /** Ask the webview to render its current picture for saving (same path as its own buttons). */
  | { type: 'renderImage'; format: ImageFormat };

/** Webview -> extension. */
export type FromWebviewMessage =
  /** The script is running; the extension answers with 'show' or 'empty'. */
  | { type: 'ready' }
  /** A plot was drawn into the page (recorded for tests and for the status of the panel). */
  | { type: 'rendered'; kind: PlotKind; revision: number; marks: number }
  /** The picture as SVG text or a PNG data URL, for the extension to save through a dialog. */
  | { type: 'saveImage'; format: ImageFormat; content: string }
  /** Re-solve the landscape this panel shows. */
  | { type: 'refresh' }
  | { type: 'renderFailed'; message: string };

/** State the webview keeps through `setState`, handed back to the panel serializer after a reload. */
export interface PlotPanelState {
  target: PlotTarget;
  revision: number;
  data?: PlotData;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function isPlotKind(value: unknown): value is PlotKind {
  return typeof value === 'string' && (PLOT_KINDS as readonly string[]).includes(value);
}

export function isPlotTarget(value: unknown): value is PlotTarget {
  return isRecord(value) && isPlotKind(value.kind) && typeof value.uri === 'string' && typeof value.landscape === 'string';
}

export function isPlotPanelState(value: unknown): value is PlotPanelState {
  return isRecord(value) && isPlotTarget(value.target) && typeof value.revision === 'number';
}

const isImageFormat = (value: unknown): value is ImageFormat => value === 'png' || value === 'svg';

/** Messages from a webview are untrusted input: check their shape before acting on them. */
export function parseFromWebview(value: unknown): FromWebviewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'ready':
    case 'refresh':
      return { type: value.type };
    case 'rendered':
      return isPlotKind(value.kind) && typeof value.revision === 'number' && typeof value.marks === 'number'
        ? { type: 'rendered', kind: value.kind, revision: value.revision, marks: value.marks }
        : undefined;
    case 'saveImage':
      return isImageFormat(value.format) && typeof value.content === 'string'
        ? { type: 'saveImage', format: value.format, content: value.content }
        : undefined;
    case 'renderFailed':
      return typeof value.message === 'string' ? { type: 'renderFailed', message: value.message } : undefined;
    default:
      return undefined;
  }
}

/** Messages from the extension, checked by the webview the same way. */
export function parseToWebview(value: unknown): ToWebviewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'show':
      return isPlotTarget(value.target) && typeof value.revision === 'number'
        && isRecord(value.data)
        ? { type: 'show', target: value.target, revision: value.revision, data: value.data as unknown as PlotData }
        : undefined;
    case 'empty':
      return isPlotTarget(value.target) && typeof value.reason === 'string'
        ? { type: 'empty', target: value.target, reason: value.reason }
        : undefined;
    case 'renderImage':
      return isImageFormat(value.format) ? { type: 'renderImage', format: value.format } : undefined;
    default:
      return undefined;
  }
}
