/** Typed engine failures: callers branch on `code`, users read `message`. */

export type EngineErrorCode =
  /** A dense matrix would exceed the caller's memory budget. */
  | 'memory-budget'
  /** Shapes or values of the inputs do not fit together (sizes, lengths, names). */
  | 'invalid-input'
  /** A target that no labels can reach, rejected before solving. */
  | 'structurally-impossible'
  /** The linear-algebra backend failed. */
  | 'numerical';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const BYTES_PER_FLOAT64 = 8;

/** Throws 'memory-budget' when `floats` float64 values for `what` exceed `budgetBytes` (no budget: never). */
export function checkMemoryBudget(what: string, floats: number, budgetBytes: number | undefined): void {
  if (budgetBytes === undefined) return;
  const bytes = floats * BYTES_PER_FLOAT64;
  if (bytes > budgetBytes) {
    throw new EngineError(
      'memory-budget',
      `${what} needs about ${formatBytes(bytes)} of dense float64 storage, above the memory budget of ${formatBytes(budgetBytes)}. ` +
        'Use fewer samples, outputs or planted points, a smaller network, or raise the budget.',
    );
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
