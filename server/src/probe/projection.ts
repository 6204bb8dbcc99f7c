/**
 * Two coordinates for a parameter vector, so trajectories can be drawn with the planted points: the
 * plane through the first three points, the line through two (with the distance from it), or, with a
 * single point, its most negative and most positive curvature directions.
 */
import { planeThroughPoints } from '../engine/landscape';
import type { Theta } from '../engine/types';
import type { CenterSpectrum } from './starts';
import type { ProbeProjection } from './types';

export interface Projector {
  projection: ProbeProjection;
  project(theta: ArrayLike<number>): [number, number];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** Coordinates (⟨θ − o, d1⟩/‖d1‖², ⟨θ − o, d2⟩/‖d2‖²) for orthogonal d1, d2. */
function planeProjector(origin: Theta, d1: Float64Array, d2: Float64Array): (theta: ArrayLike<number>) => [number, number] {
  const n1 = dot(d1, d1);
  const n2 = dot(d2, d2);
  return (theta) => {
    let a = 0;
    let b = 0;
    for (let k = 0; k < origin.length; k++) {
      const x = theta[k] - origin[k];
      a += x * d1[k];
      b += x * d2[k];
    }
    return [a / n1, b / n2];
  };
}

/** `spectrum` (at the single point) is used only when there is one point. */
export function createProjector(points: { name: string; theta: Theta }[], spectrum: CenterSpectrum | undefined): Projector {
  const [p1, p2, p3] = points;
  if (p3) {
    try {
      const { d1, d2, coordinates } = planeThroughPoints(p1.theta, p2.theta, p3.theta);
      const project = planeProjector(p1.theta, d1, d2);
      return {
        project,
        projection: {
          kind: 'plane',
          uLabel: `u (${p1.name} → ${p2.name})`,
          vLabel: `v (towards ${p3.name})`,
          points: points.map((p, k) => {
            const [u, v] = k < 3 ? coordinates[k] : project(p.theta);
            return { name: p.name, u, v };
          }),
        },
      };
    } catch {
      // Collinear (or coinciding) points span no plane: fall back to the line through the first two.
    }
  }
  if (p2) {
    const d = Float64Array.from(p1.theta, (x, k) => p2.theta[k] - x);
    const length2 = dot(d, d);
    const project = (theta: ArrayLike<number>): [number, number] => {
      let along = 0;
      for (let k = 0; k < d.length; k++) along += (theta[k] - p1.theta[k]) * d[k];
      const alpha = along / length2;
      let off2 = 0;
      for (let k = 0; k < d.length; k++) off2 += (theta[k] - p1.theta[k] - alpha * d[k]) ** 2;
      return [alpha, Math.sqrt(off2 / length2)];
    };
    return {
      project,
      projection: {
        kind: 'line',
        uLabel: `α (θ = (1 − α)·${p1.name} + α·${p2.name})`,
        vLabel: `distance from the line / ‖${p2.name} − ${p1.name}‖`,
        points: points.map((p) => {
          const [u, v] = project(p.theta);
          return { name: p.name, u, v };
        }),
      },
    };
  }
  const n = p1.theta.length;
  const column = (j: number) => Float64Array.from({ length: n }, (_, k) => spectrum ? spectrum.eig.vectors.data[k * n + j] : k === j ? 1 : 0);
  const lowest = column(0);
  const highest = column(n - 1);
  return {
    project: planeProjector(p1.theta, lowest, highest),
    projection: {
      kind: 'eigen',
      uLabel: `along ${p1.name}'s lowest-curvature eigenvector`,
      vLabel: `along ${p1.name}'s highest-curvature eigenvector`,
      points: [{ name: p1.name, u: 0, v: 0 }],
    },
  };
}
