/** CodeLenses above each landscape: Solve, Preview dataset, Plot, Export, and Probe when it has a probe block (arguments: [uri, landscape]). */
import type { CodeLens } from 'vscode-languageserver/node';
import { CritCommands } from '../protocol';
import type { DocumentAnalysis } from './analysis';
import { toLspRange } from './convert';
import type { ServerModel } from './model';

export function codeLenses(model: ServerModel, analysis: DocumentAnalysis): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const landscape of analysis.file.landscapes) {
    if (landscape.name === undefined) continue;
    const range = toLspRange(landscape.nameRange ?? landscape.range);
    const args = [analysis.uri, landscape.name];
    const result = model.result(analysis.uri, landscape.name);
    const solveTitle = result === undefined ? 'Solve' : result.json.achieved ? 'Solve (solved ✓)' : 'Solve (targets not all reached)';
    lenses.push(
      { range, command: { title: solveTitle, command: CritCommands.solve, arguments: args } },
      { range, command: { title: 'Preview dataset', command: CritCommands.previewDataset, arguments: args } },
      { range, command: { title: 'Plot', command: CritCommands.plotInterpolation, arguments: args } },
      { range, command: { title: 'Export', command: CritCommands.export, arguments: args } },
    );
    if (landscape.probes.length > 0) lenses.push({ range, command: { title: 'Probe', command: CritCommands.probe, arguments: args } });
  }
  return lenses;
}
