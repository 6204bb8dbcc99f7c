// Runs the extension-host mocha suite (test/suite) inside a real VS Code 1.99: code-server in the
// background, Debian's Chromium driven by playwright-core as the window.
//
//   node test/e2e/run-code-server.mjs              the extension from this checkout (npm run test:e2e)
//   node test/e2e/run-code-server.mjs --vsix FILE  the extension installed from a .vsix with
//                                                  code-server --install-extension (npm run test:vsix)
//   --keep-temp                                    keep the temp workspace, profile and results
//
// Prints `N passed, M failed`, saves a screenshot in review/, stops every process it started and
// exits non-zero on any failure or timeout.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { codeServerBin, ensureCodeServerInstalled, loopbackPort, prepareCodeServerState, serveArgs, waitForHealthy, workbenchUrl } from './code-server.mjs';
import { prepareTempWorkspace, repoRoot, requireBuiltBundles, suiteEntry } from './workspace.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SERVER_START_TIMEOUT_MS = 60_000;
const SUITE_TIMEOUT_MS = 6 * 60_000;
// Printed by test/suite/index.ts.
const RESULT_LINE_PREFIX = 'CRIT_TEST_RESULT ';
const PROGRESS_LINE_PREFIX = 'CRIT_TEST ';
const EXTENSION_ID = 'crit-dev.crit';

const { values: options } = parseArgs({ options: { vsix: { type: 'string' }, 'keep-temp': { type: 'boolean' } } });
const log = (message) => console.log(`[e2e] ${message}`);

/** Everything started here, stopped in `cleanUp` whatever happens. */
const started = { server: undefined, browser: undefined, tempRoot: undefined };

async function main() {
  requireBuiltBundles();
  if (options.vsix && !existsSync(options.vsix)) throw new Error(`${options.vsix} does not exist: run \`npm run package\` first`);
  ensureCodeServerInstalled();

  const { tempRoot, workspace } = prepareTempWorkspace('crit-e2e-');
  started.tempRoot = tempRoot;
  const resultsFile = path.join(tempRoot, 'results.json');
  const codeServerArgs = prepareCodeServerState(tempRoot);
  const extensionsDir = path.join(tempRoot, 'extensions');
  let developmentPath = repoRoot;
  let testsPath = suiteEntry;
  if (options.vsix) {
    const vsix = path.resolve(options.vsix);
    log(`installing ${path.relative(repoRoot, vsix)} with --install-extension`);
    const installed = spawnSync(codeServerBin, [...codeServerArgs, '--install-extension', vsix], { encoding: 'utf8' });
    process.stdout.write(installed.stdout);
    if (installed.status !== 0) throw new Error(`--install-extension failed:\n${installed.stderr}`);
    // The suite stubs dialogs on the `vscode` API object, which VS Code hands out per extension
    // folder: the suite must live inside the installed extension to share its API. So it is bundled
    // there self-contained (mocha included: the vsix has no node_modules), and the folder that
    // --install-extension unpacked is loaded as the extension under test: the vsix's own files.
    const installedFolder = readdirSync(extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
    if (!installedFolder) throw new Error(`--install-extension left no ${EXTENSION_ID}-* folder in ${extensionsDir}`);
    developmentPath = path.join(extensionsDir, installedFolder);
    testsPath = path.join(developmentPath, 'e2e-suite/index');
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'test/suite/index.ts')],
      outfile: `${testsPath}.js`,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      logLevel: 'error', // mocha's parallel-mode files cannot be followed; that mode is not used
    });
  }

  const origin = `127.0.0.1:${await loopbackPort()}`;
  log(`starting code-server on http://${origin}`);
  const server = spawn(codeServerBin, [...codeServerArgs, ...serveArgs(origin, workspace)], {
    detached: true, // own process group, so cleanUp can stop the extension host and language server too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRIT_TEST_RESULTS: resultsFile },
  });
  started.server = server;
  const serverOutput = [];
  for (const stream of [server.stdout, server.stderr]) stream.on('data', (chunk) => serverOutput.push(chunk.toString()));
  const serverExited = new Promise((resolve) => server.on('exit', (code, signal) => resolve(`code-server exited (${signal ?? code})`)));
  await Promise.race([waitForHealthy(origin, SERVER_START_TIMEOUT_MS), serverExited.then((why) => Promise.reject(new Error(`${why}:\n${serverOutput.join('')}`)))]);

  const url = workbenchUrl(origin, workspace, developmentPath, testsPath);
  log('opening Chromium');
  // Playwright's own signal handlers would exit at once and orphan code-server; cleanUp does it.
  started.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const page = await started.browser.newPage({ viewport: { width: 1400, height: 900 } });
  let consoleResult;
  page.on('console', (message) => {
    // The extension host's console is forwarded to the page, behind a log-level prefix.
    const text = message.text();
    const resultAt = text.indexOf(RESULT_LINE_PREFIX);
    const progressAt = text.indexOf(PROGRESS_LINE_PREFIX);
    if (resultAt >= 0) consoleResult = JSON.parse(text.slice(resultAt + RESULT_LINE_PREFIX.length));
    else if (progressAt >= 0) console.log(`  ${text.slice(progressAt + PROGRESS_LINE_PREFIX.length)}`);
  });
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  log('workbench loaded; running the suite in the extension host');

  const result = await Promise.race([
    waitFor(() => readResults(resultsFile) ?? consoleResult, SUITE_TIMEOUT_MS, 'the extension-host suite to report'),
    serverExited.then((why) => Promise.reject(new Error(why))),
  ]);
  await saveScreenshot(page, options.vsix ? 'e2e-code-server-vsix.png' : 'e2e-code-server.png');

  for (const failure of result.failures) console.log(`\nFAILED ${failure.title}\n${failure.error}`);
  const loadedFrom = result.extensionPath ?? '(not loaded)';
  log(`VS Code ${result.vscodeVersion}; ${EXTENSION_ID} loaded from ${loadedFrom}`);
  const expectedRoot = options.vsix ? extensionsDir : repoRoot;
  if (!loadedFrom.startsWith(expectedRoot)) throw new Error(`the extension was expected under ${expectedRoot}`);
  console.log(`${result.passed} passed, ${result.failed} failed`);
  return result.failed === 0 && result.passed > 0;
}

function readResults(file) {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // still being written
  }
}

async function waitFor(produce, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = produce();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function saveScreenshot(page, name) {
  const file = path.join(repoRoot, 'review', name);
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(repoRoot, file)}`);
  } catch (error) {
    log(`no screenshot: ${error.message}`);
  }
}

// One clean-up however many paths (signal, timeout, normal end) ask for it; all wait for it to finish.
let cleaningUp;
function cleanUp() {
  cleaningUp ??= stopEverything();
  return cleaningUp;
}

async function stopEverything() {
  const { browser, server, tempRoot } = started;
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    killGroup(server.pid, 'SIGTERM');
    const stillRunning = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(() => r(true), 5000))]);
    if (stillRunning) killGroup(server.pid, 'SIGKILL');
  }
  // Children of the extension host (the language server) can outlive code-server's own exit.
  if (server) killGroup(server.pid, 'SIGKILL');
  started.server = undefined;
  if (tempRoot && !options['keep-temp']) rmSync(tempRoot, { recursive: true, force: true });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

// Last resort when the process exits some other way: the server group must not outlive it.
process.on('exit', () => {
  if (started.server) killGroup(started.server.pid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    cleanUp().finally(() => process.exit(1));
  });
}

const overallTimer = setTimeout(() => {
  log('overall timeout: stopping');
  cleanUp().finally(() => process.exit(1));
}, SUITE_TIMEOUT_MS + 3 * 60_000);

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(`[e2e] FAILED: ${error.stack ?? error}`);
}
await cleanUp();
clearTimeout(overallTimer);
process.exit(passed ? 0 : 1);
