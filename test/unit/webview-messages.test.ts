// The webview <-> extension message checks: a webview is untrusted input, so malformed messages
// must be dropped, never acted on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPlotPanelState, parseFromWebview, parseToWebview } from '../../client/src/webviewMessages';

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
