/** crit/probe (progress, result shape, cancel by edit, untrusted refusal), the Probe CodeLens, completion and formatting inside `probe { }`. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, CodeLensRequest, CompletionRequest, DocumentFormattingRequest } from 'vscode-languageserver-protocol/node';
import type { CompletionItem, CompletionList, TextEdit } from 'vscode-languageserver-protocol/node';
import { CritCommands, ProbeRequest } from '../../server/src/protocol';
import type { ProbeResponse } from '../../server/src/protocol';
import { startServer, type TestClient } from './client';

const text = readFileSync(join(__dirname, 'fixtures', 'probe.crit'), 'utf8');
const folder = mkdtempSync(join(tmpdir(), 'crit-probe-test-'));
const uri = pathToFileURL(join(folder, 'probe.crit')).toString();
let client: TestClient;
let nextUri = 0;

before(async () => {
  client = await startServer({ trusted: true, backgroundChecks: false });
  await client.open(uri, text);
  await client.diagnostics(uri, 1);
});
after(async () => {
  await client.close();
  rmSync(folder, { recursive: true, force: true });
});

type Progress = { kind: string; percentage?: number; message?: string };

test('crit/probe solves first, reports progress and answers every run', async () => {
  client.recordProgress('probe-token');
  const statusesBefore = client.statuses.length;
  const response = await client.connection.sendRequest(ProbeRequest, { uri, landscape: 'tiny', probe: 'quick', workDoneToken: 'probe-token' });
  assert.equal(response.status, 'done', JSON.stringify(response).slice(0, 500));
  const { results } = response as Extract<ProbeResponse, { status: 'done' }>;
  assert.equal(results.length, 1);
  const [result] = results;
  assert.equal(result.probe, 'quick');
  assert.equal(result.landscape, 'tiny');
  assert.match(result.backend, /^tfjs-(node|cpu)$/);
  assert.equal(result.runs.length, 4, 'two optimizers × two starts');
  assert.equal(result.summary.length, 2);
  assert.deepEqual(result.optimizerLabels.map((l) => l.split(' ')[0]), ['sgd', 'adam']);
  for (const run of result.runs) {
    assert.equal(run.steps[0], 0);
    assert.equal(run.steps.at(-1), 30);
    assert.equal(run.loss.length, run.steps.length);
    assert.equal(run.u.length, run.steps.length);
    assert.ok(run.loss.every((x) => x === null || Number.isFinite(x)), 'non-finite numbers arrive as null');
  }
  assert.ok((result.wallTimeMs ?? 0) > 0);

  const mine = client.progress.filter((p) => p.token === 'probe-token').map((p) => p.value as Progress);
  assert.equal(mine[0].kind, 'begin');
  assert.equal(mine.at(-1)?.kind, 'end');
  const reports = mine.filter((p) => p.kind === 'report');
  const percentages = reports.map((r) => r.percentage ?? -1);
  assert.ok(percentages.every((p) => p >= 0 && p <= 100));
  assert.deepEqual([...percentages].sort((a, b) => a - b), percentages, 'progress only moves forward');
  assert.ok(reports.some((r) => /^solve: /.test(r.message ?? '')), 'the solve before the probe is shown');
  assert.ok(reports.some((r) => /probe quick/.test(r.message ?? '')), 'the probe phase is shown');

  const statuses = client.statuses.slice(statusesBefore);
  assert.ok(statuses.some((s) => s.state === 'probing' && s.landscape === 'tiny' && typeof s.percentage === 'number'), 'crit/status says probing');
  await client.waitFor('the status to leave probing', () => (client.statuses.at(-1)?.state !== 'probing' ? true : undefined));
});

test('crit/probe of an unknown probe or landscape fails', async () => {
  const unknown = await client.connection.sendRequest(ProbeRequest, { uri, landscape: 'tiny', probe: 'nope' });
  assert.equal(unknown.status, 'failed');
  assert.match((unknown as { message: string }).message, /no probe named 'nope'/);
  const noLandscape = await client.connection.sendRequest(ProbeRequest, { uri, landscape: 'other' });
  assert.equal(noLandscape.status, 'failed');
});

/** Resolves once the probe on `token` has reported training progress (progress does not wake client.waitFor: poll). */
async function trainingStarted(token: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!client.progress.some((p) => p.token === token && /probe long/.test((p.value as Progress).message ?? ''))) {
    assert.ok(Date.now() < deadline, 'the long probe starts training within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('$/cancelRequest cancels a running probe', async () => {
  client.recordProgress('cancel-token');
  const source = new CancellationTokenSource();
  const pending = client.connection.sendRequest(ProbeRequest, { uri, landscape: 'tiny', probe: 'long', workDoneToken: 'cancel-token' }, source.token);
  await trainingStarted('cancel-token');
  source.cancel();
  // vscode-jsonrpc rejects a cancelled request on the client side, or the server answers 'cancelled' first.
  const outcome = await pending.then((response) => response.status, (error: Error) => error.message);
  assert.match(outcome, /cancelled/i);
  // The lane is free again: a short probe runs to the end afterwards.
  const after = await client.connection.sendRequest(ProbeRequest, { uri, landscape: 'tiny', probe: 'quick' });
  assert.equal(after.status, 'done');
});

test('an edit cancels a running probe', async () => {
  client.recordProgress('long-token');
  const pending = client.connection.sendRequest(ProbeRequest, { uri, landscape: 'tiny', probe: 'long', workDoneToken: 'long-token' });
  await trainingStarted('long-token');
  await client.change(uri, text.replace('// A tiny probe', '// An edited tiny probe'), 2);
  const response = await pending;
  assert.equal(response.status, 'cancelled');
});

test('an untrusted workspace runs no probe', async () => {
  const untrusted = await startServer({ trusted: false });
  try {
    await untrusted.open(uri, text);
    const response = await untrusted.connection.sendRequest(ProbeRequest, { uri, landscape: 'tiny' });
    assert.equal(response.status, 'failed');
    assert.match((response as { message: string }).message, /not trusted/);
  } finally {
    await untrusted.close();
  }
});

test('a landscape with a probe block gets a Probe CodeLens', async () => {
  const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  const probe = lenses.find((l) => l.command?.command === CritCommands.probe);
  assert.ok(probe, `lenses: ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
  assert.equal(probe.command?.title, 'Probe');
  assert.deepEqual(probe.command?.arguments, [uri, 'tiny']);
});

/** Completion labels at the end of `line`, inserted as a new line at the top of probe `quick`. */
async function completeInProbe(line: string): Promise<string[]> {
  const anchor = '  probe quick {\n';
  const variant = text.replace(anchor, `${anchor}    ${line}\n`);
  const lineNumber = variant.slice(0, variant.indexOf(anchor) + anchor.length).split('\n').length - 1;
  const docUri = `file:///tmp/crit-probe-completion-${nextUri++}.crit`;
  await client.open(docUri, variant);
  const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: docUri }, position: { line: lineNumber, character: 4 + line.length } });
  const items: CompletionItem[] = Array.isArray(result) ? result : ((result as CompletionList | null)?.items ?? []);
  return items.map((i) => i.label);
}

test('completion inside probe { }: statements, optimizers, hyperparameters, directions', async () => {
  assert.deepEqual(await completeInProbe(''), ['optimizer', 'batch', 'starts', 'steps', 'seed', 'escape']);
  assert.deepEqual(await completeInProbe('optimizer '), ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad']);
  assert.deepEqual(await completeInProbe('optimizer adam '), ['lr', 'beta1', 'beta2', 'epsilon']);
  assert.deepEqual(await completeInProbe('optimizer adam lr 0.1 '), ['beta1', 'beta2', 'epsilon']);
  assert.deepEqual(await completeInProbe('optimizer adam lr '), [], 'a value is expected');
  assert.deepEqual(await completeInProbe('batch '), ['full']);
  assert.deepEqual(await completeInProbe('starts 4 '), ['around']);
  assert.deepEqual(await completeInProbe('starts 4 around '), ['A']);
  assert.deepEqual(await completeInProbe('starts 4 around A radius 0.1 '), ['direction']);
  assert.deepEqual(await completeInProbe('starts 4 around A direction '), ['random', 'stable', 'eigen']);
  assert.deepEqual(await completeInProbe('starts 4 around A direction eigen '), ['negative', 'positive']);
  assert.deepEqual(await completeInProbe('escape '), ['distance', 'loss']);
  assert.deepEqual(await completeInProbe('escape distance 0.2 '), ['loss']);
  // At landscape level a whole probe block is offered.
  const docUri = `file:///tmp/crit-probe-completion-${nextUri++}.crit`;
  const variant = text.replace('  critical A {', '  \n  critical A {');
  await client.open(docUri, variant);
  const line = variant.slice(0, variant.indexOf('  \n  critical A {')).split('\n').length - 1;
  const top = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: docUri }, position: { line, character: 2 } });
  const topLabels = (Array.isArray(top) ? top : (top as CompletionList).items).map((i) => i.label);
  assert.ok(topLabels.includes('probe'), JSON.stringify(topLabels));
});

test('formatting lays out probe blocks canonically and is idempotent', async () => {
  const messy = text
    .replace('    optimizer sgd lr 0.1', 'optimizer   sgd  lr 0.1')
    .replace('    starts 2 around A radius 0.01 direction eigen negative', '      starts 2 around A   radius 0.01 direction eigen negative')
    .replace('  probe quick {', 'probe quick{');
  assert.notEqual(messy, text);
  const docUri = `file:///tmp/crit-probe-format-${nextUri++}.crit`;
  await client.open(docUri, messy);
  const options = { tabSize: 2, insertSpaces: true };
  const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: docUri }, options })) as TextEdit[];
  assert.equal(edits.length, 1);
  assert.equal(edits[0].newText, text, 'the canonical layout is the fixture as written');
  await client.change(docUri, edits[0].newText, 2);
  const again = await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: docUri }, options });
  assert.deepEqual(again, [], 'formatting the formatted text changes nothing');
});
