/**
 * The .crit syntax tree. Every node has a `kind` and a `range`; named things carry `nameRange`.
 * Nodes built from broken input (error recovery) leave missing parts undefined.
 */
import type { SourceRange } from './positions';

export interface Comment {
  range: SourceRange;
  text: string;
}

export interface FileNode {
  kind: 'File';
  range: SourceRange;
  landscapes: LandscapeNode[];
  comments: Comment[];
}

export interface NumberNode {
  kind: 'Number';
  range: SourceRange;
  /** Parsed value with its sign; may be Infinity for absurd literals (validation reports it). */
  value: number;
  text: string;
}

export interface NameRefNode {
  kind: 'NameRef';
  range: SourceRange;
  name: string;
}

export interface FileRefNode {
  kind: 'FileRef';
  range: SourceRange;
  path?: string;
  pathRange?: SourceRange;
}

export interface ArrayNode {
  kind: 'Array';
  range: SourceRange;
  items: (NumberNode | ArrayNode)[];
}

/** `layer 1` as a function argument (in permute). */
export interface LayerArgNode {
  kind: 'LayerArg';
  range: SourceRange;
  index?: NumberNode;
}

export type ArgumentNode = NumberNode | NameRefNode | ArrayNode | LayerArgNode;

/** A named function: normal(0, 1), glorot, teacher(A), noise(0.1), permute(A, layer 1, [1, 0]) ... */
export interface CallNode {
  kind: 'Call';
  range: SourceRange;
  name: string;
  nameRange: SourceRange;
  /** True when `name` is not one of the language's functions (validation suggests one). */
  unknown: boolean;
  /** False for a bare name without parentheses (zeros, glorot, he). */
  hasParentheses: boolean;
  args: ArgumentNode[];
}

export interface SeedNode {
  kind: 'Seed';
  range: SourceRange;
  value?: NumberNode;
}

export interface InputNode {
  kind: 'Input';
  range: SourceRange;
  width?: NumberNode;
}

export interface LayerNode {
  kind: 'Layer';
  range: SourceRange;
  width?: NumberNode;
  activation?: string;
  activationRange?: SourceRange;
}

export interface OutputNode {
  kind: 'Output';
  range: SourceRange;
  width?: NumberNode;
  /** Undefined when omitted: the output is linear by default. */
  activation?: string;
  activationRange?: SourceRange;
}

export interface BiasNode {
  kind: 'Bias';
  range: SourceRange;
  value?: boolean;
  valueRange?: SourceRange;
}

export type NetworkItem = InputNode | LayerNode | OutputNode | BiasNode;

export interface NetworkNode {
  kind: 'Network';
  range: SourceRange;
  /** First of each (duplicates stay in `items` and are reported by validation). */
  input?: InputNode;
  layers: LayerNode[];
  output?: OutputNode;
  bias?: BiasNode;
  items: NetworkItem[];
}

export interface PointsNode {
  kind: 'Points';
  range: SourceRange;
  count?: NumberNode;
}

export interface InputsNode {
  kind: 'Inputs';
  range: SourceRange;
  source?: CallNode | FileRefNode;
}

export interface LabelsNode {
  kind: 'Labels';
  range: SourceRange;
  /** Every `+`-separated term in order. */
  terms: (CallNode | FileRefNode)[];
  /** The base term (teacher(A), zeros, file "y.csv", or an unknown call), the first one not noise(...). */
  base?: CallNode | FileRefNode;
  /** The noise(σ) term, if any. */
  noise?: CallNode;
}

export interface FixedNode {
  kind: 'Fixed';
  range: SourceRange;
  first?: NumberNode;
  file?: FileRefNode;
}

export type DataItem = PointsNode | InputsNode | LabelsNode | FixedNode;

export interface DataNode {
  kind: 'Data';
  range: SourceRange;
  points?: PointsNode;
  inputs?: InputsNode;
  labels?: LabelsNode;
  fixed?: FixedNode;
  items: DataItem[];
}

/** `W0 = [[...]]` inside explicit weights. */
export interface LayerEntryNode {
  kind: 'LayerEntry';
  range: SourceRange;
  key: string;
  keyRange: SourceRange;
  value?: ArrayNode;
}

export interface ExplicitWeightsNode {
  kind: 'ExplicitWeights';
  range: SourceRange;
  entries: LayerEntryNode[];
}

export type WeightAtomNode = CallNode | FileRefNode | ArrayNode | ExplicitWeightsNode | NameRefNode;

/** One term of a linear combination: coefficient · atom. */
export interface WeightTermNode {
  kind: 'WeightTerm';
  range: SourceRange;
  /** Sign and optional factor combined (`- 0.1 * normal(0,1)` has coefficient -0.1). */
  coefficient: number;
  /** The written factor, when there is one. */
  factor?: NumberNode;
  atom?: WeightAtomNode;
}

/** The right-hand side of `weights NAME = ...`: a sum of terms (a single term is the common case). */
export interface WeightExpressionNode {
  kind: 'WeightExpression';
  range: SourceRange;
  terms: WeightTermNode[];
}

export interface WeightsNode {
  kind: 'Weights';
  range: SourceRange;
  name?: string;
  nameRange?: SourceRange;
  init?: WeightExpressionNode;
}

export type HessianTargetKind = 'minimum' | 'maximum' | 'saddle' | 'any';

export interface HessianNode {
  kind: 'Hessian';
  range: SourceRange;
  target?: HessianTargetKind;
  targetRange?: SourceRange;
  /** saddle(k): the wanted number of negative eigenvalues. */
  index?: NumberNode;
}

export interface CriticalNode {
  kind: 'Critical';
  range: SourceRange;
  name?: string;
  nameRange?: SourceRange;
  hessian?: HessianNode;
  margin?: NumberNode;
  sharpness?: NumberNode;
  /** True when written with a `{ ... }` body. */
  hasBody: boolean;
}

export interface ObjectiveNode {
  kind: 'Objective';
  range: SourceRange;
  mode?: 'closest' | 'min-loss-at';
  modeRange?: SourceRange;
  point?: NameRefNode;
}

export type PlotKind = 'interpolate' | 'plane' | 'directions' | 'spectrum' | 'dataset';

export interface PlotNode {
  kind: 'Plot';
  range: SourceRange;
  plot?: PlotKind;
  plotRange?: SourceRange;
  points: NameRefNode[];
  /** directions A random N: how many random directions. */
  directionCount?: NumberNode;
  from?: NumberNode;
  to?: NumberNode;
  steps?: NumberNode;
}

export interface ExportFormatNode {
  kind: 'ExportFormat';
  range: SourceRange;
  name: string;
}

export interface ExportNode {
  kind: 'Export';
  range: SourceRange;
  path?: string;
  pathRange?: SourceRange;
  formats: ExportFormatNode[];
}

/** `KEY VALUE` inside a probe: an optimizer hyperparameter (`lr 0.01`) or an escape rule (`distance 0.5`). */
export interface ProbeSettingNode {
  kind: 'ProbeSetting';
  range: SourceRange;
  key: string;
  keyRange: SourceRange;
  value?: NumberNode;
}

/** One entry of `batch full, 16`: a number, or a word (only `full` is valid). */
export interface BatchSizeNode {
  kind: 'BatchSize';
  range: SourceRange;
  size?: NumberNode;
  word?: string;
}

/** `batch full, 16`: every optimizer of the probe runs with each batch size listed. */
export interface BatchNode {
  kind: 'Batch';
  range: SourceRange;
  sizes: BatchSizeNode[];
}

export interface OptimizerNode {
  kind: 'Optimizer';
  range: SourceRange;
  name?: string;
  nameRange?: SourceRange;
  settings: ProbeSettingNode[];
}

export interface StartsNode {
  kind: 'Starts';
  range: SourceRange;
  count?: NumberNode;
  around?: NameRefNode;
  radius?: NumberNode;
  /** The words after `direction`: ['random'], ['eigen', 'negative'], ['stable'] ... */
  direction?: string[];
  directionRange?: SourceRange;
}

/** `probe [NAME] { ... }`: optimizers trained from starts around planted points. */
export interface ProbeNode {
  kind: 'Probe';
  range: SourceRange;
  name?: string;
  nameRange?: SourceRange;
  optimizers: OptimizerNode[];
  starts: StartsNode[];
  /** First of each single statement; duplicates stay in `items` and are reported by validation. */
  batch?: BatchNode;
  steps?: NumberNode;
  seed?: NumberNode;
  escape?: { range: SourceRange; settings: ProbeSettingNode[] };
  items: (OptimizerNode | StartsNode | BatchNode | { kind: 'ProbeSteps' | 'ProbeSeed' | 'ProbeEscape'; range: SourceRange })[];
}

export type LandscapeItem = SeedNode | NetworkNode | DataNode | WeightsNode | CriticalNode | ObjectiveNode | PlotNode | ExportNode | ProbeNode;

export interface LandscapeNode {
  kind: 'Landscape';
  range: SourceRange;
  name?: string;
  nameRange?: SourceRange;
  /** The landscape's own source text (for export manifests and their hash). */
  sourceText: string;
  /** First of each single statement; duplicates stay in `items` and are reported by validation. */
  seed?: SeedNode;
  network?: NetworkNode;
  data?: DataNode;
  objective?: ObjectiveNode;
  weights: WeightsNode[];
  criticals: CriticalNode[];
  plots: PlotNode[];
  exports: ExportNode[];
  probes: ProbeNode[];
  /** Every statement in source order. */
  items: LandscapeItem[];
}

export type AstNode =
  | FileNode
  | LandscapeNode
  | LandscapeItem
  | NetworkItem
  | DataItem
  | NumberNode
  | NameRefNode
  | FileRefNode
  | ArrayNode
  | LayerArgNode
  | CallNode
  | LayerEntryNode
  | ExplicitWeightsNode
  | WeightTermNode
  | WeightExpressionNode
  | HessianNode
  | ExportFormatNode
  | ProbeSettingNode
  | BatchNode
  | BatchSizeNode
  | OptimizerNode
  | StartsNode;
