// The extension's user-facing part, driven through the real VS Code API: quick fixes, Solve and the
// status bar, Export checked by the CLI's own `verify`, and every plot webview really drawing.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { suite, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { TEST_STATE_COMMAND, type CritTestState } from '../../client/src/testState';
import type { PlotKind } from '../../client/src/webviewMessages';
import type { ExportResponse, SolveResponse } from '../../server/src/protocol';
import { EXTENSION_ID, diagnosticsMatching, openCritDocument } from './helpers';

const LANDSCAPE = 'two_points';

function testState(): Thenable<CritTestState> {
  return vscode.commands.executeCommand<CritTestState>(TEST_STATE_COMMAND);
}

/** Polls the extension's test-only state until `accept` holds; fails with the last state seen. */
async function stateMatching(accept: (state: CritTestState) => boolean, timeoutMs: number, what: string): Promise<CritTestState> {
  const deadline = Date.now() + timeoutMs;
  let state = await testState();
  while (!accept(state)) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last state: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await testState();
  }
  return state;
}

function runCliVerify(folder: string): Promise<{ code: number; output: string }> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const cli = path.join(extension.extensionPath, 'bin', 'crit.js');
  // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'verify', folder], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

suite('extension: quick fixes', () => {
  test('applying the offered quick fix through the API clears the diagnostic', async () => {
    const document = await openCritDocument('fixtures', 'extension-quickfix.crit');
    const [diagnostic] = await diagnosticsMatching(document.uri, (found) => found.some((d) => /tahn/.test(d.message)), 30_000).then((found) =>
      found.filter((d) => /tahn/.test(d.message)),
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
    const fix = actions.find((a) => a.kind?.value.startsWith('quickfix') && a.edit && /tanh/.test(a.title));
    assert.ok(fix?.edit, `a quick fix to tanh is offered; got ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applies');
    assert.match(document.getText(), /layer 4 tanh/);
    await diagnosticsMatching(document.uri, (found) => !found.some((d) => /tahn/.test(d.message)), 30_000);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

suite('extension: solve, status bar, export', () => {
  const exportRoot = mkdtempSync(path.join(tmpdir(), 'crit-export-test-'));
  suiteTeardown(() => rmSync(exportRoot, { recursive: true, force: true }));

  test('Solve completes on a sample and the status bar says so', async () => {
    const document = await openCritDocument('fixtures', 'extension-solve.crit');
    const response = await vscode.commands.executeCommand<SolveResponse>('crit.solve', document.uri.toString(), LANDSCAPE);
    assert.equal(response?.status, 'solved', `solve response: ${JSON.stringify(response)}`);
    assert.ok(response.status === 'solved');
    assert.equal(response.result.certificates.length, 2);
    assert.ok(response.result.certificates.every((c) => c.critical && c.achieved), 'both planted points are certified critical');
    const state = await stateMatching((s) => s.status.state === 'solved', 15_000, 'the status bar to say solved');
    assert.match(state.statusText, /^Crit: solved/);
  });

  test('Export writes a folder that `crit verify` accepts, and never replaces one without asking', async () => {
    const document = await openCritDocument('fixtures', 'extension-solve.crit');
    const folder = path.join(exportRoot, LANDSCAPE);
    const written = await vscode.commands.executeCommand<ExportResponse>('crit.export', document.uri.toString(), LANDSCAPE, folder);
    assert.equal(written?.status, 'written', `export response: ${JSON.stringify(written)}`);
    assert.ok(written.status === 'written' && written.files.length > 0);
    const verified = await runCliVerify(folder);
    assert.equal(verified.code, 0, `crit verify ${folder} failed:\n${verified.output}`);
    const again = await vscode.commands.executeCommand<ExportResponse>('crit.export', document.uri.toString(), LANDSCAPE, folder);
    assert.equal(again?.status, 'exists', 'a second export into the same folder is refused until confirmed');
  });
});

suite('extension: samples', () => {
  test('Open Sample copies the chosen sample into the workspace and opens the copy', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const { showQuickPick } = vscode.window;
    let offered: readonly string[] = [];
    Object.assign(vscode.window, {
      showQuickPick: async (items: readonly string[]) => ((offered = items), items.find((name) => name === 'fig1_teacher.crit')),
    });
    let document: vscode.TextDocument | undefined;
    try {
      document = await vscode.commands.executeCommand<vscode.TextDocument>('crit.openSample');
    } finally {
      Object.assign(vscode.window, { showQuickPick });
    }
    assert.ok(offered.includes('fig1_teacher.crit'), `samples offered: ${offered.join(', ')}`);
    assert.ok(document, 'a document was opened');
    assert.match(document.uri.path, /\/crit-samples\/fig1_teacher\.crit$/);
    assert.equal(document.languageId, 'crit');
    assert.equal(document.getText(), readFileSync(path.join(extension.extensionPath, 'samples', 'fig1_teacher.crit'), 'utf8'));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});

suite('extension: solve on save', () => {
  test('with crit.solve.trigger = onSave, saving a spec solves its landscapes', async () => {
    const config = vscode.workspace.getConfiguration('crit');
    await config.update('solve.trigger', 'onSave', vscode.ConfigurationTarget.Workspace);
    try {
      const document = await openCritDocument('fixtures', 'extension-solve.crit');
      const edited = await vscode.window.activeTextEditor?.edit((edit) => edit.insert(new vscode.Position(document.lineCount, 0), '// saved by a test\n'));
      assert.ok(edited, 'the spec was edited');
      const savedVersion = document.version;
      assert.ok(await document.save(), 'the spec was saved');
      await stateMatching(
        (s) => s.lastResult?.uri === document.uri.toString() && s.lastResult.landscape === LANDSCAPE && s.lastResult.version >= savedVersion,
        30_000,
        `a solve of version ${savedVersion} after the save`,
      );
    } finally {
      await config.update('solve.trigger', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

suite('extension: plot webviews', () => {
  const commands: [string, PlotKind][] = [
    ['crit.previewDataset', 'dataset'],
    ['crit.plotInterpolation', 'interpolation'],
    ['crit.plotPlane', 'plane'],
    ['crit.showSpectrum', 'spectrum'],
  ];
  for (const [command, kind] of commands) {
    test(`${command} opens a webview that draws its ${kind} plot`, async () => {
      const document = await openCritDocument('fixtures', 'extension-solve.crit');
      const uri = document.uri.toString();
      const before = (await testState()).renders.length;
      const opened = await vscode.commands.executeCommand<boolean>(command, uri, LANDSCAPE);
      assert.equal(opened, true, `${command} opened a panel`);
      const state = await stateMatching(
        (s) => s.renders.slice(before).some((r) => r.kind === kind && r.uri === uri && r.marks > 0),
        30_000,
        `the ${kind} webview to report a drawn plot`,
      );
      assert.ok(state.openPlots.some((t) => t.kind === kind && t.landscape === LANDSCAPE));
    });
  }

  for (const format of ['SVG', 'PNG'] as const) {
    test(`Save Plot Image writes the picture as ${format} where the save dialog says`, async () => {
      const document = await openCritDocument('fixtures', 'extension-solve.crit');
      const uri = document.uri.toString();
      await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
      const before = (await testState()).renders.length;
      await vscode.commands.executeCommand('crit.plotInterpolation', uri, LANDSCAPE);
      await stateMatching((s) => s.openPlots.length === 1 && s.renders.slice(before).some((r) => r.kind === 'interpolation'), 30_000, 'one drawn plot');
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'crit-image-test-')), `plot.${format.toLowerCase()}`);
      // The dialogs are stubbed on the shared API object: the test bundle and the extension live in the same extension folder.
      const { showQuickPick, showSaveDialog } = vscode.window;
      const asked: string[] = [];
      Object.assign(vscode.window, {
        showQuickPick: async () => (asked.push('format'), format),
        showSaveDialog: async () => (asked.push('where'), vscode.Uri.file(file)),
      });
      try {
        await vscode.commands.executeCommand('crit.savePlotImage');
        const deadline = Date.now() + 20_000;
        while (!existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        Object.assign(vscode.window, { showQuickPick, showSaveDialog });
      }
      assert.ok(existsSync(file), `${file} was written; dialogs answered: ${asked.join(', ')}; state ${JSON.stringify((await testState()).openPlots)}`);
      const bytes = readFileSync(file);
      if (format === 'SVG') assert.match(bytes.toString('utf8', 0, 200), /^<svg/);
      else assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
      assert.ok(bytes.length > 1000, 'a real picture, not an empty one');
      rmSync(path.dirname(file), { recursive: true, force: true });
    });
  }

  test('an open plot is drawn again when the landscape is re-solved', async () => {
    const document = await openCritDocument('fixtures', 'extension-solve.crit');
    const uri = document.uri.toString();
    await vscode.commands.executeCommand('crit.plotInterpolation', uri, LANDSCAPE);
    const before = await stateMatching((s) => s.renders.some((r) => r.kind === 'interpolation'), 30_000, 'a first interpolation render');
    const lastRevision = Math.max(...before.renders.filter((r) => r.kind === 'interpolation').map((r) => r.revision));
    await vscode.commands.executeCommand('crit.solve', uri, LANDSCAPE);
    await stateMatching(
      (s) => s.renders.some((r) => r.kind === 'interpolation' && r.revision > lastRevision && r.marks > 0),
      30_000,
      'the interpolation plot to be redrawn after the re-solve',
    );
  });
});
