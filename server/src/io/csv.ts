/**
 * Numeric matrices as CSV: an optional header row of column names, then one row per sample.
 * Reading accepts ',', ';' or tab as the separator, '#' comment lines (np.savetxt's header) and
 * CRLF line ends; the first row is a header when any of its fields is not a number.
 */
import { parse } from 'csv-parse/sync';
import { FileFormatError, type NumericArray } from './npy';

export interface CsvMatrix extends NumericArray {
  /** [rows, cols] */
  shape: [number, number];
  /** Column names when the file has a header row. */
  header?: string[];
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;

function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER_TEXT.test(t)) return undefined;
  const lower = t.toLowerCase().replace(/^\+/, '');
  if (lower.endsWith('nan')) return NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

export function readCsvMatrix(input: Uint8Array | string): CsvMatrix {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.includes('\u0000')) throw new FileFormatError('not a text CSV file (it contains NUL bytes)');
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: [',', ';', '\t'],
      comment: '#',
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: false,
    }) as string[][];
  } catch (e) {
    throw new FileFormatError(`unreadable CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new FileFormatError('the CSV file has no rows');
  let header: string[] | undefined;
  if (records[0].some((field) => parseNumber(field) === undefined)) header = records.shift();
  const rows = records.length;
  const cols = header?.length ?? records[0]?.length ?? 0;
  if (rows === 0) throw new FileFormatError('the CSV file has a header but no data rows');
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = parseNumber(records[r][c]);
      if (value === undefined) {
        // Line numbers count the header; comment lines are not counted.
        throw new FileFormatError(`CSV row ${r + 1 + (header ? 1 : 0)}, column ${c + 1}: "${records[r][c]}" is not a number`);
      }
      data[r * cols + c] = value;
    }
  }
  return header ? { shape: [rows, cols], data, header } : { shape: [rows, cols], data };
}

/** Writes a row-major matrix with a header row; numbers in shortest round-trip form. */
export function writeCsv(header: readonly string[], matrix: NumericArray): string {
  const [rows, cols] = matrix.shape.length === 1 ? [matrix.shape[0], 1] : matrix.shape;
  if (matrix.shape.length > 2 || cols !== header.length || rows * cols !== matrix.data.length) {
    throw new RangeError(`writeCsv: ${header.length} column names for a matrix of shape (${matrix.shape.join(', ')})`);
  }
  const lines = [header.map(quoteField).join(',')];
  for (let r = 0; r < rows; r++) {
    const fields = new Array<string>(cols);
    for (let c = 0; c < cols; c++) fields[c] = formatNumber(matrix.data[r * cols + c]);
    lines.push(fields.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Shortest round-trip text; -0, NaN and ±inf spelled as NumPy writes and reads them. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return Object.is(x, -0) ? '-0' : String(x);
}

function quoteField(name: string): string {
  return /[",\n\r;\t]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

/** A CSV of mixed text and number columns (text quoted when needed, numbers as in writeCsv). */
export function writeCsvRows(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const field = (x: string | number | null) => (x === null ? '' : typeof x === 'number' ? formatNumber(x) : quoteField(x));
  return [header.map(quoteField).join(','), ...rows.map((r) => r.map(field).join(','))].join('\n') + '\n';
}
