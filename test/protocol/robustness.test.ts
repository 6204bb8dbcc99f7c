/**
 * Robustness: random edits and random bytes never crash the server and every request is answered
 * (with a result or an error); malformed requests get errors; huge and hostile input stays bounded.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InlayHintRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
} from 'vscode-languageserver-protocol/node';
import { startServer, type TestClient } from './client';
import { DatasetRequest, ResultRequest } from '../../server/src/protocol';
import { formatCritText } from '../../server/src/lsp/format';

const seedText = readFileSync(join(__dirname, 'fixtures', 'features.crit'), 'utf8');
const ANSWER_TIMEOUT_MS = 10_000;
let client: TestClient;

before(async () => {
  // Untrusted: the point here is the editor features on hostile text, not numerics.
  client = await startServer({ trusted: false });
});
after(async () => {
  assert.equal(client.process.exitCode, null, `the server is still running\n${client.stderr()}`);
  await client.close();
});

/** Resolves 'answered' for a result or an error response; fails the test when no answer comes. */
async function answered(request: Promise<unknown>): Promise<'result' | 'error'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('request left unanswered')), ANSWER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([request.then(() => 'result' as const, () => 'error' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function anyRequest(uri: string, line: number, character: number): Promise<unknown> [] {
  const textDocument = { uri };
  const position = { line, character };
  const range = { start: position, end: { line: line + 3, character: 0 } };
  const c = client.connection;
  return [
    c.sendRequest(CompletionRequest.type, { textDocument, position }),
    c.sendRequest(HoverRequest.type, { textDocument, position }),
    c.sendRequest(DefinitionRequest.type, { textDocument, position }),
    c.sendRequest(ReferencesRequest.type, { textDocument, position, context: { includeDeclaration: true } }),
    c.sendRequest(RenameRequest.type, { textDocument, position, newName: 'Z' }),
    c.sendRequest(DocumentSymbolRequest.type, { textDocument }),
    c.sendRequest(FoldingRangeRequest.type, { textDocument }),
    c.sendRequest(SemanticTokensRequest.type, { textDocument }),
    c.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 2, insertSpaces: true } }),
    c.sendRequest(CodeActionRequest.type, { textDocument, range, context: { diagnostics: [] } }),
    c.sendRequest(CodeLensRequest.type, { textDocument }),
    c.sendRequest(InlayHintRequest.type, { textDocument, range }),
    c.sendRequest(ResultRequest, { uri, landscape: 'one' }),
    c.sendRequest(DatasetRequest, { uri, landscape: 'one' }),
  ];
}

const fragment = fc.oneof(
  fc.constantFrom('{', '}', '(', ')', '[', ']', ',', '->', '=', '+', '-', '*', ';', '"', '/*', '*/', '//', '\n', ' ', '1e308', '-0', 'NaN', '1e999999'),
  fc.constantFrom('landscape', 'network', 'layer', 'data', 'points', 'weights', 'critical', 'hessian', 'saddle(', 'plot', 'interpolate', 'export', 'tanh', 'A', 'T'),
  fc.string({ maxLength: 12 }),
  fc.fullUnicodeString({ maxLength: 6 }),
);
const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 30 }), insert: fc.array(fragment, { maxLength: 4 }).map((parts) => parts.join(' ')) });

test('random edits: no crash, every request answered, final version published', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), fc.nat(), fc.nat(), async (edits, line, character) => {
      const uri = `file:///tmp/crit-protocol-tests/random-${run++}.crit`;
      let text = seedText;
      await client.open(uri, text, 1);
      let version = 1;
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        await client.change(uri, text, ++version);
        // Requests race the edits on purpose: answers for an older version are fine, none missing is not.
        for (const outcome of await Promise.all(anyRequest(uri, line % 40, character % 30).map(answered))) assert.ok(outcome === 'result' || outcome === 'error');
      }
      const published = await client.diagnostics(uri, version, ANSWER_TIMEOUT_MS);
      assert.equal(published.version, version);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }),
    { numRuns: 25, seed: 20261204 },
  );
  assert.equal(client.process.exitCode, null);
});

test('random bytes as a whole document: no crash, every request answered', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.nat(), async (bytes, position) => {
      const uri = `file:///tmp/crit-protocol-tests/bytes-${run++}.crit`;
      const text = Buffer.from(bytes).toString('utf8');
      await client.open(uri, text, 1);
      for (const outcome of await Promise.all(anyRequest(uri, position % 5, position % 80).map(answered))) assert.ok(outcome === 'result' || outcome === 'error');
      await client.diagnostics(uri, 1, ANSWER_TIMEOUT_MS);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }),
    { numRuns: 40, seed: 7 },
  );
  assert.equal(client.process.exitCode, null);
});

test('formatting is idempotent and changes only whitespace, on random text', () => {
  const strip = (t: string): string => t.replace(/\s+/g, '');
  fc.assert(
    fc.property(fc.array(fc.oneof(fragment, fc.constantFrom('\t', '\r\n', '\r', '  ', seedText)), { maxLength: 30 }).map((parts) => parts.join('')), (text) => {
      const once = formatCritText(text);
      assert.equal(formatCritText(once), once, 'idempotent');
      assert.equal(strip(once), strip(text), 'only whitespace changes');
    }),
    { numRuns: 500, seed: 42 },
  );
});

test('a malformed request is answered with an error and the server carries on', async () => {
  await assert.rejects(client.connection.sendRequest('textDocument/hover', {}));
  await assert.rejects(client.connection.sendRequest('crit/dataset', null));
  const uri = 'file:///tmp/crit-protocol-tests/after-error.crit';
  await client.open(uri, seedText);
  const symbols = await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
  assert.ok(Array.isArray(symbols) && symbols.length === 2);
  assert.ok(client.logs.some((l) => /failed/.test(l)), 'the failure was logged');
});

test('huge and hostile documents stay bounded in time', async () => {
  const cases: [string, string][] = [
    ['too large', `landscape a {}\n${'// filler line\n'.repeat(150_000)}`],
    ['deep nesting', `landscape a { weights A = ${'['.repeat(50_000)} }`],
    ['many landscapes', Array.from({ length: 2000 }, (_, i) => `landscape l${i} { network { input 2 layer 3 tanh output 1 } data { points 10 } weights A = he critical A }`).join('\n')],
    ['one long line', `landscape a { weights A = [${'1, '.repeat(100_000)}1] }`],
  ];
  for (const [name, text] of cases) {
    const uri = `file:///tmp/crit-protocol-tests/hostile-${name.replace(/ /g, '-')}.crit`;
    const started = Date.now();
    await client.open(uri, text);
    const published = await client.diagnostics(uri, 1, 15_000);
    for (const outcome of await Promise.all(anyRequest(uri, 0, 5).map(answered))) assert.ok(outcome === 'result' || outcome === 'error');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 15_000, `${name}: ${elapsed} ms`);
    if (name === 'too large') assert.equal(published.diagnostics[0]?.code, 'limits/document-too-large');
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
});
