/**
 * Everything the user sees beyond the language client itself: status bar, commands (palette and the
 * server's CodeLenses), plot webviews, export, Workspace Trust, solve on save. `extension.ts` calls
 * `registerCritFeatures` once the client exists.
 */
import * as vscode from 'vscode';
import { type LanguageClient, State } from 'vscode-languageclient/node';
import {
  DatasetRequest,
  formatSignature,
  type LandscapeRef,
  ProbeRequest,
  type ProbeResponse,
  type ProbeResultJson,
  type LandscapeResult,
  ResultChangedNotification,
  ResultRequest,
  SettingsNotification,
  SolveRequest,
  type SolveResponse,
  StatusNotification,
  type StatusParams,
} from '../../server/src/protocol';
import { askExportFolder, exportLandscape } from './exportCommand';
import { landscapeNames, resolveLandscape } from './landscapeTarget';
import { type PlotContent, PlotPanels } from './plotPanels';
import { openSample } from './samples';
import { critSettings, solveTrigger } from './settings';
import { CritStatusBar, STATUS_MENU_COMMAND, type StatusView } from './statusBar';
import { type CritTestState, TEST_STATE_COMMAND } from './testState';
import type { PlotKind, PlotTarget } from './webviewMessages';

/** Rows sent to the dataset preview; the table shows them, the picture uses them all. */
const PREVIEW_ROWS = 2000;

/** Command handlers report failures (server down, request errors) as a message instead of a silent rejection. */
function reporting<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      void vscode.window.showErrorMessage(`Crit: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
}

const PLOT_COMMANDS: Record<string, PlotKind> = {
  'crit.previewDataset': 'dataset',
  'crit.plotInterpolation': 'interpolation',
  'crit.plotPlane': 'plane',
  'crit.showSpectrum': 'spectrum',
};

export function registerCritFeatures(context: vscode.ExtensionContext, client: LanguageClient): void {
  const status = new CritStatusBar();
  let revision = 0;
  let lastServerStatus: StatusParams = { state: 'idle' };
  let lastResult: CritTestState['lastResult'];
  /** The last `crit/probe` results of each landscape (by uri and name), for the probe view. */
  const probeResults = new Map<string, ProbeResultJson[]>();
  const probeKey = (ref: LandscapeRef): string => `${ref.uri}\u0000${ref.landscape}`;

  const showStatus = (params: StatusParams): void => {
    lastServerStatus = params;
    // An untrusted workspace gets syntax checks only: say so instead of a plain "idle".
    const state = !vscode.workspace.isTrusted && params.state === 'idle' ? 'restricted' : params.state;
    status.update({
      state,
      percent: params.percentage,
      detail: params.landscape ?? params.phase,
      message: state === 'restricted' ? 'Workspace not trusted: syntax checks only, no solves or exports.' : params.message,
    });
  };
  showStatus(lastServerStatus);

  const source = async (target: PlotTarget): Promise<PlotContent> => {
    const ref = { uri: target.uri, landscape: target.landscape };
    const result = await client.sendRequest(ResultRequest, ref);
    if (target.kind === 'probe') {
      const probes = probeResults.get(probeKey(ref));
      if (probes === undefined) return { reason: `No probe has run on ${target.landscape} in this session: use Re-run or Crit: Run Optimizer Probes.` };
      revision += 1;
      return { revision, data: { result, probes } };
    }
    const dataset = target.kind === 'dataset' ? await client.sendRequest(DatasetRequest, { ...ref, offset: 0, limit: PREVIEW_ROWS }) : undefined;
    if (result === null && !dataset) {
      return { reason: vscode.workspace.isTrusted ? `${target.landscape} has not been solved yet.` : 'Trust the workspace to solve and plot.' };
    }
    revision += 1;
    return { revision, data: { result, dataset } };
  };

  const solve = async (ref: LandscapeRef): Promise<SolveResponse | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void askForTrust('solve landscapes');
      return undefined;
    }
    // The server reports work-done progress (phase, percentage) and the status notification itself.
    const response = await client.sendRequest(SolveRequest, ref);
    if (response.status === 'failed') void vscode.window.showErrorMessage(`Crit: ${ref.landscape}: ${response.message}`);
    return response;
  };

  /**
   * Runs a landscape's probes (all, or the one named) and shows them. The server solves first when
   * needed and reports work-done progress, whose Cancel button stops the training.
   */
  const probe = async (ref: LandscapeRef, probeName?: string): Promise<ProbeResponse | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void askForTrust('run optimizer probes');
      return undefined;
    }
    const response = await client.sendRequest(ProbeRequest, { ...ref, probe: probeName });
    if (response.status === 'failed') void vscode.window.showErrorMessage(`Crit: probing ${ref.landscape}: ${response.message}`);
    if (response.status !== 'done') return response;
    probeResults.set(probeKey(ref), response.results);
    panels.open({ kind: 'probe', ...ref });
    return response;
  };

  const panels = new PlotPanels(context.extensionUri, source, (target) => (target.kind === 'probe' ? probe(target) : solve(target)));

  const openPlot = async (kind: PlotKind, args: unknown[]): Promise<boolean> => {
    const ref = await resolveLandscape(args);
    if (!ref) return false;
    // A plot of an unsolved landscape solves it first (the dataset preview shows base labels without).
    if (kind !== 'dataset' && vscode.workspace.isTrusted && (await client.sendRequest(ResultRequest, ref)) === null) {
      const response = await solve(ref);
      if (response?.status !== 'solved') return false;
    }
    panels.open({ kind, ...ref });
    return true;
  };

  // A client that is not running yet sends the current settings in `initialize` anyway.
  const sendSettings = (): void => {
    if (client.isRunning()) void client.sendNotification(SettingsNotification, critSettings());
  };

  context.subscriptions.push(
    status,
    panels,
    client.onNotification(StatusNotification, showStatus),
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) showStatus({ state: 'idle' });
      else status.update({ state: newState === State.Starting ? 'starting' : 'stopped', message: 'See the Crit language server output.' });
    }),
    client.onNotification(ResultChangedNotification, (changed) => {
      lastResult = changed;
      panels.refresh(changed.uri, changed.landscape);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      sendSettings();
      showStatus(lastServerStatus);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('crit')) sendSettings();
    }),
    vscode.workspace.onDidSaveTextDocument(async (document) => {
      if (document.languageId !== 'crit' || solveTrigger() !== 'onSave' || !vscode.workspace.isTrusted) return;
      for (const landscape of await landscapeNames(document.uri)) await solve({ uri: document.uri.toString(), landscape });
    }),
    vscode.commands.registerCommand('crit.solve', reporting(async (...args: unknown[]) => {
      const ref = await resolveLandscape(args);
      if (!ref) return undefined;
      const response = await solve(ref);
      if (response?.status === 'solved') void announceSolved(response.result);
      return response;
    })),
    ...Object.entries(PLOT_COMMANDS).map(([command, kind]) =>
      vscode.commands.registerCommand(command, reporting((...args: unknown[]) => openPlot(kind, args))),
    ),
    vscode.commands.registerCommand('crit.export', reporting(async (...args: unknown[]) => {
      const ref = await resolveLandscape(args);
      if (!ref) return undefined;
      if (!vscode.workspace.isTrusted) return void askForTrust('write exports');
      // A third argument (a folder path) exports there without asking: used by tests and scripts.
      const outDir = typeof args[2] === 'string' ? args[2] : undefined;
      return exportLandscape(client, ref, outDir, { interactive: outDir === undefined });
    })),
    vscode.commands.registerCommand('crit.exportTo', reporting(async (...args: unknown[]) => {
      const ref = await resolveLandscape(args);
      if (!ref) return undefined;
      if (!vscode.workspace.isTrusted) return void askForTrust('write exports');
      const outDir = await askExportFolder(ref);
      return outDir === undefined ? undefined : exportLandscape(client, ref, outDir, { interactive: true });
    })),
    // Arguments: [uri, landscape] from the CodeLens; a third (a probe name) runs only that probe.
    vscode.commands.registerCommand('crit.probe', reporting(async (...args: unknown[]) => {
      const ref = await resolveLandscape(args);
      if (!ref) return undefined;
      return probe(ref, typeof args[2] === 'string' ? args[2] : undefined);
    })),
    vscode.commands.registerCommand('crit.openSample', () => openSample(context.extensionUri)),
    vscode.commands.registerCommand('crit.savePlotImage', async () => {
      const picked = await vscode.window.showQuickPick(['PNG', 'SVG'], { title: 'Save the plot as' });
      const format = picked === 'PNG' ? 'png' : picked === 'SVG' ? 'svg' : undefined;
      if (format && !panels.requestImage(format)) void vscode.window.showWarningMessage('Crit: focus the plot to save first.');
    }),
    vscode.commands.registerCommand('crit.showOutput', () => client.outputChannel.show(true)),
    vscode.commands.registerCommand(STATUS_MENU_COMMAND, () => statusMenu(status.current)),
    vscode.commands.registerCommand(TEST_STATE_COMMAND, (): CritTestState => ({
      statusText: status.text,
      status: status.current,
      renders: [...panels.renders],
      openPlots: panels.openTargets,
      lastResult,
    })),
  );
}

async function announceSolved(result: LandscapeResult): Promise<void> {
  // A point is certified only when it is critical and its Hessian target was reached.
  const certified = result.certificates.map((c) => ({ c, ok: c.critical && c.achieved }));
  const signatures = certified
    .map(({ c, ok }) => `${c.name} ${ok ? '✓' : '✗'} ${formatSignature(c.signature)}`)
    .join(', ');
  const plot = 'Plot Interpolation';
  const exportIt = 'Export';
  const allCertified = certified.every(({ ok }) => ok);
  const verdict = allCertified ? 'every planted point certified' : 'not every planted point certified';
  const show = allCertified ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const answer = await show(`Crit: solved ${result.landscape}: ${verdict}. ${signatures}`, plot, exportIt);
  if (answer === plot) await vscode.commands.executeCommand('crit.plotInterpolation', result.uri, result.landscape);
  if (answer === exportIt) await vscode.commands.executeCommand('crit.export', result.uri, result.landscape);
}

async function askForTrust(what: string): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const answer = await vscode.window.showWarningMessage(`Crit does not ${what} in an untrusted workspace.`, manage);
  if (answer === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}

async function statusMenu(view: StatusView): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: '$(play) Solve Landscape', command: 'crit.solve' },
    { label: '$(table) Preview Dataset', command: 'crit.previewDataset' },
    { label: '$(graph-line) Plot Interpolation', command: 'crit.plotInterpolation' },
    { label: '$(export) Export Dataset', command: 'crit.export' },
    { label: '$(beaker) Run Optimizer Probes', command: 'crit.probe' },
    { label: '$(output) Show Language Server Output', command: 'crit.showOutput' },
  ];
  if (view.state === 'restricted') items.unshift({ label: '$(shield) Manage Workspace Trust', command: 'workbench.trust.manage' });
  const picked = await vscode.window.showQuickPick(items, { title: view.message ?? 'Crit' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}
