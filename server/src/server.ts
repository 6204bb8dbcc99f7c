/**
 * The Crit language server: wiring only. Connection, open documents, and each LSP method bound to a
 * handler in lsp/. Transport (--stdio, --node-ipc, --socket=N) is chosen from the command line by
 * vscode-languageserver's createConnection.
 */
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText } from './lsp/analysis';
import { PerDocumentDebouncer } from './lsp/debounce';
import { toLspDiagnostic } from './lsp/convert';

const TIER1_DEBOUNCE_MS = 20;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const tier1 = new PerDocumentDebouncer(TIER1_DEBOUNCE_MS);

connection.onInitialize(
  (): InitializeResult => ({
    capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
    serverInfo: { name: 'crit-language-server', version: '0.1.0' },
  }),
);

function publishTier1(uri: string, version: number): void {
  const document = documents.get(uri);
  if (document === undefined || document.version !== version) return; // stale: a newer change is pending
  const analysis = analyzeText(document.getText());
  connection.sendDiagnostics({ uri, version, diagnostics: analysis.diagnostics.map(toLspDiagnostic) });
}

documents.onDidChangeContent(({ document }) => {
  tier1.schedule(document.uri, () => publishTier1(document.uri, document.version));
});
documents.onDidClose(({ document }) => {
  tier1.cancel(document.uri);
  connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
});

documents.listen(connection);
connection.listen();
