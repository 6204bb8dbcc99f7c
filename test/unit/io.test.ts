import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy, FileFormatError } from '../../server/src/io/npy';
import { readNpz, writeNpz } from '../../server/src/io/npz';
import { readCsvMatrix, writeCsv } from '../../server/src/io/csv';

const python = (script: string) => execFileSync('python3', ['-c', script], { encoding: 'utf8' });

test('npy round trip keeps shape and every float64 bit', () => {
  const data = new Float64Array([0, -0, 1e-310, Math.PI, -1e300, NaN, Infinity, 1 / 3]);
  const back = readNpy(writeNpy({ shape: [2, 4], data }));
  assert.deepEqual(back.shape, [2, 4]);
  assert.deepEqual(new Uint8Array(back.data.buffer), new Uint8Array(data.buffer));
  assert.deepEqual(readNpy(writeNpy({ shape: [], data: new Float64Array([5]) })).shape, []);
  assert.deepEqual(readNpy(writeNpy({ shape: [3], data: new Float64Array(3) })).shape, [3]);
});

test('npy header is 64-byte aligned and shape mismatches are refused', () => {
  const bytes = writeNpy({ shape: [1, 1], data: new Float64Array([2]) });
  assert.equal((bytes.length - 8) % 64, 0);
  assert.throws(() => writeNpy({ shape: [2, 2], data: new Float64Array(3) }), RangeError);
});

test('npy written here loads in NumPy with the same values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crit-io-'));
  try {
    const data = Float64Array.from({ length: 12 }, (_, i) => i / 7 - 1);
    writeFileSync(join(dir, 'a.npy'), writeNpy({ shape: [3, 4], data }));
    writeFileSync(join(dir, 'z.npz'), writeNpz({ W0: { shape: [3, 4], data }, b0: { shape: [3], data: new Float64Array([1, 2, 3]) } }));
    const out = python(`
import numpy as np
a = np.load('${dir}/a.npy'); z = np.load('${dir}/z.npz')
assert a.dtype == np.float64 and a.shape == (3, 4) and a.flags['C_CONTIGUOUS']
assert np.array_equal(a, (np.arange(12) / 7 - 1).reshape(3, 4))
assert sorted(z.files) == ['W0', 'b0'] and np.array_equal(z['W0'], a) and list(z['b0']) == [1, 2, 3]
print('ok')`);
    assert.equal(out.trim(), 'ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reads NumPy dtypes, Fortran order and header versions 1, 2, 3', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crit-io-'));
  try {
    python(`
import numpy as np
from numpy.lib import format as F
base = np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 5
for name, arr in {'f8': base, 'f4': base.astype('<f4'), 'i8': base.astype('<i8'), 'i4': base.astype('<i4'),
                  'bf8': base.astype('>f8'), 'u1': (base + 5).astype('u1'),
                  'fortran': np.asfortranarray(base), 'fortran_f4': np.asfortranarray(base.astype('<f4'))}.items():
    np.save('${dir}/' + name + '.npy', arr)
for v in [(1, 0), (2, 0), (3, 0)]:
    with open('${dir}/v%d.npy' % v[0], 'wb') as f:
        F.write_array(f, base, version=v)
np.savez('${dir}/plain.npz', X=base[0], Y=base[1, :, :1])
np.savez_compressed('${dir}/compressed.npz', X=base[0])
np.save('${dir}/bool.npy', base > 0)
`);
    const expected = Float64Array.from({ length: 24 }, (_, i) => i - 5);
    for (const name of ['f8', 'f4', 'i8', 'i4', 'bf8', 'fortran', 'fortran_f4', 'v1', 'v2', 'v3']) {
      const a = readNpy(readFileSync(join(dir, `${name}.npy`)));
      assert.deepEqual(a.shape, [2, 3, 4], name);
      assert.deepEqual(a.data, expected, name);
    }
    assert.deepEqual(readNpy(readFileSync(join(dir, 'u1.npy'))).data, expected.map((v) => v + 5));
    assert.deepEqual(readNpy(readFileSync(join(dir, 'bool.npy'))).data, expected.map((v) => (v > 0 ? 1 : 0)));
    for (const file of ['plain.npz', 'compressed.npz']) {
      const z = readNpz(readFileSync(join(dir, file)));
      assert.deepEqual(z.get('X'), { shape: [3, 4], data: expected.slice(0, 12) }, file);
    }
    assert.deepEqual(readNpz(readFileSync(join(dir, 'plain.npz'))).get('Y')?.shape, [3, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('broken .npy and .npz bytes give FileFormatError with a reason', () => {
  const good = writeNpy({ shape: [4, 4], data: new Float64Array(16) });
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /magic/],
    [new TextEncoder().encode('hello world, not numpy'), /magic/],
    [good.subarray(0, 20), /truncated/],
    [good.subarray(0, good.length - 1), /truncated .npy data/],
    [replaceHeader(good, "'<f8'", "'|O8'"), /object arrays are refused/],
    [replaceHeader(good, '(4, 4)', '(9999999999, 99999999)'), /truncated .npy data/],
  ];
  for (const [bytes, message] of cases) assert.throws(() => readNpy(bytes), (e: unknown) => e instanceof FileFormatError && message.test(e.message));
  assert.throws(() => readNpz(new Uint8Array([1, 2, 3, 4, 5])), FileFormatError);
  assert.throws(() => readNpz(Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256)), FileFormatError);
  const npz = writeNpz({ X: { shape: [100], data: new Float64Array(100) } });
  assert.throws(() => readNpz(npz, { maxBytes: 100 }), /refused/);
  assert.throws(() => readNpz(npz.subarray(0, npz.length - 30)), FileFormatError);
});

test('csv: header detection, comments, separators, errors with row and column', () => {
  const m = readCsvMatrix('# from np.savetxt\nx1,x2,y1\r\n1,2.5e-3,-3\n4,.5,inf\n\n');
  assert.deepEqual(m.header, ['x1', 'x2', 'y1']);
  assert.deepEqual(m.shape, [2, 3]);
  assert.deepEqual(m.data, new Float64Array([1, 0.0025, -3, 4, 0.5, Infinity]));
  const noHeader = readCsvMatrix(new TextEncoder().encode('1;2\n3;4\n'));
  assert.equal(noHeader.header, undefined);
  assert.deepEqual(noHeader.data, new Float64Array([1, 2, 3, 4]));
  assert.deepEqual(readCsvMatrix('1\t2\n3\t4').shape, [2, 2]);
  assert.throws(() => readCsvMatrix('a,b\n1,2\n3,x\n'), /row 3, column 2: "x" is not a number/);
  assert.throws(() => readCsvMatrix('1,2\n3\n'), FileFormatError);
  assert.throws(() => readCsvMatrix(''), /no rows/);
  assert.throws(() => readCsvMatrix('a,b\n'), /no data rows/);
  assert.throws(() => readCsvMatrix(new Uint8Array([0, 1, 2, 255])), /NUL/);
});

test('csv round trip is exact and NumPy reads the file', () => {
  const data = new Float64Array([0.1, -2e-17, 123456789.125, 1 / 3, Math.E, -0]);
  const text = writeCsv(['x1', 'y1'], { shape: [3, 2], data });
  const back = readCsvMatrix(text);
  assert.deepEqual(back.header, ['x1', 'y1']);
  assert.deepEqual(back.data, data);
  const dir = mkdtempSync(join(tmpdir(), 'crit-io-'));
  try {
    writeFileSync(join(dir, 'm.csv'), text);
    const out = python(`
import numpy as np
m = np.loadtxt('${dir}/m.csv', delimiter=',', skiprows=1)
print(repr(m.ravel().tolist()))`);
    assert.equal(out.trim(), '[0.1, -2e-17, 123456789.125, 0.3333333333333333, 2.718281828459045, -0.0]');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => writeCsv(['a'], { shape: [1, 2], data: new Float64Array(2) }), RangeError);
});

function replaceHeader(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const text = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + (bytes[8] | (bytes[9] << 8))));
  const replaced = text.replace(from, to);
  const header = replaced.length <= text.length ? replaced + ' '.repeat(text.length - replaced.length) : replaced.slice(0, text.length);
  const out = bytes.slice();
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}
