/**
 * Completion from the tokens before the cursor: the block it is in (top level, landscape, network,
 * data, critical, probe) and the statement typed so far decide what fits next: keywords, activations,
 * distributions, weight names, Hessian targets, and snippets (a whole landscape, blocks).
 */
import { CompletionItemKind, InsertTextFormat } from 'vscode-languageserver/node';
import type { CompletionItem } from 'vscode-languageserver/node';
import { ACTIVATIONS } from '../engine/types';
import { KEYWORD_DOCS } from '../language';
import type { IToken } from '../language/chevrotain';
import * as T from '../language/lexer';
import { OPTIMIZER_PARAMETERS, OPTIMIZERS, PROBE_DEFAULTS, START_DIRECTIONS, type OptimizerName } from '../language/probe';
import { inCommentOrString, type DocumentAnalysis } from './analysis';

type Block = 'top' | 'landscape' | 'network' | 'data' | 'critical' | 'probe' | 'other';

/** Snippet choices: tanh first, a smooth default without symmetry zeros. */
const ACTIVATION_LIST = ['tanh', ...ACTIVATIONS.filter((a) => a !== 'tanh')].join(',');

const LANDSCAPE_SNIPPET = [
  'landscape ${1:name} {',
  '  seed ${2:0}',
  '  network {',
  '    input ${3:2}',
  `    layer \${4:8} \${5|${ACTIVATION_LIST}|}`,
  '    output 1 linear',
  '    bias on',
  '  }',
  '  data {',
  '    points ${6:200}',
  '    inputs normal(0, 1)',
  '    labels zeros + noise(0.1)',
  '  }',
  '  weights ${7:A} = normal(0, 1)',
  '  critical ${7:A} { hessian ${8|minimum,saddle(1),any|} }',
  '  plot spectrum ${7:A}',
  '  export "out/${1:name}" as npz, csv',
  '}',
].join('\n');

function keyword(label: string, insertText?: string, detail?: string): CompletionItem {
  const documentation = KEYWORD_DOCS[label] === undefined ? undefined : { kind: 'markdown' as const, value: KEYWORD_DOCS[label] };
  return insertText === undefined
    ? { label, kind: CompletionItemKind.Keyword, detail, documentation }
    : { label, kind: CompletionItemKind.Snippet, insertText, insertTextFormat: InsertTextFormat.Snippet, detail, documentation };
}

function fn(label: string, insertText: string): CompletionItem {
  const name = label.replace(/\(.*$/, '');
  const documentation = KEYWORD_DOCS[name] === undefined ? undefined : { kind: 'markdown' as const, value: KEYWORD_DOCS[name] };
  return { label, kind: CompletionItemKind.Function, insertText, insertTextFormat: InsertTextFormat.Snippet, documentation };
}

const LANDSCAPE_STATEMENTS: CompletionItem[] = [
  keyword('seed', 'seed ${1:0}'),
  keyword('network', 'network {\n  input ${1:2}\n  layer ${2:8} ${3|' + ACTIVATION_LIST + '|}\n  output ${4:1} linear\n  bias ${5|on,off|}\n}', 'network block'),
  keyword('data', 'data {\n  points ${1:200}\n  inputs ${2:normal(0, 1)}\n  labels ${3:zeros}\n}', 'data block'),
  keyword('weights', 'weights ${1:A} = ${2:normal(0, 1)}'),
  keyword('critical', 'critical ${1:A} { hessian ${2|minimum,saddle(1),maximum,any|} }'),
  keyword('objective'),
  keyword('plot'),
  keyword('export', 'export "${1:out}" as ${2|npz,csv,npz\\, csv|}'),
  keyword(
    'probe',
    `probe \${1:name} {\n  optimizer \${2|${OPTIMIZERS.join(',')}|} lr \${3:0.01}\n  starts \${4:8} around \${5:A} radius \${6:0.05} direction \${7|${Object.keys(START_DIRECTIONS).join(',')}|}\n  steps \${8:1000}\n}`,
    'probe block',
  ),
];

const NETWORK_STATEMENTS = [keyword('input', 'input ${1:2}'), keyword('layer', 'layer ${1:8} ${2|' + ACTIVATION_LIST + '|}'), keyword('output', 'output ${1:1} ${2:linear}'), keyword('bias')];
const DATA_STATEMENTS = [keyword('points', 'points ${1:200}'), keyword('inputs'), keyword('labels'), keyword('fixed')];
const CRITICAL_STATEMENTS = [keyword('hessian'), keyword('margin', 'margin ${1:0.01}'), keyword('sharpness', 'sharpness ${1:1}')];
const HESSIAN_TARGETS = [keyword('minimum'), keyword('maximum'), keyword('saddle', 'saddle(${1:1})'), keyword('any')];
const INPUT_DISTRIBUTIONS = [fn('normal(mean, std)', 'normal(${1:0}, ${2:1})'), fn('uniform(lo, hi)', 'uniform(${1:-1}, ${2:1})'), fn('grid(lo, hi)', 'grid(${1:-1}, ${2:1})'), keyword('file', 'file "${1:x.csv}"')];
const WEIGHT_INITS = [fn('normal(mean, std)', 'normal(${1:0}, ${2:1})'), fn('uniform(lo, hi)', 'uniform(${1:-1}, ${2:1})'), fn('glorot', 'glorot'), fn('he', 'he'), fn('permute(A)', 'permute(${1:A})'), keyword('file', 'file "${1:w.npz}"')];
const PLOT_KINDS = [keyword('interpolate', 'interpolate ${1:A} -> ${2:B}'), keyword('plane', 'plane ${1:A} ${2:B} ${3:C}'), keyword('directions', 'directions ${1:A} random ${2:2}'), keyword('spectrum'), keyword('dataset')];
const PROBE_STATEMENTS = [
  keyword('optimizer', `optimizer \${1|${OPTIMIZERS.join(',')}|} lr \${2:0.01}`),
  keyword('batch', 'batch ${1:full}'),
  keyword('starts', `starts \${1:8} around \${2:A} radius \${3:0.05} direction \${4|${Object.keys(START_DIRECTIONS).join(',')}|}`),
  keyword('steps', 'steps ${1:1000}'),
  keyword('seed', 'seed ${1:0}'),
  keyword('escape', `escape distance \${1:${PROBE_DEFAULTS.escape.distance}} loss \${2:${PROBE_DEFAULTS.escape.loss}}`),
];
const OPTIMIZER_ITEMS: CompletionItem[] = OPTIMIZERS.map((o) => ({ label: o, kind: CompletionItemKind.EnumMember, detail: 'optimizer' }));
/** Direction words as written after `direction` (`eigen` takes a second word). */
const DIRECTION_ITEMS: CompletionItem[] = ['random', 'stable', 'eigen'].map((d) => ({ label: d, kind: CompletionItemKind.EnumMember, detail: 'start direction' }));
const EIGEN_SIGNS: CompletionItem[] = ['negative', 'positive'].map((d) => ({ label: d, kind: CompletionItemKind.EnumMember, detail: 'eigenvectors with eigenvalues of this sign' }));
const ACTIVATION_ITEMS: CompletionItem[] = ACTIVATIONS.map((a) => ({ label: a, kind: CompletionItemKind.EnumMember, documentation: KEYWORD_DOCS[a] === undefined ? undefined : { kind: 'markdown', value: KEYWORD_DOCS[a] } }));

/** Which block the offset is in, and the tokens of the statement typed so far on its line. */
function context(analysis: DocumentAnalysis, offset: number): { block: Block; statement: IToken[]; openParen: IToken | undefined } {
  const lexed = T.critLexer.tokenize(analysis.text.slice(0, offset));
  const blocks: Block[] = [];
  let statementStart = 0;
  const tokens = lexed.tokens;
  // A word being typed right at the cursor is what completion replaces: not part of the context.
  const last = tokens[tokens.length - 1];
  if (last !== undefined && last.startOffset + last.image.length === offset && /^[A-Za-z_]/.test(last.image)) tokens.pop();
  const parens: IToken[] = [];
  tokens.forEach((token, i) => {
    const type = token.tokenType;
    if (type === T.LCurly) {
      const opener = tokens[statementStart]?.tokenType;
      blocks.push(opener === T.Landscape ? 'landscape' : opener === T.Network ? 'network' : opener === T.Data ? 'data' : opener === T.Critical ? 'critical' : opener === T.Probe ? 'probe' : 'other');
      statementStart = i + 1;
    } else if (type === T.RCurly || type === T.Semicolon) {
      if (type === T.RCurly) blocks.pop();
      statementStart = i + 1;
    } else if (type === T.LParen) parens.push(token);
    else if (type === T.RParen) parens.pop();
  });
  const line = analysis.lines.positionAt(offset).line;
  const statement = tokens.slice(statementStart).filter((t) => analysis.lines.positionAt(t.startOffset).line === line);
  return { block: blocks[blocks.length - 1] ?? 'top', statement, openParen: parens[parens.length - 1] };
}

function weightNameItems(analysis: DocumentAnalysis, offset: number): CompletionItem[] {
  const landscape = analysis.file.landscapes.find((l) => l.range.start.offset <= offset && offset <= l.range.end.offset);
  const names = new Set((landscape?.weights ?? []).map((w) => w.name).filter((n): n is string => n !== undefined));
  return [...names].map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: 'weights' }));
}

export function completion(analysis: DocumentAnalysis, offset: number): CompletionItem[] {
  if (analysis.tooLarge || inCommentOrString(analysis, offset)) return [];
  const { block, statement, openParen } = context(analysis, offset);
  const words = statement.map((t) => t.image);
  const first = words[0];
  const weights = (): CompletionItem[] => weightNameItems(analysis, offset);

  if (openParen !== undefined && statement.includes(openParen)) {
    const call = statement[statement.indexOf(openParen) - 1]?.image;
    return call === 'teacher' || call === 'permute' ? weights() : [];
  }
  switch (block) {
    case 'top':
      return [keyword('landscape', LANDSCAPE_SNIPPET, 'a whole landscape')];
    case 'network':
      if (words.length === 0) return NETWORK_STATEMENTS;
      if ((first === 'layer' || first === 'output') && words.length === 2) return ACTIVATION_ITEMS;
      if (first === 'bias' && words.length === 1) return [keyword('on'), keyword('off')];
      return [];
    case 'data':
      if (words.length === 0) return DATA_STATEMENTS;
      if (first === 'inputs' && words.length === 1) return INPUT_DISTRIBUTIONS;
      if (first === 'labels' && (words.length === 1 || words[words.length - 1] === '+')) {
        return [fn('teacher(A)', 'teacher(${1:A})'), fn('zeros', 'zeros'), fn('noise(std)', 'noise(${1:0.1})'), keyword('file', 'file "${1:y.csv}"')];
      }
      if (first === 'fixed' && words.length === 1) return [keyword('first', 'first ${1:10}'), keyword('file', 'file "${1:mask.csv}"')];
      return [];
    case 'critical':
      if (words.length === 0) return CRITICAL_STATEMENTS;
      if (first === 'hessian' && words.length === 1) return HESSIAN_TARGETS;
      return [];
    case 'probe':
      return probeCompletion(words, weights);
    case 'landscape':
      if (words.length === 0) return LANDSCAPE_STATEMENTS;
      if (first === 'weights' && words.length >= 3) {
        const previous = words[words.length - 1];
        return previous === '=' || previous === '+' || previous === '-' || previous === '*' ? [...WEIGHT_INITS, ...weights()] : [];
      }
      if (first === 'critical' && words.length === 1) return weights();
      if (first === 'critical' && words.includes('{')) return [];
      if (first === 'critical' && words.length >= 2) return [keyword('hessian'), ...HESSIAN_TARGETS];
      if (first === 'objective' && words.length === 1) return [keyword('closest'), keyword('min-loss', 'min-loss at ${1:A}')];
      if (first === 'objective' && words[words.length - 1] === 'at') return weights();
      if (first === 'plot' && words.length === 1) return PLOT_KINDS;
      if (first === 'plot') {
        const kind = words[1];
        const names = words.length - 2;
        if (kind === 'interpolate' && (names === 0 || words[words.length - 1] === '->')) return weights();
        if (kind === 'interpolate' && names >= 3) return [keyword('from', 'from ${1:-0.5} to ${2:1.5}'), keyword('steps', 'steps ${1:101}')];
        if (kind === 'plane' && names < 3) return weights();
        if (kind === 'plane' || (kind === 'directions' && names >= 3)) return [keyword('from', 'from ${1:-1} to ${2:1}'), keyword('steps', 'steps ${1:41}')];
        if ((kind === 'directions' || kind === 'spectrum') && names === 0) return weights();
        if (kind === 'directions' && names === 1) return [keyword('random', 'random ${1:2}')];
        return [];
      }
      if (first === 'export' && words.length === 2) return [keyword('as')];
      if (first === 'export' && words.length >= 3) return [{ label: 'npz', kind: CompletionItemKind.EnumMember }, { label: 'csv', kind: CompletionItemKind.EnumMember }];
      return [];
    default:
      return [];
  }
}

/** Hyperparameters (or escape rules) not given yet, when the statement so far is complete key-value pairs. */
function settingItems(keys: string[], given: string[], pairsStart: number, words: string[], detail: string): CompletionItem[] {
  if ((words.length - pairsStart) % 2 !== 0) return [];
  return keys.filter((k) => !given.includes(k)).map((k) => ({ label: k, kind: CompletionItemKind.Property, detail }));
}

/** Inside `probe { }`: statement keywords, optimizer names, their hyperparameters, start directions. */
function probeCompletion(words: string[], weights: () => CompletionItem[]): CompletionItem[] {
  const [first] = words;
  const previous = words[words.length - 1];
  if (words.length === 0) return PROBE_STATEMENTS;
  switch (first) {
    case 'optimizer': {
      if (words.length === 1) return OPTIMIZER_ITEMS;
      const name = words[1];
      if (!(OPTIMIZERS as readonly string[]).includes(name)) return [];
      const keys = ['lr', ...Object.keys(OPTIMIZER_PARAMETERS[name as OptimizerName])];
      return settingItems(keys, words.slice(2), 2, words, `${name} hyperparameter`);
    }
    case 'batch':
      return words.length === 1 || previous === ',' ? [keyword('full')] : [];
    case 'starts':
      if (words.length === 2) return [keyword('around')];
      if (previous === 'around') return weights();
      if (previous === 'direction') return DIRECTION_ITEMS;
      if (previous === 'eigen') return EIGEN_SIGNS;
      if (words.length >= 4 && previous !== 'radius') {
        return [keyword('radius', 'radius ${1:0.05}'), keyword('direction')].filter((k) => !words.includes(k.label));
      }
      return [];
    case 'escape':
      return settingItems(Object.keys(PROBE_DEFAULTS.escape), words.slice(1), 1, words, 'escape rule');
    default:
      return [];
  }
}
