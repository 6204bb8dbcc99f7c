/**
 * At most one long run (solve or probe) per document and landscape; SolveService and ProbeService
 * extend this class. Starting a run aborts the one before, and an edit or close of the document
 * cancels all of its runs.
 */
import type { LandscapeRef } from '../protocol';

export interface LandscapeRun {
  /** Aborted by a newer run of the same landscape, by cancelDocument, dispose, or the caller's signal. */
  signal: AbortSignal;
  /** Call when the run ends, however it ends. */
  finish: () => void;
}

export class LandscapeRuns {
  private readonly running = new Map<string, AbortController>();

  protected startRun(ref: LandscapeRef, cancel: AbortSignal): LandscapeRun {
    const key = `${ref.uri}#${ref.landscape}`;
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    return {
      signal: AbortSignal.any([controller.signal, cancel]),
      finish: () => {
        if (this.running.get(key) === controller) this.running.delete(key);
      },
    };
  }

  /** Cancel every run of the document (it changed or closed, or trust was withdrawn). */
  cancelDocument(uri: string): void {
    for (const [key, controller] of this.running) {
      if (key.startsWith(`${uri}#`)) controller.abort();
    }
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
  }
}
