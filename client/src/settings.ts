import * as vscode from 'vscode';
import type { CritSettings } from '../../server/src/protocol';

const BYTES_PER_MB = 1024 * 1024;

type ExportFormat = NonNullable<CritSettings['exportFormats']>[number];

/**
 * The settings the server needs, sent as `initializationOptions` and again in `crit/settings`
 * whenever they change. `trusted` is Workspace Trust: without it the server only checks syntax.
 */
export function critSettings(): CritSettings {
  const config = vscode.workspace.getConfiguration('crit');
  return {
    trusted: vscode.workspace.isTrusted,
    memoryBudgetBytes: Math.round(config.get<number>('memoryBudgetMB', 1024) * BYTES_PER_MB),
    backgroundChecks: config.get<boolean>('backgroundChecks', true),
    tolerances: {
      rank: config.get<number | null>('tolerances.rank', null),
      zeroEigenvalue: config.get<number | null>('tolerances.zeroEigenvalue', null),
      gradient: config.get<number>('tolerances.gradient', 1e-8),
    },
    exportFormats: config.get<ExportFormat[]>('export.formats', ['npz', 'csv']),
  };
}

export type SolveTrigger = 'onDemand' | 'onSave';

export function solveTrigger(): SolveTrigger {
  return vscode.workspace.getConfiguration('crit').get<SolveTrigger>('solve.trigger', 'onDemand');
}
