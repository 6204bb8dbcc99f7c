import * as vscode from 'vscode';

/**
 * Open Sample: copies one of the extension's `samples/*.crit` into the workspace (folder
 * `crit-samples/`) so it can be edited, solved and exported there; with no workspace folder it opens
 * as an untitled document. The installed sample itself is never opened for editing.
 */
export async function openSample(extensionUri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const samplesFolder = vscode.Uri.joinPath(extensionUri, 'samples');
  const entries = await vscode.workspace.fs.readDirectory(samplesFolder).then(
    (found) => found,
    () => [] as [string, vscode.FileType][],
  );
  const names = entries.filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.crit')).map(([name]) => name).sort();
  if (names.length === 0) {
    void vscode.window.showWarningMessage('Crit: this installation has no samples.');
    return undefined;
  }
  const name = await vscode.window.showQuickPick(names, { title: 'Open a Crit sample' });
  if (!name) return undefined;
  const content = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(samplesFolder, name));

  const workspace = vscode.workspace.workspaceFolders?.[0];
  let document: vscode.TextDocument;
  if (workspace) {
    const copy = vscode.Uri.joinPath(workspace.uri, 'crit-samples', name);
    const exists = await vscode.workspace.fs.stat(copy).then(() => true, () => false);
    // An existing copy may hold the user's edits: open it rather than overwrite it.
    if (!exists) await vscode.workspace.fs.writeFile(copy, content);
    document = await vscode.workspace.openTextDocument(copy);
  } else {
    document = await vscode.workspace.openTextDocument({ language: 'crit', content: new TextDecoder().decode(content) });
  }
  await vscode.window.showTextDocument(document);
  return document;
}
