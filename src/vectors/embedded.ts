/**
 * The embedded store: opens a `.tcv` file (see format.ts) without reading every vector or
 * building a JS Map. Lookups hash the token's UTF-8 bytes into the file's own hash table.
 * Plain TS, no file access of its own: it reads bytes in memory, or a RandomAccessSource its
 * host opened (a file: src/node/files.ts; byte ranges over HTTP: src/vectors/http.ts).
 *
 * Two ways to hold the file, chosen at open:
 *   'paged'   (default) only the 128-byte header and the index page checksums (4 bytes per
 *             16 KiB of index) are read at open: O(1) in practice for any vocabulary size.
 *             Hash table, offsets, words and vectors are read in 16 KiB pages on first touch
 *             (each index page checked against its CRC as it is read) and kept (up to
 *             `cacheBytes`, 64 MiB), so a small store ends up resident and a 3.6 GB GoogleNews
 *             store keeps its hot words.
 *   'memory'  the whole file in memory (a Uint8Array argument), its index checked whole;
 *             index and vectors are typed-array views.
 * Either way a vector row is checked against its CRC the first time it is used, so damage
 * anywhere in the file is a VECTORS_CORRUPT error naming the file, never a wrong or silently
 * unknown word.
 */
import { VectorStoreError } from './errors.js';
import { crc32 } from './checksum.js';
import { decodeHeader, dtypeBytes, HEADER_BYTES, PAGE_BYTES, type StoreHeader, type VectorDtype } from './format.js';
import { bitsView, decodeHalfRow } from './half.js';
import { fnv1a, KeyEncoder } from './hash.js';
import { PagedFile, PagedIndex, ResidentIndex, type IndexView } from './index-view.js';
import { checkHashTable, checkIndexRegion, pageVerifier, readPageCrcs, RowChecks } from './integrity.js';
import type { RandomAccessSource } from './source.js';
import { outputMatrix, type EmbedOptions, type Embedding, type VectorSource } from './store.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('tinycnn vector stores need a little-endian host');
}

export interface EmbeddedStoreOptions {
  /** Name used in errors (default: the source's name, or '<bytes>'). */
  name?: string;
  /** Paged mode: bytes of pages to keep in memory. Default 64 MiB. */
  cacheBytes?: number;
  /**
   * Paged mode: the read unit, a power of two (default 16 KiB, the grid of the index page
   * CRCs). A smaller one needs the index resident (`residentIndexBytes` at least its size).
   */
  pageBytes?: number;
  /** Check every checksum at open: body, index pages, every vector row (reads everything; for tools and tests, not for INIT). */
  verify?: boolean;
  /**
   * Paged mode: when the index (hash table, word offsets and words: the file from tableOffset
   * to its end) is at most this many bytes, it is read whole at open, in one read, and words
   * are looked up in memory; the vectors stay paged. Default 0: the index is paged too. (The
   * default 10k-word stores have a 214 KB index: one read at INIT instead of ~15 page reads
   * and their interpreted page lookups on the first request of a fresh process.)
   */
  residentIndexBytes?: number;
}

/**
 * Opens a store held in memory, or paged from a source.
 * @param bytesOrSource the whole `.tcv` file (viewed zero-copy when 8-byte aligned: 'memory'
 *                      mode), or a RandomAccessSource to read it from ('paged' mode; the store
 *                      owns it from here and closes it on close())
 * @param options see EmbeddedStoreOptions
 */
export function openEmbeddedStore(bytesOrSource: Uint8Array | RandomAccessSource, options: EmbeddedStoreOptions = {}): EmbeddedStore {
  if (bytesOrSource instanceof Uint8Array) {
    let bytes = bytesOrSource;
    if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
    return new EmbeddedStore(options.name ?? '<bytes>', bytes, bytes.length, undefined, options.verify ?? false);
  }
  const source = bytesOrSource;
  const name = options.name ?? source.name;
  try {
    const head = readAt(source, 0, Math.min(source.size, HEADER_BYTES), name);
    const file = new PagedFile(source, options.cacheBytes, options.pageBytes);
    const paged = { source, file, residentIndexBytes: options.residentIndexBytes ?? 0, pageBytes: options.pageBytes ?? PAGE_BYTES };
    return new EmbeddedStore(name, head, source.size, paged, options.verify ?? false);
  } catch (e) {
    try {
      source.close();
    } catch {
      /* already closed */
    }
    throw e;
  }
}

/** Reads [pos, pos + len) fully into a fresh, 8-byte-aligned buffer. */
function readAt(source: RandomAccessSource, pos: number, len: number, name: string, into?: Uint8Array): Uint8Array {
  const buf = into ?? new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const n = source.read(buf, done, len - done, pos + done);
    if (n === 0) throw new VectorStoreError('VECTORS_CORRUPT', name, `truncated: unexpected end of file at byte ${pos + done}`);
    done += n;
  }
  return buf;
}

/** How a paged store reaches its file. */
interface PagedAccess {
  source: RandomAccessSource;
  file: PagedFile;
  residentIndexBytes: number;
  pageBytes: number;
}

export class EmbeddedStore implements VectorSource {
  readonly name: string;
  readonly dim: number;
  /** Number of words. */
  readonly size: number;
  readonly dtype: VectorDtype;
  /** Row of "<unk>" (used for unknown words), or -1 (zeros). */
  readonly unkRow: number;
  /** How the file is held. */
  readonly mode: 'memory' | 'paged';
  readonly header: StoreHeader;
  private readonly index: IndexView; // hash table, word offsets, word pool
  private metaBytes: Uint8Array | undefined;
  private readonly f32: Float32Array | undefined; // (count, dim), memory mode
  private readonly f16: Uint16Array | undefined; // (count, dim), memory mode
  private readonly vectorBytes: Uint8Array | undefined; // (count * dim * bytes), memory mode: the same rows as bytes
  private readonly rowChecks: RowChecks; // rows that passed their CRC
  private readonly paged: PagedAccess | undefined; // paged mode
  private closed = false;
  private readonly row: Uint8Array; // (dim * bytes) paged-mode row buffer
  private readonly rowView: Float32Array | Uint16Array; // (dim) view of `row`
  private readonly key = new KeyEncoder();
  private readonly mask: number;
  private outBits: [Float32Array, Uint16Array] | undefined; // last output buffer and its 16-bit halves view

  /** Use openEmbeddedStore(). `bytes` is the whole file, or (paged) its first 128 bytes. */
  constructor(name: string, bytes: Uint8Array, fileBytes: number, paged: PagedAccess | undefined, verify: boolean) {
    this.name = name;
    const h = (this.header = decodeHeader(bytes, fileBytes, name));
    this.dim = h.dim;
    this.size = h.count;
    this.dtype = h.dtype;
    this.unkRow = h.unkIndex;
    this.mask = h.tableSlots - 1;
    this.paged = paged;
    this.mode = paged ? 'paged' : 'memory';
    const rowBytes = h.dim * dtypeBytes(h.dtype);
    this.row = new Uint8Array(paged ? rowBytes : 0);
    this.rowView = h.dtype === 'f32' ? new Float32Array(this.row.buffer) : new Uint16Array(this.row.buffer);
    this.rowChecks = new RowChecks(h.count);
    if (!paged) {
      const region = bytes.subarray(h.tableOffset, h.fileBytes);
      checkIndexRegion(region, h, name);
      this.index = new ResidentIndex(region, h.tableSlots, h.count, h.poolBytes);
      this.vectorBytes = bytes.subarray(h.vectorsOffset, h.vectorsOffset + h.count * rowBytes);
      const vec = this.vectorBytes;
      this.f32 = h.dtype === 'f32' ? new Float32Array(vec.buffer, vec.byteOffset, h.count * h.dim) : undefined;
      this.f16 = h.dtype === 'f16' ? new Uint16Array(vec.buffer, vec.byteOffset, h.count * h.dim) : undefined;
      this.metaBytes = bytes.subarray(h.metaOffset, h.metaOffset + h.metaBytes);
    } else if (h.fileBytes - h.tableOffset <= paged.residentIndexBytes) {
      const region = readAt(paged.source, h.tableOffset, h.fileBytes - h.tableOffset, name);
      checkIndexRegion(region, h, name);
      this.index = new ResidentIndex(region, h.tableSlots, h.count, h.poolBytes);
    } else {
      if (paged.pageBytes !== PAGE_BYTES)
        throw new VectorStoreError(
          'VECTORS_ARGS',
          name,
          `a paged index is read in ${PAGE_BYTES}-byte pages (its checksum grid), not ${paged.pageBytes}: make residentIndexBytes at least ${h.fileBytes - h.tableOffset}`,
        );
      const pageCrcs = readPageCrcs(readAt(paged.source, h.pageCrcOffset, h.fileBytes - h.pageCrcOffset, name), h, name);
      paged.file.verifyPage = pageVerifier(pageCrcs, h, name);
      this.index = new PagedIndex(paged.file, h.tableOffset, h.tableSlots, h.count);
    }
    if (this.index.offset(0) !== 0 || this.index.offset(h.count) !== h.poolBytes) {
      throw new VectorStoreError('VECTORS_CORRUPT', name, `word offsets do not span the ${h.poolBytes}-byte pool`);
    }
    if (verify) this.verify(paged ? undefined : bytes);
  }

  /** Pages read from disk so far (paged mode; 0 when resident). */
  get pagesRead(): number {
    return this.paged?.file.pagesRead ?? 0;
  }

  /** The metadata object stored by the converter (source, seed, licence, ...). */
  metadata(): Record<string, string> {
    if (!this.metaBytes) {
      const m = (this.metaBytes = new Uint8Array(this.header.metaBytes));
      this.paged?.file.copy(this.header.metaOffset, m, 0, m.length);
    }
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
    if (this.closed) throw new VectorStoreError('VECTORS_ARGS', this.name, 'store is closed');
    const len = this.key.encode(word);
    const key = this.key.bytes;
    const index = this.index;
    let slot = fnv1a(key, len) & this.mask;
    for (let probes = 0; probes <= this.mask; probes++) {
      const v = index.slot(slot);
      if (v === 0) return -1;
      const row = v - 1;
      if (row >= this.size) throw this.corrupt(`hash slot ${slot} points at word ${row} of ${this.size}`);
      const start = index.offset(row);
      const end = index.offset(row + 1);
      if (!(start < end && end <= this.header.poolBytes))
        throw this.corrupt(`word row ${row} has bad offsets [${start}, ${end}) in a ${this.header.poolBytes}-byte word pool`);
      if (end - start === len && index.equals(start, key, len)) return row;
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
    this.checkRow(row);
    const start = this.index.offset(row);
    const end = this.index.offset(row + 1);
    if (!(start < end && end <= this.header.poolBytes))
      throw this.corrupt(`word row ${row} has bad offsets [${start}, ${end}) in a ${this.header.poolBytes}-byte word pool`);
    return new TextDecoder().decode(this.index.bytes(start, end));
  }

  /**
   * Copies row `row` as f32 into out[offset, offset + dim). Non-finite values -> VECTORS_CORRUPT.
   * @param row 0 <= row < size
   * @param out (>= offset + dim) destination
   * @param offset first element to write
   */
  vectorAt(row: number, out: Float32Array = new Float32Array(this.dim), offset = 0): Float32Array {
    this.checkRow(row);
    const dim = this.dim;
    let src: Float32Array | Uint16Array;
    let base = row * dim;
    let stored: Uint8Array; // the row's bytes as the file holds them
    if (this.paged) {
      const rowBytes = this.row.length;
      this.paged.file.copy(this.header.vectorsOffset + row * rowBytes, this.row, 0, rowBytes);
      src = this.rowView;
      base = 0;
      stored = this.row;
    } else {
      src = (this.f32 ?? this.f16) as Float32Array | Uint16Array;
      const rowBytes = dim * dtypeBytes(this.dtype);
      stored = (this.vectorBytes as Uint8Array).subarray(row * rowBytes, (row + 1) * rowBytes);
    }
    if (!this.rowChecks.passed(row) && !this.rowChecks.check(row, stored, this.index.rowCrc(row))) {
      throw this.corrupt(`vector row ${row} fails its checksum: the file is damaged; write it again with \`tinycnn vectors convert\``, this.wordAt(row));
    }
    let bad = 0;
    if (src instanceof Float32Array) {
      for (let j = 0; j < dim; j++) {
        const x = src[base + j];
        bad |= x - x !== 0 ? 1 : 0;
        out[offset + j] = x;
      }
    } else {
      let bits = this.outBits;
      if (!bits || bits[0] !== out) bits = this.outBits = [out, bitsView(out)];
      bad = decodeHalfRow(src, base, out, bits[1], offset, dim) ? 0 : 1;
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

  /** Closes the file (paged mode); lookups fail afterwards. */
  close(): void {
    if (this.paged && !this.closed) {
      this.paged.file.detach();
      this.paged.source.close();
    }
    this.closed = true;
    this.outBits = undefined;
  }

  /**
   * Checks every checksum (reads the whole file): the body CRC-32, every index page, and every
   * vector row's CRC (naming the first damaged row's word).
   * @param bytes the whole file, when it is in memory
   */
  verify(bytes?: Uint8Array): void {
    const h = this.header;
    let crc = 0;
    if (bytes) crc = crc32(bytes.subarray(HEADER_BYTES, h.fileBytes));
    else {
      const chunk = new Uint8Array(1 << 22);
      for (let pos = HEADER_BYTES; pos < h.fileBytes; pos += chunk.length) {
        const n = Math.min(chunk.length, h.fileBytes - pos);
        crc = crc32(readAt(this.paged!.source, pos, n, this.name, chunk).subarray(0, n), crc);
      }
    }
    const region = bytes ? bytes.subarray(h.tableOffset, h.fileBytes) : readAt(this.paged!.source, h.tableOffset, h.fileBytes - h.tableOffset, this.name);
    checkIndexRegion(region, h, this.name);
    checkHashTable(new ResidentIndex(region, h.tableSlots, h.count, h.poolBytes), h, this.name);
    const out = new Float32Array(this.dim);
    for (let row = 0; row < this.size; row++) this.vectorAt(row, out); // row CRC, then finite values
    if (crc !== h.bodyCrc32) throw this.corrupt(`body checksum mismatch (crc32 ${crc.toString(16)}, header says ${h.bodyCrc32.toString(16)})`);
  }

  /** A typed error for a row outside [0, size). */
  private checkRow(row: number): void {
    if (!(Number.isInteger(row) && row >= 0 && row < this.size)) {
      throw new VectorStoreError('VECTORS_ARGS', this.name, `row ${row} is outside [0, ${this.size})`);
    }
  }

  private corrupt(message: string, word?: string): VectorStoreError {
    return new VectorStoreError('VECTORS_CORRUPT', this.name, message, word === undefined ? {} : { word });
  }
}
