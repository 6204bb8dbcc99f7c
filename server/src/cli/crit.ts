/**
 * `crit`: check, solve, verify and plot .crit specs from the command line (docs/cli.md).
 * The entry point bundled to dist/cli/crit.js, which bin/crit.js requires.
 */
import { main } from './program';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
