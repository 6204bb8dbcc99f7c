/** Small dense-vector and subspace helpers shared by signature control and the forced-zero count. */
import type { LinAlg, Mat } from './linalg/types';

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** Orthonormal basis (columns of an M × r matrix) of the range of A (M × n), rank at σ_max · max(M, n) · ε. */
export function rangeBasis(linalg: LinAlg, A: Mat): Mat {
  const { U, s } = linalg.svd(A);
  const tol = (s.length > 0 ? s[0] : 0) * Math.max(A.rows, A.cols) * Number.EPSILON;
  let rank = 0;
  while (rank < s.length && s[rank] > tol) rank++;
  const basis: Mat = { rows: A.rows, cols: rank, data: new Float64Array(A.rows * rank) };
  for (let i = 0; i < A.rows; i++) for (let c = 0; c < rank; c++) basis.data[i * rank + c] = U.data[i * U.cols + c];
  return basis;
}

/** v − U Uᵀ v: the component of v orthogonal to range(U) (U orthonormal columns). */
export function projectOut(U: Mat, v: Float64Array): Float64Array {
  const r = U.cols;
  const coefficients = new Float64Array(r);
  for (let i = 0; i < U.rows; i++) for (let c = 0; c < r; c++) coefficients[c] += U.data[i * r + c] * v[i];
  const out = Float64Array.from(v);
  for (let i = 0; i < U.rows; i++) for (let c = 0; c < r; c++) out[i] -= U.data[i * r + c] * coefficients[c];
  return out;
}

/** R − (R U) Uᵀ: every row of R (r × M) with its component in range(U) removed (U: M × k orthonormal columns). */
export function projectOutRows(linalg: LinAlg, U: Mat, R: Mat): Mat {
  if (U.cols === 0 || R.rows === 0) return { rows: R.rows, cols: R.cols, data: Float64Array.from(R.data) };
  const coefficients = linalg.gemm(R, U);
  const inRange = linalg.gemm(coefficients, U, false, true).data;
  return { rows: R.rows, cols: R.cols, data: Float64Array.from(R.data, (value, i) => value - inRange[i]) };
}
