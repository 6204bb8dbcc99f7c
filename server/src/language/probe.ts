/**
 * The `probe` block: its vocabulary (optimizers and their hyperparameters, start directions, escape
 * rules, defaults) and its validation. server/src/probe compiles a valid block into a run.
 */
import type * as A from './ast';
import type { Severity, SuggestedFix } from './diagnostics';
import type { SourceRange } from './positions';
import { suggest } from './semantics';

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * Hyperparameters each optimizer accepts besides `lr`, with their defaults (tf.train's, except
 * momentum and nesterov whose momentum defaults to 0.9).
 */
export const OPTIMIZER_PARAMETERS: Record<OptimizerName, Record<string, number>> = {
  sgd: {},
  momentum: { momentum: 0.9 },
  nesterov: { momentum: 0.9 },
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  rmsprop: { decay: 0.9, momentum: 0, epsilon: 1e-7 },
  adagrad: { initial: 0.1 },
};

/** Start directions as written after `direction`, and their meaning. */
export const START_DIRECTIONS = {
  random: 'random',
  'eigen negative': 'eigen-negative',
  'eigen positive': 'eigen-positive',
  stable: 'stable',
} as const;

export const PROBE_DEFAULTS = {
  lr: 0.01,
  batch: 'full' as const,
  radius: 0.05,
  direction: 'random' as const,
  steps: 1000,
  seed: 0,
  escape: { distance: 0.5, loss: 0.01 },
};

/** Runs (optimizers × batch sizes × starts) × steps above this are refused: a probe is an experiment, not a training job. */
export const MAX_PROBE_STEP_RUNS = 50_000_000;
export const MAX_PROBE_STEPS = 1_000_000;
export const MAX_PROBE_STARTS = 10_000;

export interface ProbeValidationContext {
  report(code: string, severity: Severity, message: string, range: SourceRange, fixes?: SuggestedFix[]): void;
  /** Reports an undefined weights name; true when it is declared. */
  reference(ref: A.NameRefNode): boolean;
  /** Checks a whole number in [min, max], reporting otherwise. */
  whole(n: A.NumberNode | undefined, what: string, min: number, max: number): boolean;
  /** Number of data points when known (a batch above it is the full batch). */
  points: number | undefined;
}

function replaceFix(word: string, range: SourceRange): SuggestedFix[] {
  return [{ title: `Replace with \`${word}\``, edits: [{ range, newText: word }] }];
}

function positive(ctx: ProbeValidationContext, n: A.NumberNode | undefined, what: string): void {
  if (!n) return;
  if (!Number.isFinite(n.value)) ctx.report('values/not-finite', 'error', `${what} \`${n.text}\` is too large to be a number`, n.range);
  else if (n.value <= 0) ctx.report('values/out-of-range', 'error', `${what} must be positive, got ${n.text}`, n.range);
}

export function validateProbes(probes: A.ProbeNode[], ctx: ProbeValidationContext): void {
  const names = new Set<string>();
  for (const p of probes) {
    if (p.name !== undefined && p.nameRange) {
      if (names.has(p.name)) ctx.report('names/duplicate-probe', 'error', `a probe named \`${p.name}\` is already defined in this landscape; give this one another name`, p.nameRange);
      names.add(p.name);
    }
    const seen = new Set<string>();
    for (const item of p.items) {
      if (item.kind === 'Optimizer' || item.kind === 'Starts') continue;
      const word = { Batch: 'batch', ProbeSteps: 'steps', ProbeSeed: 'seed', ProbeEscape: 'escape' }[item.kind];
      if (seen.has(item.kind)) ctx.report('structure/duplicate-statement', 'error', `\`${word}\` is given twice in this probe; only the first one counts. Remove this one`, item.range);
      seen.add(item.kind);
    }
    const head = p.nameRange ?? p.range;
    if (p.optimizers.length === 0) ctx.report('structure/probe-without-optimizer', 'error', 'a probe needs at least one `optimizer NAME [lr X ...]` (sgd, momentum, nesterov, adam, rmsprop, adagrad)', head);
    if (p.starts.length === 0) ctx.report('structure/probe-without-starts', 'error', 'a probe needs at least one `starts N around NAME [radius R] [direction ...]`', head);
    for (const o of p.optimizers) optimizer(ctx, o);
    for (const s of p.starts) starts(ctx, s);
    if (p.batch) batch(ctx, p.batch);
    if (p.steps) ctx.whole(p.steps, 'the number of steps', 1, MAX_PROBE_STEPS);
    if (p.seed) ctx.whole(p.seed, 'the seed', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (p.escape) escape(ctx, p.escape.settings);
    const batches = p.batch?.sizes.length || 1;
    const runs = p.optimizers.length * batches * p.starts.reduce((sum, s) => sum + (s.count && Number.isInteger(s.count.value) ? s.count.value : 0), 0);
    const steps = p.steps?.value ?? PROBE_DEFAULTS.steps;
    if (runs * steps > MAX_PROBE_STEP_RUNS && Number.isFinite(steps)) {
      ctx.report('counts/probe-too-large', 'error', `this probe trains ${runs} runs × ${steps} steps, more than the ${MAX_PROBE_STEP_RUNS.toLocaleString('en-US')} run-steps Crit allows; use fewer starts, optimizers or steps`, head);
    }
  }
}

/** Decay rates: in [0, 1). Every other hyperparameter must be positive. */
const UNIT_INTERVAL_PARAMETERS = new Set(['beta1', 'beta2', 'decay', 'momentum']);

function optimizer(ctx: ProbeValidationContext, o: A.OptimizerNode): void {
  if (o.name === undefined || !o.nameRange) return;
  if (!(OPTIMIZERS as readonly string[]).includes(o.name)) {
    const guess = suggest(o.name, OPTIMIZERS);
    ctx.report('names/unknown-optimizer', 'error', `unknown optimizer \`${o.name}\`${guess ? `; did you mean \`${guess}\`?` : ''} Known: ${OPTIMIZERS.join(', ')}`, o.nameRange, guess ? replaceFix(guess, o.nameRange) : undefined);
    return;
  }
  const allowed = ['lr', ...Object.keys(OPTIMIZER_PARAMETERS[o.name as OptimizerName])];
  const given = new Set<string>();
  for (const s of o.settings) {
    if (!allowed.includes(s.key)) {
      const guess = suggest(s.key, allowed);
      ctx.report('names/unknown-hyperparameter', 'error', `\`${o.name}\` has no hyperparameter \`${s.key}\`${guess ? `; did you mean \`${guess}\`?` : ''} It takes: ${allowed.join(', ')}`, s.keyRange, guess ? replaceFix(guess, s.keyRange) : undefined);
      continue;
    }
    if (given.has(s.key)) ctx.report('structure/duplicate-statement', 'error', `\`${s.key}\` is given twice for this optimizer; only the first one counts`, s.range);
    given.add(s.key);
    if (!UNIT_INTERVAL_PARAMETERS.has(s.key)) positive(ctx, s.value, `\`${s.key}\``);
    else if (s.value && Number.isFinite(s.value.value) && (s.value.value < 0 || s.value.value >= 1)) {
      ctx.report('values/out-of-range', 'error', `\`${s.key}\` must be in [0, 1), got ${s.value.text}`, s.value.range);
    }
  }
}

function starts(ctx: ProbeValidationContext, s: A.StartsNode): void {
  if (s.count) ctx.whole(s.count, 'the number of starts', 1, MAX_PROBE_STARTS);
  if (s.around) ctx.reference(s.around);
  positive(ctx, s.radius, 'the radius');
  if (s.direction && s.directionRange) {
    const written = s.direction.join(' ');
    if (!Object.hasOwn(START_DIRECTIONS, written)) {
      const known = Object.keys(START_DIRECTIONS);
      const guess = suggest(written, known);
      ctx.report('names/unknown-direction', 'error', `unknown start direction \`${written}\`${guess ? `; did you mean \`${guess}\`?` : ''} Known: ${known.join(', ')}`, s.directionRange, guess ? replaceFix(guess, s.directionRange) : undefined);
    }
  }
}

function batch(ctx: ProbeValidationContext, b: A.BatchNode): void {
  for (const size of b.sizes) {
    if (size.word !== undefined) {
      if (size.word !== 'full') ctx.report('values/batch-size', 'error', `a batch size is \`full\` or a number of points, got \`${size.word}\``, size.range, suggest(size.word, ['full']) ? replaceFix('full', size.range) : undefined);
    } else if (size.size && ctx.whole(size.size, 'the batch size', 1, Number.MAX_SAFE_INTEGER) && ctx.points !== undefined && size.size.value >= ctx.points) {
      ctx.report('values/batch-size', 'warning', `batch ${size.size.text} is not smaller than the ${ctx.points} points: it is the full batch`, size.range, replaceFix('full', size.range));
    }
  }
}

function escape(ctx: ProbeValidationContext, settings: A.ProbeSettingNode[]): void {
  const known = Object.keys(PROBE_DEFAULTS.escape);
  for (const s of settings) {
    if (!known.includes(s.key)) {
      const guess = suggest(s.key, known);
      ctx.report('names/unknown-escape-rule', 'error', `unknown escape rule \`${s.key}\`${guess ? `; did you mean \`${guess}\`?` : ''} Known: distance (from the centre), loss (relative drop below the centre's loss)`, s.keyRange, guess ? replaceFix(guess, s.keyRange) : undefined);
      continue;
    }
    positive(ctx, s.value, `the escape ${s.key}`);
    if (s.key === 'loss' && s.value && s.value.value >= 1) ctx.report('values/out-of-range', 'error', `the escape loss is a relative drop and must be below 1, got ${s.value.text}`, s.value.range);
  }
}
