/**
 * The embedded store: opens a `.tcv` file (see format.ts) without reading every vector or
 * building a JS Map. Lookups hash the token's UTF-8 bytes into the file's own hash table.
 * Plain TS; only node:fs.
 *
 * Two ways to hold the vectors, chosen at open:
 *   'memory'  the whole file in one buffer; vectors are Float32Array / Uint16Array views
 *   'lazy'    only header + hash table + offsets + word pool in memory (O(words) bytes, no
 *             per-word work); each looked-up row is read by position (fs.readSync) on demand
 * 'auto' (default) picks 'memory' for files up to `preloadBytes` (64 MiB), so the default
 * 10k-word stores are fully resident and a 3 GB GoogleNews store opens in milliseconds.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { VectorStoreError } from './errors.js';
import { decodeHeader, dtypeBytes, HEADER_BYTES, type StoreHeader, type VectorDtype } from './format.js';
import { halfTable } from './half.js';
import { crc32, fnv1a, KeyEncoder } from './hash.js';
import { outputMatrix, type EmbedOptions, type Embedding, type VectorSource } from './store.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('tinycnn vector stores need a little-endian host');
}

export interface EmbeddedStoreOptions {
  /** Name used in errors (default: the path, or '<bytes>'). */
  name?: string;
  /** 'auto' (default), 'memory' or 'lazy'; ignored (always memory) when bytes are given. */
  vectors?: 'auto' | 'memory' | 'lazy';
  /** 'auto' loads files up to this size fully. Default 64 MiB. */
  preloadBytes?: number;
  /** Check the body CRC-32 at open (reads everything; for tools and tests, not for INIT). */
  verify?: boolean;
}

/**
 * Opens a store file or buffer.
 * @param pathOrBytes a `.tcv` path, or its bytes (viewed zero-copy when 8-byte aligned)
 * @param options see EmbeddedStoreOptions
 */
export function openEmbeddedStore(pathOrBytes: string | Uint8Array, options: EmbeddedStoreOptions = {}): EmbeddedStore {
  if (typeof pathOrBytes !== 'string') {
    let bytes = pathOrBytes;
    if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
    return new EmbeddedStore(options.name ?? '<bytes>', bytes, bytes.length, -1, options.verify ?? false);
  }
  const name = options.name ?? pathOrBytes;
  let fd: number;
  try {
    fd = openSync(pathOrBytes, 'r');
  } catch (e) {
    throw new VectorStoreError('VECTORS_NOT_FOUND', name, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    const mode = options.vectors ?? 'auto';
    const memory = mode === 'memory' || (mode === 'auto' && size <= (options.preloadBytes ?? 64 * 2 ** 20));
    if (memory) {
      const bytes = readAt(fd, 0, size, name);
      closeSync(fd);
      return new EmbeddedStore(name, bytes, size, -1, options.verify ?? false);
    }
    return new EmbeddedStore(name, readAt(fd, 0, Math.min(size, HEADER_BYTES), name), size, fd, options.verify ?? false);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    throw e;
  }
}

/** Reads [pos, pos + len) fully into a fresh, 8-byte-aligned buffer. */
function readAt(fd: number, pos: number, len: number, name: string, into?: Uint8Array): Uint8Array {
  const buf = into ?? new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const n = readSync(fd, buf, done, len - done, pos + done);
    if (n === 0) throw new VectorStoreError('VECTORS_CORRUPT', name, `truncated: unexpected end of file at byte ${pos + done}`);
    done += n;
  }
  return buf;
}

export class EmbeddedStore implements VectorSource {
  readonly name: string;
  readonly dim: number;
  /** Number of words. */
  readonly size: number;
  readonly dtype: VectorDtype;
  /** Row of "<unk>" (used for unknown words), or -1 (zeros). */
  readonly unkRow: number;
  /** How vectors are held. */
  readonly mode: 'memory' | 'lazy';
  readonly header: StoreHeader;
  private readonly table: Uint32Array; // (tableSlots) word index + 1, 0 = empty
  private readonly offsets: Uint32Array; // (count + 1) byte offsets into pool
  private readonly pool: Uint8Array; // (poolBytes) UTF-8 words
  private readonly metaBytes: Uint8Array;
  private readonly f32: Float32Array | undefined; // (count, dim), memory mode
  private readonly f16: Uint16Array | undefined; // (count, dim), memory mode
  private fd: number; // lazy mode, else -1
  private readonly row: Uint8Array; // (dim * bytes) lazy-mode read buffer
  private readonly rowView: Float32Array | Uint16Array; // (dim) view of `row`
  private readonly key = new KeyEncoder();
  private readonly mask: number;

  /** Use openEmbeddedStore(). `bytes` is the whole file (fd = -1) or its first 128 bytes. */
  constructor(name: string, bytes: Uint8Array, fileBytes: number, fd: number, verify: boolean) {
    this.name = name;
    const h = (this.header = decodeHeader(bytes, fileBytes, name));
    this.dim = h.dim;
    this.size = h.count;
    this.dtype = h.dtype;
    this.unkRow = h.unkIndex;
    this.mask = h.tableSlots - 1;
    this.fd = fd;
    this.mode = fd < 0 ? 'memory' : 'lazy';
    const rowBytes = h.dim * dtypeBytes(h.dtype);
    this.row = new Uint8Array(fd < 0 ? 0 : rowBytes);
    this.rowView = h.dtype === 'f32' ? new Float32Array(this.row.buffer) : new Uint16Array(this.row.buffer);
    let index: Uint8Array; // [tableOffset, fileBytes)
    if (fd < 0) {
      index = bytes.subarray(h.tableOffset);
      const vec = bytes.subarray(h.vectorsOffset, h.vectorsOffset + h.count * rowBytes);
      this.f32 = h.dtype === 'f32' ? new Float32Array(vec.buffer, vec.byteOffset, h.count * h.dim) : undefined;
      this.f16 = h.dtype === 'f16' ? new Uint16Array(vec.buffer, vec.byteOffset, h.count * h.dim) : undefined;
      this.metaBytes = bytes.subarray(h.metaOffset, h.metaOffset + h.metaBytes);
    } else {
      index = readAt(fd, h.tableOffset, h.fileBytes - h.tableOffset, name);
      this.metaBytes = readAt(fd, h.metaOffset, h.metaBytes, name);
    }
    const base = index.byteOffset;
    this.table = new Uint32Array(index.buffer, base, h.tableSlots);
    this.offsets = new Uint32Array(index.buffer, base + (h.offsetsOffset - h.tableOffset), h.count + 1);
    this.pool = index.subarray(h.poolOffset - h.tableOffset);
    if (this.offsets[0] !== 0 || this.offsets[h.count] !== h.poolBytes) {
      throw new VectorStoreError('VECTORS_CORRUPT', name, `word offsets do not span the ${h.poolBytes}-byte pool`);
    }
    if (verify) this.verify(fd < 0 ? bytes : undefined);
  }

  /** The metadata object stored by the converter (source, seed, licence, ...). */
  metadata(): Record<string, string> {
    if (this.metaBytes.length === 0) return {};
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(this.metaBytes)) as Record<string, string>;
    } catch (e) {
      throw new VectorStoreError('VECTORS_CORRUPT', this.name, 'metadata is not valid UTF-8 JSON', { cause: e });
    }
  }

  /**
   * Row of a word, or -1. Allocation-free for ASCII words.
   * @param word exact vocabulary key (case-sensitive)
   */
  indexOf(word: string): number {
    const len = this.key.encode(word);
    const key = this.key.bytes;
    const { table, offsets, pool } = this;
    let slot = fnv1a(key, len) & this.mask;
    for (let probes = 0; probes <= this.mask; probes++) {
      const v = table[slot];
      if (v === 0) return -1;
      const row = v - 1;
      if (row >= this.size) throw this.corrupt(`hash slot ${slot} points at word ${row} of ${this.size}`);
      const start = offsets[row];
      const end = offsets[row + 1];
      if (end < start || end > pool.length) throw this.corrupt(`word ${row} has bad offsets [${start}, ${end})`);
      if (end - start === len) {
        let j = 0;
        while (j < len && pool[start + j] === key[j]) j++;
        if (j === len) return row;
      }
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  /** True when the store has `word`. */
  has(word: string): boolean {
    return this.indexOf(word) >= 0;
  }

  /** The word of a row (0 <= row < size). */
  wordAt(row: number): string {
    return new TextDecoder().decode(this.pool.subarray(this.offsets[row], this.offsets[row + 1]));
  }

  /**
   * Copies row `row` as f32 into out[offset, offset + dim). Non-finite values -> VECTORS_CORRUPT.
   * @param row 0 <= row < size
   * @param out (>= offset + dim) destination
   * @param offset first element to write
   */
  vectorAt(row: number, out: Float32Array = new Float32Array(this.dim), offset = 0): Float32Array {
    const dim = this.dim;
    let src: Float32Array | Uint16Array;
    let base = row * dim;
    if (this.mode === 'lazy') {
      if (this.fd < 0) throw new VectorStoreError('VECTORS_ARGS', this.name, 'store is closed');
      const rowBytes = this.row.length;
      readAt(this.fd, this.header.vectorsOffset + row * rowBytes, rowBytes, this.name, this.row);
      src = this.rowView;
      base = 0;
    } else {
      src = (this.f32 ?? this.f16) as Float32Array | Uint16Array;
    }
    let bad = 0;
    if (src instanceof Float32Array) {
      for (let j = 0; j < dim; j++) {
        const x = src[base + j];
        bad |= x - x !== 0 ? 1 : 0;
        out[offset + j] = x;
      }
    } else {
      const lut = halfTable();
      for (let j = 0; j < dim; j++) {
        const x = lut[src[base + j]];
        bad |= x - x !== 0 ? 1 : 0;
        out[offset + j] = x;
      }
    }
    if (bad) throw this.corrupt(`vector ${row} holds NaN or infinity`, this.wordAt(row));
    return out;
  }

  /**
   * Synchronous lookup (the embedded store never waits).
   * @param tokens tokens (duplicates allowed)
   * @param out (>= tokens.length * dim) destination; a fresh array when omitted
   */
  lookup(tokens: readonly string[], out?: Float32Array): Embedding {
    const dim = this.dim;
    const matrix = outputMatrix(out, tokens.length, dim, this.name);
    const unknown: string[] = [];
    const unknownPositions: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const row = this.indexOf(tokens[i]);
      if (row >= 0) {
        this.vectorAt(row, matrix, i * dim);
        continue;
      }
      unknownPositions.push(i);
      if (!unknown.includes(tokens[i])) unknown.push(tokens[i]);
      if (this.unkRow >= 0) this.vectorAt(this.unkRow, matrix, i * dim);
      else matrix.fill(0, i * dim, (i + 1) * dim);
    }
    return { matrix, unknown, unknownPositions };
  }

  /** The common async interface (see VectorSource). */
  async embed(tokens: readonly string[], options: EmbedOptions = {}): Promise<Embedding> {
    if (options.signal?.aborted) throw new VectorStoreError('VECTORS_ABORTED', this.name, 'aborted by the caller');
    return this.lookup(tokens, options.out);
  }

  /** All words in row order (for converting and uploading). */
  *words(): IterableIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.wordAt(i);
  }

  /** Closes the file in lazy mode; lookups afterwards fail. */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -2;
  }

  /** Checks the body CRC-32 (reads the whole file). */
  verify(bytes?: Uint8Array): void {
    const h = this.header;
    let crc = 0;
    if (bytes) crc = crc32(bytes.subarray(HEADER_BYTES, h.fileBytes));
    else {
      const chunk = new Uint8Array(1 << 22);
      for (let pos = HEADER_BYTES; pos < h.fileBytes; pos += chunk.length) {
        const n = Math.min(chunk.length, h.fileBytes - pos);
        crc = crc32(readAt(this.fd, pos, n, this.name, chunk).subarray(0, n), crc);
      }
    }
    if (crc !== h.bodyCrc32) throw this.corrupt(`body checksum mismatch (crc32 ${crc.toString(16)}, header says ${h.bodyCrc32.toString(16)})`);
  }

  private corrupt(message: string, word?: string): VectorStoreError {
    return new VectorStoreError('VECTORS_CORRUPT', this.name, message, word === undefined ? {} : { word });
  }
}
