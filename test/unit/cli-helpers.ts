/** Runs the crit CLI: in a child process as a user would (`cliProcess`), or in-process (`crit`, faster). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../server/src/cli/program';

const ROOT = join(__dirname, '..', '..');
const CRIT = join(ROOT, 'server', 'src', 'cli', 'crit.ts');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The same command line in this process: same output and exit status, without a Node start-up per call. */
export async function crit(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await main(['node', 'crit', ...args], {
    out: (line) => (stdout += line + '\n'),
    err: (line) => (stderr += line + '\n'),
    interactive: false,
  });
  return { status, stdout, stderr };
}

/** Runs server/src/cli/crit.ts with tsx in a child process. */
export function cliProcess(...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CRIT, ...args], { cwd: ROOT, env: { ...process.env, CRIT_LINALG: 'pure' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
