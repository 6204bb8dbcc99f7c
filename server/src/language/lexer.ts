/** Tokens of the .crit language. Keywords are reserved words; activation names are plain identifiers (checked by validation). */
import { chevrotain, type TokenType } from './chevrotain';

const { createToken, Lexer } = chevrotain;

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/** Every keyword, by its spelling. */
export const KEYWORDS: Record<string, TokenType> = {};
function keyword(word: string, pattern?: RegExp): TokenType {
  const token = createToken({
    name: `Kw_${word.replace(/-/g, '_')}`,
    label: `\`${word}\``,
    pattern: pattern ?? new RegExp(word),
    longer_alt: Identifier,
  });
  KEYWORDS[word] = token;
  return token;
}

export const Landscape = keyword('landscape');
export const Seed = keyword('seed');
export const Network = keyword('network');
export const Inputs = keyword('inputs');
export const Input = keyword('input');
export const Layer = keyword('layer');
export const Output = keyword('output');
export const Bias = keyword('bias');
export const On = keyword('on');
export const Off = keyword('off');
export const Data = keyword('data');
export const Points = keyword('points');
export const Labels = keyword('labels');
export const Fixed = keyword('fixed');
export const First = keyword('first');
export const File = keyword('file');
export const Weights = keyword('weights');
export const Critical = keyword('critical');
export const Hessian = keyword('hessian');
export const Minimum = keyword('minimum');
export const Maximum = keyword('maximum');
export const Saddle = keyword('saddle');
export const Any = keyword('any');
export const Margin = keyword('margin');
export const Sharpness = keyword('sharpness');
export const Objective = keyword('objective');
export const Closest = keyword('closest');
export const MinLoss = keyword('min-loss', /min-loss/);
export const At = keyword('at');
export const Plot = keyword('plot');
export const Interpolate = keyword('interpolate');
export const From = keyword('from');
export const To = keyword('to');
export const Steps = keyword('steps');
export const Plane = keyword('plane');
export const Directions = keyword('directions');
export const Random = keyword('random');
export const Spectrum = keyword('spectrum');
export const Dataset = keyword('dataset');
export const Export = keyword('export');
export const As = keyword('as');
export const Normal = keyword('normal');
export const Uniform = keyword('uniform');
export const Grid = keyword('grid');
export const Teacher = keyword('teacher');
export const Noise = keyword('noise');
export const Zeros = keyword('zeros');
export const Glorot = keyword('glorot');
export const He = keyword('he');
export const Permute = keyword('permute');
export const Probe = keyword('probe');
export const Optimizer = keyword('optimizer');
export const Batch = keyword('batch');
export const Starts = keyword('starts');
export const Around = keyword('around');
export const Radius = keyword('radius');
export const Direction = keyword('direction');
export const Escape = keyword('escape');

/** Unsigned: a leading minus is its own token, so `A - 0.1 * B` and `-0.5` both read naturally. */
export const NumberLiteral = createToken({
  name: 'Number',
  label: 'a number',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
});
export const StringLiteral = createToken({ name: 'String', label: 'a quoted path', pattern: /"(?:[^"\\\r\n]|\\.)*"/ });
/** A string missing its closing quote, so the lexer reports it once instead of failing per character. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\.)*/ });
export const Arrow = createToken({ name: 'Arrow', label: '`->`', pattern: /->/ });
export const LCurly = createToken({ name: 'LCurly', label: '`{`', pattern: /\{/ });
export const RCurly = createToken({ name: 'RCurly', label: '`}`', pattern: /\}/ });
export const LParen = createToken({ name: 'LParen', label: '`(`', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', label: '`)`', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', label: '`[`', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', label: '`]`', pattern: /\]/ });
export const Comma = createToken({ name: 'Comma', label: '`,`', pattern: /,/ });
export const Semicolon = createToken({ name: 'Semicolon', label: '`;`', pattern: /;/ });
export const Equals = createToken({ name: 'Equals', label: '`=`', pattern: /=/ });
export const Plus = createToken({ name: 'Plus', label: '`+`', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', label: '`-`', pattern: /-/ });
export const Star = createToken({ name: 'Star', label: '`*`', pattern: /\*/ });

export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, line_breaks: true, group: 'comments' });
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, line_breaks: true, group: 'comments' });
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  Arrow,
  // Longest first, so `dataset` is not read as `data` + `set`, nor `inputs` as `input` + `s`.
  ...Object.entries(KEYWORDS)
    .sort(([a], [b]) => b.length - a.length)
    .map(([, token]) => token),
  Identifier,
  NumberLiteral,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semicolon,
  Equals,
  Plus,
  Minus,
  Star,
];

/** One lexer for the process: building it validates the token set, which is not free. */
export const critLexer = new Lexer(ALL_TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: true });
