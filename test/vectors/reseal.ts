/**
 * Re-seals a damaged `.tcv` file: recomputes its checksums (format.ts) over whatever bytes it now
 * holds, as a hostile or buggy writer would, so tests can reach the reader's checks that stand
 * behind the checksums (offsets, slots, finite values). Reads the header fields directly (the
 * header may itself be damaged); sections beyond the file are left alone.
 */
import { crc32 } from 'node:zlib';
import { HEADER_BYTES, indexPageRange } from '../../src/vectors/format.js';

export interface ResealOptions {
  /** Also recompute every vector row's CRC (default true). */
  rows?: boolean;
}

/** A copy of `bytes` with row, index page, index, body and header checksums recomputed. */
export function reseal(bytes: Uint8Array, options: ResealOptions = {}): Uint8Array {
  const out = new Uint8Array(bytes); // a copy (Buffer.prototype.slice would be a view)
  if (out.length < HEADER_BYTES) return out; // no header to read the sections from
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const u64 = (o: number) => Number(v.getBigUint64(o, true));
  const dim = v.getUint32(16, true);
  const count = v.getUint32(20, true);
  const rowBytes = dim * (v.getUint32(12, true) === 2 ? 2 : 4);
  const [vectorsOffset, tableOffset, fileBytes, rowCrcOffset, pageCrcOffset] = [56, 64, 96, 104, 112].map(u64);
  const fits = (begin: number, end: number) => begin >= 0 && begin <= end && end <= out.length;
  if ((options.rows ?? true) && fits(rowCrcOffset, rowCrcOffset + 4 * count)) {
    for (let row = 0; row < count; row++) {
      const at = vectorsOffset + row * rowBytes;
      if (fits(at, at + rowBytes)) v.setUint32(rowCrcOffset + 4 * row, crc32(out.subarray(at, at + rowBytes)), true);
    }
  }
  if (fits(tableOffset, pageCrcOffset) && fits(pageCrcOffset, fileBytes) && tableOffset < pageCrcOffset) {
    const pages = (fileBytes - pageCrcOffset) / 4;
    for (let p = 0; p < pages; p++) {
      const { begin, end } = indexPageRange(tableOffset, pageCrcOffset, p);
      if (fits(begin, end)) v.setUint32(pageCrcOffset + 4 * p, crc32(out.subarray(begin, end)), true);
    }
    v.setUint32(120, crc32(out.subarray(pageCrcOffset, fileBytes)), true);
  }
  v.setUint32(36, crc32(out.subarray(HEADER_BYTES, Math.min(out.length, Math.max(HEADER_BYTES, fileBytes)))), true);
  v.setUint32(124, crc32(out.subarray(0, 124)), true);
  return out;
}
