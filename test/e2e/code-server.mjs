// code-server pieces shared by the e2e launcher (test/e2e/run-code-server.mjs) and `npm start`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const codeServerBin = path.join(repoRoot, '.e2e/code-server/node_modules/.bin/code-server');

/** Runs test/e2e/install-code-server.sh (a no-op when installed); throws when it fails. */
export function ensureCodeServerInstalled() {
  const install = spawnSync('bash', [path.join(repoRoot, 'test/e2e/install-code-server.sh')], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('installing code-server failed (see test/e2e/install-code-server.sh output above)');
}

/**
 * Creates code-server's user-data and config under `stateDir` (no trust prompt, no welcome page
 * over the workspace, no prompt about the checkout's git repository, no password, nothing read from ~/.config) and returns the arguments that use them.
 * `keepSettings`: leave an existing settings.json (the user's own changes) alone.
 */
export function prepareCodeServerState(stateDir, { keepSettings = false } = {}) {
  const userData = path.join(stateDir, 'user-data');
  const settingsFile = path.join(userData, 'User/settings.json');
  mkdirSync(path.dirname(settingsFile), { recursive: true });
  const settings = { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never' };
  if (!keepSettings || !existsSync(settingsFile)) writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  const configFile = path.join(stateDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  return ['--config', configFile, '--user-data-dir', userData, '--extensions-dir', path.join(stateDir, 'extensions')];
}

/** Arguments that make code-server serve `folder` on `origin` (host:port) without auth or phoning home. */
export function serveArgs(origin, folder) {
  return ['--auth', 'none', '--bind-addr', origin, '--disable-telemetry', '--disable-update-check', folder];
}

/**
 * The workbench URL that opens `folder` and loads the extension at `developmentPath`; with `testsPath`,
 * the extension host runs that module's `run()` (the same contract as @vscode/test-electron).
 */
export function workbenchUrl(origin, folder, developmentPath, testsPath) {
  const payload = [['extensionDevelopmentPath', `vscode-remote://${origin}${developmentPath}`]];
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${origin}${testsPath}`]);
  return `http://${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export async function waitForHealthy(origin, timeoutMs) {
  const url = `http://${origin}/healthz`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** `preferred` when it is free on 127.0.0.1, otherwise any free port. */
export async function loopbackPort(preferred = 0) {
  const listenOn = (port) =>
    new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(undefined));
      probe.listen(port, '127.0.0.1', () => {
        const { port: bound } = probe.address();
        probe.close(() => resolve(bound));
      });
    });
  const port = (preferred && (await listenOn(preferred))) || (await listenOn(0));
  if (!port) throw new Error('no free port on 127.0.0.1');
  return port;
}
