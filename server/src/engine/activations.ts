/**
 * The activations of ACTIVATIONS with exact first and second derivatives.
 * Conventions at kinks follow PyTorch: relu'(0) = 0, leaky_relu'(0) = 0.01, second derivatives of
 * piecewise-linear activations are 0 everywhere (they are 0 almost everywhere).
 */
import type { Activation } from './types';

export interface ActivationFunctions {
  f(z: number): number;
  /** f'(z) */
  df(z: number): number;
  /** f''(z) */
  d2f(z: number): number;
}

export const LEAKY_RELU_SLOPE = 0.01;
export const ELU_ALPHA = 1;

/**
 * Positively homogeneous activations (f(c z) = c f(z) for c > 0): a hidden unit using one can have its
 * incoming weights scaled by c and its outgoing weights by 1/c without changing the function.
 */
const POSITIVELY_HOMOGENEOUS: ReadonlySet<Activation> = new Set<Activation>(['relu', 'leaky_relu', 'linear']);

export function isPositivelyHomogeneous(activation: Activation): boolean {
  return POSITIVELY_HOMOGENEOUS.has(activation);
}

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π
const ONE_OVER_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const SQRT_HALF = 0.7071067811865476; // 1/√2

/** Below this |x| erf uses the all-positive series; above it, 1 - erfc. */
const ERF_SERIES_LIMIT = 2.5;
/**
 * From this x on, erfc uses the continued fraction (at most ~200 terms here) instead of 1 - erf,
 * which would lose relative accuracy as erfc(x) gets small.
 */
const ERFC_FRACTION_LIMIT = 1;

/**
 * erf(x) for 0 <= x <= ERF_SERIES_LIMIT by erf(x) = (2/√π) e^{-x²} Σ_n 2^n x^{2n+1} / (2n+1)!!:
 * every term is positive, so there is no cancellation.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x >= ERFC_FRACTION_LIMIT by the continued fraction
 * erfc(x) = (e^{-x²}/√π) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated with the modified Lentz method.
 */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 1000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function, accurate to about 1e-15 relative. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const value = ax <= ERF_SERIES_LIMIT ? erfSeries(ax) : 1 - erfcContinuedFraction(ax);
  return x < 0 ? -value : value;
}

/** The complementary error function 1 - erf(x), accurate in relative terms also for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= ERFC_FRACTION_LIMIT) return erfcContinuedFraction(x);
  if (x <= -ERFC_FRACTION_LIMIT) return 2 - erfcContinuedFraction(-x);
  return 1 - erf(x);
}

/** Standard normal CDF Φ(z) = erfc(-z/√2)/2 (accurate in the far left tail). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT_HALF);
}

function normalPdf(z: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Logistic sigmoid without overflow for large |z|. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

const TABLE: Record<Activation, ActivationFunctions> = {
  linear: { f: (z) => z, df: () => 1, d2f: () => 0 },
  tanh: {
    f: Math.tanh,
    df: (z) => {
      const t = Math.tanh(z);
      return 1 - t * t;
    },
    d2f: (z) => {
      const t = Math.tanh(z);
      return -2 * t * (1 - t * t);
    },
  },
  sigmoid: {
    f: sigmoid,
    df: (z) => {
      const s = sigmoid(z);
      return s * (1 - s);
    },
    d2f: (z) => {
      const s = sigmoid(z);
      return s * (1 - s) * (1 - 2 * s);
    },
  },
  relu: { f: (z) => (z > 0 ? z : 0), df: (z) => (z > 0 ? 1 : 0), d2f: () => 0 },
  leaky_relu: {
    f: (z) => (z > 0 ? z : LEAKY_RELU_SLOPE * z),
    df: (z) => (z > 0 ? 1 : LEAKY_RELU_SLOPE),
    d2f: () => 0,
  },
  softplus: {
    // log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}) never overflows.
    f: (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))),
    df: sigmoid,
    d2f: (z) => {
      const s = sigmoid(z);
      return s * (1 - s);
    },
  },
  elu: {
    f: (z) => (z > 0 ? z : ELU_ALPHA * Math.expm1(z)),
    df: (z) => (z > 0 ? 1 : ELU_ALPHA * Math.exp(z)),
    d2f: (z) => (z > 0 ? 0 : ELU_ALPHA * Math.exp(z)),
  },
  gelu: {
    // Exact form z Φ(z) (PyTorch's default approximate='none').
    f: (z) => z * normalCdf(z),
    df: (z) => normalCdf(z) + z * normalPdf(z),
    d2f: (z) => normalPdf(z) * (2 - z * z),
  },
  sin: { f: Math.sin, df: Math.cos, d2f: (z) => -Math.sin(z) },
  square: { f: (z) => z * z, df: (z) => 2 * z, d2f: () => 2 },
};

export function activationFunctions(activation: Activation): ActivationFunctions {
  const fns = TABLE[activation];
  if (!fns) throw new RangeError(`unknown activation '${String(activation)}'`);
  return fns;
}

/**
 * Whether f'' is identically zero (piecewise linear): ŷ is then piecewise linear in that layer's
 * pre-activations, which fixes Hessian blocks structurally.
 */
export function hasZeroSecondDerivative(activation: Activation): boolean {
  return activation === 'linear' || activation === 'relu' || activation === 'leaky_relu';
}
