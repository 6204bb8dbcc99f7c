// Shared helpers for the extension-host suite.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'crit-dev.crit';

/** The workspace folder the launchers open: a temp copy of samples/ plus test/fixtures/ under `fixtures/`. */
export function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the launcher must open a workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

export async function openCritDocument(...segments: string[]): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(...segments));
  await vscode.window.showTextDocument(document);
  return document;
}

/** Resolves with the diagnostics of `uri` once `accept` holds for them; rejects after `timeoutMs`. */
export function diagnosticsMatching(
  uri: vscode.Uri,
  accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean,
  timeoutMs: number,
): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      if (!accept(diagnostics)) return false;
      listener.dispose();
      clearTimeout(timer);
      resolve(diagnostics);
      return true;
    };
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      listener.dispose();
      const seen = vscode.languages.getDiagnostics(uri).map((d) => d.message);
      reject(new Error(`no matching diagnostics for ${uri.fsPath} within ${timeoutMs} ms; current: ${JSON.stringify(seen)}`));
    }, timeoutMs);
    check();
  });
}
