// Independent check of the engine's derivatives against TensorFlow.js autodiff (float32, so the
// tolerance is 1e-3 relative; the float64 finite-difference tests are in engine-derivatives.test.ts).
// First derivatives come straight from tf.grad. tfjs cannot nest tf.grad through tanh, sigmoid or
// exp (their gradients reuse saved outputs off the tape), so second-order quantities are central
// differences of tfjs autodiff gradients with a float32-sized step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../server/src/engine/random';
import { initTheta, layerLayout } from '../../server/src/engine/network';
import { evaluate, jacobian, lossHessianVector, secondDirectional } from '../../server/src/engine/derivatives';
import { ACTIVATIONS, type Activation, type NetworkSpec } from '../../server/src/engine/types';
import { relativeError } from './engine-helpers';

function tfActivation(act: Activation, z: tf.Tensor): tf.Tensor {
  switch (act) {
    case 'linear': return z;
    case 'tanh': return tf.tanh(z);
    case 'sigmoid': return tf.sigmoid(z);
    case 'relu': return tf.relu(z);
    case 'leaky_relu': return tf.sub(tf.relu(z), tf.mul(tf.relu(tf.neg(z)), 0.01));
    case 'softplus': return tf.softplus(z);
    case 'elu': return tf.add(tf.relu(z), tf.sub(tf.exp(tf.neg(tf.relu(tf.neg(z)))), 1));
    case 'gelu': return tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
    case 'sin': return tf.sin(z);
    case 'square': return tf.square(z);
  }
}

/** ŷ (m × d_y) as a tfjs function of the flat parameter vector, using the engine's documented layout. */
function tfForward(net: NetworkSpec, X: tf.Tensor2D, theta: tf.Tensor1D): tf.Tensor2D {
  let a: tf.Tensor2D = X;
  for (const b of layerLayout(net)) {
    const W = tf.reshape(tf.slice(theta, b.weightOffset, b.rows * b.cols), [b.rows, b.cols]) as tf.Tensor2D;
    let z: tf.Tensor = tf.matMul(a, W, false, true);
    if (b.biasOffset >= 0) z = tf.add(z, tf.slice(theta, b.biasOffset, b.rows));
    a = tfActivation(net.activations[b.layer], z) as tf.Tensor2D;
  }
  return a;
}

const STEP = 1e-3;

test('J, loss HVP and second directional derivatives match TensorFlow.js autodiff for every activation', () => {
  const rng = createRng(99);
  for (const act of ACTIVATIONS) {
    for (const bias of [true, false]) {
      const net: NetworkSpec = { sizes: [3, 4, 3, 2], activations: [act, act, act === 'relu' ? 'linear' : act], bias };
      const m = 4;
      const r = rng.fork(`${act}/${bias}`);
      const theta = initTheta(net, { kind: 'normal', mean: 0, std: 0.6 }, r.fork('theta'));
      const X = r.fork('x').fillNormal(new Float64Array(m * 3));
      const Y = r.fork('y').fillNormal(new Float64Array(m * 2));
      const v = r.fork('v').fillNormal(new Float64Array(theta.length));
      const ev = evaluate(net, theta, X, m);
      const J = jacobian(ev);
      const Hv = lossHessianVector(ev, Y, v);
      const second = secondDirectional(ev, v);

      tf.tidy(() => {
        const Xt = tf.tensor2d(Float32Array.from(X), [m, 3]);
        const Yt = tf.tensor1d(Float32Array.from(Y));
        const vt = tf.tensor1d(Float32Array.from(v));
        const output = (t: tf.Tensor) => tf.reshape(tfForward(net, Xt, t as tf.Tensor1D), [-1]);
        const loss = (t: tf.Tensor) => tf.div(tf.sum(tf.square(tf.sub(Yt, output(t)))), m);
        /** Rows of J (as one flat array) and the loss gradient at θ + s·v, by tfjs autodiff. */
        const autodiff = (s: number) => {
          const th = tf.tensor1d(Float32Array.from(theta, (x, k) => x + s * v[k]));
          const rows: number[] = [];
          const directional: number[] = [];
          for (let j = 0; j < m * 2; j++) {
            const row = tf.grad((t: tf.Tensor) => tf.gather(output(t), j))(th);
            rows.push(...(row.dataSync() as Float32Array));
            directional.push(tf.sum(tf.mul(row, vt)).dataSync()[0]);
          }
          return { rows, directional, gradient: tf.grad(loss)(th).dataSync() as Float32Array };
        };
        const at = autodiff(0);
        const plus = autodiff(STEP);
        const minus = autodiff(-STEP);
        const tfHv = plus.gradient.map((x, k) => (x - minus.gradient[k]) / (2 * STEP));
        const tfSecond = plus.directional.map((x, j) => (x - minus.directional[j]) / (2 * STEP));
        const tag = `${act} bias=${bias}`;
        assert.ok(relativeError(J.data, at.rows) < 1e-3, `${tag} J ${relativeError(J.data, at.rows)}`);
        assert.ok(relativeError(Hv, tfHv) < 1e-3, `${tag} Hv ${relativeError(Hv, tfHv)}`);
        assert.ok(relativeError(second, tfSecond) < 1e-3, `${tag} second ${relativeError(second, tfSecond)}`);
      });
    }
  }
});
