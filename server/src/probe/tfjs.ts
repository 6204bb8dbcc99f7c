/**
 * TensorFlow.js for the probes: the native binding (@tensorflow/tfjs-node) when it loads, otherwise
 * the pure JavaScript CPU backend of @tensorflow/tfjs. Also the MLP forward pass over the engine's θ
 * layout (network.ts) and the optimizers, both in float32.
 */
import { layerLayout } from '../engine/network';
import type { Activation, NetworkSpec, Theta } from '../engine/types';
import type { OptimizerSpec } from './types';

export type Tf = typeof import('@tensorflow/tfjs');
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export interface TfRuntime {
  tf: Tf;
  backend: 'tfjs-node' | 'tfjs-cpu';
}

let runtime: TfRuntime | undefined;

/** Loads TensorFlow.js once per process. */
export async function loadTf(): Promise<TfRuntime> {
  if (runtime) return runtime;
  let tf: Tf;
  let backend: TfRuntime['backend'];
  try {
    // Optional native dependency; a variable keeps bundlers from resolving it.
    const nativeName = '@tensorflow/tfjs-node';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tf = require(nativeName) as Tf;
    backend = 'tfjs-node';
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tf = require('@tensorflow/tfjs') as Tf;
    backend = 'tfjs-cpu';
  }
  // PROD silences tfjs's console advice ("install tfjs-node"), which would mix into --json output.
  tf.env().set('PROD', true);
  if (backend === 'tfjs-cpu') await tf.setBackend('cpu');
  await tf.ready();
  runtime = { tf, backend };
  return runtime;
}

function activate(tf: Tf, activation: Activation, z: Tensor2D): Tensor2D {
  switch (activation) {
    case 'linear': return z;
    case 'tanh': return tf.tanh(z);
    case 'sigmoid': return tf.sigmoid(z);
    case 'relu': return tf.relu(z);
    // The engine's conventions (activations.ts): slope 0.01, elu α = 1, exact gelu z Φ(z).
    case 'leaky_relu': return tf.leakyRelu(z, 0.01);
    case 'softplus': return tf.softplus(z);
    case 'elu': return tf.elu(z);
    case 'gelu': return tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
    case 'sin': return tf.sin(z);
    case 'square': return tf.square(z);
  }
}

/** The network's parameters as tfjs variables: W_l shaped (out, in) as in θ, b_l when biases are on. */
export interface TfParameters {
  variables: import('@tensorflow/tfjs').Variable[];
  /** Writes the current values into θ order (float32 values widened to float64). */
  read(): Float64Array;
  dispose(): void;
}

export function createParameters(tf: Tf, net: NetworkSpec, theta: Theta): TfParameters {
  const blocks = layerLayout(net);
  const variables: import('@tensorflow/tfjs').Variable[] = [];
  for (const b of blocks) {
    variables.push(tf.variable(tf.tensor2d(Float32Array.from(theta.subarray(b.weightOffset, b.weightOffset + b.rows * b.cols)), [b.rows, b.cols])));
    if (b.biasOffset >= 0) variables.push(tf.variable(tf.tensor1d(Float32Array.from(theta.subarray(b.biasOffset, b.biasOffset + b.rows)))));
  }
  return {
    variables,
    read() {
      // Variables are in θ order (W0, b0, W1, b1, ...), each row-major like θ.
      const out = new Float64Array(theta.length);
      let offset = 0;
      for (const v of variables) {
        const values = v.dataSync();
        out.set(values, offset);
        offset += values.length;
      }
      return out;
    },
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}

/** ŷ = f_L(… f_0(X W_0ᵀ + b_0) …) for a batch X (rows are samples). */
export function tfForward(tf: Tf, net: NetworkSpec, parameters: TfParameters, X: Tensor2D): Tensor2D {
  let a = X;
  let k = 0;
  for (const b of layerLayout(net)) {
    const W = parameters.variables[k++];
    let z = tf.matMul(a, W as Tensor2D, false, true) as Tensor2D;
    if (b.biasOffset >= 0) z = tf.add<Tensor2D>(z, parameters.variables[k++]);
    a = activate(tf, net.activations[b.layer], z);
  }
  return a;
}

/** The engine's loss L = (1/m) Σ_i ‖y_i − ŷ_i‖² on a batch of m rows. */
export function tfLoss(tf: Tf, net: NetworkSpec, parameters: TfParameters, X: Tensor2D, Y: Tensor2D): import('@tensorflow/tfjs').Scalar {
  return tf.div(tf.sum(tf.squaredDifference(Y, tfForward(tf, net, parameters, X))), X.shape[0]);
}

export function createOptimizer(tf: Tf, spec: OptimizerSpec): import('@tensorflow/tfjs').Optimizer {
  const p = spec.params;
  switch (spec.name) {
    case 'sgd': return tf.train.sgd(spec.lr);
    case 'momentum': return tf.train.momentum(spec.lr, p.momentum, false);
    case 'nesterov': return tf.train.momentum(spec.lr, p.momentum, true);
    case 'adam': return tf.train.adam(spec.lr, p.beta1, p.beta2, p.epsilon);
    case 'rmsprop': return tf.train.rmsprop(spec.lr, p.decay, p.momentum, p.epsilon);
    case 'adagrad': return tf.train.adagrad(spec.lr, p.initial);
  }
}
