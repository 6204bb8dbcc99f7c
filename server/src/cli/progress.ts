/**
 * A progress bar on stderr for long engine runs, fed by the engine's onProgress(phase, fraction).
 * Only on a terminal: piped output and --json stay clean.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface ProgressReporter {
  update: (phase: string, fraction: number) => void;
  stop: () => void;
}

export function progressReporter(label: string, enabled: boolean): ProgressReporter {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `${label} {phase} [{bar}] {percentage}%`, stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 10 },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (phase, fraction) => {
      const value = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
      if (!started) {
        bar.start(100, value, { phase });
        started = true;
      } else bar.update(value, { phase });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
