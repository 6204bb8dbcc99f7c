import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { evaluate, lossHessian, lossHessianVector } from '../../server/src/engine/derivatives';
import { lanczosExtremes } from '../../server/src/engine/lanczos';
import { getLinAlg, mat } from '../../server/src/engine/linalg';
import type { Mat } from '../../server/src/engine/linalg/types';
import { createRng } from '../../server/src/engine/random';
import { asymmetry, denseSpectrum, symmetrize } from '../../server/src/engine/spectrum';
import type { NetworkSpec } from '../../server/src/engine/types';

const linalg = getLinAlg();

function randomSymmetric(n: number, seed: number): Mat {
  const rng = createRng(seed);
  const A = mat(n, n, rng.fillNormal(new Float64Array(n * n)));
  return symmetrize(A);
}

/** NumPy's eigvalsh of A, independently of our LinAlg. */
function numpyEigvalsh(A: Mat): Float64Array {
  const script = 'import sys,json,numpy as np; a=json.load(sys.stdin); n=a["n"]; print(json.dumps(np.linalg.eigvalsh(np.array(a["d"]).reshape(n,n)).tolist()))';
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify({ n: A.rows, d: Array.from(A.data) }) });
  return Float64Array.from(JSON.parse(out.toString()) as number[]);
}

function matvecOf(A: Mat) {
  return (v: Float64Array, out: Float64Array): void => {
    const n = A.rows;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A.data[i * n + j] * v[j];
      out[i] = s;
    }
  };
}

test('dense spectrum agrees with numpy.linalg.eigvalsh', () => {
  const A = randomSymmetric(60, 1);
  const ours = denseSpectrum(linalg, A).values;
  const reference = numpyEigvalsh(A);
  const scale = Math.max(...Array.from(reference, Math.abs));
  for (let i = 0; i < ours.length; i++) assert.ok(Math.abs(ours[i] - reference[i]) <= 1e-12 * scale, `eigenvalue ${i}: ${ours[i]} vs ${reference[i]}`);
});

test('symmetrize removes rounding asymmetry; asymmetry measures it', () => {
  const A = mat(2, 2, [1, 2, 2 + 1e-9, 3]);
  assert.ok(asymmetry(A) > 1e-10);
  assert.equal(asymmetry(symmetrize(A)), 0);
});

test('dense spectrum refuses above the memory budget', () => {
  assert.throws(() => denseSpectrum(linalg, randomSymmetric(50, 2), { memoryBudgetBytes: 1000 }), /memory budget/);
});

test('Lanczos extremes agree with the dense spectrum on random symmetric matrices', () => {
  for (const [n, seed] of [[80, 3], [200, 4]]) {
    const A = randomSymmetric(n, seed);
    const dense = denseSpectrum(linalg, A).values;
    const result = lanczosExtremes(linalg, n, matvecOf(A), { k: 3, which: 'both', seed: 7 });
    assert.ok(result.converged, `n=${n}: not converged after ${result.iterations}`);
    const scale = Math.max(Math.abs(dense[0]), Math.abs(dense[n - 1]));
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(result.smallest[i] - dense[i]) <= 1e-9 * scale, `smallest ${i}: ${result.smallest[i]} vs ${dense[i]}`);
      assert.ok(Math.abs(result.largest[i] - dense[n - 3 + i]) <= 1e-9 * scale, `largest ${i}: ${result.largest[i]} vs ${dense[n - 3 + i]}`);
    }
  }
});

test('Lanczos restarts after an invariant subspace and finds a low-rank spectrum exactly', () => {
  // Rank-2 operator in R^30: the Krylov space of a generic start is 2- or 3-dimensional.
  const n = 30;
  const rng = createRng(11);
  const u = rng.fillNormal(new Float64Array(n));
  const w = rng.fillNormal(new Float64Array(n));
  const A = mat(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A.data[i * n + j] = 5 * u[i] * u[j] - 2 * w[i] * w[j];
  const dense = denseSpectrum(linalg, A).values;
  const result = lanczosExtremes(linalg, n, matvecOf(A), { k: 2, which: 'both', seed: 1 });
  assert.ok(result.converged);
  assert.ok(Math.abs(result.smallest[0] - dense[0]) <= 1e-9 * Math.abs(dense[0]));
  assert.ok(Math.abs(result.largest[1] - dense[n - 1]) <= 1e-9 * dense[n - 1]);
  assert.ok(Math.abs(result.smallest[1]) <= 1e-9 * dense[n - 1], 'second smallest is a zero');
});

test('Lanczos is deterministic for a seed and cancellable', () => {
  const A = randomSymmetric(40, 5);
  const first = lanczosExtremes(linalg, 40, matvecOf(A), { k: 2, which: 'smallest', seed: 3, maxIterations: 12 });
  const second = lanczosExtremes(linalg, 40, matvecOf(A), { k: 2, which: 'smallest', seed: 3, maxIterations: 12 });
  assert.deepEqual(first.smallest, second.smallest);
  const controller = new AbortController();
  controller.abort();
  assert.throws(() => lanczosExtremes(linalg, 40, matvecOf(A), { k: 2, which: 'smallest', signal: controller.signal }), { name: 'AbortError' });
});

/** A tanh 4-10-10-1 loss Hessian (N = 150) at labels off the critical set: indefinite, varied spectrum. */
function hessianCase() {
  const net: NetworkSpec = { sizes: [4, 10, 10, 1], activations: ['tanh', 'tanh', 'linear'], bias: false };
  const rng = createRng(21);
  const m = 200;
  const X = rng.fillNormal(new Float64Array(m * 4));
  const theta = rng.fillNormal(new Float64Array(150), 0, 0.7);
  const Y = rng.fillNormal(new Float64Array(m));
  const ev = evaluate(net, theta, X, m);
  return { ev, Y, H: lossHessian(ev, Y, { linalg }) };
}

test('dense spectrum of a loss Hessian agrees with numpy.linalg.eigvalsh', () => {
  const { H } = hessianCase();
  const ours = denseSpectrum(linalg, H).values;
  const reference = numpyEigvalsh(symmetrize(H));
  const scale = Math.max(...Array.from(reference, Math.abs));
  assert.ok(ours[0] < 0 && ours[ours.length - 1] > 0, 'indefinite');
  for (let i = 0; i < ours.length; i++) assert.ok(Math.abs(ours[i] - reference[i]) <= 1e-12 * scale, `eigenvalue ${i}: ${ours[i]} vs ${reference[i]}`);
});

test('Lanczos on Hessian-vector products finds the extreme eigenvalues of the dense Hessian', () => {
  const { ev, Y, H } = hessianCase();
  const dense = denseSpectrum(linalg, H).values;
  const n = dense.length;
  const result = lanczosExtremes(linalg, n, (v, out) => out.set(lossHessianVector(ev, Y, v)), { k: 2, which: 'both', seed: 2, maxIterations: n });
  assert.ok(result.converged);
  const scale = Math.max(Math.abs(dense[0]), Math.abs(dense[n - 1]));
  for (let i = 0; i < 2; i++) {
    assert.ok(Math.abs(result.smallest[i] - dense[i]) <= 1e-8 * scale, `smallest ${i}: ${result.smallest[i]} vs ${dense[i]}`);
    assert.ok(Math.abs(result.largest[i] - dense[n - 2 + i]) <= 1e-8 * scale, `largest ${i}: ${result.largest[i]} vs ${dense[n - 2 + i]}`);
  }
});
