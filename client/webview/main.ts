/**
 * Script of every Crit plot webview. Draws the Vega-Lite spec built by the shared plot builders with
 * Vega's own View (SVG renderer, expressions through vega-interpreter so the strict CSP needs no
 * 'unsafe-eval'), keeps its state for restore after a reload, re-draws on theme changes, and hands
 * pictures to the extension for saving. It never touches files.
 */
import { View, parse, type Scene } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { expressionInterpreter as interpreter } from 'vega-interpreter';
import {
  type FromWebviewMessage,
  type ImageFormat,
  type PlotData,
  type PlotPanelState,
  type PlotTarget,
  isPlotPanelState,
  parseToWebview,
  reviveProbeResult,
} from '../src/webviewMessages';
import { buildPlotSpec } from './specs';
import { certificateSummary, datasetTable, probeSummary } from './tables';
import { readTheme, watchTheme } from './theme';

interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): unknown;
  setState(state: PlotPanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const chart = document.getElementById('chart') as HTMLElement;
const details = document.getElementById('table') as HTMLElement;
const message = document.getElementById('message') as HTMLElement;
const revisionLabel = document.getElementById('revision') as HTMLElement;

let current: PlotPanelState | undefined;
let view: View | undefined;
/** Vega estimates text widths; legends drawn in the editor font can run this far past its estimate. */
const TEXT_MEASURE_SLACK_PX = 24;
/** Page width the current picture was sized for; a resize well beyond it redraws. */
let drawnWidth = 0;
/** Renders are serialised: a theme change during a render waits for it. */
let rendering: Promise<void> = Promise.resolve();

function showMessage(text: string | undefined): void {
  message.textContent = text ?? '';
  message.hidden = text === undefined;
}

/** Items drawn, groups excluded: a 'rendered' report with 0 marks means an empty picture. */
function countMarks(scene: Scene | undefined): number {
  if (!scene) return 0;
  let count = 0;
  const visit = (node: { marktype?: string; items?: unknown[] }): void => {
    for (const item of node.items ?? []) {
      const child = item as { marktype?: string; items?: unknown[] };
      if (child.marktype !== undefined) visit(child);
      else if (node.marktype !== 'group') count += 1;
      else visit(child);
    }
  };
  visit(scene as unknown as { marktype?: string; items?: unknown[] });
  return count;
}

async function draw(target: PlotTarget, revision: number, data: PlotData): Promise<void> {
  const theme = readTheme();
  drawnWidth = chart.clientWidth;
  const spec = buildPlotSpec(target.kind, data, theme, drawnWidth - TEXT_MEASURE_SLACK_PX);
  view?.finalize();
  view = undefined;
  chart.replaceChildren();
  details.replaceChildren();
  revisionLabel.textContent = data.result ? `document version ${data.result.version}` : 'not solved yet';
  if (target.kind === 'probe') for (const probe of data.probes ?? []) details.append(probeSummary(reviveProbeResult(probe)));
  else if (data.result && target.kind !== 'dataset') details.append(certificateSummary(data.result));
  if (target.kind === 'dataset' && data.dataset) details.append(datasetTable(data.dataset));
  if (!spec) {
    showMessage(emptyReason(target, data));
    vscode.postMessage({ type: 'rendered', kind: target.kind, revision, marks: 0 });
    return;
  }
  showMessage(undefined);
  view = await runView(spec);
  // Titles, axes and legends take room the builders can only estimate: if the picture came out
  // wider than the page, draw it once more with the excess taken off the plotting width.
  const overflow = (chart.querySelector('svg')?.getBoundingClientRect().width ?? 0) - drawnWidth;
  const narrower = overflow > 1 ? buildPlotSpec(target.kind, data, theme, drawnWidth - TEXT_MEASURE_SLACK_PX - overflow) : undefined;
  if (narrower) {
    view.finalize();
    chart.replaceChildren();
    view = await runView(narrower);
  }
  vscode.postMessage({ type: 'rendered', kind: target.kind, revision, marks: countMarks((view.scenegraph() as unknown as { root: Scene }).root) });
}

const sameTarget = (a: PlotTarget, b: PlotTarget): boolean => a.kind === b.kind && a.uri === b.uri && a.landscape === b.landscape;

async function runView(spec: TopLevelSpec): Promise<View> {
  const runtime = parse(compile(spec).spec, undefined, { ast: true });
  const drawn = new View(runtime, { renderer: 'svg', container: chart, hover: true, expr: interpreter });
  await drawn.runAsync();
  return drawn;
}

function emptyReason(target: PlotTarget, data: PlotData): string {
  if (!data.result) return `${target.landscape} has not been solved yet.`;
  switch (target.kind) {
    case 'interpolation':
      return 'This landscape has no interpolation curve (it needs at least two planted points or a plot request).';
    case 'plane':
      return 'This landscape has no plane or direction slice: add a plot request to the spec.';
    case 'spectrum':
      return 'No Hessian spectrum was computed for this landscape.';
    case 'dataset':
      return 'No dataset to show.';
    case 'probe':
      return 'No probe has run on this landscape yet: run Crit: Run Optimizer Probes.';
  }
}

function render(state: PlotPanelState): Promise<void> {
  rendering = rendering.then(async () => {
    if (!state.data) return;
    try {
      await draw(state.target, state.revision, state.data);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      showMessage(`Could not draw the plot: ${text}`);
      vscode.postMessage({ type: 'renderFailed', message: `could not draw it: ${text}` });
    }
  });
  return rendering;
}

async function saveImage(format: ImageFormat): Promise<void> {
  await rendering;
  if (!view) {
    vscode.postMessage({ type: 'renderFailed', message: 'there is no picture to save yet.' });
    return;
  }
  // Exports carry the theme's background so the picture looks as it does on screen.
  const content = format === 'svg' ? await view.toSVG() : await view.toImageURL('png', 2);
  vscode.postMessage({ type: 'saveImage', format, content });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const received = parseToWebview(event.data);
  if (!received) return;
  switch (received.type) {
    case 'show':
      current = { target: received.target, revision: received.revision, data: received.data };
      vscode.setState(current);
      void render(current);
      return;
    case 'empty':
      // After a reload the server has no result yet: keep the restored picture, marked as earlier.
      if (current?.data && sameTarget(current.target, received.target)) {
        revisionLabel.textContent = 'earlier result';
        showMessage(`${received.reason} Showing the last result drawn here; Re-solve to refresh it.`);
        return;
      }
      current = { target: received.target, revision: current?.revision ?? 0 };
      vscode.setState(current);
      view?.finalize();
      view = undefined;
      chart.replaceChildren();
      details.replaceChildren();
      showMessage(received.reason);
      return;
    case 'renderImage':
      void saveImage(received.format);
      return;
  }
});

document.getElementById('save-svg')?.addEventListener('click', () => void saveImage('svg'));
document.getElementById('save-png')?.addEventListener('click', () => void saveImage('png'));
document.getElementById('refresh')?.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
watchTheme(() => {
  if (current) void render(current);
});
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (current && Math.abs(chart.clientWidth - drawnWidth) > 40) void render(current);
  }, 250);
}).observe(chart);

// After a reload, draw what was last shown at once; the extension then sends fresh data.
const saved = vscode.getState();
if (isPlotPanelState(saved)) {
  current = saved;
  void render(saved);
}
vscode.postMessage({ type: 'ready' });
