import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pureLinAlg } from '../../server/src/engine/linalg/pure';
import type { NetworkSpec } from '../../server/src/engine/types';
import { arraysToTheta, buildExportFiles, exportLandscape, ExportError, thetaToArrays } from '../../server/src/io/export';
import { readNpz, writeNpz } from '../../server/src/io/npz';
import { parseManifest, verifyExportFolder } from '../../server/src/io/verify';
import { solvedExample } from './export-fixture';

const linalg = pureLinAlg;

const withBias: NetworkSpec = { sizes: [2, 4, 1], activations: ['tanh', 'tanh'], bias: true };
const noBias: NetworkSpec = { sizes: [3, 3, 2], activations: ['gelu', 'tanh'], bias: false };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'crit-export-'));
}

test('θ ↔ W0, b0, W1, ... keeps every value; no b keys without biases', () => {
  const theta = Float64Array.from({ length: 17 }, (_, i) => i);
  const arrays = thetaToArrays(withBias, theta);
  assert.deepEqual(arrays.map(([k, a]) => [k, a.shape]), [['W0', [4, 2]], ['b0', [4]], ['W1', [1, 4]], ['b1', [1]]]);
  assert.deepEqual(arraysToTheta(withBias, new Map(arrays), 'x'), theta);
  assert.deepEqual(thetaToArrays(noBias, new Float64Array(15)).map(([k]) => k), ['W0', 'W1']);
  assert.throws(() => arraysToTheta(withBias, new Map(arrays.slice(0, 3)), 'w.npz'), /missing array 'b1'/);
});

test('export folder: layout, manifest, NumPy reads it, verify agrees', () => {
  const dir = tempDir();
  try {
    const { source, result } = solvedExample(withBias);
    const out = join(dir, 'out', 'two_points');
    exportLandscape(out, source, result);
    assert.deepEqual(readdirSync(out).sort(), ['dataset.csv', 'dataset.npz', 'manifest.json', 'weights']);
    assert.deepEqual(readdirSync(join(out, 'weights')).sort(), ['A.npz', 'B.npz']);
    assert.deepEqual(readdirSync(join(dir, 'out')), ['two_points'], 'no temporary folder left behind');
    const manifest = parseManifest(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.spec.text, source.sourceText);
    assert.match(manifest.spec.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(manifest.network, withBias);
    assert.equal(manifest.planted.length, 2);
    assert.equal(manifest.planted[0].weights, 'weights/A.npz');
    assert.equal(manifest.solvability.rank, result.report.rank);
    assert.equal(typeof manifest.solvability.relativeLabelChange, 'number');

    const dataset = readNpz(readFileSync(join(out, 'dataset.npz')));
    assert.deepEqual(dataset.get('Y')?.data, result.Y);
    assert.deepEqual(dataset.get('Y_base')?.shape, [source.problem.data.m, 1]);
    assert.match(readFileSync(join(out, 'dataset.csv'), 'utf8'), /^x1,x2,y1\n/);

    const py = execFileSync('python3', ['-c', `
import json, numpy as np
d = np.load('${out}/dataset.npz'); w = np.load('${out}/weights/A.npz')
m = json.load(open('${out}/manifest.json'))
assert d['X'].shape == (m['data']['m'], 2) and d['Y'].dtype == np.float64 and sorted(w.files) == ['W0', 'W1', 'b0', 'b1']
assert w['W0'].shape == (4, 2) and w['W1'].shape == (1, 4)
h = np.tanh(d['X'] @ w['W0'].T + w['b0']); yhat = np.tanh(h @ w['W1'].T + w['b1'])
print(abs(np.mean((d['Y'] - yhat) ** 2) - m['planted'][0]['loss']) / m['planted'][0]['loss'])`], { encoding: 'utf8' });
    assert.ok(Number(py) < 1e-12, `NumPy loss agrees with the manifest: ${py}`);

    const report = verifyExportFolder(out, { linalg });
    assert.deepEqual(report.mismatches, []);
    assert.ok(report.ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify finds tampered labels, weights, manifest claims and missing files', () => {
  const dir = tempDir();
  try {
    const { source, result } = solvedExample(noBias, 5);
    const out = join(dir, 'e');
    exportLandscape(out, source, result, { datasetFormats: ['npz'] });
    assert.ok(!existsSync(join(out, 'dataset.csv')));
    assert.ok(verifyExportFolder(out, { linalg }).ok);

    // Labels moved: the planted points are no longer critical.
    const dataset = readNpz(readFileSync(join(out, 'dataset.npz')));
    const Y = dataset.get('Y');
    assert.ok(Y);
    Y.data[0] += 1e-3;
    writeFileSync(join(out, 'dataset.npz'), writeNpz(dataset));
    const moved = verifyExportFolder(out, { linalg });
    assert.ok(!moved.ok);
    assert.ok(moved.mismatches.some((m) => m.point === 'A' && m.field === 'gradientNorm'));
    assert.ok(moved.mismatches.some((m) => m.field === 'critical'));

    // A manifest that claims another signature.
    exportLandscape(out, source, result, { force: true });
    const manifestPath = join(out, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.planted[1].signature.negative += 1;
    manifest.spec.text += ' ';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const lied = verifyExportFolder(out, { linalg });
    assert.deepEqual(lied.mismatches.map((m) => `${m.point ?? ''}:${m.field}`).sort(), [':spec.sha256', 'B:signature']);

    rmSync(join(out, 'weights', 'A.npz'));
    const missing = verifyExportFolder(out, { linalg });
    assert.ok(!missing.ok);
    assert.ok(missing.mismatches.some((m) => /A\.npz/.test(m.message)), JSON.stringify(missing.mismatches));

    writeFileSync(manifestPath, '{"format": "crit-export", garbage');
    assert.match(verifyExportFolder(out, { linalg }).mismatches[0].message, /not valid JSON/);
    assert.match(verifyExportFolder(join(dir, 'nope'), { linalg }).mismatches[0].message, /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exports never overwrite silently and never replace an unrelated folder', () => {
  const dir = tempDir();
  try {
    const { source, result } = solvedExample(withBias);
    const out = join(dir, 'e');
    exportLandscape(out, source, result);
    assert.throws(() => exportLandscape(out, source, result), (e: unknown) => e instanceof ExportError && /already exists; use --force/.test(e.message));
    exportLandscape(out, source, result, { force: true });
    assert.deepEqual(readdirSync(dir), ['e'], 'replacing leaves neither the old nor a temporary folder');

    const unrelated = join(dir, 'src');
    mkdirSync(unrelated);
    writeFileSync(join(unrelated, 'keep.txt'), 'precious');
    assert.throws(() => exportLandscape(unrelated, source, result, { force: true }), /not a Crit export/);
    assert.equal(readFileSync(join(unrelated, 'keep.txt'), 'utf8'), 'precious');

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    exportLandscape(empty, source, result, { force: true });
    assert.ok(existsSync(join(empty, 'manifest.json')));

    const bad = { ...source, problem: { ...source.problem, planted: [{ ...source.problem.planted[0], name: '../evil' }] } };
    assert.throws(() => buildExportFiles(bad, result), /cannot be used as a file name/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
