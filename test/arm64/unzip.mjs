/**
 * Unzips the Lambda package into a folder, as Lambda does before INIT. A reader of its
 * own (not src/package/zip.ts's counterpart, and no `unzip` binary needed), so the test
 * also checks the archive from outside: central directory, local headers, sizes, CRC-32.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as zlib from 'node:zlib';

/** The archive is not what a zip reader (or Lambda) can use. */
export class ZipReadError extends Error {
  constructor(file, message) {
    super(`${file}: ${message}`);
    this.name = 'ZipReadError';
    this.file = file;
  }
}

/**
 * Extracts every entry of `file` into `dir`.
 * @param {string} file the zip
 * @param {string} dir  where to write (created)
 * @returns {string[]} the entry names
 */
export function unzip(file, dir) {
  const zip = readFileSync(file);
  const fail = (message) => {
    throw new ZipReadError(file, message);
  };
  // End of central directory: 22 bytes plus a comment of up to 65535, at the end.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) fail('no end-of-central-directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16); // central directory offset
  const names = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) fail(`central directory entry ${n} has a bad signature`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const packed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + skip;

    if (name.startsWith('/') || name.split('/').includes('..')) fail(`unsafe entry name ${JSON.stringify(name)}`);
    if (zip.readUInt32LE(local) !== 0x04034b50) fail(`${name}: bad local header signature`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + packed);
    const data = method === 0 ? raw : method === 8 ? zlib.inflateRawSync(raw) : fail(`${name}: compression method ${method} is not stored (0) or deflate (8)`);
    if (data.length !== size) fail(`${name}: ${data.length} bytes unpacked, the directory says ${size}`);
    if (crc32(data) !== crc) fail(`${name}: CRC-32 mismatch`);
    if (name.endsWith('/')) continue; // a folder entry
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
    names.push(name);
  }
  return names;
}

/** CRC-32 as zip uses it: zlib's (Node >= 20.15), else a table-driven one. */
function crc32(data) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data);
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
