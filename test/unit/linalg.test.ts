// The pure TypeScript linear algebra against NumPy (LAPACK) on random, rank-deficient,
// ill-conditioned (cond 1e10) and degenerate matrices, plus the defining identities.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getLinAlg, linalgBackendName, mat, pureLinAlg, transpose } from '../../server/src/engine/linalg';
import type { Mat } from '../../server/src/engine/linalg';

interface NumpyCase {
  name: string;
  A: number[];
  rows: number;
  cols: number;
  B?: number[];
  nrhs?: number;
  rcond?: number;
  s?: number[];
  eig?: number[];
  X?: number[];
  rank?: number;
}

// Every matrix and every reference value comes from NumPy, in one python3 run.
const NUMPY_SCRIPT = String.raw`
import json, numpy as np
rng = np.random.default_rng(20261204)
def orth(n):
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return q
def with_singular_values(m, n, s):
    k = min(m, n)
    return orth(m)[:, :k] @ np.diag(s) @ orth(n)[:k, :]
def low_rank(m, n, r):
    return rng.standard_normal((m, r)) @ rng.standard_normal((r, n))
cases = []
def svd_case(name, A, B=None, rcond=1e-12):
    c = {"name": name, "A": A.ravel().tolist(), "rows": A.shape[0], "cols": A.shape[1],
         "s": np.linalg.svd(A, compute_uv=False).tolist()}
    if B is not None:
        X, _, rank, _ = np.linalg.lstsq(A, B, rcond=rcond)
        c.update(B=B.ravel().tolist(), nrhs=B.shape[1], rcond=rcond, X=X.ravel().tolist(), rank=int(rank))
    cases.append(c)
def eig_case(name, S):
    S = (S + S.T) / 2
    cases.append({"name": name, "A": S.ravel().tolist(), "rows": S.shape[0], "cols": S.shape[1],
                  "eig": np.linalg.eigvalsh(S).tolist()})
svd_case("tall random 40x25", rng.standard_normal((40, 25)), rng.standard_normal((40, 2)))
svd_case("wide random 20x45", rng.standard_normal((20, 45)), rng.standard_normal((20, 1)))
svd_case("square random 30x30", rng.standard_normal((30, 30)), rng.standard_normal((30, 3)))
svd_case("tall rank 12 of 40x30", low_rank(40, 30, 12), rng.standard_normal((40, 1)), 1e-10)
svd_case("wide rank 10 of 25x60", low_rank(25, 60, 10), rng.standard_normal((25, 2)), 1e-10)
svd_case("tall cond 1e10 40x30", with_singular_values(40, 30, np.logspace(0, -10, 30)), rng.standard_normal((40, 1)), 1e-14)
svd_case("wide cond 1e10 30x70", with_singular_values(30, 70, np.logspace(3, -7, 30)), rng.standard_normal((30, 1)), 1e-14)
svd_case("wide cond 1e10 cut by rcond", with_singular_values(30, 70, np.logspace(3, -7, 30)), rng.standard_normal((30, 1)), 1e-6)
svd_case("row vector 1x5", rng.standard_normal((1, 5)), rng.standard_normal((1, 1)))
svd_case("column vector 5x1", rng.standard_normal((5, 1)), rng.standard_normal((5, 1)))
svd_case("zero 6x4", np.zeros((6, 4)), rng.standard_normal((6, 1)))
svd_case("repeated singular values 12x8", with_singular_values(12, 8, np.array([3, 3, 3, 1, 1, 0.5, 0.5, 0.5])), rng.standard_normal((12, 1)))
eig_case("symmetric random 40", rng.standard_normal((40, 40)))
eig_case("psd rank 7 of 30", low_rank(30, 30, 7) @ low_rank(30, 30, 7).T)
eig_case("indefinite cond 1e10 35", (lambda q: q @ np.diag(np.concatenate([np.logspace(0, -10, 20), -np.logspace(0, -10, 15)])) @ q.T)(orth(35)))
eig_case("repeated eigenvalues 20", (lambda q: q @ np.diag(np.repeat([-2.0, 0.0, 5.0, 1e-3], 5)) @ q.T)(orth(20)))
eig_case("diagonal 6", np.diag([3.0, -1.0, 2.0, 0.0, -5.0, 1.0]))
eig_case("2x2", np.array([[1.0, 2.0], [2.0, -3.0]]))
eig_case("1x1", np.array([[4.5]]))
eig_case("tridiagonal-ish 25", np.diag(rng.standard_normal(25)) + np.diag(rng.standard_normal(24), 1))
print(json.dumps(cases))
`;

const cases: NumpyCase[] = JSON.parse(execFileSync('python3', ['-c', NUMPY_SCRIPT], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const svdCases = cases.filter((c) => c.s !== undefined);
const eigCases = cases.filter((c) => c.eig !== undefined);

function frobenius(data: Float64Array | number[]): number {
  let s = 0;
  for (const v of data) s += v * v;
  return Math.sqrt(s);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function identityDefect(Q: Mat, columns: boolean): number {
  const gram = columns ? pureLinAlg.gemm(Q, Q, true, false) : pureLinAlg.gemm(Q, Q, false, true);
  const n = gram.rows;
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(gram.data[i * n + j] - (i === j ? 1 : 0)));
  return worst;
}

function naiveProduct(A: Mat, B: Mat): Mat {
  const C = mat(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let k = 0; k < A.cols; k++) s += A.data[i * A.cols + k] * B.data[k * B.cols + j];
      C.data[i * B.cols + j] = s;
    }
  }
  return C;
}

test('gemm matches the naive triple loop for every transpose combination and odd sizes', () => {
  let seed = 1;
  const next = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  for (const [m, k, n] of [[1, 1, 1], [7, 5, 3], [13, 9, 17], [4, 8, 2]]) {
    const A = mat(m, k, Array.from({ length: m * k }, next));
    const B = mat(k, n, Array.from({ length: k * n }, next));
    const expected = naiveProduct(A, B);
    const At = transpose(A);
    const Bt = transpose(B);
    for (const [left, right, ta, tb] of [[A, B, false, false], [At, B, true, false], [A, Bt, false, true], [At, Bt, true, true]] as const) {
      const C = pureLinAlg.gemm(left, right, ta, tb);
      assert.equal(C.rows, m);
      assert.equal(C.cols, n);
      assert.ok(maxAbsDiff(C.data, expected.data) < 1e-14 * k, `gemm ${m}x${k}x${n} ta=${ta} tb=${tb}`);
    }
  }
  assert.throws(() => pureLinAlg.gemm(mat(2, 3), mat(2, 3)), /inner dimensions/);
});

for (const c of svdCases) {
  test(`svd and lstsq: ${c.name}`, () => {
    const A = mat(c.rows, c.cols, c.A);
    const { U, s, Vt } = pureLinAlg.svd(A);
    const k = Math.min(c.rows, c.cols);
    assert.deepEqual([U.rows, U.cols, s.length, Vt.rows, Vt.cols], [c.rows, k, k, k, c.cols]);
    const scale = Math.max(c.s?.[0] ?? 0, 1e-300);
    // Singular values agree with LAPACK to rounding relative to the largest one.
    assert.ok(maxAbsDiff(s, c.s ?? []) <= 1e-13 * scale, `singular values differ by ${maxAbsDiff(s, c.s ?? [])}`);
    for (let i = 1; i < k; i++) assert.ok(s[i] <= s[i - 1], 'descending');
    // U diag(s) Vt = A, UᵀU = I, Vt Vtᵀ = I.
    const US = mat(U.rows, U.cols, U.data);
    for (let i = 0; i < U.rows; i++) for (let j = 0; j < k; j++) US.data[i * k + j] *= s[j];
    const rebuilt = pureLinAlg.gemm(US, Vt);
    assert.ok(maxAbsDiff(rebuilt.data, A.data) <= 1e-13 * scale, `reconstruction error ${maxAbsDiff(rebuilt.data, A.data)}`);
    assert.ok(identityDefect(U, true) < 1e-13, `U not orthonormal: ${identityDefect(U, true)}`);
    assert.ok(identityDefect(Vt, false) < 1e-13, `Vt not orthonormal: ${identityDefect(Vt, false)}`);

    if (c.B === undefined || c.X === undefined || c.nrhs === undefined || c.rcond === undefined) return;
    const B = mat(c.rows, c.nrhs, c.B);
    const { X, rank, s: sLs } = pureLinAlg.lstsq(A, B, c.rcond);
    assert.equal(rank, c.rank, 'rank as numpy.linalg.lstsq');
    assert.equal(sLs.length, k);
    assert.deepEqual([X.rows, X.cols], [c.cols, c.nrhs]);
    // Within rank the solution is well determined: the error bound is eps · s_max / s_rank.
    const conditionOfKept = rank > 0 ? s[0] / s[rank - 1] : 1;
    const tolerance = 50 * Number.EPSILON * conditionOfKept * Math.max(frobenius(c.X), 1);
    assert.ok(maxAbsDiff(X.data, c.X) <= tolerance, `X differs from numpy by ${maxAbsDiff(X.data, c.X)} (tol ${tolerance})`);
    // Normal equations restricted to the kept singular directions: Aᵀ(AX − B) ≈ 0 when nothing is cut.
    if (rank === k) {
      const residual = pureLinAlg.gemm(A, X);
      for (let i = 0; i < residual.data.length; i++) residual.data[i] -= B.data[i];
      const normal = pureLinAlg.gemm(A, residual, true, false);
      const bound = 1e-12 * scale * scale * Math.max(frobenius(X.data), 1) * conditionOfKept;
      assert.ok(frobenius(normal.data) <= bound, `||Aᵀr|| = ${frobenius(normal.data)} > ${bound}`);
    }
  });
}

for (const c of eigCases) {
  test(`symEig: ${c.name}`, () => {
    const A = mat(c.rows, c.cols, c.A);
    const n = c.rows;
    const { values, vectors } = pureLinAlg.symEig(A);
    const scale = Math.max(...(c.eig ?? []).map(Math.abs), 1e-300);
    assert.ok(maxAbsDiff(values, c.eig ?? []) <= 1e-13 * scale, `eigenvalues differ by ${maxAbsDiff(values, c.eig ?? [])}`);
    for (let i = 1; i < n; i++) assert.ok(values[i] >= values[i - 1], 'ascending');
    // A V = V Λ with eigenvectors in columns, VᵀV = I.
    const AV = pureLinAlg.gemm(A, vectors);
    let residual = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) residual = Math.max(residual, Math.abs(AV.data[i * n + j] - vectors.data[i * n + j] * values[j]));
    assert.ok(residual <= 1e-13 * scale, `A v - λ v = ${residual}`);
    assert.ok(identityDefect(vectors, true) < 1e-13, `eigenvectors not orthonormal: ${identityDefect(vectors, true)}`);
    const valuesOnly = pureLinAlg.symEig(A, false);
    assert.deepEqual([valuesOnly.vectors.rows, valuesOnly.vectors.cols], [0, 0]);
    assert.ok(maxAbsDiff(valuesOnly.values, values) <= 1e-13 * scale);
  });
}

test('lstsq is the minimum-norm solution for an underdetermined rank-deficient system', () => {
  // x = (1, 1, 1) and x = (2, 0, 1) both solve [[1,1,0],[0,0,1]] x = (2, 1); the minimum norm one is (1, 1, 1).
  const { X, rank } = pureLinAlg.lstsq(mat(2, 3, [1, 1, 0, 0, 0, 1]), mat(2, 1, [2, 1]), 1e-12);
  assert.equal(rank, 2);
  assert.ok(maxAbsDiff(X.data, [1, 1, 1]) < 1e-15);
});

test('mat checks its data length; the backend is reported and CRIT_LINALG=pure selects pure', () => {
  assert.throws(() => mat(2, 2, [1, 2, 3]), /needs 4 values/);
  assert.deepEqual(Array.from(transpose(mat(2, 3, [1, 2, 3, 4, 5, 6])).data), [1, 4, 2, 5, 3, 6]);
  const name = linalgBackendName();
  assert.match(name, /^(native-openblas|pure-ts) \(/);
  assert.ok(name.startsWith(getLinAlg().name));
  const forced = execFileSync(process.execPath, ['--import', 'tsx', '-e',
    "const l = require('./server/src/engine/linalg'); console.log(l.getLinAlg().name, '|', l.linalgBackendName())"],
  { encoding: 'utf8', env: { ...process.env, CRIT_LINALG: 'pure' } });
  assert.match(forced, /^pure-ts \| pure-ts \(CRIT_LINALG=pure\)/);
});
