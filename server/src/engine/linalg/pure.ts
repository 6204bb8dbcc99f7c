/**
 * Pure TypeScript float64 linear algebra: the fallback when the native OpenBLAS addon is not built,
 * and the independent reference the native path is tested against. Accuracy first:
 * - SVD: Householder QR of the tall orientation, then one-sided (Hestenes) Jacobi on the square
 *   factor, which keeps small singular values to high relative accuracy (cond 1e10 is routine).
 * - Symmetric eigen: Householder tridiagonalisation + implicit QL with Wilkinson-like shifts.
 * - Least squares: minimum-norm solution through the SVD, like LAPACK's dgelsd.
 * All work loops run over contiguous rows of row-major Float64Arrays (reflectors and rotations are
 * applied to stored transposes where the textbook acts on columns).
 */
import type { LinAlg, Mat, SymEig, ThinSvd } from './types';

const EPS = Number.EPSILON;

export function mat(rows: number, cols: number, data?: Float64Array | ArrayLike<number>): Mat {
  if (data !== undefined && data.length !== rows * cols) {
    throw new Error(`mat: ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  const values = data === undefined ? new Float64Array(rows * cols) : Float64Array.from(data);
  return { rows, cols, data: values };
}

export function transpose(A: Mat): Mat {
  const { rows, cols, data } = A;
  const out = new Float64Array(rows * cols);
  // Blocked so both the reads and the writes stay within a few cache lines per tile.
  const tile = 32;
  for (let i0 = 0; i0 < rows; i0 += tile) {
    const i1 = Math.min(i0 + tile, rows);
    for (let j0 = 0; j0 < cols; j0 += tile) {
      const j1 = Math.min(j0 + tile, cols);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[i * cols + j];
      }
    }
  }
  return { rows: cols, cols: rows, data: out };
}

/** C = A · B for row-major A (m×k), B (k×n); four rows of C share each streamed row of B. */
function multiply(A: Mat, B: Mat): Mat {
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  const a = A.data;
  const b = B.data;
  const c = new Float64Array(m * n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    for (let p = 0; p < k; p++) {
      const a0 = a[i * k + p];
      const a1 = a[(i + 1) * k + p];
      const a2 = a[(i + 2) * k + p];
      const a3 = a[(i + 3) * k + p];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bRow + j];
        c[c0 + j] += a0 * bv;
        c[c1 + j] += a1 * bv;
        c[c2 + j] += a2 * bv;
        c[c3 + j] += a3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
    }
  }
  return { rows: m, cols: n, data: c };
}

function gemm(A: Mat, B: Mat, transA = false, transB = false): Mat {
  const left = transA ? transpose(A) : A;
  const right = transB ? transpose(B) : B;
  if (left.cols !== right.rows) {
    throw new Error(`gemm: inner dimensions differ (${left.rows}×${left.cols} · ${right.rows}×${right.cols})`);
  }
  return multiply(left, right);
}

/**
 * Householder QR of a tall p×q matrix T (p ≥ q) given by its transpose Tt (q×p, row j = column j
 * of T), overwritten in place. Returns R (q×q, upper triangular, row-major) and the reflectors
 * (row j of Tt holds v_j in positions j..p-1, with tau[j]) so that T = Q R, Q = H_0 ⋯ H_{q-1}.
 */
function householderQr(Tt: Float64Array, p: number, q: number): { R: Float64Array; tau: Float64Array } {
  const R = new Float64Array(q * q);
  const tau = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    const vj = j * p;
    let norm2 = 0;
    for (let i = j; i < p; i++) norm2 += Tt[vj + i] * Tt[vj + i];
    const norm = Math.sqrt(norm2);
    const x0 = Tt[vj + j];
    if (norm === 0) {
      tau[j] = 0;
    } else {
      const alpha = x0 >= 0 ? -norm : norm;
      // v = x - alpha e_0, H = I - tau v vᵀ with tau = 2 / vᵀv = 1 / (norm² - x0·alpha).
      Tt[vj + j] = x0 - alpha;
      tau[j] = 1 / (norm2 - x0 * alpha);
      for (let r = j + 1; r < q; r++) {
        const row = r * p;
        let dot = 0;
        for (let i = j; i < p; i++) dot += Tt[vj + i] * Tt[row + i];
        const f = tau[j] * dot;
        if (f === 0) continue;
        for (let i = j; i < p; i++) Tt[row + i] -= f * Tt[vj + i];
      }
      R[j * q + j] = alpha;
    }
    if (norm === 0) R[j * q + j] = 0;
    for (let r = j + 1; r < q; r++) R[j * q + r] = Tt[r * p + j];
  }
  return { R, tau };
}

/** Q · M for the Q of householderQr: M is q×c (row-major), result p×c. */
function applyQ(Tt: Float64Array, tau: Float64Array, p: number, q: number, M: Float64Array, c: number): Float64Array {
  const out = new Float64Array(p * c);
  out.set(M.subarray(0, q * c));
  const w = new Float64Array(c);
  for (let j = q - 1; j >= 0; j--) {
    if (tau[j] === 0) continue;
    const vj = j * p;
    w.fill(0);
    for (let i = j; i < p; i++) {
      const vi = Tt[vj + i];
      if (vi === 0) continue;
      const row = i * c;
      for (let k = 0; k < c; k++) w[k] += vi * out[row + k];
    }
    for (let i = j; i < p; i++) {
      const f = tau[j] * Tt[vj + i];
      if (f === 0) continue;
      const row = i * c;
      for (let k = 0; k < c; k++) out[row + k] -= f * w[k];
    }
  }
  return out;
}

/**
 * One-sided Jacobi on the rows of W (q×q): rotates row pairs until all rows are mutually
 * orthogonal, applying the same rotations to Z. Afterwards W = Z·Wₒ where Z is orthogonal.
 * Squared row norms are carried along (a' = a − t·c, b' = b + t·c) and recomputed exactly at every
 * sweep and whenever an update cancels, so each pair costs one dot product instead of three.
 */
function jacobiOrthogonaliseRows(W: Float64Array, Z: Float64Array, q: number): void {
  const tol = Math.max(Math.sqrt(q), 1) * EPS;
  const maxSweeps = 80;
  const norm2 = new Float64Array(q);
  const exactNorm2 = (row: number): number => {
    let s = 0;
    for (let k = row; k < row + q; k++) s += W[k] * W[k];
    return s;
  };
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    for (let i = 0; i < q; i++) norm2[i] = exactNorm2(i * q);
    let rotated = false;
    for (let i = 0; i < q - 1; i++) {
      const ri = i * q;
      for (let j = i + 1; j < q; j++) {
        const rj = j * q;
        const a = norm2[i];
        const b = norm2[j];
        let c = 0;
        for (let k = 0; k < q; k++) c += W[ri + k] * W[rj + k];
        if (c === 0 || Math.abs(c) <= tol * Math.sqrt(a * b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * c);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (let k = 0; k < q; k++) {
          const x = W[ri + k];
          const y = W[rj + k];
          W[ri + k] = cs * x - sn * y;
          W[rj + k] = sn * x + cs * y;
          const zx = Z[ri + k];
          const zy = Z[rj + k];
          Z[ri + k] = cs * zx - sn * zy;
          Z[rj + k] = sn * zx + cs * zy;
        }
        const aNew = a - t * c;
        const bNew = b + t * c;
        norm2[i] = aNew < 0.25 * a ? exactNorm2(ri) : aNew;
        norm2[j] = bNew < 0.25 * b ? exactNorm2(rj) : bNew;
      }
    }
    if (!rotated) return;
  }
  throw new Error('svd: one-sided Jacobi did not converge');
}

/** Fills zero rows of U (q rows of length p, orthonormal otherwise) to an orthonormal set. */
function completeOrthonormalRows(U: Float64Array, p: number, rows: number[], filled: boolean[]): void {
  const candidate = new Float64Array(p);
  let unit = 0;
  for (const r of rows) {
    if (filled[r]) continue;
    for (; unit < p; unit++) {
      candidate.fill(0);
      candidate[unit] = 1;
      // Two Gram-Schmidt passes against every filled row keep orthogonality at rounding level.
      for (let pass = 0; pass < 2; pass++) {
        for (let o = 0; o < filled.length; o++) {
          if (!filled[o]) continue;
          let dot = 0;
          for (let k = 0; k < p; k++) dot += U[o * p + k] * candidate[k];
          for (let k = 0; k < p; k++) candidate[k] -= dot * U[o * p + k];
        }
      }
      let norm = 0;
      for (let k = 0; k < p; k++) norm += candidate[k] * candidate[k];
      norm = Math.sqrt(norm);
      if (norm > 0.5) {
        for (let k = 0; k < p; k++) U[r * p + k] = candidate[k] / norm;
        filled[r] = true;
        unit++;
        break;
      }
    }
  }
}

function svd(A: Mat): ThinSvd {
  const m = A.rows;
  const n = A.cols;
  const tall = m >= n;
  // T = A (tall) or Aᵀ (wide) is p×q with p ≥ q; Tt holds its transpose row-major.
  const p = tall ? m : n;
  const q = tall ? n : m;
  const Tt = tall ? transpose(A).data : Float64Array.from(A.data);
  const { R, tau } = householderQr(Tt, p, q);
  // A second QR, of Rᵀ = Q₂R₂, so R = LQ₂ᵀ with L = R₂ᵀ: Jacobi on L's columns (the rows of R₂)
  // then starts much closer to orthogonal and needs markedly fewer sweeps (Drmač–Veselić).
  const second = householderQr(R, q, q);
  const W = second.R;
  const Z = new Float64Array(q * q);
  for (let i = 0; i < q; i++) Z[i * q + i] = 1;
  jacobiOrthogonaliseRows(W, Z, q);
  // L = U_L Σ Z, so R = U_L Σ (Z Q₂ᵀ): the right factor's rows are those of (Q₂ Zᵀ)ᵀ.
  const rightOfR = transpose({ rows: q, cols: q, data: applyQ(R, second.tau, q, q, transpose({ rows: q, cols: q, data: Z }).data, q) }).data;
  // Row i of W is σ_i u_i (u_i = column of R's left factor); row i of rightOfR is the matching row of Vᵀ.
  const sigma = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s2 = 0;
    for (let k = 0; k < q; k++) s2 += W[i * q + k] * W[i * q + k];
    sigma[i] = Math.sqrt(s2);
  }
  const order = Array.from({ length: q }, (_, i) => i).sort((x, y) => sigma[y] - sigma[x]);
  const s = new Float64Array(q);
  const uRows = new Float64Array(q * q); // row t = left singular vector t of R
  const vtRows = new Float64Array(q * q);
  const filled: boolean[] = [];
  for (let t = 0; t < q; t++) {
    const i = order[t];
    s[t] = sigma[i];
    vtRows.set(rightOfR.subarray(i * q, (i + 1) * q), t * q);
    filled.push(sigma[i] > 0);
    if (sigma[i] > 0) for (let k = 0; k < q; k++) uRows[t * q + k] = W[i * q + k] / sigma[i];
  }
  completeOrthonormalRows(uRows, q, order.map((_, t) => t), filled);
  // Left factor of T: Q · U_R, with U_R = uRowsᵀ (q×q).
  const leftT = applyQ(Tt, tau, p, q, transpose({ rows: q, cols: q, data: uRows }).data, q);
  const leftMat: Mat = { rows: p, cols: q, data: leftT };
  const rightRows: Mat = { rows: q, cols: q, data: vtRows };
  if (tall) return { U: leftMat, s, Vt: rightRows };
  // A = Tᵀ = V_T S U_Tᵀ: U = V_T = rightRowsᵀ, Vt = U_Tᵀ.
  return { U: transpose(rightRows), s, Vt: transpose(leftMat) };
}

/**
 * Householder reduction of symmetric A (n×n, copied) to tridiagonal form T = Qᵀ A Q.
 * Returns diagonal d, off-diagonal e (e[k] couples k and k+1, e[n-1] = 0) and, when asked, Qᵀ.
 */
function tridiagonalise(A: Mat, wantQ: boolean): { d: Float64Array; e: Float64Array; Qt?: Float64Array } {
  const n = A.rows;
  const a = Float64Array.from(A.data);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tau = new Float64Array(n);
  const pv = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // x = A[k, k+1:] (= the column below the diagonal by symmetry), reflected onto alpha·e_0.
    const rk = k * n;
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += a[rk + i] * a[rk + i];
    const x0 = a[rk + k + 1];
    if (norm2 === 0 || norm2 === x0 * x0) {
      tau[k] = 0;
      e[k] = x0;
      continue;
    }
    const norm = Math.sqrt(norm2);
    const alpha = x0 >= 0 ? -norm : norm;
    a[rk + k + 1] = x0 - alpha; // v stored in row k, positions k+1..n-1
    const t = 1 / (norm2 - x0 * alpha);
    tau[k] = t;
    e[k] = alpha;
    // A22 ← H A22 H with p = t·A22·v, w = p − (t/2)(vᵀp)·v, A22 −= v wᵀ + w vᵀ.
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[ri + j] * a[rk + j];
      pv[i] = t * s;
      vp += a[rk + i] * pv[i];
    }
    const half = 0.5 * t * vp;
    for (let i = k + 1; i < n; i++) pv[i] -= half * a[rk + i];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = a[rk + i];
      const wi = pv[i];
      for (let j = k + 1; j < n; j++) a[ri + j] -= vi * pv[j] + wi * a[rk + j];
    }
  }
  for (let k = 0; k < n; k++) d[k] = a[k * n + k];
  if (n >= 2) e[n - 2] = a[(n - 2) * n + n - 1];
  e[n - 1] = 0;
  if (!wantQ) return { d, e };
  // Q = H_0 ⋯ H_{n-3}, accumulated right to left so each step touches a shrinking block.
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  const w = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    const rk = k * n;
    w.fill(0, k + 1);
    for (let i = k + 1; i < n; i++) {
      const vi = a[rk + i];
      const ri = i * n;
      for (let j = k + 1; j < n; j++) w[j] += vi * Q[ri + j];
    }
    for (let i = k + 1; i < n; i++) {
      const f = t * a[rk + i];
      const ri = i * n;
      for (let j = k + 1; j < n; j++) Q[ri + j] -= f * w[j];
    }
  }
  return { d, e, Qt: transpose({ rows: n, cols: n, data: Q }).data };
}

/**
 * Implicit QL on the tridiagonal (d, e) in place; rotations applied to rows of Zt (rows are
 * eigenvector coefficient rows, so row i of Zt ends as eigenvector i).
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, Zt: Float64Array | undefined, n: number): void {
  const maxIterations = 60 * Math.max(n, 1);
  let iterations = 0;
  for (let l = 0; l < n; l++) {
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= EPS * dd) break;
      }
      if (m === l) break;
      if (++iterations > maxIterations) throw new Error('symEig: implicit QL did not converge');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (Zt !== undefined) {
          const ri = i * n;
          const rj = ri + n;
          for (let k = 0; k < n; k++) {
            const zf = Zt[rj + k];
            const zi = Zt[ri + k];
            Zt[rj + k] = s * zi + c * zf;
            Zt[ri + k] = c * zi - s * zf;
          }
        }
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

function symEig(A: Mat, vectors = true): SymEig {
  const n = A.rows;
  if (A.cols !== n) throw new Error(`symEig: matrix is ${A.rows}×${A.cols}, not square`);
  const { d, e, Qt } = tridiagonalise(A, vectors);
  tridiagonalQl(d, e, Qt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!vectors || Qt === undefined) return { values, vectors: { rows: 0, cols: 0, data: new Float64Array(0) } };
  const V = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j] * n;
    for (let r = 0; r < n; r++) V[r * n + j] = Qt[src + r];
  }
  return { values, vectors: { rows: n, cols: n, data: V } };
}

/** Minimum-norm least squares through the thin SVD; rcond < 0 means machine precision (as dgelsd). */
function lstsq(A: Mat, B: Mat, rcond: number): { X: Mat; rank: number; s: Float64Array } {
  if (A.rows !== B.rows) throw new Error(`lstsq: A has ${A.rows} rows, B has ${B.rows}`);
  const { U, s, Vt } = svd(A);
  const k = s.length;
  const nrhs = B.cols;
  const cutoff = (rcond < 0 ? EPS : rcond) * (k > 0 ? s[0] : 0);
  let rank = 0;
  while (rank < k && s[rank] > cutoff) rank++;
  const UtB = gemm(U, B, true, false); // k × nrhs
  const scaled = new Float64Array(rank * nrhs);
  for (let i = 0; i < rank; i++) {
    for (let j = 0; j < nrhs; j++) scaled[i * nrhs + j] = UtB.data[i * nrhs + j] / s[i];
  }
  const VtRank: Mat = { rows: rank, cols: A.cols, data: Vt.data.subarray(0, rank * A.cols) };
  const X = rank === 0 ? mat(A.cols, nrhs) : gemm(VtRank, { rows: rank, cols: nrhs, data: scaled }, true, false);
  return { X, rank, s };
}

export const pureLinAlg: LinAlg = { name: 'pure-ts', gemm, svd, symEig, lstsq };
