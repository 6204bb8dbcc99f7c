/**
 * Evaluating a planted landscape away from the planted points: the segment between two points
 * (the paper's Eq. 7), planes through three points, and planes along random directions normalised
 * per neuron (Li et al. 2018).
 */
import { evaluate, lossGradient } from './derivatives';
import { EngineError } from './errors';
import { forward, layerLayout, mseLoss } from './network';
import type { Rng } from './random';
import type { NetworkSpec, PlantProblem, RunOptions, Theta } from './types';

/** The network, inputs and labels a landscape is evaluated on. */
export interface LandscapeData {
  net: NetworkSpec;
  X: Float64Array;
  Y: Float64Array;
  m: number;
}

export function landscapeData(problem: PlantProblem, Y: Float64Array): LandscapeData {
  return { net: problem.network, X: problem.data.X, Y, m: problem.data.m };
}

function norm(v: Float64Array): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

/** `count` evenly spaced values from `from` to `to` inclusive (count ≥ 2). */
export function linspace(from: number, to: number, count: number): Float64Array {
  if (!Number.isInteger(count) || count < 2) throw new EngineError('invalid-input', `a grid needs at least 2 steps, got ${count}`);
  return Float64Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}

export interface SegmentCurve {
  alpha: Float64Array;
  loss: Float64Array;
  gradientNorm: Float64Array;
}

/** Loss and ||∇L|| along θ(α) = (1 − α) θ_1 + α θ_2 for each α. */
export function segmentCurve(data: LandscapeData, theta1: Theta, theta2: Theta, alpha: Float64Array, opts: RunOptions = {}): SegmentCurve {
  if (theta1.length !== theta2.length) throw new EngineError('invalid-input', 'the two points have different parameter counts');
  const loss = new Float64Array(alpha.length);
  const gradientNorm = new Float64Array(alpha.length);
  const theta = new Float64Array(theta1.length);
  alpha.forEach((a, s) => {
    if (s % 32 === 0) {
      opts.signal?.throwIfAborted();
      opts.onProgress?.('segment', s / alpha.length);
    }
    for (let k = 0; k < theta.length; k++) theta[k] = (1 - a) * theta1[k] + a * theta2[k];
    const ev = evaluate(data.net, theta, data.X, data.m);
    loss[s] = mseLoss(data.Y, ev.trace.output, data.m);
    gradientNorm[s] = norm(lossGradient(ev, data.Y));
  });
  return { alpha, loss, gradientNorm };
}

export interface PlaneGrid {
  /** Coordinates along the first and second direction. */
  u: Float64Array;
  v: Float64Array;
  /** loss[i * v.length + j] at center + u[i] d1 + v[j] d2. */
  loss: Float64Array;
}

/** Loss on the grid center + u_i d1 + v_j d2. */
export function planeGrid(data: LandscapeData, center: Theta, d1: Float64Array, d2: Float64Array, u: Float64Array, v: Float64Array, opts: RunOptions = {}): PlaneGrid {
  const loss = new Float64Array(u.length * v.length);
  const theta = new Float64Array(center.length);
  for (let i = 0; i < u.length; i++) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.('plane', i / u.length);
    for (let j = 0; j < v.length; j++) {
      for (let k = 0; k < theta.length; k++) theta[k] = center[k] + u[i] * d1[k] + v[j] * d2[k];
      loss[i * v.length + j] = mseLoss(data.Y, forward(data.net, theta, data.X, data.m), data.m);
    }
  }
  return { u, v, loss };
}

/**
 * The plane through θ_1, θ_2, θ_3 in orthogonal coordinates: origin θ_1, first axis along
 * θ_2 − θ_1 (θ_2 at (1, 0)), second axis the part of θ_3 − θ_1 orthogonal to it, scaled to the same
 * length. Returns the directions and where each point lands.
 */
export function planeThroughPoints(theta1: Theta, theta2: Theta, theta3: Theta): { d1: Float64Array; d2: Float64Array; coordinates: [number, number][] } {
  const n = theta1.length;
  const d1 = Float64Array.from({ length: n }, (_, k) => theta2[k] - theta1[k]);
  const e = Float64Array.from({ length: n }, (_, k) => theta3[k] - theta1[k]);
  const d1Norm2 = norm(d1) ** 2;
  if (d1Norm2 === 0) throw new EngineError('invalid-input', 'the first two points coincide: no plane through them');
  let dot = 0;
  for (let k = 0; k < n; k++) dot += d1[k] * e[k];
  const along = dot / d1Norm2;
  const d2 = Float64Array.from({ length: n }, (_, k) => e[k] - along * d1[k]);
  const orthogonalNorm = norm(d2);
  if (orthogonalNorm <= 1e-12 * Math.sqrt(d1Norm2)) throw new EngineError('invalid-input', 'the three points are collinear: no unique plane');
  const scale = Math.sqrt(d1Norm2) / orthogonalNorm;
  for (let k = 0; k < n; k++) d2[k] *= scale;
  return { d1, d2, coordinates: [[0, 0], [1, 0], [along, 1 / scale]] };
}

/**
 * A random direction with each neuron's incoming weights (row of W_l, with its bias) rescaled to the
 * norm of the same neuron's weights in θ (Li et al. 2018, "filter normalisation" for dense layers),
 * so that directions respect the scale invariances of the network.
 */
export function neuronNormalizedDirection(net: NetworkSpec, theta: Theta, rng: Rng): Float64Array {
  const direction = rng.fillNormal(new Float64Array(theta.length));
  for (const { rows, cols, weightOffset, biasOffset } of layerLayout(net)) {
    for (let p = 0; p < rows; p++) {
      const indices = Array.from({ length: cols }, (_, q) => weightOffset + p * cols + q);
      if (biasOffset >= 0) indices.push(biasOffset + p);
      let thetaNorm2 = 0;
      let directionNorm2 = 0;
      for (const k of indices) {
        thetaNorm2 += theta[k] ** 2;
        directionNorm2 += direction[k] ** 2;
      }
      const factor = directionNorm2 === 0 ? 0 : Math.sqrt(thetaNorm2 / directionNorm2);
      for (const k of indices) direction[k] *= factor;
    }
  }
  return direction;
}
