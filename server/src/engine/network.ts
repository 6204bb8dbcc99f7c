/**
 * Fully connected MLPs over a flat parameter vector θ: layout, forward pass, initialisers and
 * derived points. θ order: W0 (row-major, (out, in) like PyTorch's nn.Linear.weight), b0, W1, b1, ...
 */
import { activationFunctions } from './activations';
import { EngineError } from './errors';
import type { Rng } from './random';
import { ACTIVATIONS, type NetworkSpec, type Theta } from './types';

/** Where layer l's parameters live in θ. */
export interface LayerBlock {
  /** Index of the weight matrix (0 = input layer). */
  layer: number;
  /** d_{l+1} (outputs of this layer). */
  rows: number;
  /** d_l (inputs of this layer). */
  cols: number;
  /** Offset of W_l[0, 0]; W_l[p, q] is at weightOffset + p * cols + q. */
  weightOffset: number;
  /** Offset of b_l[0], or -1 when the network has no biases. */
  biasOffset: number;
}

/** Throws 'invalid-input' unless sizes, activations and bias describe a network. */
export function validateNetwork(net: NetworkSpec): void {
  const { sizes, activations } = net;
  if (sizes.length < 2) throw new EngineError('invalid-input', `a network needs at least 2 sizes, got ${sizes.length}`);
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 1) throw new EngineError('invalid-input', `layer sizes must be positive integers, got ${size}`);
  }
  if (activations.length !== sizes.length - 1) {
    throw new EngineError(
      'invalid-input',
      `a network with ${sizes.length - 1} weight matrices needs ${sizes.length - 1} activations, got ${activations.length}`,
    );
  }
  for (const activation of activations) {
    if (!(ACTIVATIONS as readonly string[]).includes(activation)) throw new EngineError('invalid-input', `unknown activation '${activation}'`);
  }
}

export function layerLayout(net: NetworkSpec): LayerBlock[] {
  const blocks: LayerBlock[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < net.sizes.length; l++) {
    const rows = net.sizes[l + 1];
    const cols = net.sizes[l];
    const weightOffset = offset;
    offset += rows * cols;
    const biasOffset = net.bias ? offset : -1;
    if (net.bias) offset += rows;
    blocks.push({ layer: l, rows, cols, weightOffset, biasOffset });
  }
  return blocks;
}

/** N = Σ d_{l+1} d_l (+ Σ d_{l+1} with biases). */
export function parameterCount(net: NetworkSpec): number {
  let count = 0;
  for (let l = 0; l + 1 < net.sizes.length; l++) count += net.sizes[l + 1] * (net.sizes[l] + (net.bias ? 1 : 0));
  return count;
}

export function checkTheta(net: NetworkSpec, theta: Theta, what = 'θ'): void {
  const n = parameterCount(net);
  if (theta.length !== n) throw new EngineError('invalid-input', `${what} has ${theta.length} entries, the network has ${n} parameters`);
}

/**
 * Every layer's values for a batch of m samples, row-major (sample-major):
 * inputs[l] = a_l (m × d_l, inputs[0] = X), pre[l] = z_l = a_l W_lᵀ + b_l (m × d_{l+1}),
 * and the output a_L = f_L(z_{L-1}).
 */
export interface ForwardTrace {
  inputs: Float64Array[];
  pre: Float64Array[];
  output: Float64Array;
}

export function forwardTrace(net: NetworkSpec, theta: Theta, X: Float64Array, m: number): ForwardTrace {
  checkTheta(net, theta);
  if (X.length !== m * net.sizes[0]) {
    throw new EngineError('invalid-input', `X has ${X.length} entries, expected m · d_x = ${m} · ${net.sizes[0]}`);
  }
  const inputs: Float64Array[] = [X];
  const pre: Float64Array[] = [];
  let a = X;
  for (const block of layerLayout(net)) {
    const { rows, cols, weightOffset, biasOffset } = block;
    const f = activationFunctions(net.activations[block.layer]).f;
    const z = new Float64Array(m * rows);
    const next = new Float64Array(m * rows);
    for (let i = 0; i < m; i++) {
      const aRow = i * cols;
      for (let p = 0; p < rows; p++) {
        let sum = biasOffset >= 0 ? theta[biasOffset + p] : 0;
        const wRow = weightOffset + p * cols;
        for (let q = 0; q < cols; q++) sum += theta[wRow + q] * a[aRow + q];
        z[i * rows + p] = sum;
        next[i * rows + p] = f(sum);
      }
    }
    pre.push(z);
    inputs.push(next);
    a = next;
  }
  const output = inputs.pop() as Float64Array;
  return { inputs, pre, output };
}

/** Network outputs ŷ for m samples: m × d_y row-major. */
export function forward(net: NetworkSpec, theta: Theta, X: Float64Array, m: number): Float64Array {
  return forwardTrace(net, theta, X, m).output;
}

/**
 * How to draw a planted point's weights. Glorot and He initialisers set biases to zero (as Keras
 * does); normal and uniform draw every parameter, biases included.
 */
export type InitSpec =
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'glorot-normal' }
  | { kind: 'glorot-uniform' }
  | { kind: 'he-normal' }
  | { kind: 'he-uniform' }
  | { kind: 'values'; values: ArrayLike<number> };

/** θ for `init`, drawing from `rng` in θ order (W0 row-major, b0, W1, ...). */
export function initTheta(net: NetworkSpec, init: InitSpec, rng: Rng): Theta {
  validateNetwork(net);
  const n = parameterCount(net);
  const theta = new Float64Array(n);
  switch (init.kind) {
    case 'values': {
      if (init.values.length !== n) {
        throw new EngineError('invalid-input', `explicit weights have ${init.values.length} values, the network has ${n} parameters`);
      }
      for (let k = 0; k < n; k++) theta[k] = init.values[k];
      return theta;
    }
    case 'normal':
      return rng.fillNormal(theta, init.mean, init.std);
    case 'uniform':
      return rng.fillUniform(theta, init.low, init.high);
    default:
      for (const block of layerLayout(net)) {
        const fanIn = block.cols;
        const fanOut = block.rows;
        const weights = theta.subarray(block.weightOffset, block.weightOffset + block.rows * block.cols);
        switch (init.kind) {
          case 'glorot-normal':
            rng.fillNormal(weights, 0, Math.sqrt(2 / (fanIn + fanOut)));
            break;
          case 'glorot-uniform': {
            const limit = Math.sqrt(6 / (fanIn + fanOut));
            rng.fillUniform(weights, -limit, limit);
            break;
          }
          case 'he-normal':
            rng.fillNormal(weights, 0, Math.sqrt(2 / fanIn));
            break;
          case 'he-uniform': {
            const limit = Math.sqrt(6 / fanIn);
            rng.fillUniform(weights, -limit, limit);
            break;
          }
        }
      }
      return theta;
  }
}

/** A derived point θ + scale · ε, ε ~ N(0, I) drawn from `rng`. */
export function perturbTheta(theta: Theta, scale: number, rng: Rng): Theta {
  const out = new Float64Array(theta.length);
  for (let k = 0; k < theta.length; k++) out[k] = theta[k] + scale * rng.normal();
  return out;
}

/**
 * A copy of θ with the hidden units produced by weight matrix `layer` reordered: new unit p is old
 * unit perm[p]. Rows of W_layer and b_layer and columns of W_{layer+1} move together, so the network
 * computes the same function.
 */
export function permuteHidden(net: NetworkSpec, theta: Theta, layer: number, perm: ArrayLike<number>): Theta {
  checkTheta(net, theta);
  const blocks = layerLayout(net);
  if (!Number.isInteger(layer) || layer < 0 || layer >= blocks.length - 1) {
    throw new EngineError('invalid-input', `hidden layer index must be in 0..${blocks.length - 2}, got ${layer}`);
  }
  const width = blocks[layer].rows;
  const seen = new Uint8Array(width);
  if (perm.length !== width) throw new EngineError('invalid-input', `permutation has ${perm.length} entries, the layer has ${width} units`);
  for (let p = 0; p < width; p++) {
    const source = perm[p];
    if (!Number.isInteger(source) || source < 0 || source >= width || seen[source]) {
      throw new EngineError('invalid-input', `not a permutation of 0..${width - 1}`);
    }
    seen[source] = 1;
  }
  const out = Float64Array.from(theta);
  const incoming = blocks[layer];
  const outgoing = blocks[layer + 1];
  for (let p = 0; p < width; p++) {
    const source = perm[p];
    for (let q = 0; q < incoming.cols; q++) {
      out[incoming.weightOffset + p * incoming.cols + q] = theta[incoming.weightOffset + source * incoming.cols + q];
    }
    if (incoming.biasOffset >= 0) out[incoming.biasOffset + p] = theta[incoming.biasOffset + source];
    for (let r = 0; r < outgoing.rows; r++) {
      out[outgoing.weightOffset + r * outgoing.cols + p] = theta[outgoing.weightOffset + r * outgoing.cols + source];
    }
  }
  return out;
}

/** Mean squared error L = (1/m) Σ_i ||y_i − ŷ_i||² over m samples. */
export function mseLoss(Y: Float64Array, Yhat: Float64Array, m: number): number {
  let sum = 0;
  for (let j = 0; j < Y.length; j++) {
    const r = Y[j] - Yhat[j];
    sum += r * r;
  }
  return sum / m;
}
