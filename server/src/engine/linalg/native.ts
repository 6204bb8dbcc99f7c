/**
 * The native OpenBLAS/LAPACKE backend: loads crit_lapack.node (built by `npm run build:native`) at
 * run time and adapts it to the LinAlg interface. Where it is looked for (findNativeAddon):
 * `CRIT_NATIVE_ADDON` if set; beside this file (a copy next to the esbuild bundle in dist/, as the
 * packaged extension carries it); else, walking up from this file, the first directory holding
 * server/native/build/Release/ or server/native/prebuilds/<platform>-<arch>/, which is the
 * repository root both from sources (tsx) and from dist/. Never bundled: it is loaded through a
 * require created at run time.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LinAlg, Mat, SymEig, ThinSvd } from './types';

/** The addon's functions (server/native/src/crit_lapack.c); matrices are row-major Float64Arrays. */
interface CritLapackAddon {
  gemm(A: Float64Array, aRows: number, aCols: number, B: Float64Array, bRows: number, bCols: number, transA: boolean, transB: boolean): Float64Array;
  svd(A: Float64Array, rows: number, cols: number): { U: Float64Array; s: Float64Array; Vt: Float64Array };
  symEig(A: Float64Array, n: number, vectors: boolean): { values: Float64Array; vectors: Float64Array };
  lstsq(A: Float64Array, rows: number, cols: number, B: Float64Array, nrhs: number, rcond: number): { X: Float64Array; rank: number; s: Float64Array };
  threads(): number;
}

export interface NativeLoadResult {
  linalg?: LinAlg;
  /** The .node file that was loaded or looked for. */
  path?: string;
  /** Why the addon is not in use, or "loaded". */
  reason: string;
  /** OpenBLAS threads when loaded. */
  threads?: number;
}

const ADDON_RELATIVE = path.join('server', 'native', 'build', 'Release', 'crit_lapack.node');
/** Release packages ship prebuilt binaries here (docs/native-builds.md); a local build wins. */
const PREBUILT_RELATIVE = path.join('server', 'native', 'prebuilds', `${process.platform}-${process.arch}`, 'crit_lapack.node');

export function findNativeAddon(startDir: string = __dirname): string | undefined {
  const explicit = process.env.CRIT_NATIVE_ADDON;
  if (explicit !== undefined && explicit !== '') return path.resolve(explicit);
  // A copy next to the bundle (dist/server/crit_lapack.node), as the packaged .vsix carries it.
  const besideBundle = path.join(startDir, 'crit_lapack.node');
  if (existsSync(besideBundle)) return besideBundle;
  for (let dir = startDir; ; dir = path.dirname(dir)) {
    for (const relative of [ADDON_RELATIVE, PREBUILT_RELATIVE]) {
      const candidate = path.join(dir, relative);
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function adapt(addon: CritLapackAddon): LinAlg {
  return {
    name: 'native-openblas',
    gemm(A: Mat, B: Mat, transA = false, transB = false): Mat {
      const rows = transA ? A.cols : A.rows;
      const cols = transB ? B.rows : B.cols;
      const inner = transA ? A.rows : A.cols;
      if (inner !== (transB ? B.cols : B.rows)) {
        throw new Error(`gemm: inner dimensions differ (${rows}×${inner} · ${transB ? B.cols : B.rows}×${cols})`);
      }
      return { rows, cols, data: addon.gemm(A.data, A.rows, A.cols, B.data, B.rows, B.cols, transA, transB) };
    },
    svd(A: Mat): ThinSvd {
      const k = Math.min(A.rows, A.cols);
      const { U, s, Vt } = addon.svd(A.data, A.rows, A.cols);
      return { U: { rows: A.rows, cols: k, data: U }, s, Vt: { rows: k, cols: A.cols, data: Vt } };
    },
    symEig(A: Mat, vectors = true): SymEig {
      if (A.rows !== A.cols) throw new Error(`symEig: matrix is ${A.rows}×${A.cols}, not square`);
      const result = addon.symEig(A.data, A.rows, vectors);
      const n = vectors ? A.rows : 0;
      return { values: result.values, vectors: { rows: n, cols: n, data: result.vectors } };
    },
    lstsq(A: Mat, B: Mat, rcond: number): { X: Mat; rank: number; s: Float64Array } {
      if (A.rows !== B.rows) throw new Error(`lstsq: A has ${A.rows} rows, B has ${B.rows}`);
      const { X, rank, s } = addon.lstsq(A.data, A.rows, A.cols, B.data, B.cols, rcond);
      return { X: { rows: A.cols, cols: B.cols, data: X }, rank, s };
    },
  };
}

/** Loads the addon; on any failure returns the reason, so callers can fall back and say why. */
export function loadNativeLinAlg(): NativeLoadResult {
  const addonPath = findNativeAddon();
  if (addonPath === undefined) {
    return { reason: `${ADDON_RELATIVE} not found above ${__dirname} (run npm run build:native)` };
  }
  try {
    const addon = createRequire(__filename)(addonPath) as CritLapackAddon;
    return { linalg: adapt(addon), path: addonPath, reason: 'loaded', threads: addon.threads() };
  } catch (error) {
    return { path: addonPath, reason: `loading ${addonPath} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
