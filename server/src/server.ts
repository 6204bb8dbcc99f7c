/**
 * The Crit language server: wiring only. Connection, open documents, and each LSP method bound to a
 * handler in lsp/. Transport (--stdio, --node-ipc, --socket=N) is chosen from the command line by
 * vscode-languageserver's createConnection.
 */
import {
  CodeActionKind,
  createConnection,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import type { CancellationToken, InitializeParams, InitializeResult, WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  DatasetRequest,
  ExportRequest,
  ProbeRequest,
  ResultChangedNotification,
  ResultRequest,
  SettingsNotification,
  SolveRequest,
  StatusNotification,
} from './protocol';
import type { CritSettings, ProbeParams, ProbeResponse, SolveResponse, SolveParams } from './protocol';
import type { DocumentAnalysis } from './lsp/analysis';
import { BackgroundChecker } from './lsp/background';
import { codeActions } from './lsp/codeActions';
import { codeLenses } from './lsp/codeLens';
import { completion } from './lsp/completion';
import { datasetRequest, exportRequest, resultRequest } from './lsp/custom';
import { PerDocumentDebouncer } from './lsp/debounce';
import { collectDiagnostics } from './lsp/diagnostics';
import { formatCritText } from './lsp/format';
import { hover } from './lsp/hover';
import { inlayHints } from './lsp/inlayHints';
import { ServerModel } from './lsp/model';
import { ProbeService } from './lsp/probe';
import { definition, prepareRename, references, rename } from './lsp/navigation';
import { SEMANTIC_TOKENS_LEGEND, semanticTokens } from './lsp/semanticTokens';
import { SolveService } from './lsp/solve';
import { StatusTracker } from './lsp/status';
import { documentSymbols, foldingRanges } from './lsp/symbols';
import { WorkerLane } from './worker/lane';

/** Tier 1 runs this long after the last keystroke; tier 2 (compile + worker) waits longer. */
const TIER1_DEBOUNCE_MS = 15;
const TIER2_DEBOUNCE_MS = 200;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const log = (message: string): void => connection.console.log(message);
const model = new ServerModel();
const status = new StatusTracker((params) => void connection.sendNotification(StatusNotification, params));
const checkLane = new WorkerLane('check', log);
const solveLane = new WorkerLane('solve', log);
const probeLane = new WorkerLane('probe', log);
const tier1 = new PerDocumentDebouncer(TIER1_DEBOUNCE_MS);
const tier2 = new PerDocumentDebouncer(TIER2_DEBOUNCE_MS);
let clientCanCreateProgress = false;

const isCurrent = (uri: string, version: number): boolean => documents.get(uri)?.version === version;

function publish(uri: string): void {
  const document = documents.get(uri);
  if (document === undefined) return;
  const analysis = model.analysis(document);
  void connection.sendDiagnostics({ uri, version: analysis.version, diagnostics: collectDiagnostics(model, analysis) });
}

const background = new BackgroundChecker({ model, lane: checkLane, status, publish, isCurrent });
const solves = new SolveService({
  model,
  lane: solveLane,
  status,
  resultChanged: (ref, version, achieved) => {
    void connection.sendNotification(ResultChangedNotification, { ...ref, version, achieved });
    // Certificates turn into diagnostics (targets not reached) on the next tier-2 pass.
    scheduleTier2(ref.uri);
  },
});

const probes = new ProbeService({ model, lane: probeLane, status, solve: (analysis, landscape, progress, cancel) => solves.solve(analysis, landscape, progress, cancel) });

function scheduleTier2(uri: string): void {
  tier2.schedule(uri, () => {
    const document = documents.get(uri);
    if (document === undefined) return;
    background.check(model.analysis(document)).catch((error: unknown) => log(`background check failed: ${describe(error)}`));
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Every handler goes through here: the document is looked up (a closed one answers null), and a
 * failure is logged and answered as an error instead of reaching the process.
 */
function withDocument<P extends { textDocument: { uri: string } }, R>(name: string, handler: (analysis: DocumentAnalysis, params: P) => R) {
  return (params: P): R | null => {
    try {
      const document = documents.get(params.textDocument.uri);
      if (document === undefined) return null;
      return handler(model.analysis(document), params);
    } catch (error) {
      log(`${name} failed: ${describe(error)}`);
      throw new ResponseError(ErrorCodes.InternalError, `${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

function offsetOf(analysis: DocumentAnalysis, position: { line: number; character: number }): number {
  const document = documents.get(analysis.uri);
  return document === undefined ? 0 : document.offsetAt(position);
}

function applySettings(settings: CritSettings | undefined): void {
  const before = model.settings;
  model.settings = { ...before, ...(settings ?? {}) };
  if (JSON.stringify(before) === JSON.stringify(model.settings)) return;
  for (const document of documents.all()) {
    if (!model.settings.trusted) {
      solves.cancelDocument(document.uri);
      probes.cancelDocument(document.uri);
    }
    scheduleTier2(document.uri);
  }
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  clientCanCreateProgress = params.capabilities.window?.workDoneProgress === true;
  applySettings(params.initializationOptions as CritSettings | undefined);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [' ', '(', '>'] },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      documentFormattingProvider: true,
      semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      codeLensProvider: { resolveProvider: false },
      inlayHintProvider: true,
    },
    serverInfo: { name: 'crit-language-server', version: '0.1.0' },
  };
});

connection.onNotification(SettingsNotification, applySettings);

documents.onDidChangeContent(({ document }) => {
  background.cancel(document.uri);
  solves.cancelDocument(document.uri);
  probes.cancelDocument(document.uri);
  status.documentChanged(document.uri);
  const { uri, version } = document;
  tier1.schedule(uri, () => {
    if (!isCurrent(uri, version)) return; // stale: a newer change is pending
    publish(uri);
    scheduleTier2(uri);
  });
});

documents.onDidClose(({ document }) => {
  tier1.cancel(document.uri);
  tier2.cancel(document.uri);
  background.cancel(document.uri);
  solves.cancelDocument(document.uri);
  probes.cancelDocument(document.uri);
  model.close(document.uri);
  void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
});

connection.onCompletion(withDocument('completion', (analysis, params) => completion(analysis, offsetOf(analysis, params.position))));
connection.onHover(withDocument('hover', (analysis, params) => hover(model, analysis, offsetOf(analysis, params.position))));
connection.onDefinition(withDocument('definition', (analysis, params) => definition(analysis, offsetOf(analysis, params.position))));
connection.onReferences(
  withDocument('references', (analysis, params) => references(analysis, offsetOf(analysis, params.position), params.context.includeDeclaration)),
);
connection.onPrepareRename(withDocument('prepareRename', (analysis, params) => prepareRename(analysis, offsetOf(analysis, params.position))));
connection.onRenameRequest(withDocument('rename', (analysis, params) => rename(analysis, offsetOf(analysis, params.position), params.newName)));
connection.onDocumentSymbol(withDocument('documentSymbol', (analysis) => documentSymbols(analysis)));
connection.onFoldingRanges(withDocument('foldingRange', (analysis) => foldingRanges(analysis)));
const semanticTokensHandler = withDocument('semanticTokens', (analysis) => semanticTokens(analysis));
connection.languages.semanticTokens.on((params) => semanticTokensHandler(params) ?? { data: [] });
connection.onCodeAction(withDocument('codeAction', (analysis, params) => codeActions(model, analysis, params.range)));
connection.onCodeLens(withDocument('codeLens', (analysis) => codeLenses(model, analysis)));
connection.languages.inlayHint.on(withDocument('inlayHint', (analysis, params) => inlayHints(model, analysis, params.range)));
connection.onDocumentFormatting(
  withDocument('formatting', (analysis) => {
    if (analysis.tooLarge) return [];
    const formatted = formatCritText(analysis.text);
    return formatted === analysis.text ? [] : [{ range: { start: { line: 0, character: 0 }, end: analysis.lines.positionAt(analysis.text.length) }, newText: formatted }];
  }),
);

// ---- custom requests ------------------------------------------------------------------------

/**
 * Work-done progress for a solve: on the client's token when it sent one, else on a server-created
 * one (whose Cancel button also cancels the solve) when the client supports that.
 */
async function progressFor(params: SolveParams, title: string): Promise<{ reporter: WorkDoneProgressReporter; cancelled?: CancellationToken }> {
  if (params.workDoneToken === undefined && clientCanCreateProgress) {
    try {
      const created = await connection.window.createWorkDoneProgress();
      created.begin(title, 0, 'starting', true);
      return { reporter: created, cancelled: created.token };
    } catch (error) {
      log(`no work-done progress: ${describe(error)}`); // the solve goes on without it
    }
  }
  const reporter = connection.window.attachWorkDoneProgress(params.workDoneToken);
  reporter.begin(title, 0, 'starting', true);
  return { reporter };
}

/** Runs `work` with work-done progress, cancelled by the request's token or the progress's Cancel button. */
async function withProgress<R>(
  params: SolveParams,
  title: string,
  token: CancellationToken | undefined,
  work: (progress: { report(percentage: number, message: string): void }, cancel: AbortSignal) => Promise<R>,
): Promise<R> {
  const { reporter, cancelled } = await progressFor(params, title);
  const cancel = new AbortController();
  const subscriptions = [token?.onCancellationRequested(() => cancel.abort()), cancelled?.onCancellationRequested(() => cancel.abort())];
  if (token?.isCancellationRequested === true) cancel.abort();
  try {
    return await work({ report: (percentage, message) => reporter.report(percentage, message) }, cancel.signal);
  } finally {
    for (const subscription of subscriptions) subscription?.dispose();
    reporter.done();
  }
}

async function solveRequest(params: SolveParams, token: CancellationToken | undefined): Promise<SolveResponse> {
  const document = documents.get(params.uri);
  if (document === undefined) return { status: 'failed', message: `${params.uri} is not open` };
  return withProgress(params, `Crit: solving ${params.landscape}`, token, (progress, cancel) => solves.solve(model.analysis(document), params.landscape, progress, cancel));
}

async function probeRequest(params: ProbeParams, token: CancellationToken | undefined): Promise<ProbeResponse> {
  const document = documents.get(params.uri);
  if (document === undefined) return { status: 'failed', message: `${params.uri} is not open` };
  const what = params.probe === undefined ? params.landscape : `${params.landscape}/${params.probe}`;
  return withProgress(params, `Crit: probing ${what}`, token, (progress, cancel) => probes.probe(model.analysis(document), params, progress, cancel));
}

/** Like withDocument for the custom requests: failures answer with an error, never crash. */
function guarded<P, R>(name: string, handler: (params: P, token: CancellationToken) => Promise<R> | R) {
  return async (params: P, token: CancellationToken): Promise<R> => {
    try {
      return await handler(params, token);
    } catch (error) {
      log(`${name} failed: ${describe(error)}`);
      throw new ResponseError(ErrorCodes.InternalError, `${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

connection.onRequest(SolveRequest, guarded('crit/solve', solveRequest));
connection.onRequest(ProbeRequest, guarded('crit/probe', probeRequest));
connection.onRequest(ResultRequest, guarded('crit/result', (params) => resultRequest(model, params)));
connection.onRequest(
  DatasetRequest,
  guarded('crit/dataset', (params) => {
    const document = documents.get(params.uri);
    return document === undefined ? null : datasetRequest(model, model.analysis(document), params);
  }),
);
connection.onRequest(
  ExportRequest,
  guarded('crit/export', async (params, token) => {
    const document = documents.get(params.uri);
    if (document === undefined) return { status: 'failed' as const, message: `${params.uri} is not open` };
    return exportRequest(model, model.analysis(document), params, () => solveRequest({ uri: params.uri, landscape: params.landscape }, token));
  }),
);

connection.onShutdown(() => {
  tier1.dispose();
  tier2.dispose();
  background.dispose();
  solves.dispose();
  probes.dispose();
  checkLane.dispose();
  solveLane.dispose();
  probeLane.dispose();
});

// A bug in a background task is logged; it must not take the editor's server down.
process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${describe(reason)}`));
process.on('uncaughtException', (error) => log(`uncaught exception: ${describe(error)}`));

documents.listen(connection);
connection.listen();
