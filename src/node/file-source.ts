/**
 * A store file on disk as the engine's RandomAccessSource: positional reads with
 * fs.readSync on one open descriptor. The Node side of src/vectors/source.ts.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { VectorStoreError } from '../vectors/errors.js';
import type { RandomAccessSource } from '../vectors/source.js';

/**
 * Opens a file for positional reads.
 * @param path the file
 * @param name for messages (default: the path)
 */
export function openFileSource(path: string, name = path): RandomAccessSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new VectorStoreError('VECTORS_NOT_FOUND', name, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (e) {
    closeSync(fd);
    throw new VectorStoreError('VECTORS_NOT_FOUND', name, `cannot read its size: ${(e as Error).message}`, { cause: e });
  }
  let open = true;
  return {
    name,
    size,
    read: (buf, off, len, pos) => {
      if (!open) throw new VectorStoreError('VECTORS_ARGS', name, 'store is closed');
      return readSync(fd, buf, off, len, pos);
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
