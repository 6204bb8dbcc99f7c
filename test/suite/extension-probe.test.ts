// The probe view, driven through the real VS Code API: the Probe CodeLens is offered, crit.probe
// runs the probe on the server and opens a webview that draws the probe's plots.
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { TEST_STATE_COMMAND, type CritTestState } from '../../client/src/testState';
import type { ProbeResponse } from '../../server/src/protocol';
import { openCritDocument } from './helpers';

const LANDSCAPE = 'tiny';

function testState(): Thenable<CritTestState> {
  return vscode.commands.executeCommand<CritTestState>(TEST_STATE_COMMAND);
}

suite('extension: optimizer probes', () => {
  test('a landscape with a probe block has a Probe CodeLens running crit.probe', async () => {
    const document = await openCritDocument('fixtures', 'extension-probe.crit');
    const deadline = Date.now() + 30_000;
    let lenses: vscode.CodeLens[] = [];
    // The server answers CodeLenses once it has started and analysed the document.
    while (!lenses.some((l) => l.command?.command === 'crit.probe') && Date.now() < deadline) {
      lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
      if (!lenses.some((l) => l.command?.command === 'crit.probe')) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const probe = lenses.find((l) => l.command?.command === 'crit.probe');
    assert.ok(probe, `lenses offered: ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
    assert.equal(probe.command?.title, 'Probe');
    assert.deepEqual(probe.command?.arguments, [document.uri.toString(), LANDSCAPE]);
  });

  test('crit.probe runs the probe and its webview draws the summary and plots', async () => {
    const document = await openCritDocument('fixtures', 'extension-probe.crit');
    const uri = document.uri.toString();
    const before = (await testState()).renders.length;
    const response = await vscode.commands.executeCommand<ProbeResponse>('crit.probe', uri, LANDSCAPE);
    assert.equal(response?.status, 'done', `probe response: ${JSON.stringify(response)?.slice(0, 400)}`);
    assert.ok(response.status === 'done');
    assert.equal(response.results.length, 1);
    assert.equal(response.results[0].runs.length, 4, 'two optimizers × two starts');
    const deadline = Date.now() + 30_000;
    let state = await testState();
    while (!state.renders.slice(before).some((r) => r.kind === 'probe' && r.uri === uri && r.marks > 0)) {
      if (Date.now() > deadline) assert.fail(`the probe webview did not report a drawn plot; state: ${JSON.stringify(state)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await testState();
    }
    const drawn = state.renders.slice(before).find((r) => r.kind === 'probe' && r.uri === uri);
    // Escape dots (4 runs) plus loss lines, trajectories and the point markers: far more than a handful.
    assert.ok((drawn?.marks ?? 0) >= 10, `marks drawn: ${drawn?.marks}`);
    assert.ok(state.openPlots.some((t) => t.kind === 'probe' && t.landscape === LANDSCAPE));
  });
});
