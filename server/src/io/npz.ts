/**
 * NumPy .npz archives (a zip of .npy members, as np.savez / np.savez_compressed write them).
 * Array names are the member names without '.npy'.
 */
import { unzipSync, zipSync } from 'fflate';
import { FileFormatError, readNpy, writeNpy, type NumericArray } from './npy';

/** Refuse archives whose members declare more than this many uncompressed bytes (zip bombs). */
export const DEFAULT_MAX_NPZ_BYTES = 1024 * 1024 * 1024;

export function readNpz(bytes: Uint8Array, opts: { maxBytes?: number } = {}): Map<string, NumericArray> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_NPZ_BYTES;
  let declared = 0;
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (file) => {
        declared += file.originalSize;
        if (declared > maxBytes) throw new FileFormatError(`.npz members add up to more than ${maxBytes} bytes; refused`);
        return file.name.endsWith('.npy');
      },
    });
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`not a readable .npz (zip) archive: ${(e as Error).message}`);
  }
  const arrays = new Map<string, NumericArray>();
  for (const [name, member] of Object.entries(members)) {
    const key = name.slice(0, -'.npy'.length);
    try {
      arrays.set(key, readNpy(member));
    } catch (e) {
      throw new FileFormatError(`array '${key}' in the .npz: ${(e as Error).message}`);
    }
  }
  return arrays;
}

/** Writes an uncompressed archive (like np.savez), members in the given order. */
export function writeNpz(arrays: Iterable<[string, NumericArray]> | Record<string, NumericArray>): Uint8Array {
  const entries = Symbol.iterator in arrays ? [...arrays] : Object.entries(arrays);
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, array] of entries) files[`${name}.npy`] = [writeNpy(array), { level: 0 }];
  return zipSync(files);
}
