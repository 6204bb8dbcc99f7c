/**
 * Optimizer probes (docs/probes.md): compile a `probe` block, run it with TensorFlow.js on a solved
 * landscape, and turn the result into files and plot specs. For the CLI, the language server's worker
 * and tests.
 */
export { compileProbe, CONVERGED_GRADIENT_TOLERANCE } from './compile';
export { ProbeError } from './errors';
export { probeFiles, resultJson, runsCsv, summaryCsv, summaryLines, trajectoriesCsv, type ProbeFiles } from './output';
export { probeProblemOf } from './problem';
export { executeRun, MAX_RECORDS, runProbe, train, type ProbeRunOptions } from './runner';
export { loadTf } from './tfjs';
export type * from './types';
