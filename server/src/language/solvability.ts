/**
 * Maps the engine's solvability report and certificates to diagnostics on the constructs that cause
 * them: the output-bias conflict on the second point's weights (with the bias shift as a fix), rank
 * loss and conditioning on the data, unreached signatures on the Hessian target.
 */
import type * as A from './ast';
import type { CompiledLandscape } from './compile';
import type { CritDiagnostic } from './diagnostics';
import type { SourceRange } from './positions';
import { CONDITION_WARNING, LABEL_CHANGE_WARNING } from '../engine/analysis';
import { formatSignature } from '../engine/format';
import type { PointCertificate, SolvabilityReport } from '../engine/types';

export function solvabilityDiagnostics(
  l: A.LandscapeNode,
  c: CompiledLandscape,
  report: SolvabilityReport,
  certs: PointCertificate[] = [],
): CritDiagnostic[] {
  const out: CritDiagnostic[] = [];
  const head = l.nameRange ?? l.range;
  const criticalOf = (name: string) => l.criticals.find((k) => k.name === name);
  const declarationOf = (name: string) => l.weights.find((w) => w.name === name);
  let conflictExplained = false;

  for (const cause of report.causes) {
    switch (cause.kind) {
      case 'output-bias': {
        conflictExplained = true;
        const [, moved] = cause.points;
        const declaration = declarationOf(moved);
        const range = criticalOf(moved)?.nameRange ?? declaration?.nameRange ?? head;
        const outputLayer = c.problem.network.sizes.length - 2;
        const shift = cause.meanPredictionGap.map((g) => -g);
        const fixes =
          declaration?.init !== undefined
            ? [
                {
                  title: `Shift ${moved}'s output bias by ${shift.map((s) => s.toPrecision(4)).join(', ')}`,
                  edits: [{ range: endOf(declaration.init.range), newText: ` + { b${outputLayer} = [${shift.map((s) => String(s)).join(', ')}] }` }],
                },
              ]
            : undefined;
        out.push({ code: 'solvability/output-bias-conflict', severity: 'error', message: cause.message, range, ...(fixes ? { fixes } : {}) });
        break;
      }
      case 'symmetry':
        out.push({ code: 'solvability/symmetry', severity: 'hint', message: cause.message, range: l.network?.range ?? head });
        break;
      case 'coincidence':
        out.push({
          code: 'solvability/rank-deficient',
          severity: cause.harmless ? 'information' : 'warning',
          message: cause.message,
          range: l.data?.points?.range ?? l.data?.range ?? head,
        });
        break;
    }
  }
  if (!report.consistent && !conflictExplained) {
    out.push({
      code: 'solvability/inconsistent',
      severity: 'error',
      message:
        `no labels make every planted point critical: the gradient constraints are inconsistent (||(I − C C⁺) d|| / ||d|| = ${report.consistencyResidual.toExponential(2)}, ` +
        `rank ${report.rank} of ${report.equationCount} equations, ${report.labelCount} free labels). Plant fewer points, or add points.`,
      range: l.criticals[0]?.range ?? head,
    });
  }
  if (report.conditionNumber > CONDITION_WARNING) {
    out.push({
      code: 'solvability/ill-conditioned',
      severity: 'warning',
      message: `cond(C) = ${report.conditionNumber.toExponential(2)}: expect very large label changes and loss values. A larger input spread (e.g. inputs normal(0, 3)), more input dimensions or fewer planted points help; more points do not.`,
      range: l.data?.inputs?.range ?? l.data?.range ?? head,
    });
  }
  if (report.relativeLabelChange !== undefined && report.relativeLabelChange > LABEL_CHANGE_WARNING) {
    out.push({
      code: 'solvability/large-label-change',
      severity: 'warning',
      message: `the solved labels differ from the base labels by ${report.relativeLabelChange.toExponential(2)} times their size (||y − y0|| / ||y0||): the planted landscape has very high loss values.`,
      range: l.data?.labels?.range ?? l.data?.range ?? head,
    });
  }
  for (const cert of certs) {
    const critical = criticalOf(cert.name);
    const nameRange = critical?.nameRange ?? head;
    const signature = `${formatSignature(cert.signature)} at tolerance ${cert.zeroTolerance.toExponential(1)}`;
    if (!cert.critical) {
      out.push({
        code: 'solvability/not-critical',
        severity: 'error',
        message: `\`${cert.name}\` is not a critical point after solving: relative gradient ${cert.relativeGradientNorm.toExponential(2)} (||∇L|| = ${cert.gradientNorm.toExponential(2)}).${cert.reason ? ` ${cert.reason}` : ''}`,
        range: nameRange,
      });
    } else if (!cert.achieved) {
      out.push({
        code: 'solvability/signature-not-reached',
        severity: 'warning',
        message: `\`${cert.name}\` is critical, but its Hessian target was not reached: signature ${signature}${cert.reason ? `; ${cert.reason}` : ''}.`,
        range: critical?.hessian?.targetRange ?? critical?.hessian?.range ?? nameRange,
      });
    }
  }
  return out;
}

function endOf(range: SourceRange): SourceRange {
  return { start: range.end, end: range.end };
}
