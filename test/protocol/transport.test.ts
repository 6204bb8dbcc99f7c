/** The server starts over --node-ipc (how the VS Code client runs it) as well as --stdio (any editor). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
} from 'vscode-languageserver-protocol/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { resolve } from 'node:path';
import { SERVER_JS } from './client';

test('--node-ipc: initialize, diagnostics for a broken file, clean exit', async () => {
  const child = fork(SERVER_JS, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const diagnostics = new Promise<PublishDiagnosticsParams>((r) => connection.onNotification(PublishDiagnosticsNotification.type, r));
  connection.listen();
  try {
    const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal(init.serverInfo?.name, 'crit-language-server');
    await connection.sendNotification(InitializedNotification.type, {});
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: 'file:///tmp/ipc.crit', languageId: 'crit', version: 3, text: 'landscape {' },
    });
    const published = await diagnostics;
    assert.equal(published.version, 3);
    assert.ok(published.diagnostics.length > 0);
    await connection.sendRequest(ShutdownRequest.type);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
  } finally {
    connection.dispose();
    child.kill();
  }
});

test('the npm bin runs the bundled server', async () => {
  const bin = resolve(__dirname, '../../bin/crit-language-server.js');
  const child = fork(bin, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  try {
    const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
    assert.ok(init.capabilities.completionProvider);
  } finally {
    connection.dispose();
    child.kill();
  }
});
