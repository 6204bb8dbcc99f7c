/**
 * Renders a Vega-Lite spec to SVG text headlessly in Node (no canvas: SVG text is measured by
 * Vega's estimator). Kept apart from plots.ts so the webview bundle, which renders in the page,
 * does not pull this in. vega and vega-lite are ES modules, hence the dynamic imports.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
