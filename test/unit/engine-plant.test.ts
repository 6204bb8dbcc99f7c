import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parameterCount } from '../../server/src/engine/network';
import { plantLabels } from '../../server/src/engine/plant';
import { certify, gradientMeasures } from '../../server/src/engine/certificate';
import { evaluate } from '../../server/src/engine/derivatives';
import { EngineError } from '../../server/src/engine/errors';
import { pureLinAlg } from '../../server/src/engine/linalg/pure';
import type { NetworkSpec } from '../../server/src/engine/types';
import { teacherProblem } from './engine-helpers';

const linalg = pureLinAlg;

const tanhNets: NetworkSpec[] = [
  { sizes: [4, 6, 1], activations: ['tanh', 'tanh'], bias: true },
  { sizes: [5, 6, 1], activations: ['tanh', 'linear'], bias: false },
  { sizes: [3, 4, 3, 2], activations: ['tanh', 'tanh', 'tanh'], bias: true },
];

test('planting K = 1..4 points in tanh nets gives critical points at rounding level, recomputed independently', () => {
  for (const net of tanhNets) {
    const n = parameterCount(net);
    const dy = net.sizes[net.sizes.length - 1];
    for (let K = 1; K <= 4; K++) {
      const m = Math.ceil((2 * K * n) / dy);
      const problem = teacherProblem(net, K, m, 100 + K);
      const { Y, factorization } = plantLabels(problem, linalg);
      assert.equal(factorization.rank, K * n, `${net.sizes.join('-')} K=${K} full rank`);
      for (const cert of certify(problem, Y, { linalg })) {
        assert.ok(cert.relativeGradientNorm <= 1e-12, `${net.sizes.join('-')} K=${K} ${cert.name}: ${cert.relativeGradientNorm}`);
        assert.ok(cert.critical);
        assert.ok(cert.loss > 0);
      }
    }
  }
});

test('the same problem and seed give bit-identical labels', () => {
  const a = plantLabels(teacherProblem(tanhNets[0], 2, 200, 7), linalg).Y;
  const b = plantLabels(teacherProblem(tanhNets[0], 2, 200, 7), linalg).Y;
  assert.deepEqual(Buffer.from(a.buffer), Buffer.from(b.buffer));
  const c = plantLabels(teacherProblem(tanhNets[0], 2, 200, 8), linalg).Y;
  assert.notDeepEqual(a, c);
});

test('multi-output labels, fixed labels and the min-loss-at objective', () => {
  const net = tanhNets[2];
  const n = parameterCount(net);
  const problem = teacherProblem(net, 2, 3 * n, 31);
  const total = problem.data.m * 2;
  const fixed = new Uint8Array(total);
  for (let j = 0; j < total; j += 3) fixed[j] = 1;
  const withFixed = { ...problem, data: { ...problem.data, fixed } };
  const { Y } = plantLabels(withFixed, linalg);
  for (let j = 0; j < total; j += 3) assert.equal(Y[j], problem.data.Y0[j]);
  for (const cert of certify(withFixed, Y, { linalg })) assert.ok(cert.relativeGradientNorm <= 1e-12, `${cert.name} ${cert.relativeGradientNorm}`);

  // min-loss-at P1 gives a lower loss at P1 than 'closest' and still plants both points.
  const closest = plantLabels(problem, linalg).Y;
  const minLoss = { ...problem, objective: { kind: 'min-loss-at' as const, point: 'P1' } };
  const { Y: Yp } = plantLabels(minLoss, linalg);
  const certs = certify(minLoss, Yp, { linalg });
  for (const cert of certs) assert.ok(cert.relativeGradientNorm <= 1e-12);
  const lossAt = (labels: Float64Array) => gradientMeasures(evaluate(net, problem.planted[1].theta, problem.data.X, problem.data.m), labels).loss;
  assert.ok(lossAt(Yp) < lossAt(closest));
  // K = 1 with min-loss-at its own point is the perfect fit y = ŷ.
  const single = { ...problem, planted: [problem.planted[0]], objective: { kind: 'min-loss-at' as const, point: 'P0' } };
  assert.ok(certify(single, plantLabels(single, linalg).Y, { linalg })[0].loss < 1e-25);
});

test('refuses above the memory budget with a typed error before building matrices', () => {
  const problem = { ...teacherProblem(tanhNets[0], 4, 5000, 1), memoryBudgetBytes: 10 * 1024 * 1024 };
  assert.throws(() => plantLabels(problem, linalg), (e: unknown) => e instanceof EngineError && e.code === 'memory-budget' && /memory budget/.test(e.message));
});

test('labels, gradients and certified spectra agree with an independent NumPy implementation (tanh 4-6-1 with bias, K = 2)', () => {
  const net = tanhNets[0];
  const problem = teacherProblem(net, 2, 120, 55);
  const { Y } = plantLabels(problem, linalg);
  const script = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
X = np.array(d['X']).reshape(-1, 4); y0 = np.array(d['Y0'])
def parts(t):
    t = np.array(t); W0 = t[:24].reshape(6, 4); b0 = t[24:30]; W1 = t[30:36].reshape(1, 6); b1 = t[36]
    return W0, b0, W1, b1
def outputs_and_jacobian(t):
    W0, b0, W1, b1 = parts(t)
    h = np.tanh(X @ W0.T + b0); z = h @ W1[0] + b1; y = np.tanh(z)
    dz = 1 - y**2; dh = (dz[:, None] * W1[0]) * (1 - h**2)
    J = np.hstack([(dh[:, :, None] * X[:, None, :]).reshape(len(X), -1), dh, dz[:, None] * h, dz[:, None]])
    return y, J
C = []; dvec = []
for t in d['thetas']:
    y, J = outputs_and_jacobian(t); C.append(J.T); dvec.append(J.T @ y)
C = np.vstack(C); dvec = np.concatenate(dvec)
y = y0 + np.linalg.lstsq(C, dvec - C @ y0, rcond=None)[0]
ours = np.array(d['Y'])
rel = []
for t in d['thetas']:
    yh, J = outputs_and_jacobian(t); r = ours - yh
    rel.append(np.linalg.norm(J.T @ r) / (np.linalg.norm(J) * np.linalg.norm(r)))
def gradient(t):
    yh, J = outputs_and_jacobian(t)
    return -2 / len(X) * J.T @ (ours - yh)
eig = []
for t in d['thetas']:
    t = np.array(t); n = len(t); H = np.empty((n, n))
    for k in range(n):
        e = np.zeros(n); e[k] = 1e-5
        H[:, k] = (gradient(t + e) - gradient(t - e)) / 2e-5
    eig.append(np.linalg.eigvalsh((H + H.T) / 2).tolist())
print(json.dumps({'diff': float(np.max(np.abs(y - ours)) / np.max(np.abs(y))), 'rel': rel, 'eig': eig}))`;
  const input = JSON.stringify({ X: [...problem.data.X], Y0: [...problem.data.Y0], Y: [...Y], thetas: problem.planted.map((p) => [...p.theta]) });
  const result = JSON.parse(execFileSync('python3', ['-c', script], { input }).toString()) as { diff: number; rel: number[]; eig: number[][] };
  assert.ok(result.diff < 1e-8, `labels differ from NumPy by ${result.diff}`);
  for (const rel of result.rel) assert.ok(rel <= 1e-12, `NumPy sees relative gradient ${rel}`);
  // The certified spectra against NumPy eigenvalues of a finite-difference Hessian of NumPy's gradient.
  certify(problem, Y, { linalg }).forEach((cert, k) => {
    const ours = cert.eigenvalues as Float64Array;
    const reference = result.eig[k];
    const scale = Math.max(...reference.map(Math.abs));
    for (let i = 0; i < ours.length; i++) assert.ok(Math.abs(ours[i] - reference[i]) <= 1e-6 * scale, `${cert.name} λ_${i}`);
  });
});
