/**
 * The embedded vector store file (`.tcv`, "tinycnn vectors"), version 2: one file holding
 * vocabulary and vectors, readable as views over one buffer without touching every word, and
 * checked as it is read: nothing in it is used before a checksum has vouched for it. All
 * integers are little-endian.
 *
 *   [0, 128)          header (below)
 *   [128, ...)        metadata: UTF-8 JSON object of strings (may be empty)
 *   vectorsOffset     (count, dim) f32 or f16 row-major; row i is the vector of word i
 *                     (64-byte aligned, so a Float32Array / Uint16Array view is zero-copy)
 *   tableOffset       u32[tableSlots] open-addressing hash table, linear probing:     ┐
 *                     slot = fnv1a(utf8(word)) & (tableSlots - 1), then +1 mod         │
 *                     tableSlots; value 0 = empty, else word index + 1. At most half   │ the
 *                     full. (8-byte aligned; tableOffset = align8(end of vectors))     │ index
 *   offsetsOffset     u32[count + 1]: word i is pool[offsets[i], offsets[i+1]); [0] = 0│ region
 *   rowCrcOffset      u32[count]: CRC-32 of each vector row's stored bytes             │
 *   poolOffset        u8[poolBytes]: the words' UTF-8 bytes, concatenated in row order ┘
 *   pageCrcOffset     u32[indexPages]: CRC-32 of each index page (below); 4-byte aligned
 *   fileBytes         = pageCrcOffset + 4 * indexPages: nothing follows
 *
 * Index pages: the file cut into PAGE_BYTES (16 KiB) pages at multiples of PAGE_BYTES (the
 * pages the paged reader reads), clipped to the index region [tableOffset, pageCrcOffset)
 * (the pool's zero padding included); indexPages of them, the first holding tableOffset.
 * With indexCrc32 over the page CRC table, every byte from tableOffset to the end of the
 * file is under a checksum a reader checks before use. Their CRCs let a reader
 * check the index whole at open (when it holds it in memory) or page by page as it reads them
 * (paged), so a damaged hash table or word never becomes a silently unknown word. Vector rows
 * are checked by their row CRC on first use (a lookup or `verify`).
 *
 * Header:
 *   0   u8[8]  magic "TCNNVEC\0"          56  u64 vectorsOffset
 *   8   u32    version (2)                64  u64 tableOffset
 *   12  u32    dtype (1 = f32, 2 = f16)   72  u64 offsetsOffset
 *   16  u32    dim                        80  u64 poolOffset
 *   20  u32    count (words)              88  u64 poolBytes
 *   24  u32    tableSlots (power of 2)    96  u64 fileBytes
 *   28  u32    unkIndex (0xFFFFFFFF: none)104 u64 rowCrcOffset
 *   32  u32    hash (1 = FNV-1a 32)       112 u64 pageCrcOffset
 *   36  u32    bodyCrc32 = crc32(bytes    120 u32 indexCrc32 = crc32(the page CRC table)
 *              [128, fileBytes)) (checked 124 u32 headerCrc32 = crc32(bytes [0, 124))
 *              only on request: reading every vector at open is what this format avoids)
 *   40  u64    metaOffset (128)
 *   48  u64    metaBytes
 *
 * Version 1 (no row or page CRCs) is refused with a message saying how to rewrite the file.
 */
import { VectorStoreError } from './errors.js';
import { crc32 } from './checksum.js'; // the wasm CRC: the JS one builds its table, cold, for 124 bytes

export const MAGIC = new Uint8Array([0x54, 0x43, 0x4e, 0x4e, 0x56, 0x45, 0x43, 0x00]); // "TCNNVEC\0"
export const VERSION = 2;
/** The page of the paged reader and of the index page CRCs. */
export const PAGE_BYTES = 16384;
export const HEADER_BYTES = 128;
export const NO_UNK = 0xffffffff;
export const HASH_FNV1A32 = 1;
/** The word whose vector stands for unknown words, when a store has it. */
export const UNK_WORD = '<unk>';

/** Element type of the vector block. */
export type VectorDtype = 'f32' | 'f16';
const DTYPE_CODE: Record<VectorDtype, number> = { f32: 1, f16: 2 };

/** Bytes per element. */
export function dtypeBytes(dtype: VectorDtype): number {
  return dtype === 'f32' ? 4 : 2;
}

export interface StoreHeader {
  dtype: VectorDtype;
  dim: number;
  count: number;
  tableSlots: number;
  /** Row of "<unk>", or -1. */
  unkIndex: number;
  bodyCrc32: number;
  /** CRC-32 of the page CRC table. */
  indexCrc32: number;
  metaOffset: number;
  metaBytes: number;
  vectorsOffset: number;
  tableOffset: number;
  offsetsOffset: number;
  rowCrcOffset: number;
  poolOffset: number;
  poolBytes: number;
  pageCrcOffset: number;
  fileBytes: number;
}

/** Round up to a multiple of `a` (a power of two). */
export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Section offsets for a store of this shape, as the writer lays it out.
 * @param metaBytes length of the metadata JSON
 */
export function layout(dtype: VectorDtype, dim: number, count: number, tableSlots: number, metaBytes: number, poolBytes: number) {
  const metaOffset = HEADER_BYTES;
  const vectorsOffset = alignUp(metaOffset + metaBytes, 64);
  const tableOffset = alignUp(vectorsOffset + count * dim * dtypeBytes(dtype), 8);
  const offsetsOffset = tableOffset + 4 * tableSlots;
  const rowCrcOffset = offsetsOffset + 4 * (count + 1);
  const poolOffset = rowCrcOffset + 4 * count;
  const pageCrcOffset = alignUp(poolOffset + poolBytes, 4);
  const indexPages = Math.floor((pageCrcOffset - 1) / PAGE_BYTES) - Math.floor(tableOffset / PAGE_BYTES) + 1;
  return {
    metaOffset,
    vectorsOffset,
    tableOffset,
    offsetsOffset,
    rowCrcOffset,
    poolOffset,
    indexPages,
    pageCrcOffset,
    fileBytes: pageCrcOffset + 4 * indexPages,
  };
}

/**
 * The bytes index page `page` (counted from the first one) covers: [begin, end) in the file.
 * @param tableOffset start of the index region
 * @param indexEnd end of the index region: pageCrcOffset
 * @param page 0 <= page < indexPages
 */
export function indexPageRange(tableOffset: number, indexEnd: number, page: number): { begin: number; end: number } {
  const filePage = Math.floor(tableOffset / PAGE_BYTES) + page;
  return { begin: Math.max(filePage * PAGE_BYTES, tableOffset), end: Math.min((filePage + 1) * PAGE_BYTES, indexEnd) };
}

/** Serializes a header (128 bytes, header CRC filled in). */
export function encodeHeader(h: StoreHeader): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const v = new DataView(out.buffer);
  out.set(MAGIC, 0);
  v.setUint32(8, VERSION, true);
  v.setUint32(12, DTYPE_CODE[h.dtype], true);
  v.setUint32(16, h.dim, true);
  v.setUint32(20, h.count, true);
  v.setUint32(24, h.tableSlots, true);
  v.setUint32(28, h.unkIndex < 0 ? NO_UNK : h.unkIndex, true);
  v.setUint32(32, HASH_FNV1A32, true);
  v.setUint32(36, h.bodyCrc32 >>> 0, true);
  const u64 = [
    h.metaOffset,
    h.metaBytes,
    h.vectorsOffset,
    h.tableOffset,
    h.offsetsOffset,
    h.poolOffset,
    h.poolBytes,
    h.fileBytes,
    h.rowCrcOffset,
    h.pageCrcOffset,
  ];
  u64.forEach((x, i) => v.setBigUint64(40 + 8 * i, BigInt(x), true));
  v.setUint32(120, h.indexCrc32 >>> 0, true);
  v.setUint32(124, crc32(out.subarray(0, 124)), true);
  return out;
}

/**
 * Parses and validates a header against the actual file size. O(1): touches 128 bytes.
 * @param bytes at least the first 128 bytes of the file
 * @param actualBytes the file's real size (detects truncation and trailing bytes)
 * @param source file name for errors
 */
export function decodeHeader(bytes: Uint8Array, actualBytes: number, source: string): StoreHeader {
  const bad = (msg: string) => new VectorStoreError('VECTORS_CORRUPT', source, msg);
  if (actualBytes < HEADER_BYTES || bytes.length < HEADER_BYTES) {
    throw bad(`truncated: ${actualBytes} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw bad('not a tinycnn vector store (bad magic; convert word2vec / GloVe files with `tinycnn vectors convert`)');
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (v.getUint32(124, true) !== crc32(bytes.subarray(0, 124))) throw bad('header checksum mismatch');
  const version = v.getUint32(8, true);
  if (version === 1) {
    throw bad(
      'version 1 store (its index and vectors carry no checksums): write it again with `tinycnn vectors convert` ' +
        'from its word2vec / GloVe source (this reader knows version 2)',
    );
  }
  if (version !== VERSION) throw bad(`unsupported version ${version} (this reader knows ${VERSION})`);
  const dtypeCode = v.getUint32(12, true);
  const dtype: VectorDtype | undefined = dtypeCode === 1 ? 'f32' : dtypeCode === 2 ? 'f16' : undefined;
  if (!dtype) throw bad(`unknown dtype code ${dtypeCode}`);
  if (v.getUint32(32, true) !== HASH_FNV1A32) throw bad(`unknown hash function ${v.getUint32(32, true)}`);
  const u64 = (o: number) => {
    const x = v.getBigUint64(o, true);
    if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`offset at header byte ${o} is out of range`);
    return Number(x);
  };
  const unkRaw = v.getUint32(28, true);
  const h: StoreHeader = {
    dtype,
    dim: v.getUint32(16, true),
    count: v.getUint32(20, true),
    tableSlots: v.getUint32(24, true),
    unkIndex: unkRaw === NO_UNK ? -1 : unkRaw,
    bodyCrc32: v.getUint32(36, true),
    indexCrc32: v.getUint32(120, true),
    metaOffset: u64(40),
    metaBytes: u64(48),
    vectorsOffset: u64(56),
    tableOffset: u64(64),
    offsetsOffset: u64(72),
    poolOffset: u64(80),
    poolBytes: u64(88),
    fileBytes: u64(96),
    rowCrcOffset: u64(104),
    pageCrcOffset: u64(112),
  };
  if (h.dim < 1 || h.dim > 65536) throw bad(`dim ${h.dim} out of range [1, 65536]`);
  if (h.count >= NO_UNK) throw bad(`count ${h.count} out of range`);
  const slots = h.tableSlots;
  if (slots < 8 || slots > 2 ** 31 || (slots & (slots - 1)) !== 0 || slots < 2 * h.count) {
    throw bad(`hash table of ${slots} slots is invalid for ${h.count} words (need a power of two >= 2 * count)`);
  }
  if (h.unkIndex >= h.count) throw bad(`<unk> row ${h.unkIndex} >= count ${h.count}`);
  const want = layout(dtype, h.dim, h.count, slots, h.metaBytes, h.poolBytes);
  for (const key of ['metaOffset', 'vectorsOffset', 'tableOffset', 'offsetsOffset', 'rowCrcOffset', 'poolOffset', 'pageCrcOffset', 'fileBytes'] as const) {
    if (h[key] !== want[key]) throw bad(`${key} is ${h[key]}, expected ${want[key]} for dim ${h.dim} x ${h.count} words`);
  }
  if (actualBytes < h.fileBytes) throw bad(`truncated: ${actualBytes} bytes, header says ${h.fileBytes}`);
  if (actualBytes > h.fileBytes) throw bad(`${actualBytes - h.fileBytes} unexpected bytes after the end (${h.fileBytes})`);
  return h;
}
