/** Editor features over a real server: every LSP method the server advertises, on a two-landscape file. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
} from 'vscode-languageserver-protocol/node';
import type { PublishDiagnosticsParams, CompletionItem, CompletionList, DocumentSymbol, Hover, MarkupContent, Position, TextEdit } from 'vscode-languageserver-protocol/node';
import { startServer, type TestClient } from './client';
import { CritCommands } from '../../server/src/protocol';

const text = readFileSync(join(__dirname, 'fixtures', 'features.crit'), 'utf8');
const uri = 'file:///tmp/crit-protocol-tests/features.crit';
const textDocument = { uri };
let client: TestClient;
let published: PublishDiagnosticsParams;

/** Position of the n-th occurrence of `needle` (plus `delta` characters). */
function at(needle: string, delta = 0, occurrence = 0, source = text): Position {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) offset = source.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `fixture contains ${needle}`);
  const before = source.slice(0, offset + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function labels(result: CompletionItem[] | CompletionList | null): string[] {
  const items = result === null ? [] : Array.isArray(result) ? result : result.items;
  return items.map((i) => i.label);
}

function hoverText(result: Hover | null): string {
  assert.ok(result !== null, 'a hover');
  return (result.contents as MarkupContent).value;
}

before(async () => {
  client = await startServer({ trusted: true, backgroundChecks: false });
  await client.open(uri, text);
  published = await client.diagnostics(uri, 1);
});
after(() => client.close());

test('advertises every feature', () => {
  const caps = client.initializeResult.capabilities;
  for (const key of ['completionProvider', 'hoverProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'documentSymbolProvider',
    'foldingRangeProvider', 'documentFormattingProvider', 'semanticTokensProvider', 'codeActionProvider', 'codeLensProvider', 'inlayHintProvider'] as const) {
    assert.ok(caps[key], key);
  }
});

test('tier-1 diagnostics name the unknown activation, and its quick fix replaces it', async () => {
  const unknown = published.diagnostics.find((d) => d.code === 'names/unknown-activation');
  assert.ok(unknown !== undefined, 'published');
  assert.deepEqual(unknown.range, { start: at('tanhh'), end: at('tanhh', 5) });
  assert.equal(published.version, 1);
  const range = { start: at('tanhh'), end: at('tanhh', 5) };
  const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument, range, context: { diagnostics: [] } });
  assert.ok(actions !== null && actions.length > 0, 'a quick fix');
  const fix = actions[0];
  assert.ok('edit' in fix && fix.edit?.changes?.[uri] !== undefined);
  assert.equal(fix.kind, 'quickfix');
  assert.deepEqual(fix.edit.changes[uri].map((e) => e.newText), ['tanh']);
  assert.equal(fix.diagnostics?.[0].code, 'names/unknown-activation');
});

test('completion fits the context', async () => {
  const complete = async (source: string, marker: string) => {
    const probe = 'file:///tmp/crit-protocol-tests/complete.crit';
    const offset = source.indexOf(marker);
    const cleaned = source.replace(marker, '');
    await client.open(probe, cleaned, 1);
    const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: probe }, position: at('', offset, 0, cleaned) });
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: probe } });
    return labels(result);
  };
  assert.ok((await complete('|', '|')).includes('landscape'), 'top level: landscape snippet');
  const body = 'landscape x {\n  network {\n    input 2\n    layer 4 |\n  }\n}\n';
  assert.ok((await complete(body, '|')).includes('relu'), 'activations after layer width');
  assert.ok((await complete('landscape x {\n  network {\n    |\n  }\n}\n', '|')).includes('layer'), 'network statements');
  const landscapeBody = await complete('landscape x {\n  weights A = normal(0, 1)\n  |\n}\n', '|');
  for (const k of ['network', 'data', 'weights', 'critical', 'plot', 'export']) assert.ok(landscapeBody.includes(k), k);
  assert.deepEqual(await complete('landscape x {\n  weights A = normal(0, 1)\n  weights B = he\n  critical |\n}\n', '|'), ['A', 'B']);
  assert.ok((await complete('landscape x {\n  data {\n    inputs |\n  }\n}\n', '|')).includes('uniform(lo, hi)'), 'distributions');
  assert.ok((await complete('landscape x {\n  critical A { hessian | }\n}\n', '|')).includes('saddle'), 'hessian targets');
});

test('the whole-landscape snippet, expanded with its defaults, is a valid spec', async () => {
  const probe = 'file:///tmp/crit-protocol-tests/snippet.crit';
  await client.open(probe, '', 1);
  const items = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: probe }, position: { line: 0, character: 0 } });
  const snippet = (Array.isArray(items) ? items : items?.items ?? []).find((i) => i.label === 'landscape')?.insertText;
  assert.ok(snippet !== undefined);
  const expanded = snippet.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1');
  await client.change(probe, expanded, 2);
  const published = await client.diagnostics(probe, 2);
  assert.deepEqual(published.diagnostics, [], expanded);
});

test('hover: layer shape, network N, data M vs K·N, keyword docs', async () => {
  const hover = (position: Position) => client.connection.sendRequest(HoverRequest.type, { textDocument, position });
  assert.match(hoverText(await hover(at('layer 6', 1))), /W0 6×2 \+ b0 6.*18 weights/s);
  assert.match(hoverText(await hover(at('network', 2))), /N = 25 parameters/);
  assert.match(hoverText(await hover(at('data', 1))), /M = m·d_y = 150.*K·N = 1·25 = 25/s);
  assert.match(hoverText(await hover(at('teacher', 2))), /base labels are the predictions/);
  assert.match(hoverText(await hover(at('critical A', 10))), /weights A.*planted critical point.*Not solved yet/s);
  assert.equal(await hover({ line: 0, character: 1 }), null, 'nothing to say inside a comment');
});

test('definition, references and rename of a weight name stay in its landscape', async () => {
  const onUse = at('teacher(T', 8);
  const definition = await client.connection.sendRequest(DefinitionRequest.type, { textDocument, position: onUse });
  assert.deepEqual(definition, [{ uri, range: { start: at('weights T', 8), end: at('weights T', 9) } }]);
  const refs = await client.connection.sendRequest(ReferencesRequest.type, { textDocument, position: onUse, context: { includeDeclaration: true } });
  assert.equal(refs?.length, 4, 'declaration, teacher(T), T + ..., interpolate T');
  const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument, position: onUse });
  assert.ok(prepared !== null && 'placeholder' in prepared && prepared.placeholder === 'T');
  const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument, position: onUse, newName: 'Teacher' });
  assert.equal(edit?.changes?.[uri].length, 4);
  assert.ok(edit?.changes?.[uri].every((e) => e.newText === 'Teacher'));
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument, position: onUse, newName: 'network' }), /keyword/);
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument, position: onUse, newName: 'A' }), /already declared/);
});

test('outline lists the landscapes at top level, folding covers blocks and comments', async () => {
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument })) as DocumentSymbol[];
  assert.deepEqual(symbols.map((s) => s.name), ['one', 'second']);
  const first = symbols[0].children?.map((c) => c.name);
  assert.deepEqual(first, ['seed', 'network', 'data', 'T', 'A', 'critical A', 'plot interpolate']);
  assert.equal(symbols[0].children?.[1].detail, 'N = 25');
  const folds = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument });
  assert.ok(folds?.some((f) => f.startLine === at('landscape one').line), 'landscape folds');
  assert.ok(folds?.some((f) => f.startLine === at('network').line), 'network folds');
  assert.ok(folds?.some((f) => f.kind === 'comment' && f.startLine === at('/* a block').line), 'block comment folds');
});

test('formatting gives a canonical layout, and formatting it again changes nothing', async () => {
  const messy = 'landscape  m{\n seed 1\n\tnetwork {\ninput 2\n      layer 3 tanh   // hidden\n\n\n\n output 1\n }\n weights A = [1,2 ,3]\n}\n\n';
  const probe = 'file:///tmp/crit-protocol-tests/format.crit';
  await client.open(probe, messy);
  const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: probe }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
  assert.equal(edits.length, 1);
  const formatted = edits[0].newText;
  assert.equal(formatted, 'landscape m {\n  seed 1\n  network {\n    input 2\n    layer 3 tanh  // hidden\n\n    output 1\n  }\n  weights A = [1, 2, 3]\n}\n');
  await client.change(probe, formatted, 2);
  const again = await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: probe }, options: { tabSize: 2, insertSpaces: true } });
  assert.deepEqual(again, [], 'idempotent');
});

test('semantic tokens classify keywords, weights, activations, numbers and comments', async () => {
  const tokens = await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument });
  assert.ok(tokens !== null);
  const legend = client.initializeResult.capabilities.semanticTokensProvider!.legend;
  const decoded: { line: number; character: number; length: number; type: string; modifiers: number }[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    line += tokens.data[i];
    character = tokens.data[i] === 0 ? character + tokens.data[i + 1] : tokens.data[i + 1];
    decoded.push({ line, character, length: tokens.data[i + 2], type: legend.tokenTypes[tokens.data[i + 3]], modifiers: tokens.data[i + 4] });
  }
  const typeAt = (p: Position) => decoded.find((t) => t.line === p.line && t.character === p.character);
  assert.equal(typeAt(at('landscape one'))?.type, 'keyword');
  assert.equal(typeAt(at('one {', 0))?.type, 'namespace');
  assert.equal(typeAt(at('tanh'))?.type, 'type');
  assert.equal(typeAt(at('150'))?.type, 'number');
  assert.equal(typeAt(at('// Two'))?.type, 'comment');
  assert.equal(typeAt(at('weights T', 8))?.type, 'variable');
  assert.equal(typeAt(at('weights T', 8))?.modifiers, 1, 'declaration');
  assert.equal(typeAt(at('teacher(T', 8))?.modifiers, 0, 'a use');
  assert.equal(typeAt(at('normal'))?.type, 'function');
  assert.equal(decoded.filter((t) => t.type === 'comment' && t.line === at('/* a block').line + 1).length, 1, 'block comment split per line');
});

test('CodeLens above each landscape carries the client commands with [uri, landscape]', async () => {
  const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument });
  assert.ok(lenses !== null);
  const commands = lenses.map((l) => [l.command?.command, ...(l.command?.arguments ?? [])]);
  for (const name of ['one', 'second']) {
    for (const command of [CritCommands.solve, CritCommands.previewDataset, CritCommands.plotInterpolation, CritCommands.export]) {
      assert.ok(commands.some((c) => c[0] === command && c[1] === uri && c[2] === name), `${command} ${name}`);
    }
  }
  assert.equal(lenses.filter((l) => l.range.start.line === at('landscape one').line).length, 4);
});

test('inlay hints: N after network, shapes after layers, M against K·N after data', async () => {
  const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument, range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } } });
  const texts = (hints ?? []).map((h) => `${h.position.line}:${String(h.label)}`);
  assert.ok(texts.includes(`${at('network').line}:N = 25`), texts.join(' | '));
  assert.ok(texts.includes(`${at('layer 6').line}:W0 6×2 + b0 6`));
  assert.ok(texts.includes(`${at('output 1 linear').line}:W1 1×6 + b1 1`));
  assert.ok(texts.includes(`${at('data').line}:M 150 ≥ K·N 25`));
});
