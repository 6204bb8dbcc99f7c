import * as vscode from 'vscode';
import type { LandscapeRef } from '../../server/src/protocol';

/**
 * Works out which landscape a command is about. CodeLenses pass `[uri, landscape]`; from the palette
 * the active `.crit` editor is used and its landscapes are read from the server's document symbols
 * (top-level symbols are landscapes), asking when there is more than one.
 */
export async function resolveLandscape(args: readonly unknown[]): Promise<LandscapeRef | undefined> {
  const [uriArg, landscapeArg] = args;
  const uri = uriArg instanceof vscode.Uri ? uriArg.toString() : typeof uriArg === 'string' ? uriArg : undefined;
  if (uri !== undefined && typeof landscapeArg === 'string') return { uri, landscape: landscapeArg };

  const document = uri !== undefined
    ? await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))
    : vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== 'crit') {
    void vscode.window.showWarningMessage('Crit: open a .crit file first.');
    return undefined;
  }
  const names = await landscapeNames(document.uri);
  if (names.length === 0) {
    void vscode.window.showWarningMessage('Crit: this file declares no landscape yet.');
    return undefined;
  }
  const cursorName = landscapeAtCursor(document, await documentSymbols(document.uri));
  const landscape = names.length === 1 ? names[0]
    : cursorName ?? (await vscode.window.showQuickPick(names, { title: 'Which landscape?' }));
  return landscape === undefined ? undefined : { uri: document.uri.toString(), landscape };
}

async function documentSymbols(uri: vscode.Uri): Promise<vscode.DocumentSymbol[]> {
  const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>(
    'vscode.executeDocumentSymbolProvider',
    uri,
  );
  return (symbols ?? []).filter((s): s is vscode.DocumentSymbol => 'range' in s && 'children' in s);
}

export async function landscapeNames(uri: vscode.Uri): Promise<string[]> {
  return (await documentSymbols(uri)).map((s) => s.name);
}

function landscapeAtCursor(document: vscode.TextDocument, symbols: vscode.DocumentSymbol[]): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document !== document) return undefined;
  return symbols.find((s) => s.range.contains(editor.selection.active))?.name;
}
