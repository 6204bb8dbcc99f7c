import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import {
  type FromWebviewMessage,
  type ImageFormat,
  type PlotData,
  type PlotKind,
  type PlotTarget,
  type ToWebviewMessage,
  isPlotPanelState,
  parseFromWebview,
} from './webviewMessages';

export const PLOT_VIEW_TYPE = 'crit.plot';

const TITLES: Record<PlotKind, string> = {
  dataset: 'Dataset',
  interpolation: 'Interpolation',
  plane: 'Plane',
  spectrum: 'Hessian spectrum',
  probe: 'Optimizer probe',
};

/** What a panel should draw right now: data with its revision, or why there is nothing. */
export type PlotContent = { revision: number; data: PlotData } | { reason: string };

/** Supplies the data for a panel; the extension's result store implements it. */
export type PlotDataSource = (target: PlotTarget) => Promise<PlotContent>;

/** One 'rendered' report from a webview: recorded so tests can see that a plot was really drawn. */
export interface RenderRecord extends PlotTarget {
  revision: number;
  marks: number;
}

const targetKey = (t: PlotTarget): string => `${t.kind}\u0000${t.uri}\u0000${t.landscape}`;

/** A fresh nonce for every page: the CSP allows only scripts carrying it. */
function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function plotPanelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    retainContextWhenHidden: false,
    // Only the extension's own media and webview bundle may be loaded: no workspace files, nothing remote.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function plotHtml(webview: vscode.Webview, extensionUri: vscode.Uri, target: PlotTarget): string {
  const nonce = makeNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'main.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'plot.css'));
  // No 'unsafe-inline', no 'unsafe-eval' (vega runs its expressions through vega-interpreter), no remote hosts.
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const title = `${TITLES[target.kind]}: ${target.landscape}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body data-kind="${target.kind}">
<header class="toolbar">
  <h1>${escapeHtml(title)}</h1>
  <span class="revision" id="revision"></span>
  ${target.kind === 'probe' ? '<button id="refresh" title="Run the probes again">Re-run</button>' : '<button id="refresh" title="Solve this landscape again">Re-solve</button>'}
  <button id="save-svg" title="Save the picture as SVG">SVG</button>
  <button id="save-png" title="Save the picture as PNG">PNG</button>
</header>
<main>
  <p id="message" class="message">${target.kind === 'probe' ? 'Waiting for the probe results…' : 'Waiting for a solve result…'}</p>
  <div id="chart" class="chart"></div>
  <div id="table" class="table"></div>
</main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** Opens, tracks, refreshes and restores the plot webviews. */
export class PlotPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; target: PlotTarget }>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly renders: RenderRecord[] = [];
  private readonly renderEmitter = new vscode.EventEmitter<RenderRecord>();
  readonly onDidRender = this.renderEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: PlotDataSource,
    private readonly resolve: (target: PlotTarget) => Thenable<unknown>,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PLOT_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          // After a reload VS Code hands back the state the webview saved; without one there is nothing to show.
          if (!isPlotPanelState(state)) {
            panel.dispose();
            return;
          }
          this.adopt(panel, state.target);
        },
      }),
      this.renderEmitter,
    );
  }

  /** Shows the plot, reusing an open panel for the same target. */
  open(target: PlotTarget): vscode.WebviewPanel {
    const existing = this.panels.get(targetKey(target));
    if (existing) {
      existing.panel.reveal(undefined, true);
      void this.push(existing.panel, target);
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      PLOT_VIEW_TYPE,
      `${TITLES[target.kind]}: ${target.landscape}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      plotPanelOptions(this.extensionUri),
    );
    this.adopt(panel, target);
    return panel;
  }

  /** Re-sends data to every open panel of a document (all landscapes, or one), e.g. after a re-solve. */
  refresh(uri: string, landscape?: string): void {
    for (const { panel, target } of this.panels.values()) {
      if (target.uri === uri && (landscape === undefined || target.landscape === landscape)) void this.push(panel, target);
    }
  }

  /**
   * Asks a plot panel for its picture: the active one, else the only visible one (the palette
   * leaves focus in the editor beside it). The reply arrives as a 'saveImage' message.
   */
  requestImage(format: ImageFormat): boolean {
    const panels = [...this.panels.values()].map((p) => p.panel);
    const visible = panels.filter((panel) => panel.visible);
    const panel = panels.find((candidate) => candidate.active) ?? (visible.length === 1 ? visible[0] : undefined);
    if (!panel) return false;
    void panel.webview.postMessage({ type: 'renderImage', format } satisfies ToWebviewMessage);
    return true;
  }

  get openTargets(): PlotTarget[] {
    return [...this.panels.values()].map((p) => p.target);
  }

  private adopt(panel: vscode.WebviewPanel, target: PlotTarget): void {
    const key = targetKey(target);
    panel.webview.options = plotPanelOptions(this.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'crit.svg');
    panel.title = `${TITLES[target.kind]}: ${target.landscape}`;
    panel.webview.html = plotHtml(panel.webview, this.extensionUri, target);
    this.panels.set(key, { panel, target });
    const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseFromWebview(raw);
      if (message) void this.handle(panel, target, message);
    });
    panel.onDidDispose(() => {
      subscription.dispose();
      if (this.panels.get(key)?.panel === panel) this.panels.delete(key);
    });
  }

  private async handle(panel: vscode.WebviewPanel, target: PlotTarget, message: FromWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.push(panel, target);
        return;
      case 'rendered': {
        const record = { ...target, revision: message.revision, marks: message.marks };
        this.renders.push(record);
        this.renderEmitter.fire(record);
        return;
      }
      case 'saveImage':
        await saveImage(target, message.format, message.content);
        return;
      case 'refresh':
        await this.resolve(target);
        return;
      case 'renderFailed':
        void vscode.window.showErrorMessage(`Crit, ${target.kind} plot of ${target.landscape}: ${message.message}`);
        return;
    }
  }

  private async push(panel: vscode.WebviewPanel, target: PlotTarget): Promise<void> {
    let content: PlotContent;
    try {
      content = await this.source(target);
    } catch (error) {
      content = { reason: error instanceof Error ? error.message : String(error) };
    }
    const message: ToWebviewMessage =
      'reason' in content
        ? { type: 'empty', target, reason: content.reason }
        : { type: 'show', target, revision: content.revision, data: content.data };
    await panel.webview.postMessage(message);
  }

  /**
   * Panels are left open: on a window reload the extension is deactivated before the workbench
   * saves its editors, and closing them here would keep them from being restored.
   */
  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

const PNG_DATA_URL = 'data:image/png;base64,';

/** The extension writes the file, never the webview; the user picks where. */
async function saveImage(target: PlotTarget, format: ImageFormat, content: string): Promise<void> {
  let bytes: Uint8Array;
  if (format === 'png') {
    if (!content.startsWith(PNG_DATA_URL)) {
      void vscode.window.showErrorMessage('Crit: the plot did not produce a PNG image.');
      return;
    }
    bytes = Buffer.from(content.slice(PNG_DATA_URL.length), 'base64');
  } else {
    if (!content.trimStart().startsWith('<svg')) {
      void vscode.window.showErrorMessage('Crit: the plot did not produce an SVG image.');
      return;
    }
    bytes = Buffer.from(content, 'utf8');
  }
  const specUri = vscode.Uri.parse(target.uri);
  const folder = specUri.scheme === 'file' ? vscode.Uri.joinPath(specUri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = `${target.landscape}-${target.kind}.${format}`;
  const destination = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
    filters: format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] },
    title: `Save the ${target.kind} plot`,
  });
  if (!destination) return;
  await vscode.workspace.fs.writeFile(destination, bytes);
  void vscode.window.showInformationMessage(`Crit: saved ${vscode.workspace.asRelativePath(destination)}`);
}
