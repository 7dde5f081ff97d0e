/**
 * The two hashes of the store format: FNV-1a (32-bit) over a word's UTF-8 bytes for the
 * hash table, and CRC-32 (IEEE, as zlib) for the header and body checksums.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a 32-bit of bytes[0, len).
 * @param bytes (>= len) UTF-8 bytes of a word
 * @param len number of bytes to hash
 * @param start first byte (default 0)
 */
export function fnv1a(bytes: Uint8Array, len: number, start = 0): number {
  let h = FNV_OFFSET;
  for (let i = start, end = start + len; i < end; i++) {
    h = Math.imul(h ^ bytes[i], FNV_PRIME);
  }
  return h >>> 0;
}

const utf8 = new TextEncoder();

/**
 * A reusable UTF-8 key buffer: encodes JS strings without allocating (ASCII fast path,
 * TextEncoder.encodeInto otherwise) so lookups can hash and compare bytes.
 */
export class KeyEncoder {
  /** (capacity) the bytes of the last encoded key are bytes[0, length) */
  bytes = new Uint8Array(256);
  /**
   * Encodes `s`; returns its UTF-8 length. Lone surrogates become U+FFFD, as in TextEncoder.
   * @param s the word
   */
  encode(s: string): number {
    const n = s.length;
    if (n > this.bytes.length) this.bytes = new Uint8Array(n * 3);
    const b = this.bytes;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      b[i] = c;
    }
    if (i === n) return n;
    if (b.length < n * 3) this.bytes = new Uint8Array(n * 3);
    return utf8.encodeInto(s, this.bytes).written;
  }
}

let crcTable: Int32Array | undefined;

function makeCrcTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

/**
 * CRC-32 (IEEE 802.3, as zlib.crc32), continuable: crc32(b, crc32(a)) == crc32(a ++ b).
 * @param bytes data
 * @param prev the CRC of the preceding data, 0 to start
 */
export function crc32(bytes: Uint8Array, prev = 0): number {
  const t = (crcTable ??= makeCrcTable());
  let c = ~prev;
  for (let i = 0, n = bytes.length; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
