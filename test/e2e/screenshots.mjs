// Screenshots of every Crit webview (and the editor with a diagnostic) in a real VS Code: light,
// dark and high-contrast themes, written to review/ (git-ignored; review artefacts, not golden images).
// Along the way it checks that each plot is drawn and that an open plot comes back after a window
// reload, and that no webview breaks its Content-Security-Policy; with --untrusted it checks
// Restricted Mode (no solve, no export) instead. Exits non-zero
// when a check fails.
//
//   npm run build && node test/e2e/screenshots.mjs [--untrusted]
//
// code-server serves VS Code, Chromium (playwright-core) is the window, and
// test/e2e/screenshots-driver.cjs runs in the extension host opening each view; the two sides
// hand over through the page console and acknowledgement files.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { codeServerBin, ensureCodeServerInstalled, loopbackPort, prepareCodeServerState, serveArgs, waitForHealthy, workbenchUrl } from './code-server.mjs';
import { prepareTempWorkspace, repoRoot, requireBuiltBundles } from './workspace.mjs';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TOTAL_TIMEOUT_MS = 8 * 60_000;
const driver = path.join(repoRoot, 'test/e2e/screenshots-driver.cjs');
const reviewDir = path.join(repoRoot, 'review');
const log = (message) => console.log(`[screenshots] ${message}`);
const { values: options } = parseArgs({ options: { untrusted: { type: 'boolean', default: false } } });
// Trusted runs skip the trust machinery; untrusted ones keep it on and never prompt, so the folder stays restricted.
const trustSettings = options.untrusted
  ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }
  : { 'security.workspace.trust.enabled': false };

const started = { server: undefined, browser: undefined, tempRoot: undefined };

/** The visible webview frame: VS Code keeps hidden ones in the DOM too. */
async function visibleWebviewBox(page) {
  for (const frame of await page.$$('iframe.webview')) {
    const box = await frame.boundingBox();
    // Runs in the page, where getComputedStyle exists.
    const visible = await frame.evaluate((el) => {
      const view = el.ownerDocument.defaultView;
      return view.getComputedStyle(el).visibility !== 'hidden' && view.getComputedStyle(el.parentElement).visibility !== 'hidden';
    });
    if (box && visible && box.width > 50 && box.height > 50) return box;
  }
  return undefined;
}

async function main() {
  requireBuiltBundles();
  ensureCodeServerInstalled();
  const { tempRoot, workspace } = prepareTempWorkspace('crit-shots-');
  started.tempRoot = tempRoot;
  const ackDir = path.join(tempRoot, 'ack');
  mkdirSync(ackDir);
  mkdirSync(reviewDir, { recursive: true });
  const stateArgs = prepareCodeServerState(tempRoot);
  // The shared defaults, with this run's trust mode and a known starting theme.
  const settingsFile = path.join(tempRoot, 'user-data/User/settings.json');
  const settings = { ...JSON.parse(readFileSync(settingsFile, 'utf8')), ...trustSettings, 'workbench.colorTheme': 'Default Light Modern', 'workbench.tips.enabled': false };
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));

  const origin = `127.0.0.1:${await loopbackPort()}`;
  log(`starting code-server on http://${origin}`);
  const server = spawn(
    codeServerBin,
    [...stateArgs, ...(options.untrusted ? [] : ['--disable-workspace-trust']), ...serveArgs(origin, workspace)],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CRIT_SCREENSHOT_ACK: ackDir, CRIT_SCREENSHOT_MODE: options.untrusted ? 'untrusted' : 'trusted' },
    },
  );
  started.server = server;
  server.stdout.resume();
  server.stderr.resume();
  await waitForHealthy(origin, 60_000);
  started.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await started.browser.newPage({ viewport: { width: 1500, height: 940 } });
  const requests = [];
  const failures = [];
  let done = false;
  const after = (text, marker) => text.slice(text.indexOf(marker) + marker.length);
  page.on('console', (message) => {
    const text = message.text();
    if (text.includes('CRIT_SHOTS_DONE')) done = true;
    else if (text.includes('CRIT_SHOT ')) requests.push(JSON.parse(after(text, 'CRIT_SHOT ')));
    else if (text.includes('CRIT_SHOT_LOG ')) log(after(text, 'CRIT_SHOT_LOG '));
    else if (/Content.Security.Policy|Refused to (load|execute|apply|evaluate)/i.test(text)) {
      // A webview broke its own CSP (the workbench's console sees its frames' messages).
      failures.push(`CSP violation: ${text.slice(0, 300)}`);
      log(`FAILED: ${failures.at(-1)}`);
    } else if (text.includes('CRIT_CHECK_FAILED ')) {
      failures.push(after(text, 'CRIT_CHECK_FAILED '));
      log(`FAILED: ${failures.at(-1)}`);
    }
  });
  await page.goto(workbenchUrl(origin, workspace, repoRoot, driver));
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  log('workbench loaded');

  const deadline = Date.now() + TOTAL_TIMEOUT_MS;
  const taken = [];
  while (!done || requests.length > 0) {
    if (Date.now() > deadline) throw new Error('timed out');
    const request = requests.shift();
    if (!request) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const windowFile = path.join(reviewDir, `${request.id}-window.png`);
    await page.screenshot({ path: windowFile });
    taken.push(windowFile);
    if (request.webview) {
      const box = await visibleWebviewBox(page);
      if (box) {
        const file = path.join(reviewDir, `${request.id}.png`);
        await page.screenshot({ path: file, clip: box });
        taken.push(file);
      } else {
        log(`${request.id}: no visible webview`);
      }
    }
    writeFileSync(path.join(ackDir, request.id), '');
  }
  for (const file of taken) log(path.relative(repoRoot, file));
  if (failures.length > 0) log(`${failures.length} check(s) failed`);
  return taken.length > 0 && failures.length === 0;
}

async function cleanUp() {
  const { browser, server, tempRoot } = started;
  if (browser) await browser.close().catch(() => {});
  if (server) {
    try {
      process.kill(-server.pid, 'SIGKILL'); // its process group: the extension host and language server too
    } catch {
      // already gone
    }
  }
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
}

main()
  .then((ok) => cleanUp().then(() => process.exit(ok ? 0 : 1)))
  .catch((error) => {
    console.error(`[screenshots] FAILED: ${error.stack ?? error}`);
    cleanUp().then(() => process.exit(1));
  });
