/** Two-tier diagnostics: versioned tier 1 on every change, tier 2 from the worker, cached by problem content. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeActionRequest, HoverRequest, InlayHintRequest } from 'vscode-languageserver-protocol/node';
import type { MarkupContent, TextEdit } from 'vscode-languageserver-protocol/node';
import { startServer } from './client';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

/** Applies non-overlapping edits (LSP positions) to a text. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => lineStarts[p.line] + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

test('publishes versioned syntax diagnostics for a broken file over --stdio', async () => {
  const client = await startServer();
  try {
    const uri = 'file:///tmp/crit-protocol-tests/broken.crit';
    await client.open(uri, 'landscape a {\n  network {\n', 1);
    const first = await client.diagnostics(uri, 1);
    assert.equal(first.version, 1);
    assert.ok(first.diagnostics.length > 0, 'a broken file has diagnostics');
    assert.ok(first.diagnostics.every((d) => d.source === 'crit' && typeof d.code === 'string'));
    assert.ok(first.diagnostics.some((d) => d.severity === 1 && String(d.code).startsWith('syntax/')));
  } finally {
    await client.close();
  }
});

test('a burst of edits is debounced: stale versions are dropped, the last one is published', async () => {
  const client = await startServer({ trusted: false });
  try {
    const uri = 'file:///tmp/crit-protocol-tests/burst.crit';
    await client.open(uri, 'landscape a {', 1);
    for (let v = 2; v <= 8; v++) await client.change(uri, `landscape a { network { input ${v} `, v);
    await client.change(uri, 'landscape a {}\n', 9);
    const last = await client.diagnostics(uri, 9);
    assert.equal(last.version, 9);
    const versions = client.allPublished.filter((p) => p.uri === uri).map((p) => p.version ?? -1);
    assert.ok(versions.length < 9, `fewer publishes than versions: ${versions.join(',')}`);
    assert.deepEqual([...versions].sort((a, b) => a - b), versions, 'never an older version after a newer one');
  } finally {
    await client.close();
  }
});

test('tier 2 reports an output-bias conflict from the worker; its quick fix resolves it', async () => {
  const client = await startServer({ trusted: true });
  try {
    const uri = 'file:///tmp/crit-protocol-tests/bias.crit';
    const text = fixture('bias.crit');
    await client.open(uri, text, 1);
    const tier2 = await client.diagnostics(uri, 1, 15_000, (p) => p.diagnostics.some((d) => d.code === 'solvability/output-bias-conflict'));
    assert.equal(tier2.version, 1);
    assert.ok(client.statuses.some((s) => s.state === 'checking'), 'the worker ran');
    const conflict = tier2.diagnostics.find((d) => d.code === 'solvability/output-bias-conflict')!;
    const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: conflict.range, context: { diagnostics: [conflict] } });
    const fix = actions?.find((a) => 'edit' in a && a.edit !== undefined);
    assert.ok(fix !== undefined && 'edit' in fix && fix.edit?.changes !== undefined, 'a quick fix');
    await client.change(uri, applyEdits(text, fix.edit.changes[uri]), 2);
    const statusesBefore = client.statuses.length;
    await client.waitFor('a check of version 2 to run and end', () => {
      const after = client.statuses.slice(statusesBefore);
      const checked = after.findIndex((s) => s.state === 'checking');
      return checked >= 0 && after.slice(checked).some((s) => s.state === 'idle') ? true : undefined;
    }, 15_000);
    const final = client.allPublished.filter((p) => p.uri === uri).at(-1)!;
    assert.equal(final.version, 2);
    assert.ok(!final.diagnostics.some((d) => d.code === 'solvability/output-bias-conflict'), JSON.stringify(final.diagnostics));
    assert.ok(!final.diagnostics.some((d) => d.severity === 1), 'no errors left');
  } finally {
    await client.close();
  }
});

test('editing a comment re-uses the cached check (no worker run); editing a number re-checks', async () => {
  const client = await startServer({ trusted: true });
  try {
    const uri = 'file:///tmp/crit-protocol-tests/cache.crit';
    const text = fixture('bias.crit');
    await client.open(uri, text, 1);
    await client.diagnostics(uri, 1, 15_000, (p) => p.diagnostics.some((d) => d.code === 'solvability/output-bias-conflict'));
    await client.waitFor('idle', () => (client.statuses[client.statuses.length - 1]?.state === 'idle' ? true : undefined));
    // Once checked, the rank shows in the inlay hint and the hover on `data`.
    const dataLine = text.split('\n').findIndex((l) => l.includes('data {'));
    const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } });
    assert.ok(hints?.some((h) => h.position.line === dataLine && /M 100 ≥ K·N 34, rank \d+\/34/.test(String(h.label))), JSON.stringify(hints));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: dataLine, character: 3 } });
    assert.match((hover?.contents as MarkupContent).value, /rank \d+\/34.*inconsistent/s);
    const checksBefore = client.statuses.filter((s) => s.state === 'checking').length;
    await client.change(uri, text.replace('// Two random points', '// Two quite random points'), 2);
    const cached = await client.diagnostics(uri, 2, 15_000, (p) => p.diagnostics.some((d) => d.code === 'solvability/output-bias-conflict'));
    assert.equal(cached.version, 2);
    assert.equal(client.statuses.filter((s) => s.state === 'checking').length, checksBefore, 'no worker run for a comment edit');
    await client.change(uri, text.replace('points 100', 'points 120'), 3);
    await client.diagnostics(uri, 3, 15_000, (p) => p.diagnostics.some((d) => d.code === 'solvability/output-bias-conflict'));
    assert.ok(client.statuses.filter((s) => s.state === 'checking').length > checksBefore, 'a changed number is checked again');
  } finally {
    await client.close();
  }
});

test('tier-2 diagnostics of a landscape that an edit did not touch move with it at once (no flicker)', async () => {
  const client = await startServer({ trusted: true });
  try {
    const uri = 'file:///tmp/crit-protocol-tests/move.crit';
    const text = fixture('bias.crit');
    await client.open(uri, text, 1);
    const checked = await client.diagnostics(uri, 1, 15_000, (p) => p.diagnostics.some((d) => d.code === 'solvability/output-bias-conflict'));
    const before = checked.diagnostics.find((d) => d.code === 'solvability/output-bias-conflict')!;
    await client.change(uri, `// a new first line\n\n${text}`, 2);
    const first = await client.diagnostics(uri, 2); // the tier-1 publish, before any check of version 2
    const moved = first.diagnostics.find((d) => d.code === 'solvability/output-bias-conflict');
    assert.ok(moved !== undefined, 'carried over');
    assert.equal(moved.range.start.line, before.range.start.line + 2);
    assert.equal(moved.range.start.character, before.range.start.character);
    await client.change(uri, text.replace('points 100', 'points 101'), 3);
    const changed = await client.diagnostics(uri, 3);
    assert.ok(!changed.diagnostics.some((d) => d.code === 'solvability/output-bias-conflict'), 'not carried into an edited landscape');
  } finally {
    await client.close();
  }
});

test('an untrusted workspace gets tier 1 only: no file reads, no worker', async () => {
  const client = await startServer({ trusted: false });
  try {
    const uri = 'file:///tmp/crit-protocol-tests/untrusted.crit';
    await client.open(uri, fixture('bias.crit'), 1);
    const first = await client.diagnostics(uri, 1);
    assert.deepEqual(first.diagnostics, []);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(!client.statuses.some((s) => s.state === 'checking'));
  } finally {
    await client.close();
  }
});

test('a large dataset is compiled in the worker: tier 1 stays responsive meanwhile', async () => {
  const client = await startServer({ trusted: true, memoryBudgetBytes: 64 * 1024 * 1024 });
  try {
    const uri = 'file:///tmp/crit-protocol-tests/large.crit';
    const text = 'landscape large {\n  network { input 10 layer 20 tanh output 1 }\n  data { points 300000 inputs normal(0, 1) labels teacher(A) + noise(0.1) }\n  weights A = normal(0, 1)\n  critical A\n}\n';
    await client.open(uri, text, 1);
    await client.diagnostics(uri, 1);
    await new Promise((resolve) => setTimeout(resolve, 400)); // tier 2 has started compiling
    const started = Date.now();
    await client.change(uri, `// edited\n${text}`, 2);
    await client.diagnostics(uri, 2);
    assert.ok(Date.now() - started < 1000, `tier 1 answered in ${Date.now() - started} ms`);
    const budget = await client.diagnostics(uri, 2, 30_000, (p) => p.diagnostics.some((d) => d.code === 'solvability/memory-budget'));
    assert.match(budget.diagnostics.find((d) => d.code === 'solvability/memory-budget')!.message, /memory budget/);
  } finally {
    await client.close();
  }
});
