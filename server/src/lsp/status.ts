/**
 * The server's state for a status bar (`crit/status`): a running solve wins over a running probe,
 * which wins over background checks, which win over the outcome of the last solve, else idle. Sent
 * only when it changes.
 */
import type { LandscapeRef, StatusParams } from '../protocol';

export class StatusTracker {
  private readonly solves = new Map<string, StatusParams>();
  private readonly probes = new Map<string, StatusParams>();
  private checks = 0;
  private outcome: StatusParams | undefined;
  private lastSent = '';

  constructor(private readonly send: (status: StatusParams) => void) {}

  checkStarted(): void {
    this.checks++;
    this.update();
  }

  checkEnded(): void {
    this.checks = Math.max(0, this.checks - 1);
    this.update();
  }

  solving(ref: LandscapeRef, fraction: number, phase: string): void {
    this.solves.set(key(ref), { state: 'solving', ...ref, percentage: Math.round(Math.min(1, Math.max(0, fraction)) * 100), phase });
    this.update();
  }

  /** A solve ended: 'solved', 'failed', or undefined when it was cancelled. */
  solveEnded(ref: LandscapeRef, state: 'solved' | 'failed' | undefined, message?: string): void {
    this.solves.delete(key(ref));
    if (state !== undefined) this.outcome = { state, ...ref, message };
    this.update();
  }

  probing(ref: LandscapeRef, fraction: number, phase: string): void {
    this.probes.set(key(ref), { state: 'probing', ...ref, percentage: Math.round(Math.min(1, Math.max(0, fraction)) * 100), phase });
    this.update();
  }

  /** A probe request ended (done, failed or cancelled): the probe's results go to the requester, not the status. */
  probeEnded(ref: LandscapeRef): void {
    this.probes.delete(key(ref));
    this.update();
  }

  /** The document changed: the outcome of its last solve no longer describes it. */
  documentChanged(uri: string): void {
    if (this.outcome?.uri === uri) this.outcome = undefined;
    this.update();
  }

  current(): StatusParams {
    const solving = this.solves.values().next();
    if (!solving.done) return solving.value;
    const probing = this.probes.values().next();
    if (!probing.done) return probing.value;
    if (this.checks > 0) return { state: 'checking' };
    return this.outcome ?? { state: 'idle' };
  }

  private update(): void {
    const status = this.current();
    const text = JSON.stringify(status);
    if (text === this.lastSent) return;
    this.lastSent = text;
    this.send(status);
  }
}

function key(ref: LandscapeRef): string {
  return `${ref.uri}#${ref.landscape}`;
}
