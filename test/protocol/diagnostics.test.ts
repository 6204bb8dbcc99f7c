import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './client';

test('publishes versioned syntax diagnostics for a broken file over --stdio', async () => {
  const client = await startServer();
  try {
    const uri = 'file:///tmp/broken.crit';
    await client.open(uri, 'landscape a {\n  network {\n', 1);
    const first = await client.diagnostics(uri, 1);
    assert.equal(first.version, 1);
    assert.ok(first.diagnostics.length > 0, 'a broken file has diagnostics');
    assert.ok(first.diagnostics.every((d) => d.severity === 1 && d.source === 'crit'));
  } finally {
    await client.close();
  }
});
