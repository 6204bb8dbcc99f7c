// Bundles every entry point with esbuild: the extension (CommonJS, `vscode` external), the language
// server, the solve worker, the CLI, the webview scripts (browser) and the extension-host test suite.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };
// tfjs-node is an optional native dependency: loaded at run time when present, never bundled.
// mocha stays a runtime require of the extension-host test suite (it resolves from node_modules in a
// checkout); bundling it drags in its parallel-mode worker files, which esbuild cannot follow.
const nodeExternal = ['vscode', '@tensorflow/tfjs-node', './crit_lapack.node', 'mocha'];

const nodeEntries = {
  'client/extension': 'client/src/extension.ts',
  'server/server': 'server/src/server.ts',
  'server/solveWorker': 'server/src/worker/solveWorker.ts',
  'cli/crit': 'server/src/cli/crit.ts',
  // Probe runs dealt to worker threads (`crit probe --workers N`); found beside dist/cli/crit.js.
  'cli/probeWorker': 'server/src/probe/probeWorker.ts',
  'test/suite/index': 'test/suite/index.ts',
};
const webEntries = { 'webview/main': 'client/webview/main.ts' };

const present = (entries) => Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(src)));

// vega-canvas's Node build awaits an optional `canvas` package at top level, which CommonJS cannot
// bundle; its browser build returns null canvases in Node, so Vega measures text by estimate (SVG only).
const nodeAlias = { 'vega-canvas': './node_modules/vega-canvas/build/vega-canvas.browser.js' };

const builds = [
  { ...common, entryPoints: present(nodeEntries), outdir: 'dist', platform: 'node', format: 'cjs', external: nodeExternal, alias: nodeAlias },
  { ...common, entryPoints: present(webEntries), outdir: 'dist', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((b) => Object.keys(b.entryPoints).length > 0);

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

// The native addon (npm run build:native), when built, goes beside the server and CLI bundles: the
// loader looks there first, and it is what the .vsix carries (it has no server/native/).
const nativeAddon = 'server/native/build/Release/crit_lapack.node';
if (existsSync(nativeAddon)) {
  for (const dir of ['dist/server', 'dist/cli']) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(nativeAddon, `${dir}/crit_lapack.node`);
  }
}
