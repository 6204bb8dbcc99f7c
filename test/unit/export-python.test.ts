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

function check(dir: string): { status: number | null; report: { ok: boolean; points: { name: string; relativeGradientNorm: number; problems: string[]; signature?: object }[] } } {
  const run = spawnSync(PYTHON, [SCRIPT, dir, '--json', '--hessian'], { encoding: 'utf8' });
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
    nets.forEach((net, k) => {
      const { source, result } = solvedExample(net, 11 + k);
      const out = join(dir, `e${k}`);
      exportLandscape(out, source, result);
      const { status, report } = check(out);
      assert.equal(status, 0, JSON.stringify(report, null, 1));
      assert.ok(report.ok);
      assert.equal(report.points.length, 2);
      for (const point of report.points) {
        assert.ok(point.relativeGradientNorm < 1e-10, `${net.activations.join('/')} ${point.name}: ${point.relativeGradientNorm}`);
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
    const lied = check(out);
    assert.equal(lied.status, 1);
    assert.match(lied.report.points[0].problems.join(), /gradient norm/);
    assert.deepEqual(lied.report.points[1].problems, []);

    const moved = { ...result, Y: result.Y.map((y, i) => (i === 0 ? y + 0.5 : y)) };
    exportLandscape(out, source, moved, { force: true });
    const bad = check(out);
    assert.equal(bad.status, 1);
    assert.ok(bad.report.points.every((p) => p.problems.some((msg) => /loss|critical/.test(msg))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
