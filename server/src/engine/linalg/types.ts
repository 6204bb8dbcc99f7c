/**
 * Dense float64 linear algebra behind one interface, with two implementations that must give the
 * same answers: a native OpenBLAS/LAPACKE addon (fast) and pure TypeScript (always available).
 */

/** A dense row-major matrix. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface ThinSvd {
  /** rows × k, k = min(rows, cols) */
  U: Mat;
  /** k singular values, descending */
  s: Float64Array;
  /** k × cols */
  Vt: Mat;
}

export interface SymEig {
  /** ascending */
  values: Float64Array;
  /** n × n, eigenvector j in column j */
  vectors: Mat;
}

export interface LinAlg {
  readonly name: 'native-openblas' | 'pure-ts';
  /** op(A) · op(B), op = transpose when the flag is set. */
  gemm(A: Mat, B: Mat, transA?: boolean, transB?: boolean): Mat;
  svd(A: Mat): ThinSvd;
  /** Eigenvalues only when vectors = false (vectors is then an empty 0 × 0 matrix). */
  symEig(A: Mat, vectors?: boolean): SymEig;
  /** Minimum-norm least squares A X ≈ B, singular values below rcond · s_max treated as zero. */
  lstsq(A: Mat, B: Mat, rcond: number): { X: Mat; rank: number; s: Float64Array };
}
