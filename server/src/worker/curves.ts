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

function thetaOf(problem: PlantProblem, name: string): Theta {
  const point = problem.planted.find((p) => p.name === name);
  if (point === undefined) throw new Error(`no planted point named '${name}'`);
  return point.theta;
}

function steps(requested: number, cap: number): number {
  return Math.max(2, Math.min(cap, Math.floor(Number.isFinite(requested) ? requested : 2)));
}

function rows(loss: Float64Array, columns: number): number[][] {
  return Array.from({ length: loss.length / columns }, (_, i) => Array.from(loss.subarray(i * columns, (i + 1) * columns)));
}

export function computeCurves(problem: PlantProblem, Y: Float64Array, requests: CurveRequest[], opts: RunOptions): { interpolation: InterpolationCurve[]; planes: PlaneGrid[] } {
  const data = landscapeData(problem, Y);
  const interpolation: InterpolationCurve[] = [];
  const planes: PlaneGrid[] = [];
  for (const request of requests) {
    if (request.kind === 'interpolate') {
      const alpha = linspace(request.alphaMin, request.alphaMax, steps(request.steps, MAX_CURVE_STEPS));
      const curve = segmentCurve(data, thetaOf(problem, request.from), thetaOf(problem, request.to), alpha, opts);
      interpolation.push({ from: request.from, to: request.to, alpha: Array.from(curve.alpha), loss: Array.from(curve.loss), gradientNorm: Array.from(curve.gradientNorm) });
    } else if (request.kind === 'plane') {
      const [a, b, c] = request.points.map((name) => thetaOf(problem, name));
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
      const grid = planeGrid(data, thetaOf(problem, request.center), d1, d2 ?? new Float64Array(d1.length), axis, d2 === undefined ? Float64Array.of(0) : axis, opts);
      planes.push({
        title: `random directions around ${request.center}`,
        u: Array.from(grid.u),
        v: Array.from(grid.v),
        loss: rows(grid.loss, grid.v.length),
        points: [{ name: request.center, u: 0, v: 0 }],
      });
    }
  }
  return { interpolation, planes };
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
