// Entry point VS Code calls inside the extension host (`extensionTestsPath`), under both launchers:
// test/e2e/run-code-server.mjs (code-server + Chromium) and test/e2e/run-electron.mjs (desktop VS Code).
// It runs the mocha suite, prints a one-line summary, writes the result as JSON to the file named by
// CRIT_TEST_RESULTS when set (the code-server launcher reads it), and rejects when any test failed
// (the desktop launcher reads that from VS Code's exit code).
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

export interface SuiteResult {
  /** Where the tested extension was loaded from: the checkout, or an installed .vsix. */
  extensionPath: string | undefined;
  vscodeVersion: string;
  passed: number;
  failed: number;
  failures: { title: string; error: string }[];
}

// The suite is bundled into one file by esbuild, so the test modules are listed here rather than
// found by a glob at run time. They are imported only after mocha has set up its `suite`/`test`.
// (`.js`: import() follows Node16 ESM resolution in TypeScript; esbuild maps it to the .ts file.)
const testModules: (() => Promise<unknown>)[] = [
  () => import('./activation.test.js'),
  () => import('./diagnostics.test.js'),
  () => import('./extension-ui.test.js'),
  () => import('./extension-probe.test.js'),
];

// Prefixes the code-server launcher looks for in the page console (where the extension host's
// console ends up) to show progress and read the result.
export const PROGRESS_LINE_PREFIX = 'CRIT_TEST ';
export const RESULT_LINE_PREFIX = 'CRIT_TEST_RESULT ';

export async function run(): Promise<void> {
  const result: SuiteResult = {
    extensionPath: vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath,
    vscodeVersion: vscode.version,
    passed: 0,
    failed: 0,
    failures: [],
  };
  try {
    await runMocha(result);
  } catch (error) {
    // A test module that throws while loading must still produce a result, not a silent timeout.
    result.failed++;
    result.failures.push({ title: 'loading the suite', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }

  console.log(RESULT_LINE_PREFIX + JSON.stringify(result));
  const resultsFile = process.env.CRIT_TEST_RESULTS;
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(result, null, 2));
  if (result.failed > 0 || result.passed === 0) {
    throw new Error(`${result.failed} of ${result.passed + result.failed} extension tests failed`);
  }
}

async function runMocha(result: SuiteResult): Promise<void> {
  // Base reports nothing itself; the lines below read the same in a terminal and in a page console.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: Mocha.reporters.Base });
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'crit-suite', mocha);
  for (const load of testModules) await load();

  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => {
      result.passed++;
      console.log(`${PROGRESS_LINE_PREFIX}✔ ${test.fullTitle()} (${test.duration} ms)`);
    });
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err: Error) => {
      result.failed++;
      console.log(`${PROGRESS_LINE_PREFIX}✘ ${test.fullTitle()}: ${err?.message ?? err}`);
      result.failures.push({ title: test.fullTitle(), error: err?.stack ?? String(err) });
    });
  });
}
