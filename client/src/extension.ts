// The Crit extension: starts the bundled Crit language server for `.crit` documents.
import * as path from 'node:path';
import type { ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerCritFeatures } from './critFeatures';
import { critSettings } from './settings';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    // --inspect lets the "Attach to Crit language server" launch configuration connect.
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'crit' }],
    // Workspace Trust and limits; updated later through `crit/settings`.
    initializationOptions: critSettings(),
  };
  client = new LanguageClient('crit', 'Crit Language Server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  // Before start: notification handlers and the webview serializer must exist when the server first talks.
  registerCritFeatures(context, client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
