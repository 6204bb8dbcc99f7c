/**
 * Entry point for dense linear algebra: the native OpenBLAS/LAPACKE addon when it loads, pure
 * TypeScript otherwise. `CRIT_LINALG=pure` forces the pure path (tests, debugging).
 */
import { loadNativeLinAlg } from './native';
import { pureLinAlg } from './pure';
import type { LinAlg } from './types';

export type { LinAlg, Mat, SymEig, ThinSvd } from './types';
export { mat, pureLinAlg, transpose } from './pure';
export { loadNativeLinAlg } from './native';

let chosen: { linalg: LinAlg; reason: string } | undefined;

function choose(): { linalg: LinAlg; reason: string } {
  if (process.env.CRIT_LINALG === 'pure') return { linalg: pureLinAlg, reason: 'CRIT_LINALG=pure' };
  const native = loadNativeLinAlg();
  if (native.linalg !== undefined) return { linalg: native.linalg, reason: `addon ${native.path}` };
  return { linalg: pureLinAlg, reason: `native addon unavailable: ${native.reason}` };
}

/** The backend every engine caller should use (chosen once per process). */
export function getLinAlg(): LinAlg {
  chosen ??= choose();
  return chosen.linalg;
}

/** e.g. "native-openblas (addon /…/crit_lapack.node)" or "pure-ts (native addon unavailable: …)". */
export function linalgBackendName(): string {
  const { linalg, reason } = (chosen ??= choose());
  return `${linalg.name} (${reason})`;
}
