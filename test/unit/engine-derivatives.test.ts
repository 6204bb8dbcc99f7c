import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../../server/src/engine/random';
import { forward, initTheta } from '../../server/src/engine/network';
import {
  evaluate, jacobian, jacobianTransposeVector, jacobianVector, lossGradient, lossHessian, lossHessianVector,
  secondDirectional, secondDirectionals, weightedOutputHessian, weightedOutputHessianVector,
} from '../../server/src/engine/derivatives';
import { ACTIVATIONS, type Activation, type NetworkSpec } from '../../server/src/engine/types';
import { relativeError } from './engine-helpers';

function centralDifference(fn: (t: Float64Array) => Float64Array, theta: Float64Array, v: Float64Array, h: number): Float64Array {
  const plus = Float64Array.from(theta, (x, k) => x + h * v[k]);
  const minus = Float64Array.from(theta, (x, k) => x - h * v[k]);
  const fp = fn(plus);
  const fm = fn(minus);
  return Float64Array.from(fp, (x, k) => (x - fm[k]) / (2 * h));
}

interface Case { net: NetworkSpec; m: number }

function cases(): Case[] {
  const out: Case[] = [];
  for (const act of ACTIVATIONS) {
    out.push({ net: { sizes: [3, 4, 2], activations: [act, 'linear'], bias: true }, m: 5 });
    out.push({ net: { sizes: [2, 3, 3, 1], activations: [act, act, act], bias: false }, m: 4 });
  }
  out.push({ net: { sizes: [2, 3, 2, 3, 2], activations: ['tanh', 'gelu', 'softplus', 'sigmoid'], bias: true }, m: 3 });
  return out;
}

function setup(c: Case, rng: Rng) {
  const theta = initTheta(c.net, { kind: 'normal', mean: 0, std: 0.7 }, rng.fork('theta'));
  const X = rng.fork('x').fillNormal(new Float64Array(c.m * c.net.sizes[0]));
  const dy = c.net.sizes[c.net.sizes.length - 1];
  const Y = rng.fork('y').fillNormal(new Float64Array(c.m * dy));
  const v = rng.fork('v').fillNormal(new Float64Array(theta.length));
  const rho = rng.fork('rho').fillNormal(new Float64Array(c.m * dy));
  return { theta, X, Y, v, rho };
}

const label = (c: Case) => `${c.net.sizes.join('-')} ${c.net.activations.join('/')} bias=${c.net.bias}`;

test('J, J v, Jᵀu agree with central differences of the forward pass for every activation', () => {
  const rng = createRng(2024);
  for (const c of cases()) {
    const { theta, X, v, rho } = setup(c, rng.fork(label(c)));
    const ev = evaluate(c.net, theta, X, c.m);
    const J = jacobian(ev);
    const n = theta.length;
    const f = (t: Float64Array) => forward(c.net, t, X, c.m);
    for (let k = 0; k < n; k++) {
      const e = new Float64Array(n);
      e[k] = 1;
      const fd = centralDifference(f, theta, e, 1e-6);
      const column = Float64Array.from({ length: J.rows }, (_, j) => J.data[j * n + k]);
      for (let j = 0; j < J.rows; j++) assert.ok(Math.abs(column[j] - fd[j]) <= 1e-6 * (1 + Math.abs(fd[j])), `${label(c)} J[${j},${k}]`);
    }
    const Jv = Float64Array.from({ length: J.rows }, (_, j) => J.data.subarray(j * n, (j + 1) * n).reduce((s, x, k) => s + x * v[k], 0));
    assert.ok(relativeError(jacobianVector(ev, v), Jv) < 1e-13, label(c));
    const JTu = Float64Array.from({ length: n }, (_, k) => rho.reduce((s, x, j) => s + x * J.data[j * n + k], 0));
    assert.ok(relativeError(jacobianTransposeVector(ev, rho), JTu) < 1e-13, label(c));
  }
});

test('second-order quantities agree with central differences of exact first derivatives', () => {
  const rng = createRng(77);
  for (const c of cases()) {
    const { theta, X, Y, v, rho } = setup(c, rng.fork(label(c)));
    const ev = evaluate(c.net, theta, X, c.m);
    const h = 1e-5;
    // vᵀ∇²ŷ_j v = d/dh (J(θ + h v) v)
    const fdSecond = centralDifference((t) => jacobianVector(evaluate(c.net, t, X, c.m), v), theta, v, h);
    assert.ok(relativeError(secondDirectional(ev, v), fdSecond) < 1e-6, `${label(c)} second directional`);
    // Σ ρ_j ∇²ŷ_j v = d/dh (J(θ + h v)ᵀ ρ)
    const fdWeighted = centralDifference((t) => jacobianTransposeVector(evaluate(c.net, t, X, c.m), rho), theta, v, h);
    const Sv = weightedOutputHessianVector(ev, rho, v);
    assert.ok(relativeError(Sv, fdWeighted) < 1e-6, `${label(c)} weighted HVP`);
    // Loss HVP = d/dh ∇L(θ + h v)
    const fdLoss = centralDifference((t) => lossGradient(evaluate(c.net, t, X, c.m), Y), theta, v, h);
    assert.ok(relativeError(lossHessianVector(ev, Y, v), fdLoss) < 1e-6, `${label(c)} loss HVP`);
    // Two independent second-order routes: vᵀ S v from the R-operator = Σ ρ_j vᵀ∇²ŷ_j v from forward mode.
    const vSv = Sv.reduce((s, x, k) => s + x * v[k], 0);
    const rhoDotSecond = secondDirectional(ev, v).reduce((s, x, j) => s + x * rho[j], 0);
    assert.ok(Math.abs(vSv - rhoDotSecond) <= 1e-11 * (1 + Math.abs(vSv)), `${label(c)} routes`);
  }
});

test('structured dense S = Σ ρ_j ∇²ŷ_j equals its R-operator columns for every activation, depth and bias setting', () => {
  const rng = createRng(8);
  for (const c of cases()) {
    const { theta, X, rho } = setup(c, rng.fork(label(c)));
    const ev = evaluate(c.net, theta, X, c.m);
    const n = theta.length;
    const S = weightedOutputHessian(ev, rho);
    for (let k = 0; k < n; k++) {
      const e = new Float64Array(n);
      e[k] = 1;
      const column = Float64Array.from({ length: n }, (_, r) => S.data[r * n + k]);
      assert.ok(relativeError(column, weightedOutputHessianVector(ev, rho, e)) < 1e-12 || Math.max(...column.map(Math.abs)) < 1e-14, `${label(c)} column ${k}`);
    }
  }
});

test('S(ρ) built repeatedly at one point (ρ-independent parts reused) equals a fresh build and is linear in ρ', () => {
  const rng = createRng(9);
  for (const c of cases()) {
    const { theta, X, rho } = setup(c, rng.fork(label(c)));
    const other = rng.fork(`${label(c)} other`).fillNormal(new Float64Array(rho.length));
    const ev = evaluate(c.net, theta, X, c.m);
    const first = weightedOutputHessian(ev, rho);
    const again = weightedOutputHessian(ev, other);
    assert.deepEqual(again.data, weightedOutputHessian(evaluate(c.net, theta, X, c.m), other).data, label(c));
    assert.deepEqual(weightedOutputHessian(ev, rho).data, first.data, label(c));
    const combined = weightedOutputHessian(ev, Float64Array.from(rho, (x, j) => 2 * x - 3 * other[j]));
    const linear = Float64Array.from(first.data, (x, k) => 2 * x - 3 * again.data[k]);
    assert.ok(relativeError(combined.data, linear) < 1e-12, label(c));
  }
});

test('secondDirectionals: each row equals secondDirectional of that vector, for every activation, depth and bias setting', () => {
  const rng = createRng(10);
  for (const c of cases()) {
    const { theta, X } = setup(c, rng.fork(label(c)));
    const ev = evaluate(c.net, theta, X, c.m);
    const n = theta.length;
    const r = 3;
    const V = { rows: r, cols: n, data: rng.fork(`${label(c)} V`).fillNormal(new Float64Array(r * n)) };
    const batch = secondDirectionals(ev, V);
    const M = batch.cols;
    for (let s = 0; s < r; s++) {
      const single = secondDirectional(ev, V.data.slice(s * n, (s + 1) * n));
      assert.ok(relativeError(batch.data.subarray(s * M, (s + 1) * M), single) < 1e-13 || Math.max(...single.map(Math.abs)) < 1e-14, `${label(c)} row ${s}`);
    }
  }
});

test('dense weighted output Hessian and loss Hessian: symmetric, match HVPs and differences of the gradient', () => {
  const rng = createRng(5);
  for (const act of ['tanh', 'gelu', 'relu', 'square'] as Activation[]) {
    const c: Case = { net: { sizes: [3, 4, 2], activations: [act, 'sigmoid'], bias: true }, m: 6 };
    const { theta, X, Y, v, rho } = setup(c, rng.fork(act));
    const ev = evaluate(c.net, theta, X, c.m);
    const n = theta.length;
    const S = weightedOutputHessian(ev, rho);
    const Sv = Float64Array.from({ length: n }, (_, r) => S.data.subarray(r * n, (r + 1) * n).reduce((s, x, k) => s + x * v[k], 0));
    assert.ok(relativeError(Sv, weightedOutputHessianVector(ev, rho, v)) < 1e-12, act);
    const H = lossHessian(ev, Y);
    for (let k = 0; k < n; k++) {
      const e = new Float64Array(n);
      e[k] = 1;
      const fd = centralDifference((t) => lossGradient(evaluate(c.net, t, X, c.m), Y), theta, e, 1e-5);
      const column = Float64Array.from({ length: n }, (_, r) => H.data[r * n + k]);
      assert.ok(relativeError(column, fd) < 1e-6 || Math.max(...fd.map(Math.abs)) < 1e-9, `${act} H column ${k}`);
      for (let r = 0; r < n; r++) assert.equal(H.data[r * n + k], H.data[k * n + r]);
    }
  }
});
