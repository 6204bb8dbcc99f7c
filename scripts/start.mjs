// `npm start` (after `npm run build`): opens samples/ in VS Code with this checkout's extension loaded.
// Desktop VS Code when `code` is on PATH; otherwise a local code-server (installed on first use into
// .e2e/, see test/e2e/install-code-server.sh) runs in the foreground and prints the URL to open.
//
//   npm start [-- --port 8080] [-- --code-server]     (--code-server: skip desktop VS Code)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samples = path.join(repoRoot, 'samples');
const { values: options } = parseArgs({ options: { port: { type: 'string', default: '8080' }, 'code-server': { type: 'boolean' } } });

if (!existsSync(path.join(repoRoot, 'dist/client/extension.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm start does).');
  process.exit(1);
}

if (!options['code-server'] && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0) {
  console.log('Opening samples/ in VS Code with the Crit extension from this checkout.');
  const desktop = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, samples], { stdio: 'inherit' });
  process.exit(desktop.status ?? 1);
}

const install = spawnSync('bash', [path.join(repoRoot, 'test/e2e/install-code-server.sh')], { stdio: 'inherit' });
if (install.status !== 0) process.exit(install.status ?? 1);

// Kept between runs (under the ignored .e2e/), so editor state and settings survive a restart.
const stateDir = path.join(repoRoot, '.e2e/start');
const userData = path.join(stateDir, 'user-data');
mkdirSync(path.join(userData, 'User'), { recursive: true });
const settingsFile = path.join(userData, 'User/settings.json');
// The samples are this repository's own files: no trust prompt, no welcome page over them.
if (!existsSync(settingsFile)) writeFileSync(settingsFile, JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none' }, null, 2));
const configFile = path.join(stateDir, 'config.yaml');
writeFileSync(configFile, 'auth: none\n');

const port = (await isFree(Number(options.port))) ? Number(options.port) : await freePort();
const origin = `127.0.0.1:${port}`;
// The workbench loads an extension under development from the `payload` query parameter.
const payload = [['extensionDevelopmentPath', `vscode-remote://${origin}${repoRoot}`]];
const url = `http://${origin}/?folder=${encodeURIComponent(samples)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

const codeServer = spawn(
  path.join(repoRoot, '.e2e/code-server/node_modules/.bin/code-server'),
  ['--config', configFile, '--auth', 'none', '--bind-addr', origin, '--user-data-dir', userData, '--extensions-dir', path.join(stateDir, 'extensions'), '--disable-telemetry', '--disable-update-check', samples],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
codeServer.on('spawn', () => {
  console.log(`\ncode-server (VS Code 1.99) is serving samples/ with the Crit extension from this checkout.`);
  console.log(`Open this URL in a browser (Ctrl+C here stops it):\n\n  ${url}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => codeServer.kill('SIGTERM'));
codeServer.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 1)));

function isFree(candidate) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
