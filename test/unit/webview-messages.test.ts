// The webview <-> extension message checks: a webview is untrusted input, so malformed messages
// must be dropped, never acted on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPlotPanelState, parseFromWebview, parseToWebview, reviveProbeResult } from '../../client/src/webviewMessages';
import type { ProbeResultJson } from '../../server/src/protocol';
import type { ProbeResult } from '../../server/src/probe/types';

const target = { kind: 'interpolation', uri: 'file:///w/a.crit', landscape: 'L' } as const;

test('well-formed webview messages are accepted with exactly their known fields', () => {
  assert.deepEqual(parseFromWebview({ type: 'ready', extra: 'ignored' }), { type: 'ready' });
  assert.deepEqual(parseFromWebview({ type: 'rendered', kind: 'plane', revision: 3, marks: 10 }), { type: 'rendered', kind: 'plane', revision: 3, marks: 10 });
  assert.deepEqual(parseFromWebview({ type: 'saveImage', format: 'svg', content: '<svg/>', path: '/etc/passwd' }), {
    type: 'saveImage',
    format: 'svg',
    content: '<svg/>',
  });
});

test('malformed or unknown webview messages are rejected', () => {
  for (const bad of [
    null,
    'ready',
    42,
    {},
    { type: 'writeFile', path: '/tmp/x', content: 'x' },
    { type: 'rendered', kind: 'pie', revision: 1, marks: 1 },
    { type: 'rendered', kind: 'plane', revision: '1', marks: 1 },
    { type: 'saveImage', format: 'gif', content: 'x' },
    { type: 'saveImage', format: 'png' },
    { type: 'renderFailed' },
  ]) {
    assert.equal(parseFromWebview(bad), undefined, JSON.stringify(bad));
  }
});

test('extension messages and saved panel state are checked by shape', () => {
  assert.deepEqual(parseToWebview({ type: 'renderImage', format: 'png' }), { type: 'renderImage', format: 'png' });
  assert.equal(parseToWebview({ type: 'show', target, revision: 1 }), undefined, 'show without data');
  assert.equal(parseToWebview({ type: 'show', target: { ...target, kind: 'x' }, revision: 1, data: {} }), undefined);
  assert.equal(parseToWebview({ type: 'empty', target }), undefined, 'empty without a reason');
  assert.ok(isPlotPanelState({ target, revision: 0 }));
  assert.equal(isPlotPanelState({ target: { kind: 'plane' }, revision: 0 }), false);
  assert.equal(isPlotPanelState(undefined), false);
});

test('a probe result sent over JSON gets its non-finite numbers back as NaN; "never left" stays null', () => {
  const run = {
    optimizer: 0, group: 0, start: 0, steps: [0, 1, 2],
    loss: [1, Number.POSITIVE_INFINITY, Number.NaN], gradientNorm: [0.5, Number.NaN, Number.NaN],
    distances: [[0, 1, Number.NaN]], u: [0, 0.1, Number.NaN], v: [0, 0.2, Number.NaN],
    escapeStep: null, finalBasin: 'diverged', converged: false, finalLoss: Number.NaN, finalGradientNorm: Number.NaN, wallTimeMs: 3,
  };
  const sent = {
    landscape: 'L', probe: 'p', backend: 'tfjs-cpu', optimizerLabels: ['sgd'], groupLabels: ['A random r=0.1'],
    points: [{ name: 'A', loss: 0.25 }], centerLoss: [0.25], runs: [run],
    summary: [{ optimizer: 0, group: 0, runs: 1, escaped: 0, escapeRate: 0, medianEscapeStep: null, basins: { diverged: 1 }, converged: 0, wallTimeMs: 3 }],
    wallTimeMs: 5, workers: 1,
  } as unknown as ProbeResult;
  const wire = JSON.parse(JSON.stringify(sent)) as ProbeResultJson;
  assert.deepEqual(wire.runs[0].loss, [1, null, null], 'JSON turns them into null');
  const revived = reviveProbeResult(wire);
  assert.deepEqual(revived.runs[0].loss, [1, Number.NaN, Number.NaN]);
  assert.deepEqual(revived.runs[0].u, [0, 0.1, Number.NaN]);
  assert.deepEqual(revived.runs[0].distances, [[0, 1, Number.NaN]]);
  assert.ok(Number.isNaN(revived.runs[0].finalLoss));
  assert.equal(revived.runs[0].escapeStep, null);
  assert.equal(revived.summary[0].medianEscapeStep, null);
  assert.deepEqual(revived.points, [{ name: 'A', loss: 0.25 }]);
});
