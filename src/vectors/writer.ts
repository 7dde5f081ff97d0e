/**
 * Writes a `.tcv` store (see format.ts) in one streaming pass: vectors go straight to their
 * final place in a temp file as words arrive; vocabulary (pool, offsets, hash table) is kept
 * in typed arrays (~ 15-25 bytes per word, not per float: bytes, offset, row CRC, hash slots)
 * and appended at the end with the index page CRCs (see format.ts); the
 * header is written last and the temp file renamed into place. Memory is O(words), never
 * O(vectors). Output is a pure function of the (word, vector) sequence: byte-reproducible.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { VectorStoreError } from './errors.js';
import { dtypeBytes, encodeHeader, HEADER_BYTES, indexPageRange, layout, UNK_WORD, type VectorDtype } from './format.js';
import { toHalfBits } from './half.js';
import { crc32 as crc32js, fnv1a, KeyEncoder } from './hash.js';

const nativeCrc = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const crc32 = nativeCrc ? (b: Uint8Array, prev = 0) => nativeCrc(b, prev) : crc32js;

const CHUNK_BYTES = 1 << 22;

export interface StoreWriterOptions {
  /** Vector width. */
  dim: number;
  /** Storage type: 'f32' exact, 'f16' half the size (round-to-nearest-even). */
  dtype: VectorDtype;
  /** String metadata saved as JSON (keys sorted), e.g. source and licence. */
  meta?: Record<string, string>;
}

export interface WriteSummary {
  path: string;
  /** Words written. */
  count: number;
  /** Words skipped because they appeared before. */
  duplicates: number;
  /** Row of "<unk>", or -1. */
  unkIndex: number;
  fileBytes: number;
}

export class StoreWriter {
  readonly dim: number;
  readonly dtype: VectorDtype;
  /** Words added so far (= next row). */
  count = 0;
  duplicates = 0;
  private unkIndex = -1;
  private readonly key = new KeyEncoder();
  private pool = new Uint8Array(1 << 16); // (poolBytes) UTF-8 words
  private poolBytes = 0;
  private offsets = new Uint32Array(1 << 12); // (count + 1)
  private rowCrcs = new Uint32Array(1 << 12); // (count) CRC-32 of each stored row
  private table = new Uint32Array(16); // (slots) word index + 1
  private readonly chunk = new Uint8Array(CHUNK_BYTES); // pending vector bytes
  private readonly chunkF32 = new Float32Array(this.chunk.buffer);
  private readonly chunkF16 = new Uint16Array(this.chunk.buffer);
  private fill = 0;
  private pos: number; // file position of chunk[0]
  private crc: number;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
    private readonly meta: Uint8Array,
    options: StoreWriterOptions,
  ) {
    this.dim = options.dim;
    this.dtype = options.dtype;
    this.pos = layout(this.dtype, this.dim, 0, 8, meta.length, 0).vectorsOffset;
    const head = new Uint8Array(this.pos - HEADER_BYTES); // meta + zero padding to 64
    head.set(meta);
    this.crc = crc32(head);
  }

  /**
   * Starts a store at `path` (written to `path.tmp-PID`, renamed by finish()).
   * @param path output file
   * @param options dim, dtype, metadata
   */
  static async create(path: string, options: StoreWriterOptions): Promise<StoreWriter> {
    if (!Number.isInteger(options.dim) || options.dim < 1 || options.dim > 65536) {
      throw new VectorStoreError('VECTORS_ARGS', path, `dim must be an integer in [1, 65536], got ${options.dim}`);
    }
    if (options.dtype !== 'f32' && options.dtype !== 'f16') {
      throw new VectorStoreError('VECTORS_ARGS', path, `dtype must be f32 or f16, got ${String(options.dtype)}`);
    }
    const meta = options.meta ?? {};
    const sorted: Record<string, string> = {};
    for (const k of Object.keys(meta).sort()) sorted[k] = String(meta[k]);
    const metaBytes = Object.keys(sorted).length ? new TextEncoder().encode(JSON.stringify(sorted)) : new Uint8Array(0);
    const tmp = `${path}.tmp-${process.pid}`;
    const fh = await open(tmp, 'w');
    return new StoreWriter(path, tmp, fh, metaBytes, options);
  }

  /**
   * Adds a word. Returns false (and writes nothing) when the word was added before.
   * @param word vocabulary key, non-empty
   * @param vector (dim) finite values
   */
  async add(word: string, vector: ArrayLike<number>): Promise<boolean> {
    const dim = this.dim;
    if (vector.length !== dim) {
      throw new VectorStoreError('VECTORS_INPUT_INVALID', this.path, `vector has ${vector.length} values, expected ${dim}`, { word });
    }
    const len = this.key.encode(word);
    if (len === 0) throw new VectorStoreError('VECTORS_INPUT_INVALID', this.path, 'empty word');
    const key = this.key.bytes;
    let slot = this.find(key, len);
    if (this.table[slot] !== 0) {
      this.duplicates++;
      return false;
    }
    for (let j = 0; j < dim; j++) {
      const x = vector[j];
      if (!Number.isFinite(x)) {
        throw new VectorStoreError('VECTORS_INPUT_INVALID', this.path, `value ${j} is ${x}`, { word });
      }
    }
    const rowBytes = dim * dtypeBytes(this.dtype);
    if (this.fill + rowBytes > CHUNK_BYTES) await this.flush();
    if (this.dtype === 'f32') {
      const o = this.fill >> 2;
      for (let j = 0; j < dim; j++) this.chunkF32[o + j] = vector[j];
    } else {
      const o = this.fill >> 1;
      for (let j = 0; j < dim; j++) this.chunkF16[o + j] = toHalfBits(vector[j]);
    }
    const rowCrc = crc32(this.chunk.subarray(this.fill, this.fill + rowBytes));
    this.fill += rowBytes;
    // vocabulary
    if (this.poolBytes + len > this.pool.length) this.pool = grow(this.pool, this.poolBytes + len);
    this.pool.set(key.subarray(0, len), this.poolBytes);
    const row = this.count++;
    if (this.count + 1 > this.offsets.length) this.offsets = grow(this.offsets, this.count + 1);
    if (this.count > this.rowCrcs.length) this.rowCrcs = grow(this.rowCrcs, this.count);
    this.rowCrcs[row] = rowCrc;
    this.offsets[row] = this.poolBytes;
    this.poolBytes += len;
    this.offsets[row + 1] = this.poolBytes;
    if (this.poolBytes > 0xffffffff) throw new VectorStoreError('VECTORS_ARGS', this.path, 'vocabulary exceeds 4 GiB of UTF-8');
    if (2 * this.count > this.table.length) {
      this.rehash(this.table.length * 2);
      slot = this.find(key, len);
    }
    this.table[slot] = row + 1;
    if (word === UNK_WORD) this.unkIndex = row;
    return true;
  }

  /** Writes vocabulary and header, renames into place. */
  async finish(): Promise<WriteSummary> {
    await this.flush();
    const { count, dim, dtype } = this;
    const slots = this.table.length;
    const L = layout(dtype, dim, count, slots, this.meta.length, this.poolBytes);
    const vectorsEnd = L.vectorsOffset + count * dim * dtypeBytes(dtype);
    const tail = new Uint8Array(L.fileBytes - vectorsEnd); // pad | table | offsets | row CRCs | pool | pad | page CRCs
    tail.set(new Uint8Array(this.table.buffer, 0, 4 * slots), L.tableOffset - vectorsEnd);
    tail.set(new Uint8Array(this.offsets.buffer, 0, 4 * (count + 1)), L.offsetsOffset - vectorsEnd);
    tail.set(new Uint8Array(this.rowCrcs.buffer, 0, 4 * count), L.rowCrcOffset - vectorsEnd);
    tail.set(this.pool.subarray(0, this.poolBytes), L.poolOffset - vectorsEnd);
    const pageCrcs = new Uint32Array(L.indexPages); // (indexPages)
    for (let p = 0; p < L.indexPages; p++) {
      const { begin, end } = indexPageRange(L.tableOffset, L.pageCrcOffset, p);
      pageCrcs[p] = crc32(tail.subarray(begin - vectorsEnd, end - vectorsEnd));
    }
    const pageCrcBytes = new Uint8Array(pageCrcs.buffer);
    tail.set(pageCrcBytes, L.pageCrcOffset - vectorsEnd);
    await this.write(tail, vectorsEnd);
    const header = encodeHeader({
      dtype,
      dim,
      count,
      tableSlots: slots,
      unkIndex: this.unkIndex,
      bodyCrc32: this.crc,
      indexCrc32: crc32(pageCrcBytes),
      metaOffset: L.metaOffset,
      metaBytes: this.meta.length,
      vectorsOffset: L.vectorsOffset,
      tableOffset: L.tableOffset,
      offsetsOffset: L.offsetsOffset,
      rowCrcOffset: L.rowCrcOffset,
      poolOffset: L.poolOffset,
      poolBytes: this.poolBytes,
      pageCrcOffset: L.pageCrcOffset,
      fileBytes: L.fileBytes,
    });
    const head = new Uint8Array(L.vectorsOffset);
    head.set(header);
    head.set(this.meta, HEADER_BYTES);
    await this.fh.write(head, 0, head.length, 0);
    await this.fh.close();
    this.closed = true;
    await rename(this.tmp, this.path);
    return { path: this.path, count, duplicates: this.duplicates, unkIndex: this.unkIndex, fileBytes: L.fileBytes };
  }

  /** Drops the temp file (after an error). */
  async abort(): Promise<void> {
    if (!this.closed) await this.fh.close().catch(() => undefined);
    this.closed = true;
    await rm(this.tmp, { force: true });
  }

  /** Slot holding key, or the empty slot where it belongs. */
  private find(key: Uint8Array, len: number): number {
    const { table, offsets, pool } = this;
    const mask = table.length - 1;
    let slot = fnv1a(key, len) & mask;
    for (;;) {
      const v = table[slot];
      if (v === 0) return slot;
      const start = offsets[v - 1];
      if (offsets[v] - start === len) {
        let j = 0;
        while (j < len && pool[start + j] === key[j]) j++;
        if (j === len) return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Re-inserts rows 0..count-1 in order: the table depends only on the final word order and size. */
  private rehash(slots: number): void {
    const table = new Uint32Array(slots);
    const mask = slots - 1;
    for (let row = 0; row < this.count; row++) {
      const start = this.offsets[row];
      let slot = fnv1a(this.pool, this.offsets[row + 1] - start, start) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = row + 1;
    }
    this.table = table;
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    await this.write(this.chunk.subarray(0, this.fill), this.pos);
    this.pos += this.fill;
    this.fill = 0;
  }

  private async write(bytes: Uint8Array, position: number): Promise<void> {
    this.crc = crc32(bytes, this.crc);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }
}

function grow<T extends Uint8Array | Uint32Array>(a: T, need: number): T {
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
