// Runs inside the extension host for test/e2e/screenshots.mjs (as its `extensionTestsPath`): opens
// the sample spec, each plot webview in each theme, and after every picture is ready prints a
// `CRIT_SHOT {...}` line (the extension host console reaches the page) and waits until the
// browser side has taken the screenshot and written an acknowledgement file.
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

module.exports.run = async function run() {
  const folder = vscode.workspace.workspaceFolders[0].uri;
  const spec = vscode.Uri.joinPath(folder, 'fixtures', 'extension-solve.crit');
  const typo = vscode.Uri.joinPath(folder, 'fixtures', 'extension-quickfix.crit');
  try {
    // Solved first, so the dataset preview shows planted labels as well as base ones.
    await showSpec(spec);
    await vscode.commands.executeCommand('crit.solve', spec.toString(), LANDSCAPE);
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
        const before = (await vscode.commands.executeCommand(TEST_STATE_COMMAND)).renders.length;
        // A failing command still gets its screenshot: the picture shows what the user would see.
        const opened = await vscode.commands.executeCommand(command, spec.toString(), LANDSCAPE).then(
          (value) => value,
          (error) => `error: ${error.message}`,
        );
        const drawn = await waitUntil(async () => {
          const state = await vscode.commands.executeCommand(TEST_STATE_COMMAND);
          return state.renders.slice(before).some((r) => r.kind === kind);
        }, 60_000);
        console.log(`CRIT_SHOT_LOG ${kind} ${theme}: opened=${opened} drawn=${drawn} status="${(await vscode.commands.executeCommand(TEST_STATE_COMMAND)).statusText}"`);
        await sleep(1000); // let the webview finish painting after it reported
        await shot(`${kind}-${theme}`, { webview: true });
      }
    }
  } finally {
    console.log('CRIT_SHOTS_DONE');
  }
};
