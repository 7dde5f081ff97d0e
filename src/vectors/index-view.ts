/**
 * Two ways to reach a store file's bytes:
 *   ResidentIndex  typed-array views over the whole file in memory
 *   PagedFile      pages (16 KiB by default) read from a RandomAccessSource on first touch and kept (up to a byte
 *                  budget; past it pages are read for the call and dropped). Opening costs
 *                  O(1) for any vocabulary size; the pages lookups touch are read once, then
 *                  served from memory, so a small store ends up fully resident and a 3 GB
 *                  one keeps its hot words.
 * Both answer the lookups' questions about the index region (hash table, word offsets, word
 * pool) through IndexView; positions there are relative to tableOffset.
 */
import { VectorStoreError } from './errors.js';
import { PAGE_BYTES } from './format.js';
import type { RandomAccessSource } from './source.js';

export interface IndexView {
  /** table[slot]: 0 = empty, else word index + 1. */
  slot(slot: number): number;
  /** offsets[row]: start of word `row` in the pool. */
  offset(row: number): number;
  /** The CRC-32 of vector row `row`'s stored bytes. */
  rowCrc(row: number): number;
  /** True when pool[start, start + len) equals key[0, len). */
  equals(start: number, key: Uint8Array, len: number): boolean;
  /** A copy of pool[start, end). */
  bytes(start: number, end: number): Uint8Array;
}

/** Index views over the file's bytes in memory. */
export class ResidentIndex implements IndexView {
  private readonly table: Uint32Array; // (tableSlots)
  private readonly offsets: Uint32Array; // (count + 1)
  private readonly rowCrcs: Uint32Array; // (count)
  private readonly pool: Uint8Array; // (poolBytes)
  /**
   * @param region bytes [tableOffset, poolOffset + poolBytes) or longer; byteOffset a multiple of 4
   * @param slots hash table slots
   * @param count words
   * @param poolBytes bytes of the word pool
   */
  constructor(region: Uint8Array, slots: number, count: number, poolBytes: number) {
    this.table = new Uint32Array(region.buffer, region.byteOffset, slots);
    this.offsets = new Uint32Array(region.buffer, region.byteOffset + 4 * slots, count + 1);
    this.rowCrcs = new Uint32Array(region.buffer, region.byteOffset + 4 * slots + 4 * (count + 1), count);
    const poolAt = 4 * slots + 8 * count + 4;
    this.pool = region.subarray(poolAt, poolAt + poolBytes);
  }
  slot(slot: number): number {
    return this.table[slot];
  }
  offset(row: number): number {
    return this.offsets[row];
  }
  rowCrc(row: number): number {
    return this.rowCrcs[row];
  }
  equals(start: number, key: Uint8Array, len: number): boolean {
    const pool = this.pool;
    let j = 0;
    while (j < len && pool[start + j] === key[j]) j++;
    return j === len;
  }
  bytes(start: number, end: number): Uint8Array {
    return this.pool.slice(start, end);
  }
}

/** A file read page by page on demand, with the pages kept in memory. */
export class PagedFile {
  /** Pages read from disk so far. */
  pagesRead = 0;
  /** Bytes of pages held. */
  bytesCached = 0;
  private readonly dir: ((Uint8Array | undefined)[] | undefined)[]; // pages in groups of 1024: O(1) to create
  // once the budget is spent: a ring of 4 recent pages, so sequential scans (and a lookup's
  // table / offsets / pool / vector pages) still read each page once
  private spares: { p: number; buf: Uint8Array }[] | undefined;
  private nextSpare = 0;

  private source: RandomAccessSource | undefined;
  private readonly size: number;
  private readonly name: string;
  private readonly pageBytes: number;

  /**
   * @param source the file (owned by the caller)
   * @param budget bytes of pages to keep (default 64 MiB)
   * @param pageBytes the read unit, a power of two (default PAGE_BYTES, 16 KiB: the grid the
   *                  index page CRCs are on, so a paged index needs it; an HTTP store with a
   *                  resident index reads smaller pages)
   */
  constructor(
    source: RandomAccessSource,
    private readonly budget = 64 * 2 ** 20,
    pageBytes = PAGE_BYTES,
  ) {
    if (!(pageBytes >= 4 && (pageBytes & (pageBytes - 1)) === 0))
      throw new VectorStoreError('VECTORS_ARGS', source.name, `page size ${pageBytes} is not a power of two >= 4`);
    this.source = source;
    this.size = source.size;
    this.name = source.name;
    this.pageBytes = pageBytes;
    this.dir = new Array(Math.ceil(source.size / pageBytes / 1024));
  }

  /** Run on every page read from disk, before it is used or kept: throws when the page is damaged. */
  verifyPage: ((page: number, bytes: Uint8Array) => void) | undefined;

  /** Stops reading (the file was closed). */
  detach(): void {
    this.source = undefined;
  }

  private page(p: number): Uint8Array {
    const PAGE = this.pageBytes;
    if (!(p >= 0 && p * PAGE < this.size)) throw this.outside(p * PAGE, 1);
    const group = this.dir[p >>> 10];
    const have = group?.[p & 1023];
    if (have) return have;
    const len = Math.min(PAGE, this.size - p * PAGE);
    const keep = this.bytesCached + len <= this.budget;
    let spare: { p: number; buf: Uint8Array } | undefined;
    if (!keep) {
      const spares = (this.spares ??= Array.from({ length: 4 }, () => ({ p: -1, buf: new Uint8Array(PAGE) })));
      for (const s of spares) if (s.p === p) return s.buf.subarray(0, len);
      spare = spares[this.nextSpare++ & 3];
      spare.p = -1;
    }
    const source = this.source;
    if (source === undefined) throw new VectorStoreError('VECTORS_ARGS', this.name, 'store is closed');
    const buf = spare ? spare.buf.subarray(0, len) : new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = source.read(buf, done, len - done, p * PAGE + done);
      if (n === 0) throw new VectorStoreError('VECTORS_CORRUPT', this.name, `truncated: file ended at byte ${p * PAGE + done}`);
      done += n;
    }
    this.pagesRead++;
    this.verifyPage?.(p, buf);
    if (spare) spare.p = p;
    else {
      (this.dir[p >>> 10] ??= new Array(1024))[p & 1023] = buf;
      this.bytesCached += len;
    }
    return buf;
  }

  /** A typed error for a read of [pos, pos + len) that does not lie inside the file. */
  private outside(pos: number, len: number): VectorStoreError {
    return new VectorStoreError(
      'VECTORS_CORRUPT',
      this.name,
      `read of bytes [${pos}, ${pos + len}) outside the ${this.size}-byte file: an offset in it is damaged`,
    );
  }

  /** Little-endian u32 at a 4-aligned position (never crosses a page). */
  u32(pos: number): number {
    if (!(pos >= 0 && pos + 4 <= this.size && pos % 4 === 0)) throw this.outside(pos, 4);
    const b = this.page(Math.floor(pos / this.pageBytes));
    const o = pos & (this.pageBytes - 1);
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  }

  /** True when bytes [pos, pos + len) equal key[0, len). */
  equals(pos: number, key: Uint8Array, len: number): boolean {
    if (!(pos >= 0 && len >= 0 && pos + len <= this.size)) throw this.outside(pos, len);
    for (let j = 0; j < len; ) {
      const b = this.page(Math.floor(pos / this.pageBytes));
      const o = pos & (this.pageBytes - 1);
      const n = Math.min(len - j, b.length - o);
      for (let k = 0; k < n; k++) if (b[o + k] !== key[j + k]) return false;
      j += n;
      pos += n;
    }
    return true;
  }

  /** Copies bytes [pos, pos + len) into out[outOff, outOff + len). */
  copy(pos: number, out: Uint8Array, outOff: number, len: number): void {
    if (!(pos >= 0 && len >= 0 && pos + len <= this.size)) throw this.outside(pos, len);
    for (let j = 0; j < len; ) {
      const b = this.page(Math.floor(pos / this.pageBytes));
      const o = pos & (this.pageBytes - 1);
      const n = Math.min(len - j, b.length - o);
      out.set(b.subarray(o, o + n), outOff + j);
      j += n;
      pos += n;
    }
  }
}

/** Index views through a PagedFile. */
export class PagedIndex implements IndexView {
  private readonly offsetsAt: number;
  private readonly rowCrcsAt: number;
  private readonly poolAt: number;
  /**
   * @param file the store file
   * @param tableOffset file position of the hash table
   * @param slots hash table slots
   * @param count words
   */
  constructor(
    private readonly file: PagedFile,
    private readonly tableOffset: number,
    slots: number,
    count: number,
  ) {
    this.offsetsAt = tableOffset + 4 * slots;
    this.rowCrcsAt = this.offsetsAt + 4 * (count + 1);
    this.poolAt = this.rowCrcsAt + 4 * count;
  }
  slot(slot: number): number {
    return this.file.u32(this.tableOffset + 4 * slot);
  }
  offset(row: number): number {
    return this.file.u32(this.offsetsAt + 4 * row);
  }
  rowCrc(row: number): number {
    return this.file.u32(this.rowCrcsAt + 4 * row);
  }
  equals(start: number, key: Uint8Array, len: number): boolean {
    return this.file.equals(this.poolAt + start, key, len);
  }
  bytes(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    this.file.copy(this.poolAt + start, out, 0, end - start);
    return out;
  }
}
