// The native OpenBLAS/LAPACKE addon gives the same answers as the pure TypeScript path, and the
// loader finds it from sources and from the bundle, or falls back to pure saying why.
// With CI set (.ci/run builds the addon first) the addon must load, so CI proves the native path.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadNativeLinAlg, mat, pureLinAlg, transpose } from '../../server/src/engine/linalg';
import { findNativeAddon } from '../../server/src/engine/linalg/native';
import type { LinAlg, Mat } from '../../server/src/engine/linalg';
import { createRng } from '../../server/src/engine/random';

const repoRoot = path.resolve(__dirname, '..', '..');
const loaded = loadNativeLinAlg();

test('the native addon loads (required when CI is set), or the reason is recorded', () => {
  if (process.env.CI !== undefined && process.env.CI !== '') {
    assert.ok(loaded.linalg !== undefined, `CI must build the addon (npm run build:native): ${loaded.reason}`);
  }
  if (loaded.linalg === undefined) {
    assert.match(loaded.reason, /build:native|failed/);
  } else {
    assert.equal(loaded.linalg.name, 'native-openblas');
    assert.equal(loaded.reason, 'loaded');
    assert.ok((loaded.threads ?? 0) >= 1);
  }
});

test('the addon is found from the sources, from the bundle in dist/ and beside the bundle; a missing addon falls back to pure', () => {
  const expected = path.join(repoRoot, 'server', 'native', 'build', 'Release', 'crit_lapack.node');
  if (loaded.linalg !== undefined) {
    assert.equal(findNativeAddon(path.join(repoRoot, 'server', 'src', 'engine', 'linalg')), expected);
    // npm run build copies the addon beside the bundle (what the .vsix carries); that copy wins.
    const distServer = path.join(repoRoot, 'dist', 'server');
    const copyBesideBundle = path.join(distServer, 'crit_lapack.node');
    assert.equal(findNativeAddon(distServer), existsSync(copyBesideBundle) ? copyBesideBundle : expected);
  }
  const besideBundle = mkdtempSync(path.join(tmpdir(), 'crit-linalg-'));
  writeFileSync(path.join(besideBundle, 'crit_lapack.node'), '');
  assert.equal(findNativeAddon(besideBundle), path.join(besideBundle, 'crit_lapack.node'));
  rmSync(besideBundle, { recursive: true });
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e',
    "const l = require('./server/src/engine/linalg'); console.log(l.linalgBackendName())"],
  { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CRIT_LINALG: '', CRIT_NATIVE_ADDON: '/nonexistent/crit_lapack.node' } });
  assert.match(output, /^pure-ts \(native addon unavailable: loading \/nonexistent\/crit_lapack.node failed/);
});

const rng = createRng(3);
const randomMat = (rows: number, cols: number): Mat => mat(rows, cols, rng.fillNormal(new Float64Array(rows * cols)));

/** U diag(s) V with orthogonal U, V taken from the pure SVD of random matrices. */
function withSingularValues(rows: number, cols: number, s: number[]): Mat {
  const k = Math.min(rows, cols);
  const left = pureLinAlg.svd(randomMat(rows, k)).U;
  const right = pureLinAlg.svd(randomMat(k, cols)).Vt;
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) left.data[i * k + j] *= s[j];
  return pureLinAlg.gemm(left, right);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Largest 1 − |⟨a_j, b_j⟩| over columns j (or rows) whose value is separated from its neighbours. */
function worstVectorMismatch(a: Mat, b: Mat, byColumns: boolean, values: Float64Array, gap: number): number {
  const count = byColumns ? a.cols : a.rows;
  const length = byColumns ? a.rows : a.cols;
  let worst = 0;
  for (let j = 0; j < count; j++) {
    const separated = (j === 0 || Math.abs(values[j] - values[j - 1]) > gap) && (j === count - 1 || Math.abs(values[j + 1] - values[j]) > gap);
    if (!separated) continue;
    let dot = 0;
    for (let i = 0; i < length; i++) dot += byColumns ? a.data[i * count + j] * b.data[i * count + j] : a.data[j * length + i] * b.data[j * length + i];
    worst = Math.max(worst, 1 - Math.abs(dot));
  }
  return worst;
}

const logspace = (from: number, to: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => 10 ** (from + ((to - from) * i) / Math.max(count - 1, 1)));

if (loaded.linalg !== undefined) {
  const native: LinAlg = loaded.linalg;
  const lowRank = (rows: number, cols: number, rank: number): Mat => pureLinAlg.gemm(randomMat(rows, rank), randomMat(rank, cols));
  const systems: Array<[string, Mat, number]> = [
    ['tall random 50x30', randomMat(50, 30), 1e-12],
    ['wide random 30x80 (planting shape)', randomMat(30, 80), 1e-12],
    ['wide rank 12 of 30x80', lowRank(30, 80, 12), 1e-10],
    ['tall cond 1e10 60x40', withSingularValues(60, 40, logspace(0, -10, 40)), 1e-14],
    ['wide cond 1e10 cut at 1e-6', withSingularValues(40, 90, logspace(2, -8, 40)), 1e-6],
  ];

  for (const [name, A, rcond] of systems) {
    test(`native and pure agree: svd and lstsq, ${name}`, () => {
      const a = native.svd(A);
      const p = pureLinAlg.svd(A);
      const scale = p.s[0];
      assert.ok(maxAbsDiff(a.s, p.s) <= 1e-13 * scale, `singular values differ by ${maxAbsDiff(a.s, p.s)}`);
      const gap = 1e-6 * scale;
      const usable = Float64Array.from(p.s, (v) => (v > 1e-6 * scale ? v : -1)); // singular vectors of tiny values are ill-determined
      assert.ok(worstVectorMismatch(a.U, p.U, true, usable, gap) < 1e-9, 'left singular vectors');
      assert.ok(worstVectorMismatch(a.Vt, p.Vt, false, usable, gap) < 1e-9, 'right singular vectors');

      const B = randomMat(A.rows, 2);
      const xa = native.lstsq(A, B, rcond);
      const xp = pureLinAlg.lstsq(A, B, rcond);
      assert.equal(xa.rank, xp.rank);
      assert.deepEqual([xa.X.rows, xa.X.cols], [A.cols, 2]);
      const norm = Math.sqrt(xp.X.data.reduce((s, v) => s + v * v, 0));
      const conditionOfKept = xp.s[0] / xp.s[xp.rank - 1];
      assert.ok(maxAbsDiff(xa.X.data, xp.X.data) <= 50 * Number.EPSILON * conditionOfKept * Math.max(norm, 1),
        `X differs by ${maxAbsDiff(xa.X.data, xp.X.data)}`);
    });
  }

  const symmetric = (A: Mat): Mat => {
    const S = pureLinAlg.gemm(A, A, false, true);
    const D = randomMat(A.rows, A.rows);
    for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.rows; j++) S.data[i * A.rows + j] -= D.data[i * A.rows + j] + D.data[j * A.rows + i];
    return S;
  };
  const spectra: Array<[string, Mat]> = [
    ['indefinite 60', symmetric(randomMat(60, 60))],
    ['psd rank 9 of 40', ((F: Mat) => pureLinAlg.gemm(F, F, false, true))(randomMat(40, 9))],
  ];
  for (const [name, S] of spectra) {
    test(`native and pure agree: symEig, ${name}`, () => {
      const a = native.symEig(S);
      const p = pureLinAlg.symEig(S);
      const scale = Math.max(...Array.from(p.values, Math.abs));
      assert.ok(maxAbsDiff(a.values, p.values) <= 1e-13 * scale, `eigenvalues differ by ${maxAbsDiff(a.values, p.values)}`);
      assert.ok(worstVectorMismatch(a.vectors, p.vectors, true, p.values, 1e-6 * scale) < 1e-9, 'eigenvectors');
      const valuesOnly = native.symEig(S, false);
      assert.deepEqual([valuesOnly.vectors.rows, valuesOnly.vectors.data.length], [0, 0]);
      assert.ok(maxAbsDiff(valuesOnly.values, a.values) <= 1e-13 * scale);
    });
  }

  test('native and pure agree: gemm with every transpose combination; bad shapes throw', () => {
    const A = randomMat(37, 23);
    const B = randomMat(23, 41);
    const At = transpose(A);
    const Bt = transpose(B);
    const expected = pureLinAlg.gemm(A, B);
    for (const [left, right, ta, tb] of [[A, B, false, false], [At, B, true, false], [A, Bt, false, true], [At, Bt, true, true]] as const) {
      const C = native.gemm(left, right, ta, tb);
      assert.deepEqual([C.rows, C.cols], [37, 41]);
      assert.ok(maxAbsDiff(C.data, expected.data) < 1e-12, `ta=${ta} tb=${tb}`);
    }
    assert.throws(() => native.gemm(mat(2, 3), mat(2, 3)), /inner dimensions/);
    assert.throws(() => native.lstsq(mat(2, 3), mat(3, 1), 1e-12), /rows/);
    assert.throws(() => native.symEig(mat(2, 3)), /not square/);
  });
}
