/** Bounds that keep every request cheap on huge or hostile input. */

/** Documents above this many UTF-16 units are not parsed: one diagnostic says why. */
export const MAX_DOCUMENT_CHARS = 1_000_000;
/** Files a spec names are read only up to this size (inputs, labels, weights). */
export const MAX_SPEC_FILE_BYTES = 256 * 1024 * 1024;
/** A background check taking longer than this is abandoned (the worker is terminated). */
export const CHECK_TIMEOUT_MS = 60_000;
/** Most rows one `crit/dataset` request returns. */
export const MAX_DATASET_ROWS = 5000;
/** Results cached by problem hash (each holds labels and certificates). */
export const SOLVE_CACHE_ENTRIES = 8;
/** Solvability reports cached by problem hash. */
export const REPORT_CACHE_ENTRIES = 128;
/** Compiled landscapes kept for dataset pages and exports. */
export const COMPILATION_CACHE_ENTRIES = 4;
