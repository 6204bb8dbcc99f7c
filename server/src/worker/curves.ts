/**
 * The spec's plots evaluated on a solved landscape, as protocol curves (plain arrays) for the
 * client. The numerics are the engine's (engine/landscape.ts); this file picks the points, bounds
 * the resolution and converts.
 */
import { createHash } from 'node:crypto';
import { landscapeData, linspace, planeGrid, planeThroughPoints, segmentCurve } from '../engine';
import type { PlantProblem, RunOptions, Theta } from '../engine/types';
import type { InterpolationCurve, PlaneGrid } from '../protocol';
import type { CurveRequest } from './messages';

/** Plots are for the eye: cap their resolution so a `steps 1e9` typo cannot stall the worker. */
export const MAX_CURVE_STEPS = 2001;
export const MAX_PLANE_STEPS = 101;

/** Plots may name any declared weights, planted or not (a teacher, say). */
function thetaOf(weights: Map<string, Theta>, name: string): Theta {
  const theta = weights.get(name);
  if (theta === undefined) throw new Error(`no weights named '${name}'`);
  return theta;
}

function steps(requested: number, cap: number): number {
  return Math.max(2, Math.min(cap, Math.floor(Number.isFinite(requested) ? requested : 2)));
}

function rows(loss: Float64Array, columns: number): number[][] {
  return Array.from({ length: loss.length / columns }, (_, i) => Array.from(loss.subarray(i * columns, (i + 1) * columns)));
}

/** A plot that cannot be drawn (three collinear points, say) is reported in `errors`; the solve stands. */
export function computeCurves(
  problem: PlantProblem,
  weights: Map<string, Theta>,
  Y: Float64Array,
  requests: CurveRequest[],
  opts: RunOptions,
): { interpolation: InterpolationCurve[]; planes: PlaneGrid[]; errors: string[] } {
  const data = landscapeData(problem, Y);
  const interpolation: InterpolationCurve[] = [];
  const planes: PlaneGrid[] = [];
  const errors: string[] = [];
  for (const request of requests) {
    try {
      computeCurve(request);
    } catch (error) {
      errors.push(`plot ${request.kind}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { interpolation, planes, errors };

  function computeCurve(request: CurveRequest): void {
    if (request.kind === 'interpolate') {
      const alpha = linspace(request.alphaMin, request.alphaMax, steps(request.steps, MAX_CURVE_STEPS));
      const curve = segmentCurve(data, thetaOf(weights, request.from), thetaOf(weights, request.to), alpha, opts);
      interpolation.push({ from: request.from, to: request.to, alpha: Array.from(curve.alpha), loss: Array.from(curve.loss), gradientNorm: Array.from(curve.gradientNorm) });
    } else if (request.kind === 'plane') {
      const [a, b, c] = request.points.map((name) => thetaOf(weights, name));
      const plane = planeThroughPoints(a, b, c);
      const axis = linspace(request.min, request.max, steps(request.steps, MAX_PLANE_STEPS));
      const grid = planeGrid(data, a, plane.d1, plane.d2, axis, axis, opts);
      planes.push({
        title: `plane through ${request.points.join(', ')}`,
        u: Array.from(grid.u),
        v: Array.from(grid.v),
        loss: rows(grid.loss, grid.v.length),
        points: request.points.map((name, i) => ({ name, u: plane.coordinates[i][0], v: plane.coordinates[i][1] })),
      });
    } else {
      // One random direction gives a 1-D slice (v = 0); two or more a plane along the first two.
      const [d1, d2] = request.directions;
      const axis = linspace(request.min, request.max, steps(request.steps, MAX_PLANE_STEPS));
      const grid = planeGrid(data, thetaOf(weights, request.center), d1, d2 ?? new Float64Array(d1.length), axis, d2 === undefined ? Float64Array.of(0) : axis, opts);
      planes.push({
        title: `random directions around ${request.center}`,
        u: Array.from(grid.u),
        v: Array.from(grid.v),
        loss: rows(grid.loss, grid.v.length),
        points: [{ name: request.center, u: 0, v: 0 }],
      });
    }
  }
}

/** What the plots ask for, hashed (random directions are arrays: hash their bytes, not their JSON). */
export function curvesKey(curves: CurveRequest[]): string {
  const hash = createHash('sha256');
  for (const curve of curves) {
    const { range: _range, ...rest } = curve;
    if (rest.kind === 'directions') {
      hash.update(JSON.stringify({ ...rest, directions: rest.directions.length }));
      for (const d of rest.directions) hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    } else hash.update(JSON.stringify(rest));
  }
  return hash.digest('hex');
}
