/**
 * parseCrit: text -> AST + syntax diagnostics. Never throws: lexer and parser errors become
 * diagnostics, error recovery keeps as much of the tree as it can, and anything unexpected (a bug, a
 * pathological input) yields an empty tree with one diagnostic.
 */
import * as A from './ast';
import { chevrotain, type CstElement, type CstNode, type IToken } from './chevrotain';
import type { CritDiagnostic } from './diagnostics';
import { critParser } from './grammar';
import * as T from './lexer';
import { LineIndex, type SourceRange } from './positions';
import { suggest } from './semantics';
import { describeSyntaxError } from './syntaxMessages';

/** Statement keywords by the block they belong to, for did-you-mean on unknown statements. */
const STATEMENT_KEYWORDS = {
  landscape: ['seed', 'network', 'data', 'weights', 'critical', 'objective', 'plot', 'export', 'probe'],
  network: ['input', 'layer', 'output', 'bias'],
  data: ['points', 'inputs', 'labels', 'fixed'],
  critical: ['hessian', 'margin', 'sharpness'],
  probe: ['optimizer', 'batch', 'starts', 'steps', 'seed', 'escape'],
};

/** More syntax errors than this are summarised: they would only repeat the first ones. */
export const MAX_SYNTAX_DIAGNOSTICS = 100;
/** Brackets nested deeper than this are refused (recursive descent would exhaust the stack). */
export const MAX_NESTING_DEPTH = 64;

export interface ParseResult {
  file: A.FileNode;
  errors: CritDiagnostic[];
}

export function parseCrit(text: string): ParseResult {
  const source = typeof text === 'string' ? text : '';
  const lines = new LineIndex(source);
  try {
    return parseUnsafe(source, lines);
  } catch (error) {
    const whole = lines.range(0, source.length);
    return {
      file: { kind: 'File', range: whole, landscapes: [], comments: [] },
      errors: [
        {
          code: 'syntax/internal-error',
          severity: 'error',
          message: `the file could not be parsed (${error instanceof Error ? error.message : String(error)})`,
          range: lines.range(0, 0),
        },
      ],
    };
  }
}

function parseUnsafe(text: string, lines: LineIndex): ParseResult {
  const errors: CritDiagnostic[] = [];
  const lexed = T.critLexer.tokenize(text);
  // Beyond the shown ones only the count matters (binary files produce one per stray byte run).
  const unlistedLexErrors = Math.max(0, lexed.errors.length - (MAX_SYNTAX_DIAGNOSTICS + 1));
  for (const e of lexed.errors.slice(0, MAX_SYNTAX_DIAGNOSTICS + 1)) {
    const bad = text.slice(e.offset, e.offset + Math.min(e.length, 16));
    errors.push({
      code: 'syntax/unknown-character',
      severity: 'error',
      message: `unexpected character${e.length > 1 ? 's' : ''} ${printable(bad)}${e.length > 16 ? '…' : ''}: not part of the .crit language`,
      range: lines.range(e.offset, e.offset + e.length),
    });
  }
  const comments: A.Comment[] = [];
  for (const c of lexed.groups.comments ?? []) {
    comments.push({ range: tokenRange(c, lines), text: c.image });
    if (c.tokenType === T.UnterminatedComment) {
      errors.push({ code: 'syntax/unterminated-comment', severity: 'error', message: 'this `/*` comment is never closed with `*/`', range: lines.range(c.startOffset, c.startOffset + 2) });
    }
  }
  const tokens: IToken[] = [];
  for (const t of lexed.tokens) {
    if (t.tokenType === T.UnterminatedString) {
      errors.push({ code: 'syntax/unterminated-string', severity: 'error', message: 'this string is missing its closing `"`', range: tokenRange(t, lines) });
      // Read on as if it were closed: the path is still useful to the tree.
      t.tokenType = T.StringLiteral;
      t.tokenTypeIdx = T.StringLiteral.tokenTypeIdx!;
      t.image = `${t.image}"`;
    }
    tokens.push(t);
  }
  const nestingLimit = firstTooDeep(tokens);
  if (nestingLimit !== undefined) {
    const t = tokens[nestingLimit];
    errors.push({
      code: 'syntax/too-deep',
      severity: 'error',
      message: `brackets are nested more than ${MAX_NESTING_DEPTH} levels deep here; the rest of the file is ignored`,
      range: tokenRange(t, lines),
    });
    tokens.length = nestingLimit;
  }

  const builder = new AstBuilder(text, lines, errors);
  const landscapes: A.LandscapeNode[] = [];
  let start = 0;
  while (start < tokens.length) {
    critParser.input = tokens.slice(start);
    const cst = critParser.file();
    let redundantAt: number | undefined;
    for (const e of critParser.errors) {
      const d = syntaxDiagnostic(e, tokens, lines, text.length);
      if (d.code === 'syntax/outside-landscape' && redundantAt === undefined) redundantAt = e.token.startOffset;
      errors.push(d);
    }
    for (const l of cst.children.landscape ?? []) {
      const node = builder.landscape(l as CstNode);
      // Landscapes after stray text are read again by the next pass.
      if (redundantAt === undefined || node.range.start.offset < redundantAt) landscapes.push(node);
    }
    if (redundantAt === undefined) break;
    // Skip to the next `landscape` after the stray text and parse again from there.
    let next = tokens.findIndex((t, i) => i >= start && t.startOffset > redundantAt! && t.tokenType === T.Landscape);
    if (next < 0) next = tokens.length;
    const last = tokens[next - 1];
    const stray = errors.find((e) => e.code === 'syntax/outside-landscape' && e.range.start.offset === redundantAt);
    if (stray && last) stray.range = lines.range(redundantAt, tokenEnd(last));
    start = next;
  }
  const kept = errors.slice(0, MAX_SYNTAX_DIAGNOSTICS);
  if (errors.length > MAX_SYNTAX_DIAGNOSTICS) {
    kept.push({
      code: 'syntax/too-many-errors',
      severity: 'information',
      message: `${errors.length + unlistedLexErrors - MAX_SYNTAX_DIAGNOSTICS} more syntax errors not shown; fix the first ones and the rest often disappear`,
      range: errors[MAX_SYNTAX_DIAGNOSTICS].range,
    });
  }
  return { file: { kind: 'File', range: lines.range(0, text.length), landscapes, comments }, errors: kept };
}

function printable(s: string): string {
  const shown = [...s].map((ch) => {
    const code = ch.codePointAt(0)!;
    return code < 32 || code === 127 || (code >= 0x80 && code < 0xa0) ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : ch;
  });
  return `\`${shown.join('')}\``;
}

function firstTooDeep(tokens: IToken[]): number | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i].tokenType;
    if (type === T.LBracket || type === T.LCurly || type === T.LParen) {
      if (++depth > MAX_NESTING_DEPTH) return i;
    } else if (type === T.RBracket || type === T.RCurly || type === T.RParen) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function isRealToken(t: IToken | undefined): t is IToken {
  return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset) && t.tokenType !== chevrotain.EOF;
}

/** Exclusive end offset (the lexer tracks start offsets only). */
function tokenEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}

function tokenRange(t: IToken, lines: LineIndex): SourceRange {
  return lines.range(t.startOffset, tokenEnd(t));
}

function previousTokenBefore(tokens: IToken[], offset: number): IToken | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  let found: IToken | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) {
      found = tokens[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function syntaxDiagnostic(
  e: import('./chevrotain').IRecognitionException,
  tokens: IToken[],
  lines: LineIndex,
  textLength: number,
): CritDiagnostic {
  const { code, message } = describeSyntaxError(e);
  const actual = isRealToken(e.token) ? e.token : undefined;
  const previous = previousTokenBefore(tokens, actual ? actual.startOffset : textLength + 1);
  let range: SourceRange;
  const missingSomething = e.name === 'MismatchedTokenException' || !actual;
  if (actual && !(missingSomething && previous && lines.positionAt(previous.startOffset).line !== lines.positionAt(actual.startOffset).line)) {
    range = tokenRange(actual, lines);
  } else if (previous) {
    // The thing is missing at the end of a line or of the file: point at what it should follow.
    range = tokenRange(previous, lines);
  } else {
    range = lines.range(textLength, textLength);
  }
  return { code, severity: 'error', message, range };
}

type Children = Record<string, CstElement[] | undefined>;

/**
 * Start of the first (or end of the last) real token under `el`. Children lists are in source order,
 * so only each list's first (last) real element is visited: O(depth), not O(subtree).
 */
function edgeOffset(el: CstElement, edge: 'start' | 'end'): number | undefined {
  if ('image' in el) return isRealToken(el) ? (edge === 'start' ? el.startOffset : tokenEnd(el)) : undefined;
  let best: number | undefined;
  for (const list of Object.values(el.children)) {
    if (!list) continue;
    for (let k = 0; k < list.length; k++) {
      const offset = edgeOffset(list[edge === 'start' ? k : list.length - 1 - k], edge);
      if (offset === undefined) continue;
      if (best === undefined || (edge === 'start' ? offset < best : offset > best)) best = offset;
      break;
    }
  }
  return best;
}

/** Builds typed AST nodes from Chevrotain's CST, tolerating every missing child. */
class AstBuilder {
  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly diagnostics: CritDiagnostic[],
  ) {}

  /** An unknown statement becomes a diagnostic (with a did-you-mean), not a node. */
  private unknownStatement(node: CstNode | undefined, context: keyof typeof STATEMENT_KEYWORDS): void {
    const word = node && this.tok(node, 'word');
    if (!word) return;
    const range = this.range(word);
    const allowed = STATEMENT_KEYWORDS[context];
    const guess = suggest(word.image, allowed);
    this.diagnostics.push({
      code: 'syntax/unknown-statement',
      severity: 'error',
      message: `unknown statement \`${word.image}\`${guess ? `; did you mean \`${guess}\`?` : ''} ${context === 'landscape' ? 'A landscape holds' : `Inside \`${context}\` you can write`}: ${allowed.join(', ')}`,
      range,
      ...(guess ? { fixes: [{ title: `Replace with \`${guess}\``, edits: [{ range, newText: guess }] }] } : {}),
    });
  }

  private tok(node: CstNode, key: string, index = 0): IToken | undefined {
    const t = (node.children as Children)[key]?.[index] as IToken | undefined;
    return isRealToken(t) ? t : undefined;
  }

  private toks(node: CstNode, key: string): IToken[] {
    return ((node.children as Children)[key] ?? []).filter((t): t is IToken => isRealToken(t as IToken));
  }

  private sub(node: CstNode, key: string, index = 0): CstNode | undefined {
    return (node.children as Children)[key]?.[index] as CstNode | undefined;
  }

  private subs(node: CstNode, key: string): CstNode[] {
    return ((node.children as Children)[key] ?? []) as CstNode[];
  }

  private range(t: IToken): SourceRange {
    return tokenRange(t, this.lines);
  }

  /** Range of every real token under `node`; an empty range at `fallback` when there is none. */
  private span(node: CstNode | IToken, fallback: number): SourceRange {
    const start = edgeOffset(node as CstElement, 'start');
    const end = edgeOffset(node as CstElement, 'end');
    return start === undefined || end === undefined ? this.lines.range(fallback, fallback) : this.lines.range(start, end);
  }

  private number(t: IToken, minus?: IToken): A.NumberNode {
    const magnitude = Number(t.image);
    const start = minus ? minus.startOffset : t.startOffset;
    return {
      kind: 'Number',
      range: this.lines.range(start, tokenEnd(t)),
      value: minus ? -magnitude : magnitude,
      text: this.text.slice(start, tokenEnd(t)),
    };
  }

  private numberTok(node: CstNode, key: string): A.NumberNode | undefined {
    const t = this.tok(node, key);
    return t ? this.number(t) : undefined;
  }

  private signedNumber(node: CstNode | undefined): A.NumberNode | undefined {
    if (!node) return undefined;
    const n = this.tok(node, 'Number');
    return n ? this.number(n, this.tok(node, 'Minus')) : undefined;
  }

  private nameRef(t: IToken): A.NameRefNode {
    return { kind: 'NameRef', range: this.range(t), name: t.image };
  }

  landscape(node: CstNode): A.LandscapeNode {
    const range = this.span(node, 0);
    const nameTok = this.tok(node, 'name');
    const l: A.LandscapeNode = {
      kind: 'Landscape',
      range,
      name: nameTok?.image,
      nameRange: nameTok ? this.range(nameTok) : undefined,
      sourceText: this.text.slice(range.start.offset, range.end.offset),
      weights: [],
      criticals: [],
      plots: [],
      exports: [],
      probes: [],
      items: [],
    };
    for (const itemNode of this.subs(node, 'landscapeItem')) {
      const item = this.landscapeItem(itemNode, range.start.offset);
      if (!item) continue;
      l.items.push(item);
      switch (item.kind) {
        case 'Seed':
          l.seed ??= item;
          break;
        case 'Network':
          l.network ??= item;
          break;
        case 'Data':
          l.data ??= item;
          break;
        case 'Objective':
          l.objective ??= item;
          break;
        case 'Weights':
          l.weights.push(item);
          break;
        case 'Critical':
          l.criticals.push(item);
          break;
        case 'Plot':
          l.plots.push(item);
          break;
        case 'Export':
          l.exports.push(item);
          break;
        case 'Probe':
          l.probes.push(item);
          break;
      }
    }
    return l;
  }

  private landscapeItem(node: CstNode, fallback: number): A.LandscapeItem | undefined {
    const child = (key: string) => this.sub(node, key);
    let n: CstNode | undefined;
    if ((n = child('seedStatement'))) return { kind: 'Seed', range: this.span(n, fallback), value: this.signedNumber(this.sub(n, 'value')) };
    if ((n = child('networkBlock'))) return this.network(n, fallback);
    if ((n = child('dataBlock'))) return this.data(n, fallback);
    if ((n = child('weightsDeclaration'))) return this.weights(n, fallback);
    if ((n = child('criticalDeclaration'))) return this.critical(n, fallback);
    if ((n = child('objectiveStatement'))) return this.objective(n, fallback);
    if ((n = child('plotStatement'))) return this.plot(n, fallback);
    if ((n = child('exportStatement'))) return this.exportStatement(n, fallback);
    if ((n = child('probeBlock'))) return this.probe(n, fallback);
    this.unknownStatement(child('unknownStatement'), 'landscape');
    return undefined;
  }

  private network(node: CstNode, fallback: number): A.NetworkNode {
    const range = this.span(node, fallback);
    const net: A.NetworkNode = { kind: 'Network', range, layers: [], items: [] };
    for (const itemNode of this.subs(node, 'networkItem')) {
      let n: CstNode | undefined;
      let item: A.NetworkItem | undefined;
      if ((n = this.sub(itemNode, 'inputStatement'))) {
        item = { kind: 'Input', range: this.span(n, range.start.offset), width: this.numberTok(n, 'width') };
        net.input ??= item;
      } else if ((n = this.sub(itemNode, 'layerStatement'))) {
        const act = this.tok(n, 'activation');
        item = { kind: 'Layer', range: this.span(n, range.start.offset), width: this.numberTok(n, 'width'), activation: act?.image, activationRange: act ? this.range(act) : undefined };
        net.layers.push(item);
      } else if ((n = this.sub(itemNode, 'outputStatement'))) {
        const act = this.tok(n, 'activation');
        item = { kind: 'Output', range: this.span(n, range.start.offset), width: this.numberTok(n, 'width'), activation: act?.image, activationRange: act ? this.range(act) : undefined };
        net.output ??= item;
      } else if ((n = this.sub(itemNode, 'biasStatement'))) {
        const value = this.tok(n, 'Kw_on') ?? this.tok(n, 'Kw_off');
        item = { kind: 'Bias', range: this.span(n, range.start.offset), value: value ? value.image === 'on' : undefined, valueRange: value ? this.range(value) : undefined };
        net.bias ??= item;
      } else {
        this.unknownStatement(this.sub(itemNode, 'unknownStatement'), 'network');
      }
      if (item) net.items.push(item);
    }
    return net;
  }

  private fileRef(node: CstNode, fallback: number): A.FileRefNode {
    const path = this.tok(node, 'path');
    return {
      kind: 'FileRef',
      range: this.span(node, fallback),
      path: path ? path.image.slice(1, -1).replace(/\\(["\\])/g, '$1') : undefined,
      pathRange: path ? this.range(path) : undefined,
    };
  }

  private callOrFile(node: CstNode, fallback: number): A.CallNode | A.FileRefNode | undefined {
    const call = this.sub(node, 'call');
    if (call) return this.call(call, fallback);
    const file = this.sub(node, 'fileReference');
    return file ? this.fileRef(file, fallback) : undefined;
  }

  private call(node: CstNode, fallback: number): A.CallNode | undefined {
    const fn = this.sub(node, 'functionName');
    const nameTok = fn ? Object.values(fn.children).flat().find((t) => isRealToken(t as IToken)) as IToken | undefined : this.tok(node, 'unknownName');
    if (!nameTok) return undefined;
    const argsNode = this.sub(node, 'callArguments');
    const range = this.span(node, fallback);
    return {
      kind: 'Call',
      range,
      name: nameTok.image,
      nameRange: this.range(nameTok),
      unknown: !fn,
      hasParentheses: argsNode !== undefined,
      args: argsNode ? this.subs(argsNode, 'argument').map((a) => this.argument(a, range.start.offset)).filter((a) => a !== undefined) : [],
    };
  }

  private argument(node: CstNode, fallback: number): A.ArgumentNode | undefined {
    const num = this.sub(node, 'signedNumber');
    if (num) return this.signedNumber(num);
    const ref = this.tok(node, 'reference');
    if (ref) return this.nameRef(ref);
    const arr = this.sub(node, 'arrayLiteral');
    if (arr) return this.array(arr, fallback);
    if (this.tok(node, 'Kw_layer')) return { kind: 'LayerArg', range: this.span(node, fallback), index: this.numberTok(node, 'layerIndex') };
    return undefined;
  }

  private array(node: CstNode, fallback: number): A.ArrayNode {
    const range = this.span(node, fallback);
    const items: (A.NumberNode | A.ArrayNode)[] = [];
    for (const el of this.subs(node, 'arrayElement')) {
      const num = this.sub(el, 'signedNumber');
      const nested = this.sub(el, 'arrayLiteral');
      const item = num ? this.signedNumber(num) : nested ? this.array(nested, range.start.offset) : undefined;
      if (item) items.push(item);
    }
    return { kind: 'Array', range, items };
  }

  private data(node: CstNode, fallback: number): A.DataNode {
    const range = this.span(node, fallback);
    const data: A.DataNode = { kind: 'Data', range, items: [] };
    const at = range.start.offset;
    for (const itemNode of this.subs(node, 'dataItem')) {
      let n: CstNode | undefined;
      let item: A.DataItem | undefined;
      if ((n = this.sub(itemNode, 'pointsStatement'))) {
        item = { kind: 'Points', range: this.span(n, at), count: this.numberTok(n, 'count') };
        data.points ??= item;
      } else if ((n = this.sub(itemNode, 'inputsStatement'))) {
        item = { kind: 'Inputs', range: this.span(n, at), source: this.callOrFile(n, at) };
        data.inputs ??= item;
      } else if ((n = this.sub(itemNode, 'labelsStatement'))) {
        const terms = this.subs(n, 'labelTerm').map((t) => this.callOrFile(t, at)).filter((t) => t !== undefined);
        const isNoise = (t: A.CallNode | A.FileRefNode): t is A.CallNode => t.kind === 'Call' && t.name === 'noise';
        item = { kind: 'Labels', range: this.span(n, at), terms, base: terms.find((t) => !isNoise(t)), noise: terms.find(isNoise) };
        data.labels ??= item;
      } else if ((n = this.sub(itemNode, 'fixedStatement'))) {
        const file = this.sub(n, 'fileReference');
        item = { kind: 'Fixed', range: this.span(n, at), first: this.numberTok(n, 'count'), file: file ? this.fileRef(file, at) : undefined };
        data.fixed ??= item;
      } else {
        this.unknownStatement(this.sub(itemNode, 'unknownStatement'), 'data');
      }
      if (item) data.items.push(item);
    }
    return data;
  }

  private weights(node: CstNode, fallback: number): A.WeightsNode {
    const range = this.span(node, fallback);
    const nameTok = this.tok(node, 'name');
    const expr = this.sub(node, 'weightExpression');
    return {
      kind: 'Weights',
      range,
      name: nameTok?.image,
      nameRange: nameTok ? this.range(nameTok) : undefined,
      init: expr ? this.weightExpression(expr, range.start.offset) : undefined,
    };
  }

  private weightExpression(node: CstNode, fallback: number): A.WeightExpressionNode {
    const range = this.span(node, fallback);
    const operators = (node.children as Children).operator ?? [];
    const terms = this.subs(node, 'weightTerm').map((termNode, i) => {
      const signToken = (i === 0 ? this.tok(node, 'leadingMinus') : operators[i - 1]) as IToken | undefined;
      const sign = signToken && isRealToken(signToken) && signToken.tokenType === T.Minus ? -1 : 1;
      const factor = this.numberTok(termNode, 'coefficient');
      const atomNode = this.sub(termNode, 'weightAtom');
      const termRange = this.span(termNode, range.start.offset);
      return {
        kind: 'WeightTerm' as const,
        range: signToken && isRealToken(signToken) ? this.lines.range(signToken.startOffset, termRange.end.offset) : termRange,
        coefficient: sign * (factor?.value ?? 1),
        factor,
        atom: atomNode ? this.weightAtom(atomNode, termRange.start.offset) : undefined,
      };
    });
    return { kind: 'WeightExpression', range, terms };
  }

  private weightAtom(node: CstNode, fallback: number): A.WeightAtomNode | undefined {
    let n: CstNode | undefined;
    if ((n = this.sub(node, 'call'))) return this.call(n, fallback);
    if ((n = this.sub(node, 'fileReference'))) return this.fileRef(n, fallback);
    if ((n = this.sub(node, 'arrayLiteral'))) return this.array(n, fallback);
    if ((n = this.sub(node, 'explicitWeights'))) {
      const range = this.span(n, fallback);
      const entries: A.LayerEntryNode[] = [];
      for (const e of this.subs(n, 'explicitEntry')) {
        const key = this.tok(e, 'key');
        const value = this.sub(e, 'arrayLiteral');
        if (key) entries.push({ kind: 'LayerEntry', range: this.span(e, range.start.offset), key: key.image, keyRange: this.range(key), value: value ? this.array(value, key.startOffset) : undefined });
      }
      return { kind: 'ExplicitWeights', range, entries };
    }
    const ref = this.tok(node, 'reference');
    return ref ? this.nameRef(ref) : undefined;
  }

  private critical(node: CstNode, fallback: number): A.CriticalNode {
    const range = this.span(node, fallback);
    const nameTok = this.tok(node, 'name');
    const c: A.CriticalNode = {
      kind: 'Critical',
      range,
      name: nameTok?.image,
      nameRange: nameTok ? this.range(nameTok) : undefined,
      hasBody: this.tok(node, 'LCurly') !== undefined,
    };
    for (const item of this.subs(node, 'criticalItem')) {
      this.unknownStatement(this.sub(item, 'unknownStatement'), 'critical');
      const target = this.sub(item, 'hessianTarget');
      const hessianKw = this.tok(item, 'Kw_hessian');
      if (hessianKw) {
        const h: A.HessianNode = { kind: 'Hessian', range: this.span(item, range.start.offset) };
        if (target) {
          const word = Object.values(target.children).flat().find((t) => isRealToken(t as IToken) && (t as IToken).tokenType !== T.LParen) as IToken | undefined;
          if (word && ['minimum', 'maximum', 'saddle', 'any'].includes(word.image)) {
            h.target = word.image as A.HessianTargetKind;
            h.targetRange = this.span(target, word.startOffset);
          }
          h.index = this.numberTok(target, 'index');
        }
        c.hessian ??= h;
      }
      c.margin ??= this.numberTok(item, 'margin');
      c.sharpness ??= this.numberTok(item, 'sharpness');
    }
    return c;
  }

  private objective(node: CstNode, fallback: number): A.ObjectiveNode {
    const closest = this.tok(node, 'Kw_closest');
    const minLoss = this.tok(node, 'Kw_min_loss');
    const point = this.tok(node, 'point');
    return {
      kind: 'Objective',
      range: this.span(node, fallback),
      mode: closest ? 'closest' : minLoss ? 'min-loss-at' : undefined,
      modeRange: closest ? this.range(closest) : minLoss ? this.range(minLoss) : undefined,
      point: point ? this.nameRef(point) : undefined,
    };
  }

  private plot(node: CstNode, fallback: number): A.PlotNode {
    const range = this.span(node, fallback);
    const kinds: [string, A.PlotKind][] = [
      ['Kw_interpolate', 'interpolate'],
      ['Kw_plane', 'plane'],
      ['Kw_directions', 'directions'],
      ['Kw_spectrum', 'spectrum'],
      ['Kw_dataset', 'dataset'],
    ];
    const p: A.PlotNode = { kind: 'Plot', range, points: this.toks(node, 'point').map((t) => this.nameRef(t)), directionCount: this.numberTok(node, 'directionCount') };
    for (const [key, kind] of kinds) {
      const t = this.tok(node, key);
      if (t) {
        p.plot = kind;
        p.plotRange = this.range(t);
      }
    }
    const options = this.sub(node, 'plotOptions');
    if (options) {
      p.from = this.signedNumber(this.sub(options, 'from'));
      p.to = this.signedNumber(this.sub(options, 'to'));
      p.steps = this.numberTok(options, 'steps');
    }
    return p;
  }

  private probeSetting(node: CstNode, fallback: number): A.ProbeSettingNode | undefined {
    const key = this.tok(node, 'key');
    if (!key) return undefined;
    return { kind: 'ProbeSetting', range: this.span(node, fallback), key: key.image, keyRange: this.range(key), value: this.signedNumber(this.sub(node, 'value')) };
  }

  private batch(node: CstNode, fallback: number): A.BatchNode {
    const sizes = this.toks(node, 'size').map((t): A.BatchSizeNode =>
      t.tokenType === T.NumberLiteral ? { kind: 'BatchSize', range: this.range(t), size: this.number(t) } : { kind: 'BatchSize', range: this.range(t), word: t.image },
    );
    return { kind: 'Batch', range: this.span(node, fallback), sizes };
  }

  private probe(node: CstNode, fallback: number): A.ProbeNode {
    const range = this.span(node, fallback);
    const nameTok = this.tok(node, 'name');
    const p: A.ProbeNode = { kind: 'Probe', range, name: nameTok?.image, nameRange: nameTok ? this.range(nameTok) : undefined, optimizers: [], starts: [], items: [] };
    const at = range.start.offset;
    for (const item of this.subs(node, 'probeItem')) {
      this.unknownStatement(this.sub(item, 'unknownStatement'), 'probe');
      let n: CstNode | undefined;
      if ((n = this.sub(item, 'optimizerStatement'))) {
        const name = this.tok(n, 'name');
        const o: A.OptimizerNode = {
          kind: 'Optimizer',
          range: this.span(n, at),
          name: name?.image,
          nameRange: name ? this.range(name) : undefined,
          settings: this.subs(n, 'probeSetting').map((s) => this.probeSetting(s, at)).filter((s) => s !== undefined),
        };
        p.optimizers.push(o);
        p.items.push(o);
      } else if ((n = this.sub(item, 'batchSetting'))) {
        const b = this.batch(n, at);
        p.batch ??= b;
        p.items.push(b);
      } else if ((n = this.sub(item, 'startsStatement'))) {
        const center = this.tok(n, 'center');
        const words = this.toks(n, 'direction');
        const s: A.StartsNode = {
          kind: 'Starts',
          range: this.span(n, at),
          count: this.numberTok(n, 'count'),
          around: center ? this.nameRef(center) : undefined,
          radius: this.numberTok(n, 'radius'),
          direction: words.length > 0 ? words.map((w) => w.image) : undefined,
          directionRange: words.length > 0 ? this.lines.range(words[0].startOffset, tokenEnd(words[words.length - 1])) : undefined,
        };
        p.starts.push(s);
        p.items.push(s);
      } else if (this.tok(item, 'Kw_steps')) {
        p.steps ??= this.numberTok(item, 'steps');
        p.items.push({ kind: 'ProbeSteps', range: this.span(item, at) });
      } else if (this.tok(item, 'Kw_seed')) {
        p.seed ??= this.signedNumber(this.sub(item, 'seed'));
        p.items.push({ kind: 'ProbeSeed', range: this.span(item, at) });
      } else if (this.tok(item, 'Kw_escape')) {
        const escape = { range: this.span(item, at), settings: this.subs(item, 'probeSetting').map((s) => this.probeSetting(s, at)).filter((s) => s !== undefined) };
        p.escape ??= escape;
        p.items.push({ kind: 'ProbeEscape', range: escape.range });
      }
    }
    return p;
  }

  private exportStatement(node: CstNode, fallback: number): A.ExportNode {
    const path = this.tok(node, 'path');
    return {
      kind: 'Export',
      range: this.span(node, fallback),
      path: path ? path.image.slice(1, -1).replace(/\\(["\\])/g, '$1') : undefined,
      pathRange: path ? this.range(path) : undefined,
      formats: this.toks(node, 'format').map((t) => ({ kind: 'ExportFormat' as const, range: this.range(t), name: t.image })),
    };
  }
}
