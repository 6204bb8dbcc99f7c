import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ExportRequest, type ExportResponse, type LandscapeRef } from '../../server/src/protocol';

/**
 * Export Dataset: the server writes the folder (the same layout as `crit solve --out`); this side
 * only chooses where, asks before replacing, and reports the result with a button to reveal it.
 * `outDir` undefined means the server's default (the spec's `export` path or `<spec folder>/<landscape>`).
 * Returns the final response, or undefined when the user backed out.
 */
export async function exportLandscape(
  client: LanguageClient,
  ref: LandscapeRef,
  outDir: string | undefined,
  options: { interactive: boolean },
): Promise<ExportResponse | undefined> {
  let target = outDir;
  for (;;) {
    const response = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Crit: exporting ${ref.landscape}…` },
      () => client.sendRequest(ExportRequest, { ...ref, outDir: target }),
    );
    if (response.status !== 'exists') {
      if (options.interactive) reportExport(ref, response);
      return response;
    }
    if (!options.interactive) return response;
    const replace = 'Replace';
    const elsewhere = 'Choose Another Folder…';
    const answer = await vscode.window.showWarningMessage(
      `${response.path} already exists. Replace its contents with the export of ${ref.landscape}?`,
      { modal: true },
      replace,
      elsewhere,
    );
    if (answer === replace) {
      const forced = await client.sendRequest(ExportRequest, { ...ref, outDir: response.path, force: true });
      reportExport(ref, forced);
      return forced;
    }
    if (answer !== elsewhere) return undefined;
    target = await askExportFolder(ref);
    if (target === undefined) return undefined;
  }
}

/** Asks for the parent folder; the export goes into `<parent>/<landscape>`. */
export async function askExportFolder(ref: LandscapeRef): Promise<string | undefined> {
  const spec = vscode.Uri.parse(ref.uri);
  const defaultUri = spec.scheme === 'file' ? vscode.Uri.file(path.dirname(spec.fsPath)) : vscode.workspace.workspaceFolders?.[0]?.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri,
    openLabel: 'Export Here',
    title: `Export ${ref.landscape} into a new folder "${ref.landscape}" inside…`,
  });
  return picked?.[0] ? path.join(picked[0].fsPath, ref.landscape) : undefined;
}

function reportExport(ref: LandscapeRef, response: ExportResponse): void {
  if (response.status === 'failed') {
    void vscode.window.showErrorMessage(`Crit: export of ${ref.landscape} failed: ${response.message}`);
    return;
  }
  if (response.status !== 'written') return;
  const reveal = 'Reveal';
  void vscode.window
    .showInformationMessage(`Crit: exported ${ref.landscape} (${response.files.length} files) to ${response.path}`, reveal)
    .then((answer) => {
      if (answer === reveal) void revealFolder(vscode.Uri.file(response.path));
    });
}

/** Inside the workspace the Explorer shows the folder; elsewhere the OS file manager does. */
async function revealFolder(folder: vscode.Uri): Promise<void> {
  if (vscode.workspace.getWorkspaceFolder(folder)) await vscode.commands.executeCommand('revealInExplorer', folder);
  else await vscode.commands.executeCommand('revealFileInOS', folder);
}
