/**
 * validateFile: names, structure, values, shapes and counts of every landscape. Cheap and
 * synchronous (no file reads, no linear algebra beyond the engine's structural rules); never throws.
 */
import type * as A from './ast';
import type { CritDiagnostic, Severity, SuggestedFix } from './diagnostics';
import type { SourceRange } from './positions';
import {
  arrayShape,
  DEFAULTS,
  EXPORT_FORMATS,
  FUNCTIONS,
  functionsFor,
  hessianTargetOf,
  isActivation,
  MAX_HIDDEN_LAYERS,
  MAX_PLOT_STEPS,
  MAX_POINTS,
  MAX_SOLVE_BYTES,
  MAX_WIDTH,
  networkSpecOf,
  plantedNames,
  suggest,
  type FunctionContext,
} from './semantics';
import { layerLayout, parameterCount } from '../engine/network';
import { structuralCheck } from '../engine/signature';
import { validateProbes } from './probe';
import { ACTIVATIONS, type NetworkSpec } from '../engine/types';

export function validateFile(file: A.FileNode): CritDiagnostic[] {
  const out: CritDiagnostic[] = [];
  try {
    const seen = new Map<string, A.LandscapeNode>();
    for (const l of file.landscapes) {
      if (l.name !== undefined && l.nameRange) {
        if (seen.has(l.name)) {
          out.push(diag('names/duplicate-landscape', 'error', `a landscape named \`${l.name}\` is already defined above; give this one another name`, l.nameRange));
        } else {
          seen.set(l.name, l);
        }
      }
      new LandscapeValidator(l, out).run();
    }
  } catch (error) {
    out.push(diag('internal/validation-failed', 'error', `validation stopped unexpectedly: ${error instanceof Error ? error.message : String(error)}`, file.range));
  }
  return out;
}

function diag(code: string, severity: Severity, message: string, range: SourceRange, fixes?: SuggestedFix[]): CritDiagnostic {
  return fixes && fixes.length > 0 ? { code, severity, message, range, fixes } : { code, severity, message, range };
}

function replaceFix(title: string, range: SourceRange, newText: string): SuggestedFix {
  return { title, edits: [{ range, newText }] };
}

class LandscapeValidator {
  private readonly net: NetworkSpec | undefined;
  private readonly declared = new Map<string, A.WeightsNode>();
  private readonly label: string;

  constructor(
    private readonly l: A.LandscapeNode,
    private readonly out: CritDiagnostic[],
  ) {
    this.net = networkSpecOf(l);
    this.label = l.name ? `landscape \`${l.name}\`` : 'this landscape';
  }

  private report(code: string, severity: Severity, message: string, range: SourceRange, fixes?: SuggestedFix[]): void {
    this.out.push(diag(code, severity, message, range, fixes));
  }

  private get headRange(): SourceRange {
    return this.l.nameRange ?? this.l.range;
  }

  run(): void {
    this.duplicateStatements();
    this.seed();
    this.network();
    this.weights();
    this.data();
    this.criticals();
    this.objective();
    this.plots();
    this.exports();
    this.counts();
    this.probes();
  }

  private probes(): void {
    const points = this.l.data?.points?.count?.value;
    validateProbes(this.l.probes, {
      report: (code, severity, message, range, fixes) => this.report(code, severity, message, range, fixes),
      reference: (ref) => this.reference(ref, undefined),
      whole: (n, what, min, max) => this.whole(n, what, min, max),
      points: points !== undefined && Number.isInteger(points) ? points : undefined,
    });
  }

  private duplicateStatements(): void {
    const once = (items: { kind: string; range: SourceRange }[], kinds: Record<string, string>): void => {
      const seen = new Set<string>();
      for (const item of items) {
        const word = kinds[item.kind];
        if (!word) continue;
        if (seen.has(item.kind)) this.report('structure/duplicate-statement', 'error', `\`${word}\` is given twice; only the first one counts. Remove this one`, item.range);
        seen.add(item.kind);
      }
    };
    once(this.l.items, { Seed: 'seed', Network: 'network', Data: 'data', Objective: 'objective' });
    if (this.l.network) once(this.l.network.items, { Input: 'input', Output: 'output', Bias: 'bias' });
    if (this.l.data) once(this.l.data.items, { Points: 'points', Inputs: 'inputs', Labels: 'labels', Fixed: 'fixed' });
  }

  private whole(n: A.NumberNode | undefined, what: string, min: number, max: number, code = 'values/out-of-range'): boolean {
    if (!n) return false;
    if (!Number.isFinite(n.value)) {
      this.report('values/not-finite', 'error', `${what} \`${n.text}\` is too large to be a number`, n.range);
      return false;
    }
    if (!Number.isInteger(n.value)) {
      this.report('values/not-a-whole-number', 'error', `${what} must be a whole number, got ${n.text}`, n.range);
      return false;
    }
    if (n.value < min || n.value > max) {
      const bound = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max.toLocaleString('en-US')}`;
      this.report(code, 'error', `${what} must be ${bound}, got ${n.text}`, n.range);
      return false;
    }
    return true;
  }

  private finite(n: A.NumberNode | undefined, what: string): boolean {
    if (!n) return false;
    if (Number.isFinite(n.value)) return true;
    this.report('values/not-finite', 'error', `${what} \`${n.text}\` is too large to be a number`, n.range);
    return false;
  }

  private seed(): void {
    const v = this.l.seed?.value;
    if (v) this.whole(v, 'the seed', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  private network(): void {
    const net = this.l.network;
    if (!net) {
      this.report('structure/missing-network', 'error', `${this.label} has no \`network { ... }\` block: add one with \`input\`, \`layer\`s and \`output\``, this.headRange);
      return;
    }
    if (!net.input) this.report('structure/missing-input', 'error', 'the network needs its input dimension, e.g. `input 3`', net.range);
    else this.whole(net.input.width, 'the input dimension', 1, MAX_WIDTH);
    if (!net.output) this.report('structure/missing-output', 'error', 'the network needs its output layer, e.g. `output 1 linear`', net.range);
    else this.whole(net.output.width, 'the output dimension', 1, MAX_WIDTH);
    for (const layer of net.layers) this.whole(layer.width, 'a layer width', 1, MAX_WIDTH);
    if (net.layers.length > MAX_HIDDEN_LAYERS) {
      this.report('values/out-of-range', 'error', `the network has ${net.layers.length} hidden layers; at most ${MAX_HIDDEN_LAYERS} are supported`, net.layers[MAX_HIDDEN_LAYERS].range);
    }
    const seenOutput = net.output ? net.items.indexOf(net.output) : -1;
    for (const layer of net.layers) {
      if (seenOutput >= 0 && net.items.indexOf(layer) > seenOutput) {
        this.report('structure/layer-after-output', 'error', 'this `layer` comes after `output`; hidden layers go between `input` and `output`', layer.range);
      }
    }
    for (const node of [...net.layers, net.output]) {
      if (!node || node.activation === undefined || !node.activationRange || isActivation(node.activation)) continue;
      const guess = suggest(node.activation, ACTIVATIONS);
      this.report(
        'names/unknown-activation',
        'error',
        `unknown activation \`${node.activation}\`${guess ? `; did you mean \`${guess}\`?` : ''} Known: ${ACTIVATIONS.join(', ')}`,
        node.activationRange,
        guess ? [replaceFix(`Replace with \`${guess}\``, node.activationRange, guess)] : undefined,
      );
    }
  }

  /** Checks a call's name and arguments for a context. False when it is unusable there. */
  private call(c: A.CallNode, context: FunctionContext): boolean {
    const allowed = functionsFor(context);
    const signature = FUNCTIONS[c.name];
    if (!signature) {
      const guess = suggest(c.name, allowed);
      this.report(
        'names/unknown-function',
        'error',
        `unknown function \`${c.name}\`${guess ? `; did you mean \`${guess}\`?` : ''} Here you can use: ${allowed.map((n) => FUNCTIONS[n].usage).join(', ')}`,
        c.nameRange,
        guess ? [replaceFix(`Replace with \`${guess}\``, c.nameRange, guess)] : undefined,
      );
      return false;
    }
    if (!signature.contexts.includes(context)) {
      this.report('names/function-not-allowed-here', 'error', `\`${c.name}\` cannot be used in ${context}; here you can use: ${allowed.map((n) => FUNCTIONS[n].usage).join(', ')}`, c.nameRange);
      return false;
    }
    const wrong = (why: string): false => {
      this.report('values/wrong-arguments', 'error', `${why}: write \`${signature.usage}\``, c.range);
      return false;
    };
    if (signature.numbers) {
      if (c.args.length !== signature.numbers.length) return wrong(`\`${c.name}\` takes ${signature.numbers.length === 0 ? 'no arguments' : `${signature.numbers.length} number${signature.numbers.length > 1 ? 's' : ''}`}, got ${c.args.length}`);
      if (c.args.some((a) => a.kind !== 'Number')) return wrong(`\`${c.name}\` takes numbers only`);
      const nums = c.args as A.NumberNode[];
      if (!nums.every((n, i) => this.finite(n, `${c.name}'s ${signature.numbers![i]}`))) return false;
      if ((c.name === 'normal' && nums[1].value <= 0) || (c.name === 'noise' && nums[0].value < 0)) {
        const std = c.name === 'normal' ? nums[1] : nums[0];
        this.report('values/out-of-range', 'error', `the standard deviation must be ${c.name === 'normal' ? 'positive' : 'zero or positive'}, got ${std.text}`, std.range);
        return false;
      }
      if ((c.name === 'uniform' || c.name === 'grid') && !(nums[0].value < nums[1].value)) {
        this.report('values/empty-interval', 'error', `\`${c.name}(lo, hi)\` needs lo < hi, got ${nums[0].text} and ${nums[1].text}`, c.range);
        return false;
      }
      return true;
    }
    if (c.name === 'teacher') {
      if (c.args.length !== 1 || c.args[0].kind !== 'NameRef') return wrong('`teacher` takes the name of a weight vector');
      return this.reference(c.args[0], undefined);
    }
    return true; // permute: checked with the weights it belongs to
  }

  /** An undefined name gets a did-you-mean; `before` (a declaration) requires the name to be declared earlier. */
  private reference(ref: A.NameRefNode | { name: string; range: SourceRange }, before: A.WeightsNode | undefined): boolean {
    const target = this.declared.get(ref.name) ?? this.l.weights.find((w) => w.name === ref.name);
    if (!target) {
      const names = [...new Set(this.l.weights.map((w) => w.name).filter((n): n is string => n !== undefined))];
      const guess = suggest(ref.name, names);
      this.report(
        'names/undefined-weights',
        'error',
        `no weights named \`${ref.name}\` in ${this.label}${guess ? `; did you mean \`${guess}\`?` : names.length > 0 ? ` (declared: ${names.join(', ')})` : '; declare it with `weights NAME = ...`'}`,
        ref.range,
        guess ? [replaceFix(`Replace with \`${guess}\``, ref.range, guess)] : undefined,
      );
      return false;
    }
    if (before && !this.declared.has(ref.name)) {
      this.report(
        'names/used-before-declared',
        'error',
        target === before ? `\`${ref.name}\` cannot be defined in terms of itself` : `\`${ref.name}\` is used before its \`weights ${ref.name} = ...\` line; move that declaration above this one`,
        ref.range,
      );
      return false;
    }
    return true;
  }

  private weights(): void {
    for (const w of this.l.weights) {
      if (w.name !== undefined && w.nameRange) {
        if (this.declared.has(w.name)) {
          this.report('names/duplicate-weights', 'error', `weights \`${w.name}\` are already declared above; use another name`, w.nameRange);
        }
      }
      if (w.init) this.weightExpression(w, w.init);
      if (w.name !== undefined && !this.declared.has(w.name)) this.declared.set(w.name, w);
    }
  }

  private weightExpression(w: A.WeightsNode, e: A.WeightExpressionNode): void {
    const inSum = e.terms.length > 1;
    for (const term of e.terms) {
      if (term.factor) this.finite(term.factor, 'the factor');
      const atom = term.atom;
      if (!atom) continue;
      switch (atom.kind) {
        case 'Call':
          if (this.call(atom, 'weights') && atom.name === 'permute') this.permute(w, atom);
          break;
        case 'NameRef':
          this.reference(atom, w);
          break;
        case 'ExplicitWeights':
          this.explicitWeights(atom, inSum);
          break;
        case 'Array':
          this.flatWeights(atom);
          break;
        case 'FileRef':
          break;
      }
    }
  }

  private permute(w: A.WeightsNode, c: A.CallNode): void {
    const [source, ...rest] = c.args;
    const usage = `write \`${FUNCTIONS.permute.usage}\``;
    if (!source || source.kind !== 'NameRef') {
      this.report('values/wrong-arguments', 'error', `\`permute\` needs the weights to permute first: ${usage}`, c.range);
      return;
    }
    this.reference(source, w);
    let layer = 1;
    let perm: A.ArrayNode | undefined;
    for (const arg of rest) {
      if (arg.kind === 'LayerArg' && perm === undefined) {
        if (!this.whole(arg.index, 'the hidden layer', 1, MAX_WIDTH)) return;
        layer = arg.index!.value;
      } else if (arg.kind === 'Array' && perm === undefined) {
        perm = arg;
      } else {
        this.report('values/wrong-arguments', 'error', `unexpected argument to \`permute\`: ${usage}`, arg.range);
        return;
      }
    }
    if (!this.net) return;
    const hidden = this.net.sizes.length - 2;
    if (hidden < 1) {
      this.report('values/wrong-arguments', 'error', '`permute` reorders hidden units, but this network has no hidden layer', c.range);
      return;
    }
    if (layer > hidden) {
      this.report('values/out-of-range', 'error', `the network has ${hidden} hidden layer${hidden > 1 ? 's' : ''} (numbered from 1), so \`layer ${layer}\` does not exist`, c.range);
      return;
    }
    if (perm) {
      const width = this.net.sizes[layer];
      const values = perm.items.map((i) => (i.kind === 'Number' ? i.value : NaN));
      const isPermutation = values.length === width && [...values].sort((a, b) => a - b).every((v, i) => v === i);
      if (!isPermutation) {
        this.report('values/not-a-permutation', 'error', `hidden layer ${layer} has ${width} units: the permutation must list 0..${width - 1} each once`, perm.range);
      }
    }
  }

  private explicitWeights(e: A.ExplicitWeightsNode, partial: boolean): void {
    const seen = new Set<string>();
    const layers = this.net ? layerLayout(this.net) : undefined;
    for (const entry of e.entries) {
      if (seen.has(entry.key)) this.report('shapes/duplicate-key', 'error', `\`${entry.key}\` is given twice`, entry.keyRange);
      seen.add(entry.key);
      const match = /^([Wb])(\d+)$/.exec(entry.key);
      if (!match) {
        this.report('shapes/unknown-key', 'error', `\`${entry.key}\` is not a layer key: use W0, b0, W1, b1, ... (W_l shaped (out, in) like nn.Linear.weight)`, entry.keyRange);
        continue;
      }
      if (!layers || !this.net || !entry.value) continue;
      const layer = Number(match[2]);
      const block = layers[layer];
      if (!block) {
        this.report('shapes/unknown-key', 'error', `the network has weight matrices W0..W${layers.length - 1}, so \`${entry.key}\` does not exist`, entry.keyRange);
        continue;
      }
      if (match[1] === 'b' && !this.net.bias) {
        this.report('shapes/unexpected-bias', 'error', `the network has \`bias off\`, so \`${entry.key}\` cannot be set`, entry.keyRange);
        continue;
      }
      const shape = arrayShape(entry.value);
      const want = match[1] === 'W' ? [block.rows, block.cols] : [block.rows];
      if (!shape) {
        this.report('shapes/ragged', 'error', `\`${entry.key}\` is ragged: every row needs the same number of entries`, entry.value.range);
      } else if (shape.join(',') !== want.join(',')) {
        const explain = match[1] === 'W' ? ` (out × in: layer ${layer} maps ${block.cols} to ${block.rows})` : '';
        this.report('shapes/wrong-shape', 'error', `\`${entry.key}\` must be ${want.join(' × ')}${explain}, got ${shape.join(' × ')}`, entry.value.range);
      }
    }
    if (partial || !layers || !this.net) return;
    const missing = layers.flatMap((b) => [`W${b.layer}`, ...(this.net!.bias ? [`b${b.layer}`] : [])]).filter((k) => !seen.has(k));
    if (missing.length > 0) {
      this.report('shapes/missing-layer', 'error', `explicit weights must give every layer: missing ${missing.join(', ')} (inside a sum like \`A + { b1 = [0.5] }\`, missing entries are zero)`, e.range);
    }
  }

  private flatWeights(a: A.ArrayNode): void {
    const shape = arrayShape(a);
    if (!this.net) return;
    const n = parameterCount(this.net);
    if (!shape || shape.length !== 1) {
      this.report('shapes/wrong-shape', 'error', 'a bare `[ ... ]` is the flat parameter vector θ (W0, b0, W1, ...); for matrices use `{ W0 = [[...]]; ... }`', a.range);
    } else if (shape[0] !== n) {
      this.report('shapes/wrong-length', 'error', `the network has ${n} parameters, this vector has ${shape[0]}`, a.range);
    }
  }

  private data(): void {
    const data = this.l.data;
    if (!data) {
      this.report('structure/missing-data', 'error', `${this.label} has no \`data { ... }\` block: add one with at least \`points N\``, this.headRange);
      return;
    }
    if (!data.points) this.report('structure/missing-points', 'error', 'the data block needs the number of points, e.g. `points 600`', data.range);
    else if (data.points.count) {
      const c = data.points.count;
      if (Number.isFinite(c.value) && Number.isInteger(c.value) && c.value > MAX_POINTS) {
        this.report('values/too-many-points', 'error', `\`points ${c.text}\` is more than the ${MAX_POINTS.toLocaleString('en-US')} points Crit can hold; the dense solve would not fit in memory`, c.range);
      } else {
        this.whole(c, 'the number of points', 1, MAX_POINTS, 'values/too-many-points');
      }
    }
    const source = data.inputs?.source;
    if (source?.kind === 'Call' && this.call(source, 'inputs') && source.name === 'grid' && this.net) this.gridPoints();
    const labels = data.labels;
    if (labels) {
      const bases = labels.terms.filter((t) => !(t.kind === 'Call' && t.name === 'noise'));
      const noises = labels.terms.filter((t) => t.kind === 'Call' && t.name === 'noise');
      for (const t of labels.terms) if (t.kind === 'Call') this.call(t, 'labels');
      if (bases.length > 1) this.report('structure/duplicate-statement', 'error', 'labels take one base (teacher(NAME), zeros or a file), optionally `+ noise(std)`', bases[1].range);
      if (noises.length > 1) this.report('structure/duplicate-statement', 'error', 'noise is given twice', noises[1].range);
      if (bases.length === 0 && noises.length > 0) {
        this.report('structure/missing-labels-base', 'information', 'no base given: the noise is added to zero labels (write `zeros + noise(...)` to say so)', labels.range);
      }
    }
    const fixed = data.fixed;
    if (fixed?.first && this.whole(fixed.first, 'the number of fixed points', 1, MAX_POINTS)) {
      const points = data.points?.count;
      if (points && Number.isInteger(points.value) && fixed.first.value > points.value) {
        this.report('values/out-of-range', 'error', `cannot hold ${fixed.first.text} points fixed out of ${points.text}`, fixed.first.range);
      }
    }
  }

  /** grid(lo, hi) in d dimensions needs points = n^d. */
  private gridPoints(): void {
    const count = this.l.data?.points?.count;
    const d = this.net!.sizes[0];
    if (!count || !Number.isInteger(count.value) || count.value < 1 || count.value > MAX_POINTS) return;
    const n = Math.max(1, Math.round(count.value ** (1 / d)));
    if (n ** d === count.value) return;
    const below = n ** d <= count.value ? n : n - 1;
    const options = [Math.max(1, below), below + 1].map((k) => k ** d);
    this.report(
      'values/grid-points',
      'error',
      `a grid over ${d} input dimensions has n^${d} points; ${count.text} is not a power. Use ${options.join(' or ')}`,
      count.range,
      options.map((p) => replaceFix(`Use ${p} points`, count.range, String(p))),
    );
  }

  private criticals(): void {
    const seen = new Set<string>();
    for (const c of this.l.criticals) {
      if (c.name === undefined || !c.nameRange) continue;
      if (seen.has(c.name)) this.report('names/duplicate-critical', 'error', `\`${c.name}\` is already planted above; merge the two \`critical\` statements`, c.nameRange);
      seen.add(c.name);
      this.reference({ name: c.name, range: c.nameRange }, undefined);
      const h = c.hessian;
      if (h?.target === 'saddle') this.whole(h.index, 'the saddle index', 0, Number.MAX_SAFE_INTEGER);
      if (c.margin && this.finite(c.margin, 'the margin') && c.margin.value < 0) this.report('values/out-of-range', 'error', 'the margin must be zero or positive', c.margin.range);
      if (c.sharpness && this.finite(c.sharpness, 'the sharpness') && c.sharpness.value <= 0) this.report('values/out-of-range', 'error', 'the sharpness (largest eigenvalue) must be positive', c.sharpness.range);
      if ((c.margin || c.sharpness) && (!h || h.target === 'any')) {
        this.report('hessian/margin-without-target', 'warning', 'margin and sharpness only apply to a Hessian target (`hessian minimum`, `saddle(k)` or `maximum`); with `any` they are ignored', (c.margin ?? c.sharpness)!.range);
      }
      const target = hessianTargetOf(c);
      if (!target || !this.net || !h?.targetRange) continue;
      const check = structuralCheck(this.net, target);
      if (!check.ok) {
        const lowerIndex = target.kind === 'saddle' && h.index && target.index > check.maxIndex ? check.maxIndex : undefined;
        this.report(
          'hessian/structurally-impossible',
          'error',
          check.reason ?? 'no labels can give this Hessian signature',
          h.targetRange,
          lowerIndex !== undefined ? [replaceFix(`Ask for saddle(${lowerIndex}), the largest reachable index`, h.index!.range, String(lowerIndex))] : undefined,
        );
      } else if (check.notes.length > 0) {
        this.report('hessian/symmetry-zeros', 'information', check.notes.join(' '), h.targetRange);
      }
    }
  }

  private objective(): void {
    const o = this.l.objective;
    if (o?.mode !== 'min-loss-at' || !o.point) return;
    if (!this.reference(o.point, undefined)) return;
    if (!plantedNames(this.l).includes(o.point.name)) {
      this.report('names/not-planted', 'error', `\`${o.point.name}\` is not a planted point; add \`critical ${o.point.name}\` or pick one of: ${plantedNames(this.l).join(', ') || '(none)'}`, o.point.range);
    }
  }

  private plots(): void {
    for (const p of this.l.plots) {
      for (const ref of p.points) this.reference(ref, undefined);
      const defaults = p.plot === 'interpolate' ? DEFAULTS.interpolate : p.plot === 'plane' ? DEFAULTS.plane : DEFAULTS.directions;
      if (p.steps) this.whole(p.steps, 'the number of steps', 2, MAX_PLOT_STEPS);
      const from = p.from && this.finite(p.from, 'the range start') ? p.from.value : defaults.from;
      const to = p.to && this.finite(p.to, 'the range end') ? p.to.value : defaults.to;
      if (!(from < to) && (p.from || p.to)) this.report('values/empty-interval', 'error', `the plot range needs from < to, got from ${from} to ${to}`, (p.from ?? p.to)!.range);
      if (p.plot === 'directions' && p.directionCount) this.whole(p.directionCount, 'the number of random directions', 1, 2);
      if (p.plot === 'interpolate' && p.points.length === 2 && p.points[0].name === p.points[1].name) {
        this.report('values/same-point', 'warning', 'interpolating a point with itself gives a constant curve', p.range);
      }
      if (p.plot === 'plane' && new Set(p.points.map((r) => r.name)).size < p.points.length) {
        this.report('values/same-point', 'error', 'a plane needs three different points', p.range);
      }
    }
  }

  private exports(): void {
    for (const e of this.l.exports) {
      if (e.path !== undefined && e.path.trim() === '' && e.pathRange) this.report('values/empty-path', 'error', 'the export folder must not be empty', e.pathRange);
      for (const f of e.formats) {
        if ((EXPORT_FORMATS as readonly string[]).includes(f.name)) continue;
        const guess = suggest(f.name, EXPORT_FORMATS);
        this.report(
          'names/unknown-format',
          'error',
          `unknown export format \`${f.name}\`${guess ? `; did you mean \`${guess}\`?` : ''} Known: ${EXPORT_FORMATS.join(', ')}`,
          f.range,
          guess ? [replaceFix(`Replace with \`${guess}\``, f.range, guess)] : undefined,
        );
      }
    }
  }

  /** The network and the dataset themselves must fit in memory, planted points or not. */
  private sizesFit(points: A.NumberNode | undefined): boolean {
    const n = parameterCount(this.net!);
    if (n > MAX_PARAMETERS) {
      this.report('counts/too-large', 'error', `the network has ${n.toLocaleString('en-US')} parameters, more than the ${MAX_PARAMETERS.toLocaleString('en-US')} Crit handles; use narrower layers`, this.l.network!.range);
      return false;
    }
    if (!points || !Number.isInteger(points.value) || points.value < 1 || points.value > MAX_POINTS) return true;
    const floats = points.value * (this.net!.sizes[0] + 2 * this.net!.sizes[this.net!.sizes.length - 1]);
    if (floats * 8 > MAX_SOLVE_BYTES) {
      this.report('counts/too-large', 'error', `the dataset (points × (inputs + 2 × outputs) = ${floats.toExponential(2)} numbers) would not fit in memory; use fewer points or dimensions`, points.range);
      return false;
    }
    return true;
  }

  /** M = (m − fixed)·d_y free labels against K·N gradient equations, and the solve's memory. */
  private counts(): void {
    const planted = plantedNames(this.l).filter((n) => this.l.weights.some((w) => w.name === n));
    const points = this.l.data?.points?.count;
    if (this.net && !this.sizesFit(points)) return;
    if (planted.length === 0) {
      if (this.l.network && this.l.data) this.report('structure/nothing-planted', 'warning', `${this.label} plants no critical point: add \`critical NAME\` for a declared weight vector`, this.headRange);
      return;
    }
    if (!this.net || !points || !Number.isInteger(points.value) || points.value < 1 || points.value > MAX_POINTS) return;
    const n = parameterCount(this.net);
    const dy = this.net.sizes[this.net.sizes.length - 1];
    const k = planted.length;
    const fixedPoints = Math.min(points.value, fixedFirstPoints(this.l));
    const free = (points.value - fixedPoints) * dy;
    const needed = k * n;
    if (free < needed) {
      const neededPoints = Math.ceil(needed / dy) + fixedPoints;
      this.report(
        'counts/too-few-points',
        'error',
        `${k} planted point${k > 1 ? 's' : ''} × ${n} parameters = ${needed} gradient equations, but only ${free} free label${free === 1 ? '' : 's'} (points × outputs${fixedPoints > 0 ? ', minus fixed ones' : ''}). Raise points to at least ${neededPoints}`,
        points.range,
        neededPoints <= MAX_POINTS ? [replaceFix(`Raise points to ${neededPoints}`, points.range, String(neededPoints))] : undefined,
      );
      return;
    }
    const labels = points.value * dy;
    const bytes = 8 * (2 * needed * labels + labels * n + 2 * Math.min(needed, labels) * Math.max(needed, labels));
    if (bytes > MAX_SOLVE_BYTES) {
      this.report(
        'counts/too-large',
        'error',
        `solving needs dense ${needed} × ${labels} matrices (about ${(bytes / 1024 ** 3).toFixed(1)} GiB); use fewer points, a smaller network or fewer planted points`,
        points.range,
      );
    }
  }
}

/** Parameters per weight vector beyond which even building θ, the Jacobian or the plots is unreasonable. */
const MAX_PARAMETERS = 1_000_000;

function fixedFirstPoints(l: A.LandscapeNode): number {
  const first = l.data?.fixed?.first;
  return first && Number.isInteger(first.value) && first.value > 0 ? first.value : 0;
}
