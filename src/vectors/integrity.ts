/**
 * The store file's checksums at work (see format.ts): nothing read from a `.tcv` file reaches a
 * lookup before a checksum has vouched for it.
 *   index pages   checked whole at open when the index is held in memory, else one by one as
 *                 the paged reader reads them from disk (pageVerifier)
 *   vector rows   checked on first use by their row CRC (RowChecks), and all of them by verify
 *   hash table    verify only: it leads to every word (checkHashTable)
 */
import { VectorStoreError } from './errors.js';
import { crc32 } from './checksum.js';
import { indexPageRange, PAGE_BYTES, type StoreHeader } from './format.js';
import { fnv1a } from './hash.js';
import type { IndexView } from './index-view.js';

/**
 * The page CRC table, checked against the header's indexCrc32.
 * @param bytes the file's bytes [pageCrcOffset, fileBytes)
 * @param h the store's header
 * @param name file name for errors
 */
export function readPageCrcs(bytes: Uint8Array, h: StoreHeader, name: string): Uint32Array {
  if (crc32(bytes) !== h.indexCrc32) {
    throw new VectorStoreError(
      'VECTORS_CORRUPT',
      name,
      `index page checksums (bytes [${h.pageCrcOffset}, ${h.fileBytes})) fail the header's checksum: the file is damaged`,
    );
  }
  const table = new Uint32Array(bytes.length / 4); // (indexPages)
  new Uint8Array(table.buffer).set(bytes);
  return table;
}

/**
 * Checks every index page of an index held in memory (at open).
 * @param region the file's bytes [tableOffset, fileBytes)
 * @param h the store's header
 * @param name file name for errors
 */
export function checkIndexRegion(region: Uint8Array, h: StoreHeader, name: string): void {
  const pageCrcs = readPageCrcs(region.subarray(h.pageCrcOffset - h.tableOffset), h, name);
  for (let p = 0; p < pageCrcs.length; p++) {
    const { begin, end } = indexPageRange(h.tableOffset, h.pageCrcOffset, p);
    if (crc32(region.subarray(begin - h.tableOffset, end - h.tableOffset)) !== pageCrcs[p]) throw damagedPage(h, name, p, begin, end);
  }
}

/**
 * A check for the paged reader: throws when a page it read from disk overlaps the index and
 * does not match its CRC.
 * @param pageCrcs from readPageCrcs
 * @param h the store's header
 * @param name file name for errors
 * @returns (file page number, its bytes) => void
 */
export function pageVerifier(pageCrcs: Uint32Array, h: StoreHeader, name: string): (filePage: number, bytes: Uint8Array) => void {
  const first = Math.floor(h.tableOffset / PAGE_BYTES);
  return (filePage, bytes) => {
    const p = filePage - first;
    if (p < 0 || p >= pageCrcs.length) return; // vectors (row CRCs) or the page CRC table itself (indexCrc32)
    const { begin, end } = indexPageRange(h.tableOffset, h.pageCrcOffset, p);
    const at = filePage * PAGE_BYTES;
    if (crc32(bytes.subarray(begin - at, end - at)) !== pageCrcs[p]) throw damagedPage(h, name, p, begin, end);
  };
}

function damagedPage(h: StoreHeader, name: string, page: number, begin: number, end: number): VectorStoreError {
  const sections = [
    ['hash table', h.tableOffset, h.offsetsOffset],
    ['word offsets', h.offsetsOffset, h.rowCrcOffset],
    ['row checksums', h.rowCrcOffset, h.poolOffset],
    ['words', h.poolOffset, h.pageCrcOffset],
  ]
    .filter(([, b, e]) => (b as number) < end && (e as number) > begin)
    .map(([s]) => s);
  return new VectorStoreError(
    'VECTORS_CORRUPT',
    name,
    `index page ${page} (bytes [${begin}, ${end}): ${sections.join(', ')}) fails its checksum: the file is damaged; ` +
      'write it again with `tinycnn vectors convert`',
  );
}

/**
 * Checks that the hash table leads to every word (verify: an index sealed over damage can pass
 * its CRCs and still hide words). O(words), on an index held in memory.
 * @param index the whole index
 * @param h the store's header
 * @param name file name for errors
 */
export function checkHashTable(index: IndexView, h: StoreHeader, name: string): void {
  const mask = h.tableSlots - 1;
  for (let row = 0; row < h.count; row++) {
    const start = index.offset(row);
    const end = index.offset(row + 1);
    if (!(start < end && end <= h.poolBytes))
      throw new VectorStoreError('VECTORS_CORRUPT', name, `word row ${row} has bad offsets [${start}, ${end}) in a ${h.poolBytes}-byte word pool`);
    const key = index.bytes(start, end);
    let slot = fnv1a(key, key.length) & mask;
    let probes = 0;
    for (; probes <= mask && index.slot(slot) !== row + 1; probes++) {
      if (index.slot(slot) === 0) probes = mask + 1;
      else slot = (slot + 1) & mask;
    }
    if (probes > mask) {
      throw new VectorStoreError('VECTORS_CORRUPT', name, `word row ${row} is not where the hash table leads`, { word: new TextDecoder().decode(key) });
    }
  }
}

/** Which vector rows have passed their CRC (a bit per row, allocated on first use). */
export class RowChecks {
  private bits: Uint8Array | undefined; // (ceil(count / 8))
  constructor(private readonly count: number) {}

  /** True when `row` passed its check before. */
  passed(row: number): boolean {
    return this.bits !== undefined && (this.bits[row >>> 3] & (1 << (row & 7))) !== 0;
  }

  /**
   * Checks `row` now: true (and remembered) when its bytes match its CRC.
   * @param row 0 <= row < count
   * @param bytes the row's stored bytes
   * @param expected its CRC from the file
   */
  check(row: number, bytes: Uint8Array, expected: number): boolean {
    if (crc32(bytes) !== expected) return false;
    (this.bits ??= new Uint8Array((this.count + 7) >>> 3))[row >>> 3] |= 1 << (row & 7);
    return true;
  }
}
