/**
 * Loads the native OpenBLAS/LAPACKE addon (server/native, built by `npm run build:native`).
 * Placeholder until the addon exists: always reports it unavailable.
 */
import type { LinAlg } from './types';

export interface NativeLoadResult {
  linalg?: LinAlg;
  path?: string;
  reason: string;
}

export function loadNativeLinAlg(): NativeLoadResult {
  return { reason: 'not built' };
}
