/** crit/solve with progress and cancellation, crit/result, crit/dataset, crit/export, crit/status. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, HoverRequest } from 'vscode-languageserver-protocol/node';
import type { MarkupContent } from 'vscode-languageserver-protocol/node';
import { DatasetRequest, ExportRequest, ResultRequest, SolveRequest } from '../../server/src/protocol';
import type { SolveResponse } from '../../server/src/protocol';
import { startServer, type TestClient } from './client';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const folder = mkdtempSync(join(tmpdir(), 'crit-solve-test-'));
const twoUri = pathToFileURL(join(folder, 'two.crit')).toString();
const slowUri = pathToFileURL(join(folder, 'slow.crit')).toString();
let client: TestClient;

before(async () => {
  client = await startServer({ trusted: true, backgroundChecks: false });
  await client.open(twoUri, fixture('two.crit'));
  await client.open(slowUri, fixture('slow.crit'));
  await client.diagnostics(twoUri, 1);
});
after(async () => {
  await client.close();
  rmSync(folder, { recursive: true, force: true });
});

function solved(response: SolveResponse): Extract<SolveResponse, { status: 'solved' }>['result'] {
  assert.equal(response.status, 'solved', JSON.stringify(response));
  return (response as Extract<SolveResponse, { status: 'solved' }>).result;
}

test('solve reports progress on a server-created token and status, and keeps the result', async () => {
  const statusesBefore = client.statuses.length;
  const result = solved(await client.connection.sendRequest(SolveRequest, { uri: twoUri, landscape: 'two_points' }));
  assert.equal(result.version, 1);
  assert.deepEqual(result.network, { sizes: [3, 8, 1], activations: ['tanh', 'linear'], bias: false });
  assert.deepEqual(result.dataset, { m: 200, dx: 3, dy: 1 });
  assert.deepEqual(result.certificates.map((c) => [c.name, c.critical]), [['A', true], ['B', true]]);
  assert.ok(result.certificates.every((c) => c.relativeGradientNorm < 1e-10));
  assert.equal(result.curves.interpolation.length, 1);
  assert.equal(result.curves.interpolation[0].alpha.length, 21);
  assert.equal(result.curves.spectra.length, 2);
  assert.equal(result.solvability.rank, result.solvability.equationCount);

  const kinds = client.progress.map((p) => (p.value as { kind: string }).kind);
  assert.equal(kinds[0], 'begin');
  assert.equal(kinds.at(-1), 'end');
  const reports = client.progress.filter((p) => (p.value as { kind: string }).kind === 'report').map((p) => p.value as { percentage?: number; message?: string });
  assert.ok(reports.length > 0 && reports.every((r) => typeof r.percentage === 'number' && r.percentage >= 0 && r.percentage <= 100 && typeof r.message === 'string'));
  const percentages = reports.map((r) => r.percentage ?? 0);
  assert.deepEqual([...percentages].sort((a, b) => a - b), percentages, 'progress only moves forward');
  assert.ok(reports.some((r) => /SVD|Jacobian/.test(r.message ?? '')), 'the engine phase is shown');

  const states = client.statuses.slice(statusesBefore).map((s) => s.state);
  assert.ok(states.includes('solving'));
  assert.equal(states.at(-1), 'solved');
  assert.ok(client.statuses.slice(statusesBefore).some((s) => s.state === 'solving' && typeof s.percentage === 'number' && s.landscape === 'two_points'));
  await client.waitFor('crit/resultChanged', () => client.resultsChanged.find((r) => (r as { landscape: string }).landscape === 'two_points'));

  const stored = await client.connection.sendRequest(ResultRequest, { uri: twoUri, landscape: 'two_points' });
  assert.deepEqual(stored, result);
  assert.equal(await client.connection.sendRequest(ResultRequest, { uri: twoUri, landscape: 'nope' }), null);

  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: twoUri }, position: { line: 16, character: 12 } });
  assert.match((hover?.contents as MarkupContent).value, /\*\*A\*\*: verified.*gradient norm/s, 'the certificate shows on hover');
});

test('progress goes to the client token when one is given', async () => {
  client.recordProgress('client-token');
  // Re-solving unchanged numbers comes from the cache; a changed seed solves afresh.
  await client.change(twoUri, fixture('two.crit').replace('seed 7', 'seed 8'), 2);
  const result = solved(await client.connection.sendRequest(SolveRequest, { uri: twoUri, landscape: 'two_points', workDoneToken: 'client-token' }));
  assert.equal(result.version, 2);
  const mine = client.progress.filter((p) => p.token === 'client-token').map((p) => (p.value as { kind: string }).kind);
  assert.equal(mine[0], 'begin');
  assert.ok(mine.includes('report'));
  assert.equal(mine.at(-1), 'end');
});

test('dataset rows: inputs, base and solved labels, predictions at each planted point', async () => {
  const page = await client.connection.sendRequest(DatasetRequest, { uri: twoUri, landscape: 'two_points', offset: 10, limit: 5 });
  assert.ok(page !== null);
  assert.equal(page.offset, 10);
  assert.equal(page.inputs.length, 15);
  assert.equal(page.baseLabels.length, 5);
  assert.equal(page.labels?.length, 5, 'solved labels for the current version');
  assert.deepEqual(page.predictions.map((p) => [p.name, p.values.length]), [['A', 5], ['B', 5]]);
  const capped = await client.connection.sendRequest(DatasetRequest, { uri: twoUri, landscape: 'two_points', offset: -3, limit: 1e9 });
  assert.equal(capped?.offset, 0);
  assert.equal(capped?.baseLabels.length, 200);
});

test('an edit during a solve cancels it; the worker recovers for the next solve', async () => {
  const statusesBefore = client.statuses.length;
  const pending = client.connection.sendRequest(SolveRequest, { uri: slowUri, landscape: 'slow' });
  await client.waitFor('the slow solve to start computing', () =>
    client.statuses.slice(statusesBefore).find((s) => s.state === 'solving' && s.landscape === 'slow' && s.phase !== 'starting' && s.phase !== 'compile'),
  );
  const started = Date.now();
  await client.change(slowUri, fixture('slow.crit').replace('// Large', '// Very large'), 2);
  assert.deepEqual(await pending, { status: 'cancelled' });
  assert.ok(Date.now() - started < 2000, 'cancelled promptly');
  assert.notEqual(client.statuses.at(-1)?.state, 'solving');
  assert.equal(await client.connection.sendRequest(ResultRequest, { uri: slowUri, landscape: 'slow' }), null);
  await client.change(twoUri, fixture('two.crit').replace('seed 7', 'seed 9'), 3);
  solved(await client.connection.sendRequest(SolveRequest, { uri: twoUri, landscape: 'two_points' }));
});

test('a changed plot recomputes its curve; unchanged numbers and plots come from the cache', async () => {
  const text = fixture('two.crit').replace('seed 7', 'seed 9');
  await client.change(twoUri, text.replace('steps 21', 'steps 11'), 4);
  const replotted = solved(await client.connection.sendRequest(SolveRequest, { uri: twoUri, landscape: 'two_points' }));
  assert.equal(replotted.curves.interpolation[0].alpha.length, 11);
  await client.change(twoUri, text, 5);
  const started = Date.now();
  const cached = solved(await client.connection.sendRequest(SolveRequest, { uri: twoUri, landscape: 'two_points' }));
  assert.equal(cached.version, 5);
  assert.equal(cached.curves.interpolation[0].alpha.length, 21);
  assert.ok(Date.now() - started < 500, 'from the cache');
});

test('plots may name unplanted weights; a plot that cannot be drawn is reported, the solve stands', async () => {
  const uri = pathToFileURL(join(folder, 'plots.crit')).toString();
  const text = fixture('two.crit')
    .replace('  critical A', '  weights C = 2 * B - A\n  weights T = normal(0, 1)\n  critical A')
    .replace('  plot interpolate', '  plot plane A B C\n  plot interpolate T -> A steps 5\n  plot interpolate');
  await client.open(uri, text);
  const result = solved(await client.connection.sendRequest(SolveRequest, { uri, landscape: 'two_points' }));
  assert.deepEqual(result.curves.interpolation.map((c) => [c.from, c.to, c.alpha.length]), [['T', 'A', 5], ['A', 'B', 21]]);
  assert.equal(result.curves.planes.length, 0);
  assert.equal(result.curves.errors.length, 1);
  assert.match(result.curves.errors[0], /plane.*collinear/);
});

test('$/cancelRequest from the client cancels a solve', async () => {
  const source = new CancellationTokenSource();
  const statusesBefore = client.statuses.length;
  const pending = client.connection.sendRequest(SolveRequest, { uri: slowUri, landscape: 'slow' }, source.token);
  await client.waitFor('the slow solve to start computing', () =>
    client.statuses.slice(statusesBefore).find((s) => s.state === 'solving' && s.landscape === 'slow' && s.phase !== 'starting' && s.phase !== 'compile'),
  );
  source.cancel();
  const response = await pending.catch((error: Error) => ({ status: 'rejected', message: error.message }));
  assert.equal(response.status, 'cancelled', JSON.stringify(response));
});

test('solving a landscape with errors, or an unknown one, fails with a message', async () => {
  const uri = pathToFileURL(join(folder, 'broken.crit')).toString();
  await client.open(uri, 'landscape broken {\n  network { input 2 layer 3 tanhh output 1 }\n}\n');
  const response = await client.connection.sendRequest(SolveRequest, { uri, landscape: 'broken' });
  assert.equal(response.status, 'failed');
  assert.match((response as { message: string }).message, /errors/);
  assert.equal((await client.connection.sendRequest(SolveRequest, { uri, landscape: 'other' })).status, 'failed');
});

test('export writes the folder, answers "exists" without force, replaces with force', async () => {
  const outDir = join(folder, 'exported');
  const first = await client.connection.sendRequest(ExportRequest, { uri: twoUri, landscape: 'two_points', outDir });
  assert.equal(first.status, 'written', JSON.stringify(first));
  assert.ok(first.status === 'written' && first.files.includes('manifest.json') && first.files.includes('dataset.npz') && first.files.includes('weights/A.npz'));
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { landscape: string; planted: { name: string }[] };
  assert.equal(manifest.landscape, 'two_points');
  assert.deepEqual(await client.connection.sendRequest(ExportRequest, { uri: twoUri, landscape: 'two_points', outDir }), { status: 'exists', path: outDir });
  const forced = await client.connection.sendRequest(ExportRequest, { uri: twoUri, landscape: 'two_points', outDir, force: true });
  assert.equal(forced.status, 'written');
  const defaultTarget = await client.connection.sendRequest(ExportRequest, { uri: twoUri, landscape: 'two_points' });
  assert.equal(defaultTarget.status, 'written');
  assert.ok(existsSync(join(folder, 'two_points', 'manifest.json')), 'default: <spec folder>/<landscape>');
});

test('an untrusted workspace refuses solves and exports', async () => {
  const untrusted = await startServer({ trusted: false });
  try {
    await untrusted.open(twoUri, fixture('two.crit'));
    const solve = await untrusted.connection.sendRequest(SolveRequest, { uri: twoUri, landscape: 'two_points' });
    assert.equal(solve.status, 'failed');
    assert.match((solve as { message: string }).message, /not trusted/);
    const exported = await untrusted.connection.sendRequest(ExportRequest, { uri: twoUri, landscape: 'two_points', outDir: join(folder, 'never') });
    assert.equal(exported.status, 'failed');
    assert.ok(!existsSync(join(folder, 'never')));
    // Settings arrive later too (Workspace Trust granted): then it solves.
    await untrusted.connection.sendNotification('crit/settings', { trusted: true });
    solved(await untrusted.connection.sendRequest(SolveRequest, { uri: twoUri, landscape: 'two_points' }));
  } finally {
    await untrusted.close();
  }
});
