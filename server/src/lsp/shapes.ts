/** Shapes read off a landscape's AST (before compiling): layer sizes, parameter count N, K and M. */
import type { LandscapeNode, LayerNode, NetworkNode, OutputNode } from '../language';

export interface LayerShape {
  node: LayerNode | OutputNode;
  /** Index l of the weight matrix W_l. */
  index: number;
  rows: number | undefined;
  cols: number | undefined;
  bias: boolean;
  /** rows·cols (+ rows with bias), when both sizes are known. */
  weights: number | undefined;
}

export interface NetworkShape {
  layers: LayerShape[];
  /** Σ over layers, when every size is known. */
  parameterCount: number | undefined;
}

function widthOf(node: { width?: { value: number } } | undefined): number | undefined {
  const value = node?.width?.value;
  return value !== undefined && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

export function networkShape(network: NetworkNode): NetworkShape {
  const bias = network.bias?.value ?? true;
  const matrices: (LayerNode | OutputNode)[] = [...network.layers];
  if (network.output !== undefined) matrices.push(network.output);
  let cols = widthOf(network.input);
  const layers = matrices.map((node, index): LayerShape => {
    const rows = widthOf(node);
    const weights = rows !== undefined && cols !== undefined ? rows * cols + (bias ? rows : 0) : undefined;
    const shape = { node, index, rows, cols, bias, weights };
    cols = rows;
    return shape;
  });
  const complete = network.output !== undefined && layers.every((l) => l.weights !== undefined);
  return { layers, parameterCount: complete ? layers.reduce((sum, l) => sum + (l.weights ?? 0), 0) : undefined };
}

export function formatShape(layer: LayerShape): string {
  const size = (n: number | undefined): string => (n === undefined ? '?' : String(n));
  return `W${layer.index} ${size(layer.rows)}×${size(layer.cols)}${layer.bias ? ` + b${layer.index} ${size(layer.rows)}` : ''}`;
}

/** K: planted points made critical (distinct names). */
export function plantedCount(landscape: LandscapeNode): number {
  return new Set(landscape.criticals.map((c) => c.name).filter((n) => n !== undefined)).size;
}

/** M = m·d_y label entries, when both are known. */
export function labelCount(landscape: LandscapeNode): number | undefined {
  const m = landscape.data?.points?.count?.value;
  const dy = widthOf(landscape.network?.output);
  return m !== undefined && Number.isFinite(m) && dy !== undefined ? m * dy : undefined;
}
