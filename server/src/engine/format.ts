/**
 * Human-readable text for engine results, shared by the CLI, the diagnostics, hovers, export checks
 * and the plots (the webview bundles this file, so it imports types only).
 */
import type { HessianTarget, Signature } from './types';

/** "(30+, 2−, 4 zero)": counts of positive, negative and zero eigenvalues. */
export function formatSignature(s: Signature): string {
  return `(${s.positive}+, ${s.negative}−, ${s.zero} zero)`;
}

export function formatTarget(t: HessianTarget): string {
  return t.kind === 'saddle' ? `saddle(${t.index})` : t.kind;
}
