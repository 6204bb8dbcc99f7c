/** Tree walking for editor features: the node path at an offset, and where weight names are declared and used. */
import type * as A from './ast';
import { rangeContains, type SourceRange } from './positions';

/** Direct children of a node, in source order (singular shortcuts such as `landscape.seed` are not repeated). */
export function childrenOf(node: A.AstNode): A.AstNode[] {
  const out: A.AstNode[] = [];
  const add = (n: A.AstNode | undefined): void => {
    if (n) out.push(n);
  };
  switch (node.kind) {
    case 'File':
      return [...node.landscapes];
    case 'Landscape':
    case 'Network':
    case 'Data':
      return [...node.items];
    case 'Seed':
      add(node.value);
      break;
    case 'Input':
    case 'Layer':
    case 'Output':
      add(node.width);
      break;
    case 'Points':
      add(node.count);
      break;
    case 'Inputs':
      add(node.source);
      break;
    case 'Labels':
      return [...node.terms];
    case 'Fixed':
      add(node.first);
      add(node.file);
      break;
    case 'Weights':
      add(node.init);
      break;
    case 'WeightExpression':
      return [...node.terms];
    case 'WeightTerm':
      add(node.factor);
      add(node.atom);
      break;
    case 'ExplicitWeights':
      return [...node.entries];
    case 'LayerEntry':
      add(node.value);
      break;
    case 'Array':
      return [...node.items];
    case 'Call':
      return [...node.args];
    case 'LayerArg':
      add(node.index);
      break;
    case 'Critical':
      add(node.hessian);
      add(node.margin);
      add(node.sharpness);
      break;
    case 'Hessian':
      add(node.index);
      break;
    case 'Objective':
      add(node.point);
      break;
    case 'Plot':
      out.push(...node.points);
      add(node.directionCount);
      add(node.from);
      add(node.to);
      add(node.steps);
      break;
    case 'Export':
      return [...node.formats];
    case 'Probe':
      return node.items.filter((item): item is A.OptimizerNode | A.StartsNode | A.BatchNode => item.kind === 'Optimizer' || item.kind === 'Starts' || item.kind === 'Batch');
    case 'Optimizer':
      return [...node.settings];
    case 'ProbeSetting':
      add(node.value);
      break;
    case 'Starts':
      add(node.count);
      add(node.around);
      add(node.radius);
      break;
    case 'Batch':
      return [...node.sizes];
    case 'BatchSize':
      add(node.size);
      break;
    default:
      break;
  }
  return out;
}

/** The path of nodes containing `offset`, outermost (the File) first, innermost last. */
export function nodeAt(file: A.FileNode, offset: number): A.AstNode[] {
  const path: A.AstNode[] = [file];
  let current: A.AstNode = file;
  for (;;) {
    const next: A.AstNode | undefined = childrenOf(current).find((child) => rangeContains(child.range, offset));
    if (!next) return path;
    path.push(next);
    current = next;
  }
}

export type WeightReferenceContext = 'critical' | 'expression' | 'teacher' | 'objective' | 'plot' | 'probe';

export interface WeightOccurrence {
  range: SourceRange;
  context: WeightReferenceContext;
}

/** A weight name within one landscape: its declaration(s) and every use. */
export interface WeightSymbol {
  landscape: A.LandscapeNode;
  name: string;
  /** All `weights NAME = ...` for this name (more than one is a duplicate, reported by validation). */
  declarations: { range: SourceRange; node: A.WeightsNode }[];
  references: WeightOccurrence[];
}

/** Every weight name declared or used in each landscape (names are scoped to their landscape). */
export function weightReferences(file: A.FileNode): WeightSymbol[] {
  const symbols: WeightSymbol[] = [];
  for (const landscape of file.landscapes) {
    const byName = new Map<string, WeightSymbol>();
    const symbol = (name: string): WeightSymbol => {
      let s = byName.get(name);
      if (!s) {
        s = { landscape, name, declarations: [], references: [] };
        byName.set(name, s);
      }
      return s;
    };
    const visitRefs = (node: A.AstNode, context: WeightReferenceContext): void => {
      if (node.kind === 'NameRef') symbol(node.name).references.push({ range: node.range, context });
      for (const child of childrenOf(node)) visitRefs(child, context);
    };
    for (const item of landscape.items) {
      switch (item.kind) {
        case 'Weights':
          if (item.name !== undefined && item.nameRange) symbol(item.name).declarations.push({ range: item.nameRange, node: item });
          if (item.init) visitRefs(item.init, 'expression');
          break;
        case 'Critical':
          if (item.name !== undefined && item.nameRange) symbol(item.name).references.push({ range: item.nameRange, context: 'critical' });
          break;
        case 'Data':
          if (item.labels) visitRefs(item.labels, 'teacher');
          break;
        case 'Objective':
          if (item.point) visitRefs(item.point, 'objective');
          break;
        case 'Plot':
          visitRefs(item, 'plot');
          break;
        case 'Probe':
          visitRefs(item, 'probe');
          break;
        default:
          break;
      }
    }
    symbols.push(...byName.values());
  }
  return symbols;
}
