// Runs the extension-host mocha suite (test/suite) in desktop VS Code through @vscode/test-electron,
// which downloads VS Code into .vscode-test/ (so it needs network access to update.code.visualstudio.com;
// on machines without it use `npm run test:e2e`, the same suite in code-server).
//
//   node test/e2e/run-electron.mjs [--vscode-version 1.99.3] [--vscode-executable /path/to/code]
// (--vscode-executable: an installed VS Code binary instead of a download)
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { prepareTempWorkspace, repoRoot, requireBuiltBundles, suiteEntry } from './workspace.mjs';

// The oldest VS Code the extension supports on Node 20 hosts is what CI pins; override to try others.
const { values: options } = parseArgs({
  options: { 'vscode-version': { type: 'string', default: '1.99.3' }, 'vscode-executable': { type: 'string' } },
});

requireBuiltBundles();
const { tempRoot, workspace } = prepareTempWorkspace('crit-electron-');
let exitCode = 1;
try {
  exitCode = await runTests({
    version: options['vscode-version'],
    vscodeExecutablePath: options['vscode-executable'],
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteEntry,
    // A fresh profile with no other extensions and no trust prompt, on the temp workspace.
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (error) {
  // runTests rejects when VS Code exits non-zero, which the suite's run() causes on any failed test.
  console.error(`[electron] FAILED: ${error instanceof Error ? error.message : error}`);
} finally {
  rmSync(tempRoot, { recursive: true, force: true });
}
process.exit(exitCode === 0 ? 0 : 1);
