// What both e2e launchers share: paths, and the throw-away workspace the extension-host suite opens.
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const suiteEntry = path.join(repoRoot, 'dist/test/suite/index');

/** A fresh temp folder; `workspace` inside it holds a copy of samples/ plus test/fixtures/ as fixtures/. */
export function prepareTempWorkspace(prefix) {
  const tempRoot = mkdtempSync(path.join(tmpdir(), prefix));
  const workspace = path.join(tempRoot, 'workspace');
  mkdirSync(workspace);
  const samples = path.join(repoRoot, 'samples');
  if (existsSync(samples)) cpSync(samples, workspace, { recursive: true });
  cpSync(path.join(repoRoot, 'test/fixtures'), path.join(workspace, 'fixtures'), { recursive: true });
  return { tempRoot, workspace };
}

/** Throws with a hint when the bundles the suite needs were not built. */
export function requireBuiltBundles() {
  for (const bundle of ['dist/client/extension.js', 'dist/server/server.js', 'dist/test/suite/index.js']) {
    if (!existsSync(path.join(repoRoot, bundle))) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  }
}
