/**
 * Every custom message between the Crit language server and its clients, namespaced `crit/...`.
 * The VS Code client (and any other client) imports only this file from the server; documented in
 * docs/protocol.md. Payloads are plain JSON: numeric arrays are `number[]`, never typed arrays.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { HessianTarget, PointCertificate, RankLossCause, Signature, SolvabilityReport } from './engine/types';
import type { DatasetRows, InterpolationCurve, PlaneGrid, SpectrumCurve } from './io/plots';
import type { ProbeResult } from './probe/types';

// How a signature and a target read, the same in the client's messages as in the server's hovers,
// diagnostics and plots (pure functions over plain data).
export { formatSignature, formatTarget } from './engine/format';

/** Sent by the client in `initialize` (`initializationOptions`) and later in `crit/settings`. */
export interface CritSettings {
  /**
   * Workspace Trust. When false the server checks syntax, names and shapes only: it reads no file a
   * spec names, runs no solve or background check, and writes no export. Default false.
   */
  trusted?: boolean;
  /** Refuse to build dense matrices above this many bytes (engine memory budget). */
  memoryBudgetBytes?: number;
  /** Run the background solvability check (tier 2) after edits. Default true. */
  backgroundChecks?: boolean;
  /** Numerical tolerances passed to the engine; null or absent: the engine's scaled defaults. */
  tolerances?: { rank?: number | null; zeroEigenvalue?: number | null; gradient?: number };
  /** Formats written by `crit/export` (a manifest is always written). Default ['npz', 'csv']. */
  exportFormats?: ('npz' | 'npy' | 'csv')[];
}

export const SettingsNotification = new NotificationType<CritSettings>('crit/settings');

// ---------------------------------------------------------------------------------------------
// Server state, for a status bar.

export type ServerState = 'idle' | 'checking' | 'solving' | 'probing' | 'solved' | 'failed';

export interface StatusParams {
  state: ServerState;
  /** The document and landscape concerned, when the state is about one. */
  uri?: string;
  landscape?: string;
  /** Progress in [0, 100] while `state` is 'solving' or 'probing'. */
  percentage?: number;
  /** Engine phase label while solving ("rank", "solve", "hessian A", ...); the probe while probing ("probe quick"). */
  phase?: string;
  /** A short human sentence (why it failed, what was solved). */
  message?: string;
}

/** Server -> client whenever the state changes. */
export const StatusNotification = new NotificationType<StatusParams>('crit/status');

// ---------------------------------------------------------------------------------------------
// Results of a solve, kept per document and landscape.

export interface LandscapeRef {
  uri: string;
  /** Landscape name as written after `landscape`. */
  landscape: string;
}

export type HessianTargetJson = HessianTarget;
export type SignatureJson = Signature;

/** A verified certificate (engine PointCertificate) without its dense spectrum, sent as `curves.spectra`. */
export type CertificateJson = Omit<PointCertificate, 'eigenvalues'>;

/** The engine's solvability report, each rank-loss cause cut to its kind and words. */
export type SolvabilityJson = Omit<SolvabilityReport, 'causes'> & {
  causes: Pick<RankLossCause, 'kind' | 'harmless' | 'message'>[];
};

/** Loss along interpolation lines, loss over planes and Hessian spectra: the shapes the plots draw. */
export type { InterpolationCurve, PlaneGrid, SpectrumCurve } from './io/plots';

export interface LandscapeResult extends LandscapeRef {
  /** Document version that was solved; results of older versions are replaced. */
  version: number;
  /** Hash of the compiled problem: equal hashes mean the same numbers were solved. */
  problemHash: string;
  /** True when every planted point reached its Hessian target (verified). */
  achieved: boolean;
  backend: string;
  engineVersion: string;
  network: { sizes: number[]; activations: string[]; bias: boolean };
  dataset: { m: number; dx: number; dy: number };
  solvability: SolvabilityJson;
  certificates: CertificateJson[];
  curves: {
    interpolation: InterpolationCurve[];
    planes: PlaneGrid[];
    spectra: SpectrumCurve[];
    /** Plots that could not be drawn, in words (three collinear points, ...); the solve stands. */
    errors: string[];
  };
  /** Wall-clock solve time in milliseconds. */
  elapsedMs: number;
}

export interface SolveParams extends LandscapeRef, WorkDoneProgressParams {}

export type SolveResponse =
  | { status: 'solved'; result: LandscapeResult }
  /** The request was cancelled or the document changed while solving. */
  | { status: 'cancelled' }
  /** The spec has errors (see diagnostics), the workspace is untrusted, or the engine failed. */
  | { status: 'failed'; message: string };

/**
 * Client -> server: solve one landscape in the background worker. Reports work-done progress
 * (phase and percentage) on the client's `workDoneToken`, or on a server-created one when absent.
 * An edit of the document, or `$/cancelRequest`, cancels it.
 */
export const SolveRequest = new RequestType<SolveParams, SolveResponse, void>('crit/solve');

/** Client -> server: the last result of a landscape, or null when it was never solved. */
export const ResultRequest = new RequestType<LandscapeRef, LandscapeResult | null, void>('crit/result');

/** Server -> client: a landscape has a new result (after `crit/solve`); fetch it with `crit/result`. */
export const ResultChangedNotification = new NotificationType<LandscapeRef & { version: number; achieved: boolean }>(
  'crit/resultChanged',
);

export interface DatasetParams extends LandscapeRef {
  /** First row (0-based) and the number of rows wanted (capped at 5000 per request). */
  offset?: number;
  limit?: number;
}

export interface DatasetPage extends DatasetRows {
  offset: number;
  /** The network's outputs at each planted point for the same rows (row-major rows × dy). */
  predictions: NonNullable<DatasetRows['predictions']>;
}

/**
 * Client -> server: rows of the dataset for a preview: inputs and base labels from the compiled
 * spec, solved labels when the landscape has a result for the current document version.
 */
export const DatasetRequest = new RequestType<DatasetParams, DatasetPage | null, void>('crit/dataset');

export interface ExportParams extends LandscapeRef {
  /** Target folder; default: the spec's `export` path, else `<spec folder>/<landscape>`. */
  outDir?: string;
  /** Replace an existing folder. Without it an existing folder is answered with status 'exists'. */
  force?: boolean;
}

export type ExportResponse =
  | { status: 'written'; path: string; files: string[] }
  | { status: 'exists'; path: string }
  | { status: 'failed'; message: string };

/**
 * Client -> server: write the export folder (the same layout as `crit solve --out`). Solves first
 * when the landscape has no result for the current document version.
 */
export const ExportRequest = new RequestType<ExportParams, ExportResponse, void>('crit/export');

// ---------------------------------------------------------------------------------------------
// Optimizer probes (docs/probes.md).

/**
 * A value as it arrives over JSON-RPC: JSON has no NaN or Infinity, so every non-finite number (a
 * diverged run's loss, its coordinates) is sent as null. Clients turn them back into NaN.
 */
export type WireNumbers<T> = T extends number
  ? number | null
  : T extends string | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? WireNumbers<U>[]
      : { [K in keyof T]: WireNumbers<T[K]> };

/** A probe's result (server/src/probe/types.ts ProbeResult) with non-finite numbers as null. */
export type ProbeResultJson = WireNumbers<ProbeResult>;

export interface ProbeParams extends LandscapeRef, WorkDoneProgressParams {
  /** Run only the probe with this name (unnamed probes are `probe1`, `probe2` ...); absent: every probe of the landscape. */
  probe?: string;
}

export type ProbeResponse =
  | { status: 'done'; results: ProbeResultJson[] }
  /** The request was cancelled or the document changed while solving or training. */
  | { status: 'cancelled' }
  /** The spec has errors, the landscape has no (such) probe, the workspace is untrusted, or a probe cannot run. */
  | { status: 'failed'; message: string };

/**
 * Client -> server: run a landscape's probes in a worker thread. Solves first unless the stored
 * result is of the current numbers. Reports work-done progress (solve, then one step per finished
 * run) on the client's `workDoneToken`, or on a server-created one when absent. An edit of the
 * document, or `$/cancelRequest`, cancels it.
 */
export const ProbeRequest = new RequestType<ProbeParams, ProbeResponse, void>('crit/probe');

// ---------------------------------------------------------------------------------------------
// Command ids the server's CodeLenses carry; arguments are [uri: string, landscape: string].

export const CritCommands = {
  solve: 'crit.solve',
  previewDataset: 'crit.previewDataset',
  plotInterpolation: 'crit.plotInterpolation',
  export: 'crit.export',
  probe: 'crit.probe',
} as const;
