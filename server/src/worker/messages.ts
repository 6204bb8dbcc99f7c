/** Messages between the server thread and the solve worker (structured-cloned: typed arrays survive). */
import type { PointCertificate, SolvabilityReport, SolveResult } from '../engine/types';
import type { CritSettings, InterpolationCurve, PlaneGrid } from '../protocol';
import type { CompiledLandscape, CritDiagnostic, LandscapeNode, PlotRequest } from '../language';
import type { ProbeProblem, ProbeResult, ProbeSpec } from '../probe/types';

/** The spec's `plot` statements that need loss curves computed after a solve. */
export type CurveRequest = Extract<PlotRequest, { kind: 'interpolate' | 'plane' | 'directions' }>;

export interface EngineSettings {
  memoryBudgetBytes?: number;
  tolerances?: { rank?: number | null; zeroEigenvalue?: number | null; gradient?: number };
}

/** A planted-point result the check may turn into certificate diagnostics (when its hash still matches). */
export interface SolvedFacts {
  problemHash: string;
  report: SolvabilityReport;
  certificates: PointCertificate[];
}

export type WorkerJob =
  /**
   * Tier 2 for one landscape of one document version: compile (off the server's thread: large
   * datasets take a while), hash, analyse unless `cachedReports` has the hash, and map the report
   * (and a matching solve's certificates) to diagnostics on this version's tree.
   */
  | {
      type: 'check';
      jobId: number;
      landscape: LandscapeNode;
      uri: string;
      settings: CritSettings;
      cachedReports: [string, SolvabilityReport][];
      solved?: SolvedFacts;
    }
  /**
   * Solve one landscape: compile it here too, and answer 'cached' without solving when the server
   * already holds a result under the same key (problem hash and plot requests).
   */
  | { type: 'solve'; jobId: number; landscape: LandscapeNode; uri: string; settings: CritSettings; cachedKeys: string[] }
  /** Train one compiled probe on a solved landscape (TensorFlow.js, loaded in the worker on first use). */
  | { type: 'probe'; jobId: number; landscape: string; problem: ProbeProblem; spec: ProbeSpec; memoryBudgetBytes?: number };

/** A job as submitted to a lane, which numbers it. */
export type WorkerJobInput = { [K in WorkerJob['type']]: Omit<Extract<WorkerJob, { type: K }>, 'jobId'> }[WorkerJob['type']];

export type WorkerReply =
  | { type: 'progress'; jobId: number; phase: string; fraction: number }
  /** `analyzed` is false when the report came from `cachedReports`; no problemHash when compiling failed. */
  | { type: 'checked'; jobId: number; problemHash?: string; report?: SolvabilityReport; analyzed: boolean; diagnostics: CritDiagnostic[] }
  | {
      type: 'solved';
      jobId: number;
      cacheKey: string;
      problemHash: string;
      compiled: CompiledLandscape;
      result: SolveResult;
      interpolation: InterpolationCurve[];
      planes: PlaneGrid[];
      plotErrors: string[];
      elapsedMs: number;
    }
  | { type: 'cached'; jobId: number; cacheKey: string }
  | { type: 'probed'; jobId: number; result: ProbeResult }
  | { type: 'failed'; jobId: number; message: string; code?: string };
