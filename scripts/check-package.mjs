// Proves a packaged .vsix is complete and its bundles load outside this checkout:
// unzips it to a temp folder, checks every file package.json points at is inside, loads the
// extension module against a stub `vscode` (activate/deactivate exported) and starts the bundled
// language server over stdio: it must answer `initialize` and publish diagnostics for the broken
// fixture the extension-host suite also uses. The packaged `crit` CLI must print its help.
//
//   node scripts/check-package.mjs dist/crit.vsix
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';

const SERVER_ANSWER_TIMEOUT_MS = 15_000;
const BROKEN_FIXTURE = new URL('../test/fixtures/broken.crit', import.meta.url);
// A vsix far above this means node_modules, sources or maps slipped past .vscodeignore.
const MAX_VSIX_BYTES = 15 * 1024 * 1024;

const vsixPath = process.argv[2];
if (!vsixPath) {
  console.error('usage: node scripts/check-package.mjs <file.vsix>');
  process.exit(2);
}

const problems = [];
const check = (ok, message) => {
  if (!ok) problems.push(message);
  return ok;
};

const tempRoot = mkdtempSync(path.join(tmpdir(), 'crit-vsix-'));
try {
  const vsixBytes = readFileSync(vsixPath);
  const entries = unzipSync(vsixBytes);
  for (const [name, bytes] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    const target = path.join(tempRoot, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  const extensionRoot = path.join(tempRoot, 'extension');
  const names = Object.keys(entries);
  console.log(`${vsixPath}: ${(vsixBytes.length / 1024).toFixed(0)} KiB, ${names.length} files`);
  check(vsixBytes.length <= MAX_VSIX_BYTES, `vsix is ${vsixBytes.length} bytes, over ${MAX_VSIX_BYTES}`);
  check(!names.some((n) => n.includes('node_modules/')), 'vsix contains node_modules (everything should be bundled)');
  check(!names.some((n) => n.endsWith('.ts') || n.endsWith('.map')), 'vsix contains TypeScript sources or source maps');

  const manifest = JSON.parse(readFileSync(path.join(extensionRoot, 'package.json'), 'utf8'));
  for (const referenced of referencedFiles(manifest)) {
    check(existsSync(path.join(extensionRoot, referenced)), `package.json refers to ${referenced}, which is not in the vsix`);
  }

  const extensionModule = path.join(extensionRoot, manifest.main);
  if (check(existsSync(extensionModule), `main ${manifest.main} is missing`)) {
    const extension = requireWithStubVscode(extensionModule);
    check(typeof extension.activate === 'function', 'the extension module does not export activate()');
    check(typeof extension.deactivate === 'function', 'the extension module does not export deactivate()');
    console.log(`extension module loads: exports ${Object.keys(extension).sort().join(', ')}`);
  }

  const serverModule = path.join(extensionRoot, 'dist/server/server.js');
  if (check(existsSync(serverModule), 'dist/server/server.js is missing')) {
    const serverInfo = await initializeServer(serverModule, extensionRoot);
    console.log(`language server answers initialize (${JSON.stringify(serverInfo)}) and publishes diagnostics for a broken file`);
  }

  const cli = manifest.bin?.crit && path.join(extensionRoot, manifest.bin.crit);
  if (check(cli && existsSync(cli), 'the crit CLI (package.json bin.crit) is not in the vsix')) {
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8', timeout: SERVER_ANSWER_TIMEOUT_MS });
    if (check(help.status === 0, `crit --help failed (${help.status}):\n${help.stderr}`)) console.log('crit CLI runs: --help exits 0');
  }
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(tempRoot, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`check-package: ${problem}`);
  process.exit(1);
}
console.log('package check passed');

/** Relative paths the manifest points at: entry, bin entries, grammars, language configurations, icon. */
function referencedFiles(manifest) {
  const files = [manifest.main, ...Object.values(manifest.bin ?? {})];
  if (manifest.icon) files.push(manifest.icon);
  for (const grammar of manifest.contributes?.grammars ?? []) files.push(grammar.path);
  for (const language of manifest.contributes?.languages ?? []) if (language.configuration) files.push(language.configuration);
  return files.map((file) => path.normalize(file));
}

/**
 * Requires `file` with `require('vscode')` answered by a stand-in where every property, call and
 * construction yields the stand-in again: enough for a bundle to evaluate its top level.
 */
function requireWithStubVscode(file) {
  const stubPath = path.join(tempRoot, 'vscode-stub.cjs');
  writeFileSync(
    stubPath,
    `const stub = new Proxy(function () {}, {
  get: (_target, property) => (property === Symbol.toPrimitive ? () => '' : property === 'prototype' ? {} : stub),
  apply: () => stub,
  construct: () => stub,
});
module.exports = stub;
`,
  );
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? stubPath : resolveFilename.call(this, request, ...rest);
  };
  try {
    return createRequire(import.meta.url)(file);
  } finally {
    Module._resolveFilename = resolveFilename;
  }
}

/**
 * Starts the server over stdio, initializes it, opens the broken fixture and waits for its
 * diagnostics, then shutdown/exit. Returns the server's serverInfo.
 */
async function initializeServer(serverModule, cwd) {
  const server = spawn(process.execPath, [serverModule, '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  connection.listen();
  let timer;
  try {
    const answered = connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server did not answer initialize within ${SERVER_ANSWER_TIMEOUT_MS} ms\n${stderr}`)), SERVER_ANSWER_TIMEOUT_MS);
    });
    const died = exited.then(({ code, signal }) => Promise.reject(new Error(`server exited (${signal ?? code}) \n${stderr}`)));
    const result = await Promise.race([answered, timedOut, died]);
    check(typeof result?.capabilities === 'object', 'initialize result has no capabilities');

    const uri = 'file:///check-package/broken.crit';
    const published = new Promise((resolve) =>
      connection.onNotification('textDocument/publishDiagnostics', (params) => {
        if (params.uri === uri && params.diagnostics.length > 0) resolve(params.diagnostics);
      }),
    );
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'crit', version: 1, text: readFileSync(BROKEN_FIXTURE, 'utf8') },
    });
    const diagnosticsTimedOut = new Promise((_, reject) => {
      clearTimeout(timer);
      timer = setTimeout(() => reject(new Error(`server published no diagnostics for a broken file within ${SERVER_ANSWER_TIMEOUT_MS} ms\n${stderr}`)), SERVER_ANSWER_TIMEOUT_MS);
    });
    await Promise.race([published, diagnosticsTimedOut, died]);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    const { code } = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve({ code: 'still running' }), 5000))]);
    check(code === 0, `server did not exit cleanly after shutdown/exit (${code})`);
    return result.serverInfo;
  } finally {
    clearTimeout(timer);
    connection.dispose();
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  }
}
