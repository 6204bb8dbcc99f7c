import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliProcess, crit } from './cli-helpers';
import { TWO_POINTS } from './specs';

const dir = mkdtempSync(join(tmpdir(), 'crit-cli-check-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function spec(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('crit check: a good spec exits 0; a typo prints file:line:col: severity code: message and exits 1', async () => {
  const good = spec('good.crit', TWO_POINTS);
  const typo = spec('typo.crit', TWO_POINTS.replace('layer 8 tanh', 'layer 8 tanhh'));
  // One real process: the exit status and streams as a shell sees them.
  const [ok, bad] = await Promise.all([crit('check', good), cliProcess('check', good, typo)]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.match(ok.stderr, /1 file checked: 0 errors/);
  assert.equal(bad.status, 1);
  // 1-based: line 6 of the spec, column of `tanhh` (UTF-16 units + 1).
  const column = TWO_POINTS.split('\n')[5].indexOf('tanh') + 1;
  assert.match(bad.stdout, new RegExp(`^${typo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:${column}: error names/unknown-activation: .*did you mean \`tanh\``, 'm'));
  assert.ok(!bad.stdout.includes('good.crit'), 'no diagnostics for the good file');
});

test('crit check --json lists diagnostics with 1-based positions', async () => {
  const typo = spec('typo2.crit', TWO_POINTS.replace('weights B = normal(0, 1)', 'weights B = normal(0, 1)\n  critical C'));
  const run = await crit('check', '--json', typo);
  assert.equal(run.status, 1);
  const { diagnostics } = JSON.parse(run.stdout) as { diagnostics: { file: string; line: number; column: number; severity: string; code: string; message: string }[] };
  const undefinedName = diagnostics.find((d) => d.severity === 'error' && /C/.test(d.message));
  assert.ok(undefinedName, run.stdout);
  assert.equal(undefinedName.file, typo);
  assert.equal(undefinedName.line, 17);
  assert.ok(undefinedName.column >= 1);
});

test('crit check on broken input: missing file, folder, garbage bytes, truncated text, huge sizes', async () => {
  const garbage = spec('garbage.crit', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const nul = spec('nul.crit', 'landscape a {\u0000}');
  const truncated = spec('truncated.crit', TWO_POINTS.slice(0, 300));
  const huge = spec('huge.crit', TWO_POINTS.replace(/points \d+/, 'points 1e12'));
  const hugeNumber = spec('hugenum.crit', TWO_POINTS.replace('seed 7', 'seed 1e400').replace('layer 8 tanh', 'layer 99999999999999999999 tanh'));
  const runs = await Promise.all([
    crit('check', join(dir, 'missing.crit')),
    crit('check', dir),
    crit('check', garbage),
    crit('check', nul),
    crit('check', truncated),
    crit('check', huge),
    crit('check', hugeNumber),
  ]);
  for (const run of runs) {
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /:\d+:\d+: error [a-z-]+\/[a-z-]+: /, run.stdout);
    assert.ok(!/\n\s+at /.test(run.stderr), `no stack trace: ${run.stderr}`);
  }
  const [missing, folder, bytes, nulRun, cut, big] = runs;
  assert.match(missing.stdout, /io\/unreadable: no such file/);
  assert.match(folder.stdout, /io\/not-a-file/);
  assert.match(bytes.stdout, /io\/not-text/);
  assert.match(nulRun.stdout, /io\/not-text/);
  assert.match(cut.stdout, /error syntax\//);
  assert.match(big.stdout, /points 1e12/);
});

test('crit with a bad command or option exits 1 with a hint', async () => {
  const [unknown, noFile] = await Promise.all([cliProcess('frobnicate'), crit('solve')]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown command/);
  assert.equal(noFile.status, 1);
  assert.match(noFile.stderr, /missing required argument/);
});

const SAMPLES = join(__dirname, '..', '..', 'samples');

test('crit check runs the solvability analysis: the output-bias conflict with its fix; --no-analysis skips it', async () => {
  const unsolvable = join(SAMPLES, 'unsolvable.crit');
  const [text, json, validationOnly] = await Promise.all([crit('check', unsolvable), crit('check', '--json', unsolvable), crit('check', '--no-analysis', '--json', unsolvable)]);
  assert.equal(text.status, 1);
  // The fix's title follows its diagnostic on an indented line.
  assert.match(text.stdout, /unsolvable\.crit:\d+:\d+: error solvability\/output-bias-conflict: .*\n {4}fix: Shift B's output bias by -?\d/);
  type Listed = { code: string; severity: string; fixes?: string[] };
  const conflict = (JSON.parse(json.stdout) as { diagnostics: Listed[] }).diagnostics.find((d) => d.code === 'solvability/output-bias-conflict');
  assert.ok(conflict, json.stdout);
  assert.equal(conflict.severity, 'error');
  assert.match(conflict.fixes?.[0] ?? '', /^Shift B's output bias by /);
  assert.equal(validationOnly.status, 1, 'the other landscapes still have errors');
  const codes = (JSON.parse(validationOnly.stdout) as { diagnostics: Listed[] }).diagnostics.map((d) => d.code);
  assert.ok(codes.includes('counts/too-few-points'), codes.join());
  assert.ok(!codes.some((c) => c.startsWith('solvability/')), codes.join());
});

test('crit check on a clean sample: exit 0 and no solvability errors; a tiny budget is a warning, not a hang', async () => {
  const clean = join(SAMPLES, 'fig2_two_points.crit');
  const [run, budget] = await Promise.all([crit('check', '--json', clean), crit('check', '--memory-budget', '0.001', clean)]);
  assert.equal(run.status, 0, run.stdout);
  const { diagnostics } = JSON.parse(run.stdout) as { diagnostics: { severity: string }[] };
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(budget.status, 0, budget.stdout);
  assert.match(budget.stdout, /warning solvability\/memory-budget: the solvability check could not run: .*memory budget/);
});
