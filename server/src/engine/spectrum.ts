/**
 * Dense symmetric spectra through the LinAlg backend (native LAPACK dsyevd or the pure TypeScript
 * path). Dense is the exact reference: use it for N up to a few thousand; beyond that, lanczos.ts
 * gives the extreme eigenvalues from Hessian-vector products.
 */
import { checkMemoryBudget, EngineError } from './errors';
import type { LinAlg, Mat, SymEig } from './linalg/types';

/**
 * (A + Aᵀ)/2. Hessians assembled from float64 products are symmetric only to rounding; LAPACK reads
 * one triangle, so symmetrising first makes both backends see the same matrix.
 */
export function symmetrize(A: Mat): Mat {
  if (A.rows !== A.cols) throw new EngineError('invalid-input', `a symmetric matrix must be square, got ${A.rows} × ${A.cols}`);
  const n = A.rows;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = A.data[i * n + i];
    for (let j = i + 1; j < n; j++) {
      const value = 0.5 * (A.data[i * n + j] + A.data[j * n + i]);
      data[i * n + j] = value;
      data[j * n + i] = value;
    }
  }
  return { rows: n, cols: n, data };
}

/**
 * Largest |A_ij − A_ji| relative to max |A_ij|: how far a supposedly symmetric matrix is from it.
 * 0 for an exactly symmetric matrix.
 */
export function asymmetry(A: Mat): number {
  const n = A.rows;
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(A.data[i * n + j]));
      if (j > i) maxDiff = Math.max(maxDiff, Math.abs(A.data[i * n + j] - A.data[j * n + i]));
    }
  }
  return maxAbs === 0 ? 0 : maxDiff / maxAbs;
}

export interface DenseSpectrumOptions {
  /** Also return eigenvectors (column j of `vectors` belongs to values[j]). */
  vectors?: boolean;
  /** Refuse (EngineError 'memory-budget') above this many bytes. */
  memoryBudgetBytes?: number;
}

/** Ascending eigenvalues (and optionally eigenvectors) of the symmetric part of A. */
export function denseSpectrum(linalg: LinAlg, A: Mat, options: DenseSpectrumOptions = {}): SymEig {
  const vectors = options.vectors ?? false;
  // The symmetrised copy, the vectors and LAPACK's workspace: about 3 n² doubles (2 n² without vectors).
  checkMemoryBudget(`a dense ${A.rows} × ${A.rows} eigendecomposition`, A.rows * A.rows * (vectors ? 3 : 2), options.memoryBudgetBytes);
  return linalg.symEig(symmetrize(A), vectors);
}
