/**
 * A validated `probe` block → ProbeSpec, defaults filled in (language/probe.ts PROBE_DEFAULTS), every
 * optimizer expanded over the listed batch sizes.
 */
import type { ProbeNode } from '../language/ast';
import { OPTIMIZER_PARAMETERS, OPTIMIZERS, PROBE_DEFAULTS, START_DIRECTIONS, type OptimizerName } from '../language/probe';
import type { BatchSize, OptimizerSpec, ProbeSpec, StartDirection } from './types';

/**
 * A run has converged when its final full-batch gradient norm is at most this · (1 + final loss):
 * float32 gradients of an O(1) loss bottom out a few decades above 1e-7.
 */
export const CONVERGED_GRADIENT_TOLERANCE = 1e-3;

/** `index` names unnamed probes (`probe1`, `probe2` ... in source order). */
export function compileProbe(node: ProbeNode, index: number): ProbeSpec {
  const batches: BatchSize[] = node.batch && node.batch.sizes.length > 0
    ? node.batch.sizes.map((s) => (s.size !== undefined ? s.size.value : PROBE_DEFAULTS.batch))
    : [PROBE_DEFAULTS.batch];
  const optimizers: OptimizerSpec[] = [];
  for (const o of node.optimizers) {
    if (!(OPTIMIZERS as readonly string[]).includes(o.name ?? '')) continue;
    const name = o.name as OptimizerName;
    const params = { ...OPTIMIZER_PARAMETERS[name] };
    let lr: number = PROBE_DEFAULTS.lr;
    for (const s of o.settings) {
      if (s.value === undefined) continue;
      if (s.key === 'lr') lr = s.value.value;
      else if (Object.hasOwn(params, s.key)) params[s.key] = s.value.value;
    }
    for (const batch of batches) optimizers.push({ name, lr, params: { ...params }, batch });
  }
  const escape: { distance: number; loss: number } = { ...PROBE_DEFAULTS.escape };
  for (const s of node.escape?.settings ?? []) {
    if (s.value !== undefined && (s.key === 'distance' || s.key === 'loss')) escape[s.key] = s.value.value;
  }
  return {
    name: node.name ?? `probe${index + 1}`,
    optimizers,
    groups: node.starts
      .filter((s) => s.around !== undefined)
      .map((s) => ({
        around: s.around!.name,
        radius: s.radius?.value ?? PROBE_DEFAULTS.radius,
        direction: (s.direction ? START_DIRECTIONS[s.direction.join(' ') as keyof typeof START_DIRECTIONS] : PROBE_DEFAULTS.direction) as StartDirection,
        count: s.count?.value ?? 1,
      })),
    steps: node.steps?.value ?? PROBE_DEFAULTS.steps,
    seed: node.seed?.value ?? PROBE_DEFAULTS.seed,
    escape,
    basinRadius: escape.distance,
    gradientTolerance: CONVERGED_GRADIENT_TOLERANCE,
  };
}
