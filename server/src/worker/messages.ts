/** Messages between the server thread and the solve worker (structured-cloned: typed arrays survive). */
import type { PlantProblem, SolvabilityReport, SolveResult } from '../engine/types';
import type { InterpolationCurve, PlaneGrid } from '../protocol';
import type { PlotRequest } from '../language';

/** The spec's `plot` statements that need loss curves computed after a solve. */
export type CurveRequest = Extract<PlotRequest, { kind: 'interpolate' | 'plane' | 'directions' }>;

export interface EngineSettings {
  memoryBudgetBytes?: number;
  tolerances?: { rank?: number | null; zeroEigenvalue?: number | null; gradient?: number };
}

export type WorkerJob =
  | { type: 'check'; jobId: number; problem: PlantProblem; settings: EngineSettings }
  | { type: 'solve'; jobId: number; problem: PlantProblem; settings: EngineSettings; curves: CurveRequest[] };

/** A job as submitted to a lane, which numbers it. */
export type WorkerJobInput = { [K in WorkerJob['type']]: Omit<Extract<WorkerJob, { type: K }>, 'jobId'> }[WorkerJob['type']];

export type WorkerReply =
  | { type: 'progress'; jobId: number; phase: string; fraction: number }
  | { type: 'checked'; jobId: number; report: SolvabilityReport }
  | { type: 'solved'; jobId: number; result: SolveResult; interpolation: InterpolationCurve[]; planes: PlaneGrid[]; elapsedMs: number }
  | { type: 'failed'; jobId: number; message: string; code?: string };
