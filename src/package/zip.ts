/**
 * A minimal, byte-for-byte reproducible zip writer (PKWARE APPNOTE 6.3, the
 * subset every unzip and AWS Lambda read): local file headers, a central
 * directory, an end-of-central-directory record; no zip64 (archives < 4 GiB),
 * no extra fields, no data descriptors.
 *
 * Reproducible because nothing depends on the machine or the clock:
 *   - entries sorted by name;
 *   - every timestamp is the DOS epoch, 1980-01-01 00:00:00;
 *   - fixed permissions (0644 files), "made by" Unix so unzip applies them;
 *   - raw deflate at level 9 from Node's zlib (stored instead when deflate does not shrink the entry).
 */
import { deflateRawSync } from 'node:zlib';

/** One file to put in the archive. */
export interface ZipEntry {
  /** Path inside the archive, '/'-separated, no leading '/'. */
  readonly name: string;
  readonly data: Uint8Array;
}

/** What one entry became in the archive. */
export interface ZippedEntry {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  readonly method: 'deflate' | 'store';
}

const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01: years since 1980, month, day
const FLAG_UTF8 = 0x0800; // names are UTF-8
const VERSION = 20; // 2.0: deflate
const MADE_BY_UNIX = (3 << 8) | VERSION;
const FILE_MODE = 0o100644; // regular file, rw-r--r--

/**
 * Builds a zip archive in memory.
 * @param entries the files; names must be unique
 * @returns the archive bytes and what each entry became
 */
export function writeZip(entries: readonly ZipEntry[]): { bytes: Buffer; entries: ZippedEntry[] } {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) if (sorted[i].name === sorted[i - 1].name) throw new Error(`zip: duplicate entry ${sorted[i].name}`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const summary: ZippedEntry[] = [];
  let offset = 0;
  for (const entry of sorted) {
    if (entry.name === '' || entry.name.startsWith('/') || entry.name.includes('\\') || entry.name.split('/').includes('..')) {
      throw new Error(`zip: unsafe entry name ${JSON.stringify(entry.name)}`);
    }
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = deflateRawSync(entry.data, { level: 9 });
    const store = deflated.length >= entry.data.length;
    const payload = store ? Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength) : deflated;
    const method = store ? 0 : 8;
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(VERSION, 4); // version needed to extract
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(payload.length, 18); // compressed size
    local.writeUInt32LE(entry.data.length, 22); // uncompressed size
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    parts.push(local, name, payload);

    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0); // central directory header signature
    record.writeUInt16LE(MADE_BY_UNIX, 4);
    record.writeUInt16LE(VERSION, 6);
    record.writeUInt16LE(FLAG_UTF8, 8);
    record.writeUInt16LE(method, 10);
    record.writeUInt16LE(DOS_TIME, 12);
    record.writeUInt16LE(DOS_DATE, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(payload.length, 20);
    record.writeUInt32LE(entry.data.length, 24);
    record.writeUInt16LE(name.length, 28);
    // 30: extra length, 32: comment length, 34: disk number, 36: internal attributes: all 0
    record.writeUInt32LE((FILE_MODE << 16) >>> 0, 38); // external attributes: Unix mode in the high 16 bits
    record.writeUInt32LE(offset, 42); // offset of the local header
    central.push(record, name);

    offset += local.length + name.length + payload.length;
    summary.push({ name: entry.name, size: entry.data.length, compressedSize: payload.length, method: store ? 'store' : 'deflate' });
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  // 4: this disk, 6: disk with the central directory: 0
  end.writeUInt16LE(sorted.length, 8); // entries on this disk
  end.writeUInt16LE(sorted.length, 10); // entries in total
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16); // central directory offset
  // 20: comment length 0
  if (offset + centralBytes.length > 0xffffffff || sorted.length > 0xffff) throw new Error('zip: archive too large for a non-zip64 zip');
  return { bytes: Buffer.concat([...parts, centralBytes, end]), entries: summary };
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zip requires. */
export function crc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
