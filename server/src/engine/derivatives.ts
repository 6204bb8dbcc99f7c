/**
 * First and second derivatives of the network outputs and of the MSE loss, batched over samples.
 *
 * Label entries are indexed j = i·d_y + o (sample i, output o); M = m·d_y. J is M × N row-major.
 * Second-order quantities use forward-mode tangents (ż, ȧ and z̈, ä for second directional
 * derivatives) and forward-over-reverse (Pearlmutter's R-operator) for Hessian-vector products.
 */
import { activationFunctions } from './activations';
import { checkMemoryBudget, EngineError } from './errors';
import { getLinAlg } from './linalg';
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

const derivativeCache = new WeakMap<Evaluation, { d1: Float64Array[]; d2: Float64Array[] }>();

/** f'(z_l) and f''(z_l) for every layer, elementwise over the batch (computed once per evaluation). */
function activationDerivatives(ev: Evaluation): { d1: Float64Array[]; d2: Float64Array[] } {
  const cached = derivativeCache.get(ev);
  if (cached) return cached;
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
  const result = { d1, d2 };
  derivativeCache.set(ev, result);
  return result;
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

/**
 * vᵀ ∇²ŷ_j v for each row v of V (r × N) and every label entry j: row s of the result (r × M) is
 * secondDirectional(ev, V[s]). The same second-order forward pass, with the r tangents carried
 * together so that each layer is a few matrix products instead of r loops over the samples
 * (signature control asks for dozens of eigenvectors per step).
 */
export function secondDirectionals(ev: Evaluation, V: Mat, linalg: LinAlg = getLinAlg()): Mat {
  const { m, blocks, trace } = ev;
  const n = ev.theta.length;
  if (V.cols !== n) throw new EngineError('invalid-input', `V has ${V.cols} columns, expected ${n}`);
  const r = V.rows;
  const { d1, d2 } = activationDerivatives(ev);
  // Tangents of the layer input, (r·m) × cols, sample-major within each vector; undefined = 0 (layer 0).
  let aDot: Mat | undefined;
  let aDotDot: Mat | undefined;
  for (const { layer, rows, cols, weightOffset, biasOffset } of blocks) {
    const W: Mat = { rows, cols, data: ev.theta.subarray(weightOffset, weightOffset + rows * cols) };
    // Every vector's W-block stacked: (r·rows) × cols.
    const Vw: Mat = { rows: r * rows, cols, data: new Float64Array(r * rows * cols) };
    for (let s = 0; s < r; s++) Vw.data.set(V.data.subarray(s * n + weightOffset, s * n + weightOffset + rows * cols), s * rows * cols);
    // a_l V_wᵀ for every vector at once: m × (r·rows).
    const fromInputs = linalg.gemm({ rows: m, cols, data: trace.inputs[layer] }, Vw, false, true).data;
    const fromTangent = aDot === undefined ? undefined : linalg.gemm(aDot, W, false, true).data;
    const fromSecond = aDotDot === undefined ? undefined : linalg.gemm(aDotDot, W, false, true).data;
    const nextAd = new Float64Array(r * m * rows);
    const nextAdd = new Float64Array(r * m * rows);
    for (let s = 0; s < r; s++) {
      // 2 V_w ȧ for this vector: m × rows.
      const cross = aDot === undefined
        ? undefined
        : linalg.gemm({ rows: m, cols, data: aDot.data.subarray(s * m * cols, (s + 1) * m * cols) }, { rows, cols, data: Vw.data.subarray(s * rows * cols, (s + 1) * rows * cols) }, false, true).data;
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < rows; p++) {
          const t = (s * m + i) * rows + p;
          const k = i * rows + p;
          let zd = fromInputs[i * r * rows + s * rows + p] + (biasOffset >= 0 ? V.data[s * n + biasOffset + p] : 0);
          if (fromTangent !== undefined) zd += fromTangent[t];
          let zdd = 0;
          if (cross !== undefined) zdd += 2 * cross[k];
          if (fromSecond !== undefined) zdd += fromSecond[t];
          nextAd[t] = d1[layer][k] * zd;
          nextAdd[t] = d2[layer][k] * zd * zd + d1[layer][k] * zdd;
        }
      }
    }
    aDot = { rows: r * m, cols: rows, data: nextAd };
    aDotDot = { rows: r * m, cols: rows, data: nextAdd };
  }
  return { rows: r, cols: outputCount(ev), data: (aDotDot as Mat).data };
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
  /** Backend for the matrix products (default getLinAlg()). */
  linalg?: LinAlg;
}

/** Floats per gemm operand chunk in weightedOutputHessian: bounds its scratch memory (~32 MB). */
const HESSIAN_CHUNK_FLOATS = 4_000_000;

/**
 * The ρ-independent parts of weightedOutputHessian over one chunk of samples: the layer Jacobians
 * B_{l,k}, the augmented inputs ã_k and their per-sample outer products ã_k ã_{k'}ᵀ (by k·L + k').
 */
interface HessianChunk {
  i0: number;
  count: number;
  B: (Float64Array | undefined)[][];
  aug: Float64Array[];
  outer: Map<number, Float64Array>;
}

/**
 * Per evaluation, the chunks' ρ-independent parts, kept when the whole dataset is one chunk and they
 * take at most HESSIAN_CHUNK_FLOATS: signature control builds S(ρ) hundreds of times at one θ
 * (every trial labels of its search), and these parts were most of each build's work besides the
 * products that depend on ρ.
 */
const hessianChunkCache = new WeakMap<Evaluation, HessianChunk>();

/**
 * S = Σ_j ρ_j ∇²ŷ_j as a dense symmetric N × N matrix, assembled exactly from per-layer quantities
 * with matrix products (cost ≈ 2·m·N² flops in gemm, not N forward-over-reverse passes).
 *
 * With g = Σ_i ρ_iᵀ ŷ_i, augmented inputs ã_k = [a_k; 1] (when biases are on) and layer-k parameters
 * W̃_k = [W_k b_k], the second-order chain rule through z_l = W̃_l ã_l, a_{l+1} = f(z_l) gives
 *   ∇²g = Σ_l Σ_i Σ_p γ_l[i,p] ∇z_l[i,p] ∇z_l[i,p]ᵀ                                   (A)
 *       + Σ_l Σ_i Σ_{p,q} δ_l[i,p] (e_{W_l[p,q]} ∇a_l[i,q]ᵀ + ∇a_l[i,q] e_{W_l[p,q]}ᵀ)  (C)
 * with δ_l = ∂g/∂z_l, γ_l = (∂g/∂a_{l+1}) ⊙ f''(z_l), ∂z_l[i,p]/∂W̃_k[r,s] = B_{l,k}[i,p,r] ã_k[i,s],
 * B_{l,k} = ∂z_l/∂z_k per sample, and ∇a_l[i,q] = f'(z_{l−1}[i,q]) ∇z_{l−1}[i,q]. So the block of
 * layers (k, k') is Σ_i M_{kk'}[i] ⊗ ã_k[i] ã_{k'}[i]ᵀ with M_{kk'}[i] = Σ_l B_{l,k}ᵀ diag(γ_l) B_{l,k'}
 * (term A) plus, for k < k', Σ_i T[i] ⊗ ã_k[i] with T[i,(p,q),r] = δ_{k'}[i,p] f'_{k'−1}[i,q] B_{k'−1,k}[i,q,r]
 * (term C): both are one product over the sample index per chunk of samples.
 */
export function weightedOutputHessian(ev: Evaluation, rho: Float64Array, opts: DenseOptions = {}): Mat {
  checkLength('ρ', rho, outputCount(ev));
  const n = ev.theta.length;
  // Scratch chunk plus, at most, the cached ρ-independent chunk.
  checkMemoryBudget(`The weighted output Hessian (${n} × ${n})`, n * n + 2 * HESSIAN_CHUNK_FLOATS, opts.memoryBudgetBytes);
  const linalg = opts.linalg ?? getLinAlg();
  const { m, blocks } = ev;
  const L = blocks.length;
  const { d1, d2 } = activationDerivatives(ev);
  const layers = hessianLayers(ev);
  const { delta, gamma } = backwardSignals(ev, rho, d1, d2);
  const { width, inWidth, augmented } = layers;

  let perSample = 0;
  for (let k = 0; k < L; k++) {
    for (let k2 = k; k2 < L; k2++) {
      perSample = Math.max(perSample, width[k] * width[k2] + augmented[k] * augmented[k2] + (k + 1 < k2 ? width[k2] * inWidth[k2] * width[k] : width[k2] * inWidth[k2]));
    }
  }
  for (let l = 0; l < L; l++) for (let k = 0; k < l; k++) perSample += width[l] * width[k];
  const chunk = Math.max(1, Math.min(m, Math.floor(HESSIAN_CHUNK_FLOATS / perSample)));

  const S = new Float64Array(n * n);
  for (let i0 = 0; i0 < m; i0 += chunk) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.('output Hessian', i0 / m);
    const count = Math.min(chunk, m - i0);
    const part = (chunk >= m ? hessianChunkCache.get(ev) : undefined) ?? hessianChunk(ev, layers, d1, i0, count);
    const { B, aug } = part;
    for (let k = 0; k < L; k++) {
      diagonalTerm(S, n, linalg, layers, k, gamma[k], aug[k], i0, count);
      for (let k2 = k; k2 < L; k2++) {
        curvatureTerm(S, n, linalg, layers, k, k2, gamma, part);
        if (k2 > k) crossTerm(S, n, linalg, layers, ev, k, k2, delta[k2], d1[k2 - 1], B[k2 - 1][k], aug[k], i0, count);
      }
    }
    if (chunk >= m && !hessianChunkCache.has(ev) && chunkFloats(part) <= HESSIAN_CHUNK_FLOATS) hessianChunkCache.set(ev, part);
  }
  symmetrizeInPlace(S, n);
  opts.onProgress?.('output Hessian', 1);
  return { rows: n, cols: n, data: S };
}

/** Layer widths and the θ index of every W̃_k[r, s] (s = d_k is the bias column). */
interface HessianLayers {
  width: number[];
  inWidth: number[];
  augmented: number[];
  index: Int32Array[];
}

function hessianLayers(ev: Evaluation): HessianLayers {
  const bias = ev.net.bias;
  const width = ev.blocks.map((b) => b.rows);
  const inWidth = ev.blocks.map((b) => b.cols);
  const augmented = ev.blocks.map((b) => b.cols + (bias ? 1 : 0));
  const index = ev.blocks.map((b, k) => {
    const out = new Int32Array(b.rows * augmented[k]);
    for (let r = 0; r < b.rows; r++) {
      for (let s = 0; s < augmented[k]; s++) out[r * augmented[k] + s] = s < b.cols ? b.weightOffset + r * b.cols + s : b.biasOffset + r;
    }
    return out;
  });
  return { width, inWidth, augmented, index };
}

/** δ_l = ∂g/∂z_l and γ_l = (∂g/∂a_{l+1}) ⊙ f''(z_l) for all samples (m × d_{l+1}), g = Σ ρ_iᵀ ŷ_i. */
function backwardSignals(ev: Evaluation, rho: Float64Array, d1: Float64Array[], d2: Float64Array[]): { delta: Float64Array[]; gamma: Float64Array[] } {
  const { m, blocks, theta } = ev;
  const L = blocks.length;
  const delta: Float64Array[] = new Array(L);
  const gamma: Float64Array[] = new Array(L);
  let upstream = rho;
  for (let l = L - 1; l >= 0; l--) {
    const { rows, cols, weightOffset } = blocks[l];
    const size = m * rows;
    const dl = new Float64Array(size);
    const gl = new Float64Array(size);
    for (let t = 0; t < size; t++) {
      dl[t] = upstream[t] * d1[l][t];
      gl[t] = upstream[t] * d2[l][t];
    }
    delta[l] = dl;
    gamma[l] = gl;
    if (l === 0) break;
    const below = new Float64Array(m * cols);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < rows; p++) {
        const dp = dl[i * rows + p];
        if (dp === 0) continue;
        const w = weightOffset + p * cols;
        for (let q = 0; q < cols; q++) below[i * cols + q] += theta[w + q] * dp;
      }
    }
    upstream = below;
  }
  return { delta, gamma };
}

/**
 * B[l][k] = ∂z_l/∂z_k for k < l over a chunk of samples (count × d_{l+1} × d_{k+1}). B_{k,k} = I is
 * never stored (undefined): callers take the identity shortcut.
 */
function zJacobians(ev: Evaluation, layers: HessianLayers, d1: Float64Array[], i0: number, count: number): (Float64Array | undefined)[][] {
  const { width } = layers;
  const B: (Float64Array | undefined)[][] = [];
  for (let l = 0; l < ev.blocks.length; l++) {
    B.push([]);
    for (let k = 0; k < l; k++) B[l].push(chainStep(ev.theta, ev.blocks[l], d1[l - 1], B[l - 1][k], width[k], i0, count));
    B[l].push(undefined);
  }
  return B;
}

/** W_l diag(f'_{l−1}) B_{l−1,k} per sample (prev undefined: B_{l−1,k} = I). */
function chainStep(theta: Theta, block: LayerBlock, fp: Float64Array, prev: Float64Array | undefined, dk: number, i0: number, count: number): Float64Array {
  const { rows, cols, weightOffset } = block;
  const out = new Float64Array(count * rows * dk);
  for (let c = 0; c < count; c++) {
    for (let p = 0; p < rows; p++) {
      const target = (c * rows + p) * dk;
      for (let q = 0; q < cols; q++) {
        const w = theta[weightOffset + p * cols + q] * fp[(i0 + c) * cols + q];
        if (prev === undefined) {
          out[target + q] = w;
          continue;
        }
        if (w === 0) continue;
        const source = (c * cols + q) * dk;
        for (let r = 0; r < dk; r++) out[target + r] += w * prev[source + r];
      }
    }
  }
  return out;
}

function hessianChunk(ev: Evaluation, layers: HessianLayers, d1: Float64Array[], i0: number, count: number): HessianChunk {
  return {
    i0,
    count,
    B: zJacobians(ev, layers, d1, i0, count),
    aug: ev.blocks.map((_, k) => augmentedInputs(ev, layers, k, i0, count)),
    outer: new Map(),
  };
}

function chunkFloats(part: HessianChunk): number {
  let floats = 0;
  for (const row of part.B) for (const b of row) floats += b?.length ?? 0;
  for (const a of part.aug) floats += a.length;
  for (const o of part.outer.values()) floats += o.length;
  return floats;
}

/** Per sample of the chunk, ã_k ã_{k'}ᵀ (count × c_k × c_{k'}), built once per chunk. */
function outerProducts(part: HessianChunk, layers: HessianLayers, k: number, k2: number): Float64Array {
  const key = k * layers.width.length + k2;
  const cached = part.outer.get(key);
  if (cached !== undefined) return cached;
  const ck = layers.augmented[k];
  const ck2 = layers.augmented[k2];
  const { count, aug } = part;
  const outer = new Float64Array(count * ck * ck2);
  for (let c = 0; c < count; c++) {
    for (let s = 0; s < ck; s++) {
      const x = aug[k][c * ck + s];
      const target = (c * ck + s) * ck2;
      for (let s2 = 0; s2 < ck2; s2++) outer[target + s2] = x * aug[k2][c * ck2 + s2];
    }
  }
  part.outer.set(key, outer);
  return outer;
}

/** ã_k = [a_k, 1] (or a_k without biases) for a chunk: count × c_k. */
function augmentedInputs(ev: Evaluation, layers: HessianLayers, k: number, i0: number, count: number): Float64Array {
  const cols = layers.inWidth[k];
  const ck = layers.augmented[k];
  const a = ev.trace.inputs[k];
  const out = new Float64Array(count * ck);
  for (let c = 0; c < count; c++) {
    for (let s = 0; s < cols; s++) out[c * ck + s] = a[(i0 + c) * cols + s];
    if (ck > cols) out[c * ck + cols] = 1;
  }
  return out;
}

/** S[rowsIndex[a], colsIndex[b]] += values[a, b] (and the mirrored entry when asked). */
function scatterAdd(S: Float64Array, n: number, rowsIndex: ArrayLike<number>, colsIndex: ArrayLike<number>, values: Float64Array, mirror: boolean): void {
  const nc = colsIndex.length;
  for (let a = 0; a < rowsIndex.length; a++) {
    const ra = rowsIndex[a] * n;
    for (let b = 0; b < nc; b++) {
      const v = values[a * nc + b];
      S[ra + colsIndex[b]] += v;
      if (mirror) S[colsIndex[b] * n + rowsIndex[a]] += v;
    }
  }
}

/** Term A, l = k = k': Σ_i γ_k[i,r] ã_k[i] ã_k[i]ᵀ on each unit r's own parameters. */
function diagonalTerm(S: Float64Array, n: number, linalg: LinAlg, layers: HessianLayers, k: number, gamma: Float64Array, aug: Float64Array, i0: number, count: number): void {
  const dk = layers.width[k];
  const ck = layers.augmented[k];
  const scaled = new Float64Array(count * dk * ck);
  let any = false;
  for (let c = 0; c < count; c++) {
    for (let r = 0; r < dk; r++) {
      const gr = gamma[(i0 + c) * dk + r];
      if (gr === 0) continue;
      any = true;
      const target = (c * dk + r) * ck;
      for (let s = 0; s < ck; s++) scaled[target + s] = gr * aug[c * ck + s];
    }
  }
  if (!any) return;
  const product = linalg.gemm({ rows: count, cols: dk * ck, data: scaled }, { rows: count, cols: ck, data: aug }, true, false).data;
  for (let r = 0; r < dk; r++) {
    const unit = layers.index[k].subarray(r * ck, (r + 1) * ck);
    scatterAdd(S, n, unit, unit, product.subarray(r * ck * ck, (r + 1) * ck * ck), false);
  }
}

/** Term A for l ≥ k' (l > k when k = k'): Σ_i M[i] ⊗ ã_k[i] ã_{k'}[i]ᵀ, M[i] = Σ_l B_{l,k}ᵀ diag(γ_l) B_{l,k'}. */
function curvatureTerm(S: Float64Array, n: number, linalg: LinAlg, layers: HessianLayers, k: number, k2: number, gamma: Float64Array[], part: HessianChunk): void {
  const { B, i0, count } = part;
  const L = layers.width.length;
  const first = k === k2 ? k + 1 : k2;
  if (first >= L) return;
  const dk = layers.width[k];
  const dk2 = layers.width[k2];
  const M = new Float64Array(count * dk * dk2);
  let any = false;
  for (let l = first; l < L; l++) any = accumulateCurvature(M, gamma[l], B[l][k] as Float64Array, B[l][k2], layers.width[l], dk, dk2, i0, count) || any;
  if (!any) return;
  const ck = layers.augmented[k];
  const ck2 = layers.augmented[k2];
  const outer = outerProducts(part, layers, k, k2);
  const product = linalg.gemm({ rows: count, cols: dk * dk2, data: M }, { rows: count, cols: ck * ck2, data: outer }, true, false).data;
  // product[(r, r'), (s, s')] → values[(r, s), (r', s')]
  const values = new Float64Array(dk * ck * dk2 * ck2);
  for (let r = 0; r < dk; r++) {
    for (let r2 = 0; r2 < dk2; r2++) {
      const source = (r * dk2 + r2) * ck * ck2;
      for (let s = 0; s < ck; s++) {
        const target = (r * ck + s) * dk2 * ck2 + r2 * ck2;
        for (let s2 = 0; s2 < ck2; s2++) values[target + s2] = product[source + s * ck2 + s2];
      }
    }
  }
  scatterAdd(S, n, layers.index[k], layers.index[k2], values, k !== k2);
}

/**
 * M[c, (r, r')] += Σ_p γ_l[c,p] B_{l,k}[c,p,r] B_{l,k'}[c,p,r'] (Bk2 undefined: B_{l,k'} = I, l = k');
 * false when γ_l vanishes on the chunk.
 */
function accumulateCurvature(M: Float64Array, gamma: Float64Array, Bk: Float64Array, Bk2: Float64Array | undefined, dl: number, dk: number, dk2: number, i0: number, count: number): boolean {
  let any = false;
  for (let c = 0; c < count; c++) {
    for (let p = 0; p < dl; p++) {
      const gp = gamma[(i0 + c) * dl + p];
      if (gp === 0) continue;
      any = true;
      const rowK = (c * dl + p) * dk;
      for (let r = 0; r < dk; r++) {
        const x = gp * Bk[rowK + r];
        if (x === 0) continue;
        const target = (c * dk + r) * dk2;
        if (Bk2 === undefined) {
          M[target + p] += x;
          continue;
        }
        const rowK2 = (c * dl + p) * dk2;
        for (let r2 = 0; r2 < dk2; r2++) M[target + r2] += x * Bk2[rowK2 + r2];
      }
    }
  }
  return any;
}

/** Term C (k < k'): Σ_i T[i] ⊗ ã_k[i], T[i,(p,q),r] = δ_{k'}[i,p] f'_{k'−1}[i,q] B_{k'−1,k}[i,q,r], between W_{k'} and W̃_k. */
function crossTerm(
  S: Float64Array, n: number, linalg: LinAlg, layers: HessianLayers, ev: Evaluation, k: number, k2: number,
  delta: Float64Array, fp: Float64Array, Bprev: Float64Array | undefined, aug: Float64Array, i0: number, count: number,
): void {
  const dk = layers.width[k];
  const dk2 = layers.width[k2];
  const inK2 = layers.inWidth[k2];
  // With B_{k'−1,k} = I (adjacent layers) only r = q survives, so T shrinks to (p, q).
  const rWidth = Bprev === undefined ? 1 : dk;
  const T = new Float64Array(count * dk2 * inK2 * rWidth);
  let any = false;
  for (let c = 0; c < count; c++) {
    for (let p = 0; p < dk2; p++) {
      const dp = delta[(i0 + c) * dk2 + p];
      if (dp === 0) continue;
      any = true;
      for (let q = 0; q < inK2; q++) {
        const x = dp * fp[(i0 + c) * inK2 + q];
        const target = ((c * dk2 + p) * inK2 + q) * rWidth;
        if (Bprev === undefined) {
          T[target] = x;
          continue;
        }
        const source = (c * inK2 + q) * dk;
        for (let r = 0; r < dk; r++) T[target + r] = x * Bprev[source + r];
      }
    }
  }
  if (!any) return;
  const ck = layers.augmented[k];
  const product = linalg.gemm({ rows: count, cols: dk2 * inK2 * rWidth, data: T }, { rows: count, cols: ck, data: aug }, true, false).data;
  const { weightOffset } = ev.blocks[k2];
  if (Bprev === undefined) {
    // product[(p, q), s] → S[W_{k'}[p, q], W̃_k[q, s]]
    for (let p = 0; p < dk2; p++) {
      for (let q = 0; q < inK2; q++) {
        const row = Int32Array.of(weightOffset + p * inK2 + q);
        const start = (p * inK2 + q) * ck;
        scatterAdd(S, n, row, layers.index[k].subarray(q * ck, (q + 1) * ck), product.subarray(start, start + ck), true);
      }
    }
    return;
  }
  // product[(p, q), (r, s)] → S[W_{k'}[p, q], W̃_k[r, s]]
  const rowsIndex = new Int32Array(dk2 * inK2);
  for (let t = 0; t < rowsIndex.length; t++) rowsIndex[t] = weightOffset + t;
  scatterAdd(S, n, rowsIndex, layers.index[k], product, true);
}

/** Averages the two triangles: products give symmetric blocks only to rounding. */
function symmetrizeInPlace(S: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    for (let c = r + 1; c < n; c++) {
      const mean = 0.5 * (S[r * n + c] + S[c * n + r]);
      S[r * n + c] = mean;
      S[c * n + r] = mean;
    }
  }
}

/** Jᵀ J (N × N) through the backend's gemm. */
export function gaussNewton(linalg: LinAlg, J: Mat): Mat {
  return linalg.gemm(J, J, true, false);
}

/**
 * The full loss Hessian ∇²L = (2/m)(JᵀJ − Σ_j r_j ∇²ŷ_j) as a dense N × N matrix (small N).
 * Pass `jacobian` when J of this evaluation is already at hand.
 */
export function lossHessian(ev: Evaluation, Y: Float64Array, opts: DenseOptions & { jacobian?: Mat } = {}): Mat {
  const n = ev.theta.length;
  checkTheta(ev.net, ev.theta);
  const J = opts.jacobian ?? jacobian(ev, opts.memoryBudgetBytes);
  const S = weightedOutputHessian(ev, residual(ev, Y), opts);
  const G = gaussNewton(opts.linalg ?? getLinAlg(), J);
  const H = new Float64Array(n * n);
  const scale = 2 / ev.m;
  // Average G's two triangles: a backend's JᵀJ is symmetric only to rounding.
  for (let r = 0; r < n; r++) {
    H[r * n + r] = scale * (G.data[r * n + r] - S.data[r * n + r]);
    for (let c = r + 1; c < n; c++) {
      const value = scale * (0.5 * (G.data[r * n + c] + G.data[c * n + r]) - S.data[r * n + c]);
      H[r * n + c] = value;
      H[c * n + r] = value;
    }
  }
  return { rows: n, cols: n, data: H };
}
