// `npm start` (after `npm run build`): opens samples/ in VS Code with this checkout's extension loaded.
// Desktop VS Code when `code` is on PATH; otherwise a local code-server (installed on first use into
// .e2e/, see test/e2e/install-code-server.sh) runs in the foreground and prints the URL to open.
//
//   npm start [-- --port 8080] [-- --code-server]     (--code-server: skip desktop VS Code)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { codeServerBin, ensureCodeServerInstalled, loopbackPort, prepareCodeServerState, serveArgs, waitForHealthy, workbenchUrl } from '../test/e2e/code-server.mjs';

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

ensureCodeServerInstalled();
// Kept between runs under the ignored .e2e/, so editor state and the user's settings survive a restart.
const stateDir = path.join(repoRoot, '.e2e/start');
const codeServerArgs = prepareCodeServerState(stateDir, { keepSettings: true });
const origin = `127.0.0.1:${await loopbackPort(Number(options.port))}`;
// Its log is mostly harmless noise offline (no marketplace, no telemetry); shown only when it fails.
const logFile = path.join(stateDir, 'code-server.log');
const log = openSync(logFile, 'w');
const codeServer = spawn(codeServerBin, [...codeServerArgs, ...serveArgs(origin, samples)], { stdio: ['ignore', log, log] });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => codeServer.kill('SIGTERM'));
codeServer.on('exit', (code, signal) => {
  if (!signal && code !== 0) console.error(`code-server exited with ${code}; its log (${logFile}):\n${readFileSync(logFile, 'utf8')}`);
  process.exit(signal ? 0 : (code ?? 1));
});

await waitForHealthy(origin, 60_000);
console.log(`\ncode-server (VS Code 1.99) is serving samples/ with the Crit extension from this checkout.`);
console.log(`Open this URL in a browser (Ctrl+C here stops it; log: ${path.relative(repoRoot, logFile)}):\n\n  ${workbenchUrl(origin, samples, repoRoot)}\n`);
