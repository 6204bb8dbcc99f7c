// Runs inside the extension host for test/e2e/screenshots.mjs (as its `extensionTestsPath`): opens
// the sample spec, each plot webview in each theme, and after every picture is ready prints a
// `CRIT_SHOT {...}` line (the extension host console reaches the page) and waits until the
// browser side has taken the screenshot and written an acknowledgement file. Then it reloads the
// window and, run again in the new extension host, checks that the plot panel was restored. With CRIT_SCREENSHOT_MODE=untrusted it checks Restricted Mode instead.
// Failed expectations are printed as `CRIT_CHECK_FAILED ...`.
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const LANDSCAPE = 'two_points';
const TEST_STATE_COMMAND = 'crit._test.state'; // client/src/critFeatures.ts
const THEMES = [
  ['light', 'Default Light Modern'],
  ['dark', 'Default Dark Modern'],
  ['high-contrast', 'Default High Contrast'],
];
const PLOTS = [
  ['dataset', 'crit.previewDataset'],
  ['interpolation', 'crit.plotInterpolation'],
  ['plane', 'crit.plotPlane'],
  ['spectrum', 'crit.showSpectrum'],
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return false;
}

/** Asks the browser side for a screenshot and waits for it to be taken. */
async function shot(id, details) {
  const ackDir = process.env.CRIT_SCREENSHOT_ACK;
  await vscode.commands.executeCommand('notifications.clearAll'); // toasts would cover the pictures
  await sleep(300);
  console.log(`CRIT_SHOT ${JSON.stringify({ id, ...details })}`);
  const taken = await waitUntil(() => fs.existsSync(path.join(ackDir, id)), 60_000);
  if (!taken) throw new Error(`no acknowledgement for screenshot ${id}`);
}

async function showSpec(uri) {
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
  return document;
}

/** A failed expectation: reported to the browser side, which exits non-zero at the end. */
function check(ok, message) {
  console.log(ok ? `CRIT_SHOT_LOG ok: ${message}` : `CRIT_CHECK_FAILED ${message}`);
}

async function testState() {
  return vscode.commands.executeCommand(TEST_STATE_COMMAND);
}

/** Whether the server's inlay hints show the background rank check's result ("rank 24/24"). */
async function rankHinted(uri) {
  const document = await vscode.workspace.openTextDocument(uri);
  const hints = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', uri, new vscode.Range(0, 0, document.lineCount, 0));
  return (hints ?? []).some((h) => /rank/.test(typeof h.label === 'string' ? h.label : h.label.map((part) => part.value).join('')));
}

/** Every plot in every theme, and the editor with a diagnostic; then asks for a window reload. */
async function themePass(spec, typo) {
  // Solved first, so the dataset preview shows planted labels as well as base ones.
  await showSpec(spec);
  await vscode.commands.executeCommand('crit.solve', spec.toString(), LANDSCAPE);
  // The counterpart of the untrusted run's check: trusted, the rank check does run.
  check(await waitUntil(() => rankHinted(spec), 20_000), 'the background rank check runs in a trusted workspace');
  for (const [theme, themeName] of THEMES) {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', themeName, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // The editor with a diagnostic, for the README.
    await showSpec(typo);
    await waitUntil(() => vscode.languages.getDiagnostics(typo).length > 0, 20_000);
    // The diagnostic's hover, with its message and quick fix, is what the picture is for.
    const [diagnostic] = vscode.languages.getDiagnostics(typo);
    if (diagnostic && vscode.window.activeTextEditor) {
      vscode.window.activeTextEditor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
      await vscode.commands.executeCommand('editor.action.showHover');
    }
    await sleep(1200);
    await shot(`editor-${theme}`, { webview: false });

    for (const [kind, command] of PLOTS) {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await showSpec(spec);
      const before = (await testState()).renders.length;
      // A failing command still gets its screenshot: the picture shows what the user would see.
      const opened = await vscode.commands.executeCommand(command, spec.toString(), LANDSCAPE).then(
        (value) => value,
        (error) => `error: ${error.message}`,
      );
      const drawn = await waitUntil(async () => (await testState()).renders.slice(before).some((r) => r.kind === kind && r.marks > 0), 60_000);
      check(opened === true && drawn, `${kind} (${theme}) opened and drawn`);
      await sleep(1000); // let the webview finish painting after it reported
      await shot(`${kind}-${theme}`, { webview: true });
    }
  }
  // Leave the interpolation plot open and have the browser reload the window: the next run checks
  // that VS Code restored the panel through the extension's serializer and that it drew again.
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', THEMES[0][1], vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await showSpec(spec);
  const before = (await testState()).renders.length;
  const opened = await vscode.commands.executeCommand('crit.plotInterpolation', spec.toString(), LANDSCAPE);
  await waitUntil(async () => (await testState()).renders.slice(before).some((r) => r.kind === 'interpolation'), 30_000);
  console.log(`CRIT_SHOT_LOG opened=${opened} state=${JSON.stringify((await testState()).openPlots)}`);
  // Reload as a user would: the workbench saves its editors (with each webview's state) on the way out.
  fs.writeFileSync(path.join(process.env.CRIT_SCREENSHOT_ACK, 'reloaded'), '');
  console.log(`CRIT_SHOT_LOG reloading the window; tabs: ${tabLabels()}`);
  await vscode.commands.executeCommand('workbench.action.reloadWindow');
  await new Promise(() => {}); // the reload ends this extension host
}

const tabLabels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', ');

/** After the reload: the plot panel must be back, restored by the serializer, and drawn. */
async function restoreCheck() {
  const restored = await waitUntil(async () => {
    const state = await testState();
    return state.openPlots.some((t) => t.kind === 'interpolation') && state.renders.some((r) => r.kind === 'interpolation' && r.marks > 0);
  }, 60_000);
  check(restored, `the interpolation panel was restored after a window reload and drew its plot (tabs: ${tabLabels()})`);
  await sleep(1000);
  await shot('restored-interpolation-light', { webview: true });
}

/** Restricted Mode: syntax checks only, and no solve or export. */
async function untrustedCheck(spec) {
  await showSpec(spec);
  await sleep(4000); // time for the server's checks, which must not include solvability
  const state = await testState();
  check(!vscode.workspace.isTrusted, 'the workspace is untrusted');
  check(state.status.state === 'restricted', `status bar says restricted (${state.statusText})`);
  check(!(await rankHinted(spec)), 'no background rank check (no "rank" inlay hint) without trust');
  const solved = await vscode.commands.executeCommand('crit.solve', spec.toString(), LANDSCAPE);
  check(solved === undefined, 'Solve does nothing without trust');
  const target = path.join(process.env.CRIT_SCREENSHOT_ACK, 'untrusted-export');
  const exported = await vscode.commands.executeCommand('crit.export', spec.toString(), LANDSCAPE, target);
  check(exported === undefined && !fs.existsSync(target), 'Export writes nothing without trust');
  await sleep(500);
  await shot('untrusted-light', { webview: false });
}

module.exports.run = async function run() {
  const folder = vscode.workspace.workspaceFolders[0].uri;
  const spec = vscode.Uri.joinPath(folder, 'fixtures', 'extension-solve.crit');
  const typo = vscode.Uri.joinPath(folder, 'fixtures', 'extension-quickfix.crit');
  const reloaded = fs.existsSync(path.join(process.env.CRIT_SCREENSHOT_ACK, 'reloaded'));
  try {
    if (process.env.CRIT_SCREENSHOT_MODE === 'untrusted') await untrustedCheck(spec);
    else if (reloaded) await restoreCheck();
    else await themePass(spec, typo);
  } catch (error) {
    check(false, `driver: ${error.stack ?? error}`);
  } finally {
    console.log('CRIT_SHOTS_DONE');
  }
};
