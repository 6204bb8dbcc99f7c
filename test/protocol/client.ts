/**
 * A real LSP client for protocol tests: spawns the built server (dist/server/server.js, run
 * `npm run build` first) with --stdio and talks to it through vscode-languageserver-protocol.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  LogMessageNotification,
  WorkDoneProgressCreateRequest,
  WorkDoneProgress,
  ExitNotification,
} from 'vscode-languageserver-protocol/node';
import type { ProtocolConnection, PublishDiagnosticsParams, InitializeResult } from 'vscode-languageserver-protocol/node';
import { ResultChangedNotification, StatusNotification } from '../../server/src/protocol';
import type { CritSettings, StatusParams } from '../../server/src/protocol';

export const SERVER_JS = resolve(__dirname, '../../dist/server/server.js');

export interface TestClient {
  connection: ProtocolConnection;
  process: ChildProcessWithoutNullStreams;
  initializeResult: InitializeResult;
  /** Every `$/progress` notification received on server-created or recordProgress tokens, in order. */
  progress: { token: string | number; value: unknown }[];
  recordProgress(token: string | number): void;
  stderr: () => string;
  open(uri: string, text: string, version?: number): Promise<void>;
  change(uri: string, text: string, version: number): Promise<void>;
  /**
   * Resolves with the first diagnostics published for uri whose version is >= minVersion (and that
   * `accept` takes), consuming it and everything published before it.
   */
  diagnostics(uri: string, minVersion: number, timeoutMs?: number, accept?: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams>;
  /** Every diagnostics notification received, never consumed. */
  allPublished: PublishDiagnosticsParams[];
  /** `crit/status` and `crit/resultChanged` notifications received so far. */
  statuses: StatusParams[];
  /** window/logMessage texts (handler failures are logged there). */
  logs: string[];
  resultsChanged: unknown[];
  /** Resolves when find() returns something, re-checked at each notification. */
  waitFor<T>(what: string, find: () => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startServer(settings: CritSettings = { trusted: true }): Promise<TestClient> {
  const child = spawn(process.execPath, [SERVER_JS, '--stdio'], { stdio: 'pipe' });
  let stderrText = '';
  child.stderr.on('data', (chunk: Buffer) => (stderrText += chunk.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: (() => void)[] = [];
  const statuses: StatusParams[] = [];
  const resultsChanged: unknown[] = [];
  const wakeAll = (): void => {
    for (const wake of waiters.splice(0)) wake();
  };
  const allPublished: PublishDiagnosticsParams[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    allPublished.push(params);
    wakeAll();
  });
  const logs: string[] = [];
  connection.onNotification(LogMessageNotification.type, (params) => logs.push(params.message));
  connection.onNotification(StatusNotification, (params) => {
    statuses.push(params);
    wakeAll();
  });
  connection.onNotification(ResultChangedNotification, (params) => {
    resultsChanged.push(params);
    wakeAll();
  });
  const progress: { token: string | number; value: unknown }[] = [];
  const recordProgress = (token: string | number): void => {
    connection.onProgress(WorkDoneProgress.type, token, (value) => progress.push({ token, value }));
  };
  connection.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    recordProgress(token);
    return null;
  });
  connection.listen();
  const initializeResult = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      window: { workDoneProgress: true },
      textDocument: { publishDiagnostics: { versionSupport: true } },
    },
    initializationOptions: settings,
  });
  await connection.sendNotification(InitializedNotification.type, {});

  const waitFor = <T>(what: string, find: () => T | undefined, timeoutMs = 10_000): Promise<T> =>
    new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const look = (): void => {
        const found = find();
        if (found !== undefined) {
          clearTimeout(timer);
          resolvePromise(found);
        } else waiters.push(look);
      };
      look();
    });
  const diagnostics = (uri: string, minVersion: number, timeoutMs = 10_000, accept: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> =>
    waitFor(`diagnostics for ${uri} v${minVersion}`, () => {
      const found = published.find((p) => p.uri === uri && (p.version ?? -1) >= minVersion && accept(p));
      if (found !== undefined) published.splice(0, published.indexOf(found) + 1);
      return found;
    }, timeoutMs);

  return {
    connection,
    process: child,
    initializeResult,
    progress,
    recordProgress,
    stderr: () => stderrText,
    open: (uri, text, version = 1) =>
      connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'crit', version, text } }),
    change: (uri, text, version) =>
      connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] }),
    diagnostics,
    allPublished,
    statuses,
    logs,
    resultsChanged,
    waitFor,
    async close() {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      connection.dispose();
    },
  };
}
