/**
 * NumPy .npy files (format versions 1, 2 and 3) as pure functions over bytes.
 * Reading accepts little- and big-endian floats, signed and unsigned integers and booleans in C or
 * Fortran order, and always returns float64 in C (row-major) order. Writing emits '<f8' C order.
 * Object arrays (pickles) are refused: the files are untrusted.
 */

/** A dense n-dimensional float64 array, row-major. shape [] is a scalar (one element). */
export interface NumericArray {
  shape: number[];
  data: Float64Array;
}

/** A file that is not a readable .npy/.npz/.csv; the message says what is wrong for a user. */
export class FileFormatError extends Error {
  override readonly name = 'FileFormatError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PREAMBLE_V1 = 10; // magic (6) + version (2) + uint16 header length
const PREAMBLE_V2 = 12; // magic (6) + version (2) + uint32 header length
const HEADER_ALIGNMENT = 64;

interface Descr {
  kind: 'f' | 'i' | 'u' | 'b';
  size: number;
  littleEndian: boolean;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function readNpy(bytes: Uint8Array): NumericArray {
  if (bytes.length < PREAMBLE_V1 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FileFormatError('not a NumPy .npy file (the magic string \\x93NUMPY is missing)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = PREAMBLE_V1;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < PREAMBLE_V2) throw new FileFormatError('truncated .npy header');
    headerStart = PREAMBLE_V2;
    headerLength = view.getUint32(8, true);
  } else {
    throw new FileFormatError(`unsupported .npy format version ${major}.${bytes[7]} (1, 2 and 3 are supported)`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new FileFormatError('truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(header);

  const count = elementCount(shape);
  const expectedBytes = count * descr.size;
  const available = bytes.length - dataStart;
  if (available < expectedBytes) {
    throw new FileFormatError(
      `truncated .npy data: shape (${shape.join(', ')}) needs ${expectedBytes} bytes, the file has ${available}`,
    );
  }
  const values = decodeValues(view, dataStart, count, descr);
  return { shape, data: fortranOrder ? fortranToC(values, shape) : values };
}

export function writeNpy(array: NumericArray): Uint8Array {
  const count = elementCount(array.shape);
  if (count !== array.data.length) {
    throw new RangeError(`shape (${array.shape.join(', ')}) has ${count} elements, data has ${array.data.length}`);
  }
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary; the header ends with '\n'.
  const useV2 = PREAMBLE_V1 + dict.length + 1 > 0xffff;
  const preamble = useV2 ? PREAMBLE_V2 : PREAMBLE_V1;
  const padded = Math.ceil((preamble + dict.length + 1) / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  const header = dict + ' '.repeat(padded - preamble - dict.length - 1) + '\n';
  const out = new Uint8Array(padded + count * 8);
  out.set(MAGIC, 0);
  out[6] = useV2 ? 2 : 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (useV2) view.setUint32(8, header.length, true);
  else view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i++) view.setFloat64(padded + 8 * i, array.data[i], true);
  return out;
}

function parseHeader(header: string): { descr: Descr; fortranOrder: boolean; shape: number[] } {
  const descrMatch = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const orderMatch = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrMatch || !orderMatch || !shapeMatch) {
    // Structured dtypes put a list in 'descr'; that and anything else unparsable lands here.
    throw new FileFormatError('unreadable .npy header (expected a plain numeric dtype, fortran_order and shape)');
  }
  const shape = shapeMatch[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      // NumPy 1.x writes shape entries as plain integers; some writers add an 'L' suffix.
      if (!/^\d+L?$/.test(s)) throw new FileFormatError(`bad .npy shape entry "${s}"`);
      const n = Number(s.replace('L', ''));
      if (!Number.isSafeInteger(n)) throw new FileFormatError(`.npy shape entry ${s} is too large`);
      return n;
    });
  return { descr: parseDescr(descrMatch[1]), fortranOrder: orderMatch[1] === 'True', shape };
}

function parseDescr(text: string): Descr {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(text);
  const kind = m?.[2] as Descr['kind'] | undefined;
  const size = Number(m?.[3]);
  const supported =
    kind !== undefined &&
    ((kind === 'f' && (size === 4 || size === 8)) ||
      ((kind === 'i' || kind === 'u') && [1, 2, 4, 8].includes(size)) ||
      (kind === 'b' && size === 1));
  if (!m || !supported || kind === undefined) {
    throw new FileFormatError(
      `unsupported .npy dtype '${text}' (float32/64, integers and booleans are supported; object arrays are refused)`,
    );
  }
  // '=' is native order; every platform NumPy writes '=' on in practice is little-endian.
  return { kind, size, littleEndian: m[1] !== '>' };
}

function decodeValues(view: DataView, start: number, count: number, d: Descr): Float64Array {
  const out = new Float64Array(count);
  const le = d.littleEndian;
  const read = valueReader(view, d);
  for (let i = 0, at = start; i < count; i++, at += d.size) out[i] = read(at, le);
  return out;
}

function valueReader(view: DataView, d: Descr): (at: number, le: boolean) => number {
  switch (`${d.kind}${d.size}`) {
    case 'f8': return (at, le) => view.getFloat64(at, le);
    case 'f4': return (at, le) => view.getFloat32(at, le);
    case 'i8': return (at, le) => Number(view.getBigInt64(at, le));
    case 'i4': return (at, le) => view.getInt32(at, le);
    case 'i2': return (at, le) => view.getInt16(at, le);
    case 'i1': return (at) => view.getInt8(at);
    case 'u8': return (at, le) => Number(view.getBigUint64(at, le));
    case 'u4': return (at, le) => view.getUint32(at, le);
    case 'u2': return (at, le) => view.getUint16(at, le);
    default: return (at) => view.getUint8(at); // u1 and b1
  }
}

/** Reorders column-major (Fortran) values into row-major order for the same shape. */
function fortranToC(values: Float64Array, shape: number[]): Float64Array {
  if (shape.length < 2) return values;
  const out = new Float64Array(values.length);
  const n = shape.length;
  const index = new Array<number>(n).fill(0);
  // Walk C order; track the matching Fortran offset incrementally.
  const fortranStride = new Array<number>(n);
  fortranStride[0] = 1;
  for (let k = 1; k < n; k++) fortranStride[k] = fortranStride[k - 1] * shape[k - 1];
  let fortranOffset = 0;
  for (let c = 0; c < values.length; c++) {
    out[c] = values[fortranOffset];
    for (let k = n - 1; k >= 0; k--) {
      index[k]++;
      fortranOffset += fortranStride[k];
      if (index[k] < shape[k]) break;
      fortranOffset -= fortranStride[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}
