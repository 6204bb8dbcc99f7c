/**
 * Reads the VS Code theme the webview runs in (body class and `--vscode-*` CSS variables) into the
 * colours and fonts the plot builders take, so charts follow light, dark and high-contrast themes.
 */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface WebviewTheme {
  kind: ThemeKind;
  background: string;
  foreground: string;
  /** Axis lines, ticks, grid. */
  gridColor: string;
  fontFamily: string;
  fontSize: number;
  /** Distinct series colours (VS Code's chart palette). */
  palette: string[];
  /** Sequential colour scheme for heat maps, chosen to read on this background. */
  heatScheme: string;
}

export function themeKind(body: HTMLElement): ThemeKind {
  if (body.classList.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (body.classList.contains('vscode-high-contrast')) return 'high-contrast';
  if (body.classList.contains('vscode-dark')) return 'dark';
  return 'light';
}

/** Fallbacks apply outside VS Code (a plain browser opening the page) and for variables a theme leaves out. */
const FALLBACK: Record<ThemeKind, { background: string; foreground: string; grid: string }> = {
  light: { background: '#ffffff', foreground: '#333333', grid: '#d4d4d4' },
  dark: { background: '#1e1e1e', foreground: '#cccccc', grid: '#3c3c3c' },
  'high-contrast': { background: '#000000', foreground: '#ffffff', grid: '#6fc3df' },
  'high-contrast-light': { background: '#ffffff', foreground: '#292929', grid: '#0f4a85' },
};

export function readTheme(body: HTMLElement = document.body): WebviewTheme {
  const kind = themeKind(body);
  const css = getComputedStyle(body);
  const variable = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  const fallback = FALLBACK[kind];
  const highContrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  const fontSize = Number.parseFloat(variable('--vscode-font-size', '13'));
  return {
    kind,
    background: variable('--vscode-editor-background', fallback.background),
    foreground: variable('--vscode-editor-foreground', fallback.foreground),
    gridColor: highContrast ? variable('--vscode-contrastBorder', fallback.grid) : variable('--vscode-editorWidget-border', fallback.grid),
    fontFamily: variable('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: Number.isFinite(fontSize) ? fontSize : 13,
    palette: [
      variable('--vscode-charts-blue', '#1a85ff'),
      variable('--vscode-charts-orange', '#d18616'),
      variable('--vscode-charts-green', '#388a34'),
      variable('--vscode-charts-red', '#e51400'),
      variable('--vscode-charts-purple', '#652d90'),
      variable('--vscode-charts-yellow', '#bf8803'),
    ],
    heatScheme: kind === 'light' || kind === 'high-contrast-light' ? 'viridis' : 'magma',
  };
}

/** Calls `onChange` when the user switches theme (VS Code swaps the body class and variables). */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}
