/**
 * First and second derivatives of the network outputs and of the MSE loss, batched over samples.
 *
 * Label entries are indexed j = i·d_y + o (sample i, output o); M = m·d_y. J is M × N row-major.
 * Second-order quantities use forward-mode tangents (ż, ȧ and z̈, ä for second directional
 * derivatives) and forward-over-reverse (Pearlmutter's R-operator) for Hessian-vector products.
 */
import { activationFunctions } from './activations';
import { checkMemoryBudget, EngineError } from './errors';
import type { LinAlg, Mat } from './linalg/types';
import { checkTheta, forwardTrace, layerLayout, parameterCount, type ForwardTrace, type LayerBlock } from './network';
import type { NetworkSpec, RunOptions, Theta } from './types';

/** The quantities every derivative needs: the network, its point, its inputs, and a forward pass. */
export interface Evaluation {
  net: NetworkSpec;
  theta: Theta;
  X: Float64Array;
  m: number;
  blocks: LayerBlock[];
  trace: ForwardTrace;
}

export function evaluate(net: NetworkSpec, theta: Theta, X: Float64Array, m: number): Evaluation {
  return { net, theta, X, m, blocks: layerLayout(net), trace: forwardTrace(net, theta, X, m) };
}

/** f'(z_l) and f''(z_l) for every layer, elementwise over the batch. */
function activationDerivatives(ev: Evaluation): { d1: Float64Array[]; d2: Float64Array[] } {
  const d1: Float64Array[] = [];
  const d2: Float64Array[] = [];
  for (const block of ev.blocks) {
    const fns = activationFunctions(ev.net.activations[block.layer]);
    const z = ev.trace.pre[block.layer];
    const first = new Float64Array(z.length);
    const second = new Float64Array(z.length);
    for (let k = 0; k < z.length; k++) {
      first[k] = fns.df(z[k]);
      second[k] = fns.d2f(z[k]);
    }
    d1.push(first);
    d2.push(second);
  }
  return { d1, d2 };
}

/**
 * The per-sample Jacobian J = ∂ŷ/∂θ (M × N, row j = i·d_y + o), by back-propagating each output
 * unit vector through every sample.
 */
export function jacobian(ev: Evaluation, memoryBudgetBytes?: number): Mat {
  const { m, blocks, trace, theta } = ev;
  const n = parameterCount(ev.net);
  const dy = blocks[blocks.length - 1].rows;
  checkMemoryBudget(`The Jacobian (${m * dy} × ${n})`, m * dy * n, memoryBudgetBytes);
  const J = new Float64Array(m * dy * n);
  const { d1 } = activationDerivatives(ev);
  const last = blocks.length - 1;
  for (let i = 0; i < m; i++) {
    // delta[o * width + p] = ∂ŷ_o / ∂z_l[p] for the current layer l.
    let width = dy;
    let delta = new Float64Array(dy * dy);
    for (let o = 0; o < dy; o++) delta[o * dy + o] = d1[last][i * dy + o];
    for (let l = last; l >= 0; l--) {
      const { rows, cols, weightOffset, biasOffset } = blocks[l];
      const a = trace.inputs[l];
      for (let o = 0; o < dy; o++) {
        const row = (i * dy + o) * n;
        for (let p = 0; p < rows; p++) {
          const dp = delta[o * width + p];
          const w = row + weightOffset + p * cols;
          for (let q = 0; q < cols; q++) J[w + q] = dp * a[i * cols + q];
          if (biasOffset >= 0) J[row + biasOffset + p] = dp;
        }
      }
      if (l === 0) break;
      const below = new Float64Array(dy * cols);
      for (let o = 0; o < dy; o++) {
        for (let q = 0; q < cols; q++) {
          let sum = 0;
          for (let p = 0; p < rows; p++) sum += delta[o * width + p] * theta[weightOffset + p * cols + q];
          below[o * cols + q] = sum * d1[l - 1][i * cols + q];
        }
      }
      delta = below;
      width = cols;
    }
  }
  return { rows: m * dy, cols: n, data: J };
}

/** Forward tangents along v: ż_l, ȧ_l (ȧ_0 = 0), and with `second` also z̈_l and ä_l. */
interface Tangents {
  zDot: Float64Array[];
  aDot: Float64Array[];
  /** ȧ_L = J v (M entries). */
  outDot: Float64Array;
  /** ä_L = vᵀ∇²ŷ_j v per label entry, when second-order tangents were requested. */
  outDotDot?: Float64Array;
}

function forwardTangents(ev: Evaluation, v: Float64Array, d1: Float64Array[], d2: Float64Array[], second: boolean): Tangents {
  const { m, blocks, trace, theta } = ev;
  const zDot: Float64Array[] = [];
  const aDot: Float64Array[] = [new Float64Array(m * blocks[0].cols)];
  let aDotDot = second ? new Float64Array(m * blocks[0].cols) : undefined;
  let outDot = aDot[0];
  for (const { layer, rows, cols, weightOffset, biasOffset } of blocks) {
    const a = trace.inputs[layer];
    const ad = aDot[layer];
    const zd = new Float64Array(m * rows);
    const nextAd = new Float64Array(m * rows);
    const nextAdd = second ? new Float64Array(m * rows) : undefined;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < rows; p++) {
        let sum = biasOffset >= 0 ? v[biasOffset + p] : 0;
        let sum2 = 0;
        const w = weightOffset + p * cols;
        for (let q = 0; q < cols; q++) {
          sum += v[w + q] * a[i * cols + q] + theta[w + q] * ad[i * cols + q];
          if (aDotDot) sum2 += 2 * v[w + q] * ad[i * cols + q] + theta[w + q] * aDotDot[i * cols + q];
        }
        const k = i * rows + p;
        zd[k] = sum;
        nextAd[k] = d1[layer][k] * sum;
        if (nextAdd) nextAdd[k] = d2[layer][k] * sum * sum + d1[layer][k] * sum2;
      }
    }
    zDot.push(zd);
    aDot.push(nextAd);
    aDotDot = nextAdd;
    outDot = nextAd;
  }
  aDot.pop();
  return { zDot, aDot, outDot, outDotDot: aDotDot };
}

/**
 * Reverse pass seeded with ∂g/∂ŷ = seed and its tangent seedDot, differentiated along v:
 * returns gradient = Jᵀ seed and its directional derivative
 * gradientDot = Σ_j seed_j ∇²ŷ_j v + Jᵀ seedDot.
 */
function reverseWithTangent(
  ev: Evaluation, v: Float64Array, tangents: Tangents, d1: Float64Array[], d2: Float64Array[], seed: Float64Array, seedDot: Float64Array | undefined,
): { gradient: Float64Array; gradientDot: Float64Array } {
  const { m, blocks, trace, theta } = ev;
  const n = theta.length;
  const gradient = new Float64Array(n);
  const gradientDot = new Float64Array(n);
  let g = seed;
  let gDot = seedDot ?? new Float64Array(seed.length);
  for (let l = blocks.length - 1; l >= 0; l--) {
    const { rows, cols, weightOffset, biasOffset } = blocks[l];
    const a = trace.inputs[l];
    const ad = tangents.aDot[l];
    const zd = tangents.zDot[l];
    const delta = new Float64Array(m * rows);
    const deltaDot = new Float64Array(m * rows);
    for (let k = 0; k < m * rows; k++) {
      delta[k] = g[k] * d1[l][k];
      deltaDot[k] = gDot[k] * d1[l][k] + g[k] * d2[l][k] * zd[k];
    }
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < rows; p++) {
        const dp = delta[i * rows + p];
        const ddp = deltaDot[i * rows + p];
        const w = weightOffset + p * cols;
        for (let q = 0; q < cols; q++) {
          gradient[w + q] += dp * a[i * cols + q];
          gradientDot[w + q] += ddp * a[i * cols + q] + dp * ad[i * cols + q];
        }
        if (biasOffset >= 0) {
          gradient[biasOffset + p] += dp;
          gradientDot[biasOffset + p] += ddp;
        }
      }
    }
    if (l === 0) break;
    const below = new Float64Array(m * cols);
    const belowDot = new Float64Array(m * cols);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < rows; p++) {
        const dp = delta[i * rows + p];
        const ddp = deltaDot[i * rows + p];
        const w = weightOffset + p * cols;
        for (let q = 0; q < cols; q++) {
          below[i * cols + q] += theta[w + q] * dp;
          belowDot[i * cols + q] += v[w + q] * dp + theta[w + q] * ddp;
        }
      }
    }
    g = below;
    gDot = belowDot;
  }
  return { gradient, gradientDot };
}

function checkLength(what: string, array: Float64Array, expected: number): void {
  if (array.length !== expected) throw new EngineError('invalid-input', `${what} has ${array.length} entries, expected ${expected}`);
}

function outputCount(ev: Evaluation): number {
  return ev.m * ev.blocks[ev.blocks.length - 1].rows;
}

/** J v (M entries). */
export function jacobianVector(ev: Evaluation, v: Float64Array): Float64Array {
  checkLength('v', v, ev.theta.length);
  const { d1, d2 } = activationDerivatives(ev);
  return forwardTangents(ev, v, d1, d2, false).outDot;
}

/** Jᵀ u (N entries) for u with M entries. */
export function jacobianTransposeVector(ev: Evaluation, u: Float64Array): Float64Array {
  checkLength('u', u, outputCount(ev));
  const { d1, d2 } = activationDerivatives(ev);
  const zero = new Float64Array(ev.theta.length);
  return reverseWithTangent(ev, zero, forwardTangents(ev, zero, d1, d2, false), d1, d2, u, undefined).gradient;
}

/** vᵀ ∇²ŷ_j v for every label entry j (M entries): second-order forward mode. */
export function secondDirectional(ev: Evaluation, v: Float64Array): Float64Array {
  checkLength('v', v, ev.theta.length);
  const { d1, d2 } = activationDerivatives(ev);
  return forwardTangents(ev, v, d1, d2, true).outDotDot as Float64Array;
}

/** Σ_j ρ_j ∇²ŷ_j v (N entries): the R-operator applied to the reverse pass seeded with ρ. */
export function weightedOutputHessianVector(ev: Evaluation, rho: Float64Array, v: Float64Array): Float64Array {
  checkLength('ρ', rho, outputCount(ev));
  checkLength('v', v, ev.theta.length);
  const { d1, d2 } = activationDerivatives(ev);
  return reverseWithTangent(ev, v, forwardTangents(ev, v, d1, d2, false), d1, d2, rho, undefined).gradientDot;
}

/** ∇L = −(2/m) Jᵀ r with r = y − ŷ. */
export function lossGradient(ev: Evaluation, Y: Float64Array): Float64Array {
  const r = residual(ev, Y);
  const g = jacobianTransposeVector(ev, r);
  for (let k = 0; k < g.length; k++) g[k] *= -2 / ev.m;
  return g;
}

/** r = y − ŷ. */
export function residual(ev: Evaluation, Y: Float64Array): Float64Array {
  checkLength('Y', Y, outputCount(ev));
  const out = ev.trace.output;
  const r = new Float64Array(Y.length);
  for (let j = 0; j < Y.length; j++) r[j] = Y[j] - out[j];
  return r;
}

/** ∇²L v = (2/m) (Jᵀ J v − Σ_j r_j ∇²ŷ_j v), in one forward-over-reverse pass. */
export function lossHessianVector(ev: Evaluation, Y: Float64Array, v: Float64Array): Float64Array {
  checkLength('v', v, ev.theta.length);
  const r = residual(ev, Y);
  const { d1, d2 } = activationDerivatives(ev);
  const tangents = forwardTangents(ev, v, d1, d2, false);
  // Seed ∂/∂ŷ of (1/2)||ŷ − y||² is −r; its tangent along v is J v.
  for (let j = 0; j < r.length; j++) r[j] = -r[j];
  const { gradientDot } = reverseWithTangent(ev, v, tangents, d1, d2, r, tangents.outDot);
  for (let k = 0; k < gradientDot.length; k++) gradientDot[k] *= 2 / ev.m;
  return gradientDot;
}

/** Options for the dense N × N builders. */
export interface DenseOptions extends RunOptions {
  memoryBudgetBytes?: number;
}

/**
 * S = Σ_j ρ_j ∇²ŷ_j as a dense symmetric N × N matrix, one R-operator pass per column
 * (cost about N forward-over-reverse passes); symmetrised to remove rounding asymmetry.
 */
export function weightedOutputHessian(ev: Evaluation, rho: Float64Array, opts: DenseOptions = {}): Mat {
  checkLength('ρ', rho, outputCount(ev));
  const n = ev.theta.length;
  checkMemoryBudget(`The weighted output Hessian (${n} × ${n})`, n * n, opts.memoryBudgetBytes);
  const { d1, d2 } = activationDerivatives(ev);
  const S = new Float64Array(n * n);
  const basis = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (k % 16 === 0) {
      opts.signal?.throwIfAborted();
      opts.onProgress?.('output Hessian', k / n);
    }
    basis[k] = 1;
    const column = reverseWithTangent(ev, basis, forwardTangents(ev, basis, d1, d2, false), d1, d2, rho, undefined).gradientDot;
    basis[k] = 0;
    for (let r = 0; r < n; r++) S[r * n + k] = column[r];
  }
  for (let r = 0; r < n; r++) {
    for (let c = r + 1; c < n; c++) {
      const mean = 0.5 * (S[r * n + c] + S[c * n + r]);
      S[r * n + c] = mean;
      S[c * n + r] = mean;
    }
  }
  opts.onProgress?.('output Hessian', 1);
  return { rows: n, cols: n, data: S };
}

/** Jᵀ J (N × N) through the backend's gemm. */
export function gaussNewton(linalg: LinAlg, J: Mat): Mat {
  return linalg.gemm(J, J, true, false);
}

/**
 * The full loss Hessian ∇²L = (2/m)(JᵀJ − Σ_j r_j ∇²ŷ_j) as a dense N × N matrix (small N).
 * JᵀJ uses the backend's gemm when one is given, plain loops otherwise.
 */
export function lossHessian(ev: Evaluation, Y: Float64Array, opts: DenseOptions & { linalg?: LinAlg } = {}): Mat {
  const n = ev.theta.length;
  checkTheta(ev.net, ev.theta);
  const J = jacobian(ev, opts.memoryBudgetBytes);
  const S = weightedOutputHessian(ev, residual(ev, Y), opts);
  const G = opts.linalg ? gaussNewton(opts.linalg, J) : plainGram(J);
  const H = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) H[k] = (2 / ev.m) * (G.data[k] - S.data[k]);
  return { rows: n, cols: n, data: H };
}

function plainGram(J: Mat): Mat {
  const { rows, cols, data } = J;
  const G = new Float64Array(cols * cols);
  for (let j = 0; j < rows; j++) {
    const row = j * cols;
    for (let a = 0; a < cols; a++) {
      const x = data[row + a];
      if (x === 0) continue;
      for (let b = a; b < cols; b++) G[a * cols + b] += x * data[row + b];
    }
  }
  for (let a = 0; a < cols; a++) for (let b = 0; b < a; b++) G[a * cols + b] = G[b * cols + a];
  return { rows: cols, cols, data: G };
}
