/**
 * Two coordinates for a parameter vector, so trajectories can be drawn with the planted points: the
 * plane through the first three points, the line through two (with the distance from it), or, with a
 * single point, its most negative and most positive curvature directions.
 */
import { planeThroughPoints } from '../engine/landscape';
import type { Theta } from '../engine/types';
import type { CenterSpectrum } from './starts';
import type { ProbeProjection } from './types';

/**
 * Plain data (so it can be posted to worker threads): coordinates are (⟨θ − origin, d1⟩/‖d1‖²,
 * ⟨θ − origin, d2⟩/‖d2‖²) for a plane, or (α, distance from the line / ‖d1‖) for a line.
 */
export interface ProjectionFrame {
  kind: 'plane' | 'line';
  origin: Float64Array;
  d1: Float64Array;
  d2: Float64Array;
}

export interface Projector {
  projection: ProbeProjection;
  frame: ProjectionFrame;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

export function project(frame: ProjectionFrame, theta: ArrayLike<number>): [number, number] {
  const { origin, d1, d2 } = frame;
  let a = 0;
  let b = 0;
  for (let k = 0; k < origin.length; k++) {
    const x = theta[k] - origin[k];
    a += x * d1[k];
    b += x * d2[k];
  }
  const n1 = dot(d1, d1);
  if (frame.kind === 'plane') return [a / n1, b / dot(d2, d2)];
  const alpha = a / n1;
  let off2 = 0;
  for (let k = 0; k < origin.length; k++) off2 += (theta[k] - origin[k] - alpha * d1[k]) ** 2;
  return [alpha, Math.sqrt(off2 / n1)];
}

/** `spectrum` (at the single point) is used only when there is one point. */
export function createProjector(points: { name: string; theta: Theta }[], spectrum: CenterSpectrum | undefined): Projector {
  const [p1, p2, p3] = points;
  const located = (frame: ProjectionFrame) => points.map((p) => {
    const [u, v] = project(frame, p.theta);
    return { name: p.name, u, v };
  });
  if (p3) {
    try {
      const { d1, d2 } = planeThroughPoints(p1.theta, p2.theta, p3.theta);
      const frame: ProjectionFrame = { kind: 'plane', origin: p1.theta, d1, d2 };
      return { frame, projection: { kind: 'plane', uLabel: `u (${p1.name} → ${p2.name})`, vLabel: `v (towards ${p3.name})`, points: located(frame) } };
    } catch {
      // Collinear (or coinciding) points span no plane: fall back to the line through the first two.
    }
  }
  if (p2) {
    const d1 = Float64Array.from(p1.theta, (x, k) => p2.theta[k] - x);
    const frame: ProjectionFrame = { kind: 'line', origin: p1.theta, d1, d2: new Float64Array(d1.length) };
    return {
      frame,
      projection: {
        kind: 'line',
        uLabel: `α (θ = (1 − α)·${p1.name} + α·${p2.name})`,
        vLabel: `distance from the line / ‖${p2.name} − ${p1.name}‖`,
        points: located(frame),
      },
    };
  }
  const n = p1.theta.length;
  const column = (j: number) => Float64Array.from({ length: n }, (_, k) => (spectrum ? spectrum.eig.vectors.data[k * n + j] : k === j ? 1 : 0));
  const frame: ProjectionFrame = { kind: 'plane', origin: p1.theta, d1: column(0), d2: column(n - 1) };
  return {
    frame,
    projection: {
      kind: 'eigen',
      uLabel: `along ${p1.name}'s lowest-curvature eigenvector`,
      vLabel: `along ${p1.name}'s highest-curvature eigenvector`,
      points: [{ name: p1.name, u: 0, v: 0 }],
    },
  };
}
