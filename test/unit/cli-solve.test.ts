import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpz, writeNpz } from '../../server/src/io/npz';
import { cliProcess, crit } from './cli-helpers';
import { OUTPUT_BIAS_CONFLICT, TWO_MINIMA, TWO_POINTS } from './specs';

const dir = mkdtempSync(join(tmpdir(), 'crit-cli-solve-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function spec(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('crit solve writes the spec\'s export, prints the certificate, refuses to overwrite; verify agrees', async () => {
  const file = spec('two.crit', TWO_POINTS);
  const first = await crit('solve', file);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  const exportDir = join(dir, 'out', 'two_points');
  assert.deepEqual(readdirSync(exportDir).sort(), ['dataset.csv', 'dataset.npz', 'manifest.json', 'weights']);
  assert.match(first.stdout, /landscape two_points/);
  assert.match(first.stdout, /✓\s+A\s+saddle\(2\)\s+\(\d+\+, 2−, 0 zero\)/);
  assert.match(first.stdout, /✓\s+B\s+any/);
  assert.match(first.stdout, new RegExp(`export written to ${exportDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  const [again, verified] = await Promise.all([crit('solve', file), crit('verify', exportDir)]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists; use --force/);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /every planted point agrees with the manifest/);

  // Move one label: verify must see that A and B are no longer critical.
  const datasetPath = join(exportDir, 'dataset.npz');
  const dataset = readNpz(readFileSync(datasetPath));
  dataset.get('Y')!.data[5] += 0.01;
  writeFileSync(datasetPath, writeNpz(dataset));
  const [tampered, forced] = await Promise.all([crit('verify', '--json', exportDir), crit('solve', file, '--out', join(dir, 'elsewhere'), '--json')]);
  assert.equal(tampered.status, 1);
  const report = JSON.parse(tampered.stdout) as { ok: boolean; mismatches: { point?: string; field: string }[] };
  assert.equal(report.ok, false);
  assert.ok(report.mismatches.some((m) => m.point === 'A' && m.field === 'gradientNorm'));

  assert.equal(forced.status, 0, forced.stderr);
  const summary = JSON.parse(forced.stdout) as { exitCode: number; landscapes: { landscape: string; achieved: boolean; exports: string[]; certificates: { name: string; relativeGradientNorm: number; eigenvalues?: unknown }[] }[] };
  assert.equal(summary.exitCode, 0);
  assert.equal(summary.landscapes[0].landscape, 'two_points');
  assert.deepEqual(summary.landscapes[0].exports, [join(dir, 'elsewhere', 'two_points')]);
  for (const c of summary.landscapes[0].certificates) {
    assert.ok(c.relativeGradientNorm < 1e-10);
    assert.equal(c.eigenvalues, undefined);
  }
  const replaced = await crit('solve', file, '--force');
  assert.equal(replaced.status, 0, replaced.stderr);
  assert.ok(readNpz(readFileSync(datasetPath)).get('Y')!.data[5] !== dataset.get('Y')!.data[5], 'the tampered export was replaced');
});

test('crit solve exits 2 when solved but a Hessian target is not reached, 1 on unusable specs', async () => {
  const hard = spec('hard.crit', TWO_MINIMA);
  const broken = spec('broken.crit', TWO_POINTS.replace('output 1 linear', 'output 1 linea'));
  const notText = join(dir, 'bin.crit');
  writeFileSync(notText, Uint8Array.from([0xff, 0xfe, 0x00, 0x41, 0x80]));
  const [notReached, bad, binary, missing] = await Promise.all([
    cliProcess('solve', hard, '--no-export'),
    crit('solve', broken, '--no-export'),
    crit('solve', notText),
    crit('solve', join(dir, 'nope.crit')),
  ]);
  assert.equal(notReached.status, 2, notReached.stdout + notReached.stderr);
  assert.match(notReached.stdout, /✗\s+A\s+minimum/);
  assert.match(notReached.stderr, /not every Hessian target was reached/);
  assert.ok(!existsSync(join(dir, 'hard')), '--no-export writes nothing');
  for (const run of [bad, binary, missing]) {
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /:\d+:\d+: error /);
  }
  assert.match(bad.stderr, /unknown activation/);
});

test('crit solve --landscape ignores errors elsewhere in the file; a failed planting is reported, not exported', async () => {
  const conflict = `${OUTPUT_BIAS_CONFLICT}
landscape broken {
  network { input 3; layer 6 tanhh; output 1 linear }
  data { points 10 }
}
`;
  const file = spec('conflict.crit', conflict);
  const outDir = join(dir, 'conflict-out');
  const [whole, one] = await Promise.all([crit('solve', file, '--out', outDir), crit('solve', file, '--landscape', 'output_bias_conflict', '--out', outDir)]);
  assert.equal(whole.status, 1);
  assert.match(whole.stderr, /unknown activation/);
  assert.equal(whole.stdout, '', 'nothing solved while the file has errors');
  assert.equal(one.status, 1);
  assert.ok(!one.stderr.includes('tanhh'), 'errors of other landscapes are not reported');
  assert.match(one.stderr, /error solvability\/output-bias-conflict/);
  assert.match(one.stderr, /no export for 'output_bias_conflict': A, B not critical/);
  assert.match(one.stdout, /✗\s+A\s+any/);
  assert.ok(!existsSync(outDir), 'nothing written');
});

test('crit plot writes an SVG and the CSV behind every plot', async () => {
  const file = spec('plot.crit', TWO_POINTS.replace('plot interpolate A -> B from -0.5 to 1.5 steps 41', 'plot interpolate A -> B from -0.5 to 1.5 steps 41\n  plot spectrum A\n  plot dataset'));
  const outDir = join(dir, 'plots');
  mkdirSync(outDir);
  const run = await crit('plot', file, '--out', outDir, '--theme', 'dark');
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const files = readdirSync(join(outDir, 'two_points')).sort();
  assert.deepEqual(files, ['dataset.csv', 'dataset.svg', 'interpolate-A-B.csv', 'interpolate-A-B.svg', 'spectrum-A.csv', 'spectrum-A.svg']);
  const svg = readFileSync(join(outDir, 'two_points', 'interpolate-A-B.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg'), 'an SVG document');
  assert.ok(/A \(\d+\+, 2−, 0 zero\) saddle\(2\) ✓/.test(svg), 'the planted point is marked with its certified signature');
  const csv = readFileSync(join(outDir, 'two_points', 'interpolate-A-B.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'alpha,loss,gradient_norm');
  assert.equal(csv.length, 42);
  const spectrum = readFileSync(join(outDir, 'two_points', 'spectrum-A.csv'), 'utf8').trim().split('\n');
  assert.equal(spectrum.length, 1 + 32, 'one row per eigenvalue of the 32-parameter net');
});
