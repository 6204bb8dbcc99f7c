/**
 * The symmetric pencil (G, S) behind one planted point's Hessian along a residual ray
 * (docs/math.md, "An exact method for one planted point"): with labels y(t) = ŷ + t ρ, ρ ∈ null(Jᵀ),
 * ∇²L(t) = (2/m)(G − t S), G = JᵀJ ⪰ 0, S = Σ_j ρ_j ∇²ŷ_j.
 *
 * Reduction: eigen-decompose G = V diag(g) Vᵀ. Directions with g ≈ 0 split into
 *  - the common null space of G and S (S z ≈ 0 too): continuous symmetries, zero for every t;
 *  - null directions of G where S acts: kept, with g regularised to the null threshold δ, so their
 *    crossings land at |t| ≈ δ/|s| (almost immediately, as they really do). Every use verifies the
 *    final Hessian densely, so the regularisation cannot hide a wrong count.
 * With W = [V_range diag(g^{-1/2}), V_kept δ^{-1/2}] (N × r), Wᵀ(G − tS)W = I − t B, B = Wᵀ S W.
 * By Sylvester's law of inertia, H(t) has exactly #{i : t μ_i > 1} negative eigenvalues (μ = eig B)
 * plus the common-null zeros: the count grows by one at each crossing t = 1/μ_i.
 */
import type { LinAlg, Mat } from './linalg/types';

export interface PencilReduction {
  /** Eigenvalues of the whitened B = Wᵀ S W, ascending. */
  mu: Float64Array;
  /** Dimension of the common null space of G and S (zero eigenvalues for every t). */
  commonNull: number;
  /** Null directions of G on which S acts (regularised; their crossings sit near t = 0). */
  regularised: number;
  /** Threshold below which an eigenvalue of G counted as zero: N · ε · 16 · max g. */
  nullThreshold: number;
}

function columnNormOfProduct(S: Mat, V: Mat, column: number): number {
  const n = S.rows;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += S.data[i * n + k] * V.data[k * n + column];
    sum += s * s;
  }
  return Math.sqrt(sum);
}

function frobenius(A: Mat): number {
  let s = 0;
  for (let i = 0; i < A.data.length; i++) s += A.data[i] * A.data[i];
  return Math.sqrt(s);
}

export function reducePencil(linalg: LinAlg, G: Mat, S: Mat): PencilReduction {
  const n = G.rows;
  const eig = linalg.symEig(G, true);
  const gMax = Math.max(Math.abs(eig.values[n - 1]), Math.abs(eig.values[0]));
  const nullThreshold = 16 * n * Number.EPSILON * gMax;
  const sScale = frobenius(S);
  const kept: number[] = [];
  const scales: number[] = [];
  let commonNull = 0;
  let regularised = 0;
  for (let c = 0; c < n; c++) {
    const g = eig.values[c];
    if (g > nullThreshold) {
      kept.push(c);
      scales.push(1 / Math.sqrt(g));
    } else if (columnNormOfProduct(S, eig.vectors, c) <= 1e-9 * sScale) {
      commonNull++;
    } else {
      kept.push(c);
      scales.push(1 / Math.sqrt(nullThreshold));
      regularised++;
    }
  }
  const r = kept.length;
  const W: Mat = { rows: n, cols: r, data: new Float64Array(n * r) };
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < r; c++) W.data[i * r + c] = eig.vectors.data[i * n + kept[c]] * scales[c];
  }
  const B = linalg.gemm(linalg.gemm(W, S, true, false), W);
  for (let i = 0; i < r; i++) {
    for (let j = i + 1; j < r; j++) {
      const mean = 0.5 * (B.data[i * r + j] + B.data[j * r + i]);
      B.data[i * r + j] = mean;
      B.data[j * r + i] = mean;
    }
  }
  return { mu: linalg.symEig(B, false).values, commonNull, regularised, nullThreshold };
}

/** Negative eigenvalues of G − t S predicted by the pencil: #{i : t μ_i > 1}. */
export function predictedIndex(mu: Float64Array, t: number): number {
  let count = 0;
  for (let i = 0; i < mu.length; i++) if (t * mu[i] > 1) count++;
  return count;
}

/**
 * The open interval of t with exactly k negative eigenvalues on the side sign (+1: t > 0, −1: t < 0).
 * For t > 0 the count is #{μ > 1/t}: exactly k between the crossings 1/μ_(k) and 1/μ_(k+1) (μ sorted
 * descending among the positive ones). k = 0 includes t = 0 (the Gauss–Newton end). undefined when
 * that side has fewer than k crossings.
 */
export function indexInterval(mu: Float64Array, k: number, sign: 1 | -1): { low: number; high: number } | undefined {
  // Crossings on this side, nearest to t = 0 first: |t| = 1/|μ| for μ of the side's sign.
  const crossings = Array.from(mu)
    .filter((value) => sign * value > 0)
    .map((value) => 1 / Math.abs(value))
    .sort((a, b) => a - b);
  if (crossings.length < k) return undefined;
  const near = k === 0 ? 0 : crossings[k - 1];
  const far = k < crossings.length ? crossings[k] : Infinity;
  return sign > 0 ? { low: near, high: far } : { low: -far, high: -near };
}
