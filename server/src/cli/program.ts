/**
 * The `crit` command line: commands, options and exit status (docs/cli.md).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ENGINE_VERSION } from '../engine';
import {
  checkCommand, describeUnexpected, EXIT_ERROR, plotCommand, processIo, solveCommand, verifyCommand, DEFAULT_MEMORY_BUDGET_MIB, type CheckCommandOptions, type CliIo,
} from './commands';
import { probeCommand } from './probe';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const budget = new Option('--memory-budget <MiB>', 'refuse dense matrices above this size').argParser(positiveNumber).default(DEFAULT_MEMORY_BUDGET_MIB);

  const program = new Command('crit')
    .description('Design MSE loss landscapes with exactly planted critical points and certified Hessian signatures.')
    .version(ENGINE_VERSION, '-V, --version', 'print the engine version')
    .showHelpAfterError('(crit --help lists the commands)');

  program
    .command('check')
    .description('parse, validate and compile specs; print diagnostics as file:line:col: severity code: message')
    .argument('<files...>', '.crit files')
    .option('--json', 'print the diagnostics as JSON')
    .option('--no-analysis', 'syntax, name, shape and count checks only: skip the solvability analysis')
    .addOption(budget)
    .action((files: string[], opts: CheckCommandOptions) => setExit(checkCommand(io, files, opts)));

  program
    .command('solve')
    .description('solve each landscape, write its export folder and print the certificate of every planted point')
    .argument('<file>', '.crit file')
    .option('-o, --out <dir>', 'write exports to DIR/<landscape> instead of the spec\'s export paths')
    .option('-f, --force', 'replace existing export folders (only Crit exports or empty folders)')
    .option('--no-export', 'solve and certify without writing an export')
    .option('-l, --landscape <name>', 'only this landscape')
    .option('--json', 'print the certificates as JSON')
    .addOption(budget)
    .action((file: string, opts) => setExit(solveCommand(io, file, opts)));

  program
    .command('verify')
    .description('re-check an export folder from its files alone: recompute every planted point and compare with the manifest')
    .argument('<dir>', 'export folder')
    .option('--json', 'print the report as JSON')
    .action((dir: string, opts: { json?: boolean }) => setExit(verifyCommand(io, dir, opts)));

  program
    .command('plot')
    .description('solve and write the spec\'s plots as SVG, with the data behind each as CSV')
    .argument('<file>', '.crit file')
    .requiredOption('-o, --out <dir>', 'folder for DIR/<landscape>/<plot>.svg and .csv')
    .option('-l, --landscape <name>', 'only this landscape')
    .addOption(new Option('--theme <theme>', 'colours').choices(['light', 'dark']).default('light'))
    .option('--json', 'print the written files as JSON')
    .addOption(budget)
    .action(async (file: string, opts) => setExit(await plotCommand(io, file, opts)));

  program
    .command('probe')
    .description('solve, then train the spec\'s probe optimizers (TensorFlow.js) from starts around planted points; write tables (CSV/JSON) and plots (SVG)')
    .argument('<file>', '.crit file')
    .option('-o, --out <dir>', 'folder for DIR/<landscape>/<probe>/ (default: probes/ beside the spec)')
    .option('-l, --landscape <name>', 'only this landscape')
    .option('-p, --probe <name>', 'only the probe with this name')
    .addOption(new Option('--theme <theme>', 'colours').choices(['light', 'dark']).default('light'))
    .option('--json', 'print the summaries and written folders as JSON')
    .addOption(budget)
    .addOption(new Option('--workers <n>', 'train runs on this many worker threads (same results)').argParser(positiveInteger).default(1))
    .action(async (file: string, opts) => setExit(await probeCommand(io, file, opts)));

  return program;
}

/**
 * Runs one command line (argv as process.argv: node, script, args...) and returns the exit status.
 * Usage errors (unknown command, missing argument) print commander's message and return 1.
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => (exitCode = code));
  program.exitOverride().configureOutput({ writeOut: (text) => io.out(text.replace(/\n$/, '')), writeErr: (text) => io.err(text.replace(/\n$/, '')) });
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (text) => io.out(text.replace(/\n$/, '')), writeErr: (text) => io.err(text.replace(/\n$/, '')) });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_ERROR;
    io.err(`crit: error: ${describeUnexpected(e)}`);
    return EXIT_ERROR;
  }
  return exitCode;
}
