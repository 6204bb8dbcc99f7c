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

/** A small spec: two planted points in a 3-8-1 tanh net, A a saddle of index 2 (reached for this seed). */
export const TWO_POINTS = `// Two planted critical points
landscape two_points {
  seed 7
  network {
    input 3
    layer 8 tanh
    output 1 linear
    bias off
  }
  data {
    points 240
    inputs normal(0, 2)
    labels teacher(A) + noise(0.1)
  }
  weights A = normal(0, 1)
  weights B = normal(0, 1)
  critical A { hessian saddle(2) }
  critical B
  plot interpolate A -> B from -0.5 to 1.5 steps 41
  export "out/two_points" as npz, csv
}
`;

/** Two minima at random points: solvable as critical points, but the minima are not reached. */
export const TWO_MINIMA = `landscape hard {
  seed 3
  network {
    input 2
    layer 6 tanh
    output 1 linear
    bias off
  }
  data {
    points 200
    inputs normal(0, 1)
    labels zeros
  }
  weights A = normal(0, 1)
  weights B = normal(0, 1)
  critical A { hessian minimum }
  critical B { hessian minimum }
}
`;
