import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkSpec } from '../../server/src/engine/types';
import { exportLandscape } from '../../server/src/io/export';
import { solvedExample } from './export-fixture';

// Debian's python3-torch installs into the system interpreter; CRIT_TORCH_PYTHON overrides it.
const PYTHON = process.env.CRIT_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', 'python', 'check_export.py');

interface PointReport { name: string; relativeGradientNorm: number; problems: string[]; signature?: object }
interface Report { ok: boolean; folders: { folder: string; ok: boolean; points: PointReport[] }[] }

function check(...dirs: string[]): { status: number | null; report: Report } {
  const run = spawnSync(PYTHON, [SCRIPT, ...dirs, '--json', '--hessian'], { encoding: 'utf8' });
  assert.equal(run.error, undefined, `could not run ${PYTHON}: ${run.error?.message}`);
  assert.ok(run.stdout.trim().startsWith('{'), `check_export.py printed no report: ${run.stderr}`);
  return { status: run.status, report: JSON.parse(run.stdout) };
}

const nets: NetworkSpec[] = [
  { sizes: [2, 4, 1], activations: ['tanh', 'tanh'], bias: true },
  { sizes: [3, 3, 2], activations: ['gelu', 'softplus'], bias: false },
  { sizes: [2, 3, 2, 1], activations: ['elu', 'sigmoid', 'sin'], bias: true },
];

test('PyTorch float64 recomputes the gradient and signature of every planted point of an export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crit-torch-'));
  try {
    const folders = nets.map((net, k) => {
      const { source, result } = solvedExample(net, 11 + k);
      const out = join(dir, `e${k}`);
      exportLandscape(out, source, result);
      return out;
    });
    const { status, report } = check(...folders);
    assert.equal(status, 0, JSON.stringify(report, null, 1));
    assert.ok(report.ok);
    assert.equal(report.folders.length, nets.length);
    report.folders.forEach((folder, k) => {
      assert.equal(folder.points.length, 2);
      for (const point of folder.points) {
        assert.ok(point.relativeGradientNorm < 1e-10, `${nets[k].activations.join('/')} ${point.name}: ${point.relativeGradientNorm}`);
        assert.ok(point.signature, 'signature checked');
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the PyTorch check fails on moved labels and on a wrong claimed gradient', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crit-torch-'));
  try {
    const { source, result } = solvedExample(nets[0], 2);
    const out = join(dir, 'e');
    exportLandscape(out, source, result);
    const manifestPath = join(out, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.planted[0].gradientNorm = 1e-3;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const moved = { ...result, Y: result.Y.map((y, i) => (i === 0 ? y + 0.5 : y)) };
    const movedOut = join(dir, 'moved');
    exportLandscape(movedOut, source, moved);
    const { status, report } = check(out, movedOut);
    assert.equal(status, 1);
    const [lied, bad] = report.folders;
    assert.match(lied.points[0].problems.join(), /gradient norm/);
    assert.deepEqual(lied.points[1].problems, []);
    assert.ok(!bad.ok);
    assert.ok(bad.points.every((p) => p.problems.some((msg) => /loss|critical/.test(msg))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
