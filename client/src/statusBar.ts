import * as vscode from 'vscode';

/** What the status bar shows; mirrors the server's `crit/status` states plus the client's own. */
export type ServerState = 'starting' | 'idle' | 'checking' | 'solving' | 'probing' | 'solved' | 'failed' | 'stopped' | 'restricted';

export interface StatusView {
  state: ServerState;
  /** 0-100 while solving or probing. */
  percent?: number;
  /** Landscape (or phase) the state is about. */
  detail?: string;
  /** Longer text for the tooltip (an error message, the certificate summary). */
  message?: string;
}

const ICONS: Record<ServerState, string> = {
  starting: '$(loading~spin)',
  idle: '$(pulse)',
  checking: '$(sync~spin)',
  solving: '$(loading~spin)',
  probing: '$(beaker)',
  solved: '$(pass)',
  failed: '$(error)',
  stopped: '$(circle-slash)',
  restricted: '$(shield)',
};

/** The visible text: "Crit: solving 40%", "Crit: solved", ... (tests read it through the test command). */
export function statusText(view: StatusView): string {
  const percent = (view.state === 'solving' || view.state === 'probing') && view.percent !== undefined ? ` ${Math.round(view.percent)}%` : '';
  const detail = view.detail ? ` (${view.detail})` : '';
  return `Crit: ${view.state}${percent}${detail}`;
}

/** Command run when the status item is clicked: a small menu of what makes sense now. */
export const STATUS_MENU_COMMAND = 'crit.statusMenu';

export class CritStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private view: StatusView = { state: 'starting' };

  constructor() {
    this.item = vscode.window.createStatusBarItem('crit.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Crit';
    this.item.command = STATUS_MENU_COMMAND;
    this.render();
    this.item.show();
  }

  get current(): StatusView {
    return this.view;
  }

  get text(): string {
    return statusText(this.view);
  }

  update(view: StatusView): void {
    this.view = view;
    this.render();
  }

  private render(): void {
    const { state } = this.view;
    this.item.text = `${ICONS[state]} ${statusText(this.view).replace(/^Crit: /, 'Crit ')}`;
    const tooltip = new vscode.MarkdownString(`**Crit** — ${statusText(this.view).slice('Crit: '.length)}`);
    if (this.view.message) tooltip.appendText(`\n\n${this.view.message}`);
    tooltip.appendMarkdown('\n\nClick for Crit actions.');
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : state === 'restricted' ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
    this.item.accessibilityInformation = { label: statusText(this.view) };
  }

  dispose(): void {
    this.item.dispose();
  }
}
