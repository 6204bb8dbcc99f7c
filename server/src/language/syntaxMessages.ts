/**
 * Turns Chevrotain's recognition errors into messages a newcomer understands, each with a stable code.
 *
 * Chevrotain's message provider sees the expected token and the innermost rule only, so it returns a
 * compact JSON description; `describeSyntaxError` then writes the final text using the rule stack.
 */
import type { IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from './chevrotain';
import { chevrotain } from './chevrotain';
import { ACTIVATIONS } from '../engine/types';

interface RawSyntaxError {
  kind: 'mismatch' | 'no-viable-alternative' | 'early-exit' | 'not-all-input';
  expected?: string[];
}

function tokenLabel(type: TokenType): string {
  return type.LABEL ?? type.name;
}

export const critErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => JSON.stringify({ kind: 'mismatch', expected: [tokenLabel(expected)] } satisfies RawSyntaxError),
  buildNotAllInputParsedMessage: () => JSON.stringify({ kind: 'not-all-input' } satisfies RawSyntaxError),
  buildNoViableAltMessage: ({ expectedPathsPerAlt }) =>
    JSON.stringify({ kind: 'no-viable-alternative', expected: firstTokens(expectedPathsPerAlt.flat()) } satisfies RawSyntaxError),
  buildEarlyExitMessage: ({ expectedIterationPaths }) =>
    JSON.stringify({ kind: 'early-exit', expected: firstTokens(expectedIterationPaths) } satisfies RawSyntaxError),
};

function firstTokens(paths: TokenType[][]): string[] {
  return [...new Set(paths.filter((p) => p.length > 0).map((p) => tokenLabel(p[0])))];
}

export interface DescribedSyntaxError {
  code: string;
  message: string;
}

const ACTIVATION_HINT = `an activation (${ACTIVATIONS.slice(0, 4).join(', ')}, ...)`;

/** Friendly text for a failure inside `rule`, when no more specific one applies. */
const RULE_EXPECTATIONS: Record<string, DescribedSyntaxError> = {
  landscapeItem: {
    code: 'syntax/unexpected-token',
    message: 'expected a statement (seed, network, data, weights, critical, objective, plot, export)',
  },
  biasStatement: { code: 'syntax/expected-token', message: 'expected `on` or `off` after `bias`' },
  hessianTarget: {
    code: 'syntax/expected-hessian-target',
    message: 'expected a Hessian target after `hessian`: minimum, maximum, saddle(k) or any',
  },
  inputsStatement: {
    code: 'syntax/expected-distribution',
    message: 'expected an input distribution after `inputs`: normal(mean, std), uniform(lo, hi), grid(lo, hi) or file "x.csv"',
  },
  labelTerm: {
    code: 'syntax/expected-labels',
    message: 'expected base labels: teacher(NAME), zeros, noise(std) or file "y.csv"',
  },
  fixedStatement: { code: 'syntax/expected-token', message: 'expected `first N` or `file "mask.csv"` after `fixed`' },
  weightAtom: {
    code: 'syntax/expected-weights',
    message:
      'expected weights: normal(mean, std), uniform(lo, hi), glorot, he, a weight name, permute(NAME), file "w.npz", [ ... ] or { W0 = [[...]]; ... }',
  },
  weightTerm: {
    code: 'syntax/expected-weights',
    message:
      'expected weights: normal(mean, std), uniform(lo, hi), glorot, he, a weight name, permute(NAME), file "w.npz", [ ... ] or { W0 = [[...]]; ... }',
  },
  plotStatement: {
    code: 'syntax/expected-plot-kind',
    message: 'expected a plot after `plot`: interpolate A -> B, plane A B C, directions A random 2, spectrum A or dataset',
  },
  objectiveStatement: { code: 'syntax/expected-token', message: 'expected `closest` or `min-loss at NAME` after `objective`' },
  arrayElement: { code: 'syntax/expected-number', message: 'expected a number or a nested `[ ... ]` in the array' },
  argument: { code: 'syntax/expected-token', message: 'expected an argument: a number, a name, `[ ... ]` or `layer N`' },
  call: { code: 'syntax/expected-token', message: 'expected a function such as normal(mean, std) or uniform(lo, hi)' },
  networkItem: { code: 'syntax/unexpected-token', message: 'expected `input`, `layer`, `output` or `bias` inside `network { ... }`' },
  dataItem: { code: 'syntax/unexpected-token', message: 'expected `points`, `inputs`, `labels` or `fixed` inside `data { ... }`' },
  criticalItem: { code: 'syntax/unexpected-token', message: 'expected `hessian`, `margin` or `sharpness` inside `critical NAME { ... }`' },
};

/** Friendly text for a missing token, by `rule:expected-token-label` (the innermost rule). */
const MISSING_TOKEN: Record<string, DescribedSyntaxError> = {
  'landscape:Identifier': { code: 'syntax/expected-name', message: "expected the landscape's name after `landscape`, e.g. `landscape my_net {`" },
  'landscape:`{`': { code: 'syntax/expected-token', message: 'expected `{` to open the landscape body' },
  'landscape:`}`': {
    code: 'syntax/unexpected-token',
    message: 'expected a statement (seed, network, data, weights, critical, objective, plot, export) or `}` to close the landscape',
  },
  'networkBlock:`{`': { code: 'syntax/expected-token', message: 'expected `{` after `network`' },
  'networkBlock:`}`': { code: 'syntax/unexpected-token', message: 'expected `input`, `layer`, `output`, `bias` or `}` inside `network { ... }`' },
  'dataBlock:`{`': { code: 'syntax/expected-token', message: 'expected `{` after `data`' },
  'dataBlock:`}`': { code: 'syntax/unexpected-token', message: 'expected `points`, `inputs`, `labels`, `fixed` or `}` inside `data { ... }`' },
  'criticalDeclaration:Identifier': {
    code: 'syntax/expected-name',
    message: 'expected the name of a planted weight vector after `critical`, e.g. `critical A`',
  },
  'criticalDeclaration:`}`': { code: 'syntax/unexpected-token', message: 'expected `hessian`, `margin`, `sharpness` or `}` inside `critical NAME { ... }`' },
  'layerStatement:a number': { code: 'syntax/expected-number', message: 'expected the layer width (a whole number) after `layer`, e.g. `layer 8 tanh`' },
  'layerStatement:Identifier': { code: 'syntax/expected-activation', message: `expected ${ACTIVATION_HINT} after the layer width` },
  'inputStatement:a number': { code: 'syntax/expected-number', message: 'expected the input dimension after `input`, e.g. `input 3`' },
  'outputStatement:a number': { code: 'syntax/expected-number', message: 'expected the output dimension after `output`, e.g. `output 1 linear`' },
  'pointsStatement:a number': { code: 'syntax/expected-number', message: 'expected the number of data points after `points`, e.g. `points 600`' },
  'fixedStatement:a number': { code: 'syntax/expected-number', message: 'expected how many points to hold fixed, e.g. `fixed first 10`' },
  'weightsDeclaration:Identifier': { code: 'syntax/expected-name', message: 'expected a name after `weights`, e.g. `weights A = normal(0, 1)`' },
  'weightsDeclaration:`=`': { code: 'syntax/expected-token', message: 'expected `=` after the weight name, e.g. `weights A = normal(0, 1)`' },
  'explicitEntry:`=`': { code: 'syntax/expected-token', message: 'expected `=` after the layer key, e.g. `W0 = [[1, 2], [3, 4]]`' },
  'fileReference:a quoted path': { code: 'syntax/expected-token', message: 'expected a quoted path after `file`, e.g. `file "x.csv"`' },
  'exportStatement:a quoted path': { code: 'syntax/expected-token', message: 'expected a quoted folder after `export`, e.g. `export "out/run1" as npz, csv`' },
  'exportStatement:Identifier': { code: 'syntax/expected-token', message: 'expected an export format (npz, csv) after `as`' },
  'hessianTarget:a number': { code: 'syntax/expected-number', message: 'expected the saddle index, e.g. `saddle(2)`' },
  'objectiveStatement:Identifier': { code: 'syntax/expected-name', message: 'expected a planted point name after `min-loss at`' },
  'plotStatement:Identifier': { code: 'syntax/expected-name', message: 'expected the name of a planted weight vector in the plot' },
  'plotStatement:a number': { code: 'syntax/expected-number', message: 'expected how many random directions, e.g. `directions A random 2`' },
  'plotStatement:`->`': { code: 'syntax/expected-token', message: 'expected `->` between the two points, e.g. `interpolate A -> B`' },
  'plotOptions:`to`': { code: 'syntax/expected-token', message: 'expected `to` after the start of the range, e.g. `from -0.5 to 1.5`' },
  'plotOptions:a number': { code: 'syntax/expected-number', message: 'expected the number of steps, e.g. `steps 201`' },
  'criticalItem:a number': { code: 'syntax/expected-number', message: 'expected a number after `margin` / `sharpness`, e.g. `margin 0.01`' },
};

/** Numbers inside signedNumber: name the statement they belong to. */
const NUMBER_AFTER: Record<string, string> = {
  seedStatement: 'expected the seed (a whole number) after `seed`, e.g. `seed 7`',
  plotOptions: 'expected a number in the plot range, e.g. `from -0.5 to 1.5`',
  argument: 'expected a number after `-`',
  arrayElement: 'expected a number after `-`',
};

function describeToken(token: IToken | undefined): string {
  if (!token || token.tokenType === chevrotain.EOF) return 'the end of the file';
  const image = token.image.length > 24 ? `${token.image.slice(0, 24)}…` : token.image;
  return `\`${image}\``;
}

export function describeSyntaxError(error: IRecognitionException): DescribedSyntaxError {
  let raw: RawSyntaxError;
  try {
    raw = JSON.parse(error.message) as RawSyntaxError;
  } catch {
    return { code: 'syntax/unexpected-token', message: error.message };
  }
  const found = `, found ${describeToken(error.token)}`;
  const ruleStack = error.context?.ruleStack ?? [];
  const rule = ruleStack[ruleStack.length - 1] ?? 'file';
  const parentRule = ruleStack[ruleStack.length - 2] ?? 'file';
  // Chevrotain reports leftover input either way, depending on whether recovery was attempted.
  if (raw.kind === 'not-all-input' || (raw.kind === 'mismatch' && rule === 'file')) {
    return {
      code: 'syntax/outside-landscape',
      message: `expected \`landscape NAME { ... }\`${found}: everything in a .crit file lives inside a landscape block`,
    };
  }
  if (raw.kind === 'mismatch') {
    const expected = raw.expected?.[0] ?? '';
    if (rule === 'signedNumber' && NUMBER_AFTER[parentRule]) return { code: 'syntax/expected-number', message: NUMBER_AFTER[parentRule] + found };
    const specific = MISSING_TOKEN[`${rule}:${expected}`];
    if (specific) return { code: specific.code, message: specific.message + found };
    const expectedText = expected === 'Identifier' ? 'a name' : expected;
    return { code: 'syntax/expected-token', message: `expected ${expectedText}${found}` };
  }
  const byRule = RULE_EXPECTATIONS[rule] ?? RULE_EXPECTATIONS[parentRule];
  if (byRule) return { code: byRule.code, message: byRule.message + found };
  const options = (raw.expected ?? []).map((e) => (e === 'Identifier' ? 'a name' : e));
  const list = options.length > 0 ? `one of ${options.join(', ')}` : 'something else';
  return { code: 'syntax/unexpected-token', message: `expected ${list}${found}` };
}
