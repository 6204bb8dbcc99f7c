/**
 * Canonical layout of a .crit file, line by line (so it is safe on files that do not parse):
 * two-space indentation by bracket depth, single spaces between words, `a, b` after commas, a space
 * before `{`, two spaces before a trailing comment, at most one blank line in a row, none at either
 * end, a final newline. Strings and comments are kept verbatim (continuation lines of a block
 * comment untouched). Idempotent: formatCritText(formatCritText(x)) === formatCritText(x).
 */

const INDENT = '  ';
const OPENERS = '{[(';
const CLOSERS = '}])';

interface FormattedLine {
  /** Code and comments of the line in canonical spacing, without indentation. */
  body: string;
  /** Bracket depth change of the code. */
  depthChange: number;
  /** How many closers start the line (they dedent the line itself). */
  leadingClosers: number;
}

class LineFormatter {
  /** True while inside a block comment that started on an earlier line. */
  inBlockComment = false;

  format(raw: string): FormattedLine {
    // Pieces in an array: string concatenation with trims would be quadratic on very long lines.
    const code: string[] = [];
    const last = (): string => code[code.length - 1]?.slice(-1) ?? '';
    const trimEnd = (): void => {
      while (code.length > 0 && code[code.length - 1].endsWith(' ')) {
        const trimmed = code[code.length - 1].trimEnd();
        if (trimmed === '') code.pop();
        else code[code.length - 1] = trimmed;
      }
    };
    let depthChange = 0;
    let i = 0;
    const startedInBlockComment = this.inBlockComment;
    const appendComment = (comment: string): void => {
      trimEnd();
      code.push(code.length === 0 ? comment : `  ${comment}`);
    };
    if (this.inBlockComment) {
      const end = raw.indexOf('*/');
      if (end < 0) return { body: raw.trimEnd(), depthChange: 0, leadingClosers: 0 };
      code.push(raw.slice(0, end + 2).trimEnd());
      this.inBlockComment = false;
      i = end + 2;
    }
    for (; i < raw.length; i++) {
      const ch = raw[i];
      if (ch === '"') {
        const close = closingQuote(raw, i);
        code.push(raw.slice(i, close + 1));
        i = close;
        continue;
      }
      if (ch === '/' && raw[i + 1] === '/') {
        appendComment(raw.slice(i).trimEnd());
        break;
      }
      if (ch === '/' && raw[i + 1] === '*') {
        const end = raw.indexOf('*/', i + 2);
        if (end < 0) {
          appendComment(raw.slice(i).trimEnd());
          this.inBlockComment = true;
          break;
        }
        if (code.length > 0 && last() !== ' ') code.push(' ');
        code.push(raw.slice(i, end + 2));
        i = end + 1;
        continue;
      }
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
        if (code.length > 0 && last() !== ' ') code.push(' ');
        continue;
      }
      if (ch === ',') {
        trimEnd();
        code.push(', ');
        continue;
      }
      if (ch === '{' && code.length > 0 && last() !== ' ' && !OPENERS.includes(last())) code.push(' ');
      if (OPENERS.includes(ch)) depthChange++;
      if (CLOSERS.includes(ch)) depthChange--;
      code.push(ch);
    }
    const joined = code.join('');
    // The end of a block comment keeps its own indentation, like the comment's other lines.
    const body = startedInBlockComment ? joined.trimEnd() : joined.trim();
    let leadingClosers = 0;
    for (const ch of startedInBlockComment ? '' : body) {
      if (CLOSERS.includes(ch)) leadingClosers++;
      else if (ch !== ' ') break;
    }
    return { body, depthChange, leadingClosers };
  }
}

/** Index of the quote closing the string opened at `open`, or the last index of the line. */
function closingQuote(line: string, open: number): number {
  for (let j = open + 1; j < line.length; j++) {
    if (line[j] === '\\') j++;
    else if (line[j] === '"') return j;
  }
  return line.length - 1;
}

export function formatCritText(text: string): string {
  const out: string[] = [];
  const formatter = new LineFormatter();
  let depth = 0;
  let blankPending = false;
  const lines = text.split(/\r\n|\r|\n/);
  // The final newline ends the last line; it does not start an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (const raw of lines) {
    const wasInBlockComment = formatter.inBlockComment;
    const line = formatter.format(raw);
    if (line.body === '' && !wasInBlockComment) {
      blankPending = out.length > 0;
      continue;
    }
    if (blankPending) out.push('');
    blankPending = false;
    out.push(wasInBlockComment ? line.body : INDENT.repeat(Math.max(0, depth - line.leadingClosers)) + line.body);
    depth = Math.max(0, depth + line.depthChange);
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
