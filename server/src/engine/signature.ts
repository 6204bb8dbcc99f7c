/**
 * Signatures of Hessians with a stated zero tolerance, the zeros forced by continuous symmetries, and
 * the structural limits on which signatures any labels can give (docs/math.md, "Hessian: affine in
 * the labels too").
 */
import { hasZeroSecondDerivative, isPositivelyHomogeneous } from './activations';
import { gaussNewton, weightedOutputHessian, type Evaluation } from './derivatives';
import type { LinAlg, Mat } from './linalg/types';
import { layerLayout, parameterCount } from './network';
import { createRng } from './random';
import { norm, projectOut, rangeBasis } from './subspace';
import type { Activation, HessianTarget, NetworkSpec, RunOptions, Signature } from './types';

/**
 * The zero rule: an eigenvalue λ counts as zero when |λ| ≤ tol, tol = max(absTol, relTol · max_i |λ_i|).
 * relTol 1e-9 sits far above the backward error of a float64 eigensolver (≈ N·ε·||H||, 4e-13 at
 * N = 2000) and of assembling H = (2/m)(JᵀJ − Σ r_j ∇²ŷ_j), so rounding never turns a symmetry zero
 * into a sign; eigenvalues below 1e-9 of the largest are not certified as signed.
 */
export interface ZeroTolerance {
  absTol: number;
  relTol: number;
}

export const DEFAULT_ZERO_TOLERANCE: ZeroTolerance = { absTol: 0, relTol: 1e-9 };

export function zeroToleranceOf(eigenvalues: ArrayLike<number>, rule: ZeroTolerance = DEFAULT_ZERO_TOLERANCE): number {
  let maxAbs = 0;
  for (let i = 0; i < eigenvalues.length; i++) maxAbs = Math.max(maxAbs, Math.abs(eigenvalues[i]));
  return Math.max(rule.absTol, rule.relTol * maxAbs);
}

export function signatureOf(
  eigenvalues: ArrayLike<number>,
  rule: ZeroTolerance = DEFAULT_ZERO_TOLERANCE,
): { signature: Signature; tolerance: number } {
  const tolerance = zeroToleranceOf(eigenvalues, rule);
  const signature: Signature = { positive: 0, negative: 0, zero: 0 };
  for (let i = 0; i < eigenvalues.length; i++) {
    const lambda = eigenvalues[i];
    if (Math.abs(lambda) <= tolerance) signature.zero++;
    else if (lambda > 0) signature.positive++;
    else signature.negative++;
  }
  return { signature, tolerance };
}

/**
 * Smallest |λ| once the `symmetryZeros` eigenvalues closest to zero are set aside: how far the
 * signature is from changing. Infinity when nothing is left.
 */
export function marginOf(eigenvalues: ArrayLike<number>, symmetryZeros: number): number {
  const magnitudes = Array.from(eigenvalues, Math.abs).sort((a, b) => a - b);
  return symmetryZeros < magnitudes.length ? magnitudes[symmetryZeros] : Infinity;
}

/** σ(c z) = c^p σ(z) for c > 0 (p = 1, or p = 2 for square): a hidden unit can trade scale between its incoming and outgoing weights. */
function hasRescalingSymmetry(activation: Activation): boolean {
  return isPositivelyHomogeneous(activation) || activation === 'square';
}

/**
 * Zero eigenvalues of the loss Hessian forced, at every critical point, by continuous symmetries of
 * the parameterisation (generic θ): if ŷ(T_c θ) = ŷ(θ) for a one-parameter group T_c, then
 * H · (dT_c θ/dc) = 0 at any critical point.
 *
 * - relu, leaky_relu, square hidden units: scaling a unit's incoming weights and bias by c and its
 *   outgoing weights by 1/c (1/c² for square) keeps ŷ, one direction per unit.
 * - linear hidden layers: any invertible A acts (W_l → A W_l, b_l → A b_l, W_{l+1} → W_{l+1} A⁻¹),
 *   an orbit of dimension d² − (d − r_in)(d − r_out) for generic weights, with d = d_{l+1} units,
 *   r_in = min(d, inputs incl. bias) and r_out = min(d, d_{l+2}) the generic ranks (the stabiliser
 *   is {A = I + B : B [W_l b_l] = 0, W_{l+1} B = 0}). For d ≤ both ranks that is d², not d.
 *
 * Data-dependent flat directions (dead relu units, too few samples) are not included.
 */
export function symmetryZeroCount(net: NetworkSpec): number {
  let zeros = 0;
  for (let l = 0; l + 2 < net.sizes.length; l++) {
    const activation = net.activations[l];
    if (!hasRescalingSymmetry(activation)) continue;
    const units = net.sizes[l + 1];
    if (activation === 'linear') {
      const rankIn = Math.min(units, net.sizes[l] + (net.bias ? 1 : 0));
      const rankOut = Math.min(units, net.sizes[l + 2]);
      zeros += units * units - (units - rankIn) * (units - rankOut);
    } else {
      zeros += units;
    }
  }
  return zeros;
}

/**
 * Zero eigenvalues of ∇²L at θ that no labels keeping θ critical can remove: directions v with
 * J v = 0 and S(r) v = 0 for every residual r ∈ null(Jᵀ), so H v = (2/m)(JᵀJ − S(r)) v = 0. They
 * include the rescaling symmetries and data-dependent ones (relu units that are dead, or active on
 * every sample, making a layer locally linear). Counted as null(JᵀJ) ∩ null(S(ρ_1)) ∩ … ∩ null(S(ρ_3))
 * for seeded random ρ_i ∈ null(Jᵀ), which is the common null space for generic draws; at least
 * symmetryZeroCount(net) is returned, so this only ever excuses more zeros, never fewer.
 */
export function forcedZeroCount(
  linalg: LinAlg,
  ev: Evaluation,
  J: Mat,
  opts: RunOptions & { seed?: number; memoryBudgetBytes?: number } = {},
): number {
  const n = J.cols;
  const symmetry = symmetryZeroCount(ev.net);
  const eig = linalg.symEig(gaussNewton(linalg, J), true);
  const gMax = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[n - 1]));
  const nullColumns: number[] = [];
  for (let c = 0; c < n; c++) if (eig.values[c] <= 16 * n * Number.EPSILON * gMax) nullColumns.push(c);
  const z = nullColumns.length;
  if (z <= symmetry) return symmetry;
  const Z: Mat = { rows: n, cols: z, data: new Float64Array(n * z) };
  for (let i = 0; i < n; i++) for (let c = 0; c < z; c++) Z.data[i * z + c] = eig.vectors.data[i * n + nullColumns[c]];
  const rangeJ = rangeBasis(linalg, J);
  // No residual keeps θ critical but r = 0: H = (2/m) JᵀJ for the only critical labels, so all of null(J) is forced.
  if (rangeJ.cols >= J.rows) return z;
  const rng = createRng(opts.seed ?? 0).fork('forced zeros');
  const draws = 3;
  const stacked: Mat = { rows: draws * n, cols: z, data: new Float64Array(draws * n * z) };
  const dense = { signal: opts.signal, memoryBudgetBytes: opts.memoryBudgetBytes };
  // The scale of "zero" comes from an unprojected ρ: restricted to null(Jᵀ), S can vanish entirely
  // (one-hidden-layer relu nets with a linear output: every critical point has H = (2/m) JᵀJ).
  const raw = rng.fillNormal(new Float64Array(J.rows));
  const sScale = norm(weightedOutputHessian(ev, raw, dense).data) / Math.max(norm(raw), 1e-300);
  for (let d = 0; d < draws; d++) {
    const rho = projectOut(rangeJ, rng.fillNormal(new Float64Array(J.rows)));
    const S = weightedOutputHessian(ev, rho, dense);
    const product = linalg.gemm(S, Z);
    const size = norm(rho);
    for (let k = 0; k < product.data.length; k++) stacked.data[d * n * z + k] = product.data[k] / size;
  }
  const { s } = linalg.svd(stacked);
  // Singular values of the stacked S Z at rounding level of S count as a common null direction.
  let common = z - s.length;
  for (const value of s) if (value <= 1e-9 * Math.max(sScale, 1e-300)) common++;
  return Math.max(symmetry, common);
}

/**
 * The zeros a target is checked "apart from", one rule for signature control and the certificate:
 * for a target other than 'any', every zero forced at all critical labels (forcedZeroCount: symmetries
 * and data-dependent ones); for 'any', which claims no signature, only the symmetry zeros (no dense
 * Gauss–Newton eigendecomposition is spent on it).
 */
export function excusedZeroCount(
  linalg: LinAlg,
  ev: Evaluation,
  J: Mat,
  target: HessianTarget,
  opts: RunOptions & { seed?: number; memoryBudgetBytes?: number } = {},
): number {
  return target.kind === 'any' ? symmetryZeroCount(ev.net) : forcedZeroCount(linalg, ev, J, opts);
}

/**
 * Layers whose diagonal Hessian block does not depend on the labels: ŷ restricted to layer l's
 * parameters (others fixed) is f_L ∘ … ∘ σ_l ∘ (affine in W_l, b_l), which has zero second
 * derivative when σ_l and every later activation are piecewise linear. That block of Σ r_j ∇²ŷ_j
 * vanishes, so it is the Gauss–Newton block (2/m) J_lᵀ J_l ⪰ 0 whatever the labels.
 */
export function labelIndependentLayers(net: NetworkSpec): number[] {
  const layers: number[] = [];
  const count = net.sizes.length - 1;
  for (let l = count - 1; l >= 0 && hasZeroSecondDerivative(net.activations[l]); l--) layers.push(l);
  return layers.reverse();
}

export interface StructuralCheck {
  ok: boolean;
  /** Why the target is impossible (ok = false), in words. */
  reason?: string;
  /** Largest number of negative eigenvalues any labels can give at a critical point (generic θ). */
  maxIndex: number;
  /** Caveats that do not make the target impossible (e.g. how strictness is meant with symmetry zeros). */
  notes: string[];
}

/**
 * Rejects targets no labels can reach, before solving.
 *
 * Bound: H is positive semidefinite on P_l + Z for each label-independent layer l (its coordinate
 * block, where H = Gauss–Newton ⪰ 0) plus the symmetry null space Z (H z = 0; u = p + z gives
 * uᵀHu = pᵀHp ≥ 0). A negative-definite subspace meets such a subspace only in 0, so the index is at
 * most N − dim(P_l + Z) = N − n_l − z for generic θ (symmetry generators span two layers, so they are
 * never inside one block). Without label-independent layers the bound is N − z.
 */
export function structuralCheck(net: NetworkSpec, target: HessianTarget): StructuralCheck {
  const n = parameterCount(net);
  const zeros = symmetryZeroCount(net);
  const blocks = layerLayout(net);
  const fixedLayers = labelIndependentLayers(net);
  let largestFixed = 0;
  let largestFixedLayer = -1;
  for (const l of fixedLayers) {
    const size = blocks[l].rows * blocks[l].cols + (net.bias ? blocks[l].rows : 0);
    if (size > largestFixed) {
      largestFixed = size;
      largestFixedLayer = l;
    }
  }
  const maxIndex = Math.max(0, n - zeros - largestFixed);
  const notes: string[] = [];
  const outputLinear = net.activations[net.activations.length - 1] === 'linear';
  const fixedWhy =
    largestFixedLayer < 0
      ? ''
      : largestFixedLayer === blocks.length - 1 && outputLinear
        ? `the output layer is linear, so ŷ is linear in the last layer's ${largestFixed} parameters and that Hessian block is the Gauss–Newton block JᵀJ ⪰ 0 whatever the labels`
        : `layer ${largestFixedLayer} and every later activation are piecewise linear (${net.activations.slice(largestFixedLayer).join(', ')}), so that layer's ${largestFixed}-parameter Hessian block is the Gauss–Newton block JᵀJ ⪰ 0 whatever the labels`;
  const zerosWhy =
    zeros > 0
      ? `${zeros} zero eigenvalue${zeros === 1 ? ' is' : 's are'} forced by rescaling symmetries of the positively homogeneous hidden activations`
      : '';
  if (zeros > 0 && target.kind !== 'any') {
    notes.push(`${zerosWhy}; "strict" and the margin are meant apart from these directions, which no labels can remove.`);
  }
  const reject = (reason: string): StructuralCheck => ({ ok: false, reason, maxIndex, notes });
  switch (target.kind) {
    case 'any':
    case 'minimum':
      return { ok: true, maxIndex, notes };
    case 'maximum':
      if (largestFixed > 0) return reject(`a maximum is impossible: ${fixedWhy}, so the Hessian cannot be negative definite (at most ${maxIndex} negative eigenvalues of ${n}).`);
      return { ok: true, maxIndex, notes };
    case 'saddle': {
      if (!Number.isInteger(target.index) || target.index < 0) return reject(`a saddle index must be a non-negative integer, got ${target.index}.`);
      if (target.index > maxIndex) {
        const parts = [fixedWhy, zerosWhy].filter((part) => part !== '');
        const why = parts.length > 0 ? `: ${parts.join('; ')}` : '';
        return reject(`saddle(${target.index}) is impossible: at most ${maxIndex} of the ${n} eigenvalues can be negative${why}.`);
      }
      return { ok: true, maxIndex, notes };
    }
  }
}

/** Negative eigenvalues a target asks for; maximum means every eigenvalue but the symmetry zeros. */
export function wantedIndex(target: HessianTarget, parameters: number, symmetryZeros: number): number | undefined {
  switch (target.kind) {
    case 'any':
      return undefined;
    case 'minimum':
      return 0;
    case 'maximum':
      return parameters - symmetryZeros;
    case 'saddle':
      return target.index;
  }
}

/** What a verified spectrum says about a target. */
export interface TargetCheck {
  holds: boolean;
  signature: Signature;
  tolerance: number;
  margin: number;
  minEigenvalue: number;
  maxEigenvalue: number;
  /** Why the target does not hold, in words. */
  reason?: string;
}

/**
 * Whether the ascending `eigenvalues` of a loss Hessian meet `target`: the wanted number of negative
 * eigenvalues, no zeros beyond the `forcedZeros` no labels can remove (excusedZeroCount: symmetries,
 * and data-dependent ones for controlled targets), margin (smallest |λ| apart from them) at least the
 * asked one, and the largest eigenvalue at most the asked sharpness.
 */
export function checkTarget(
  eigenvalues: Float64Array,
  target: HessianTarget,
  forcedZeros: number,
  rule: ZeroTolerance = DEFAULT_ZERO_TOLERANCE,
): TargetCheck {
  const { signature, tolerance } = signatureOf(eigenvalues, rule);
  const margin = marginOf(eigenvalues, forcedZeros);
  const minEigenvalue = eigenvalues.length > 0 ? eigenvalues[0] : 0;
  const maxEigenvalue = eigenvalues.length > 0 ? eigenvalues[eigenvalues.length - 1] : 0;
  const base = { signature, tolerance, margin, minEigenvalue, maxEigenvalue };
  const index = wantedIndex(target, eigenvalues.length, forcedZeros);
  if (index === undefined || target.kind === 'any') return { holds: true, ...base };
  const fail = (reason: string): TargetCheck => ({ holds: false, ...base, reason });
  if (signature.negative !== index) return fail(`${signature.negative} negative eigenvalues, ${index} wanted`);
  if (signature.zero > forcedZeros) {
    return fail(`${signature.zero} eigenvalues within the zero tolerance ${tolerance.toExponential(2)}, only ${forcedZeros} forced (symmetries and data)`);
  }
  if (target.margin !== undefined && margin < target.margin) return fail(`margin ${margin.toExponential(3)} below the asked ${target.margin}`);
  if (target.sharpness !== undefined && maxEigenvalue > target.sharpness) {
    return fail(`largest eigenvalue ${maxEigenvalue.toExponential(3)} above the asked sharpness ${target.sharpness}`);
  }
  return { holds: true, ...base };
}
