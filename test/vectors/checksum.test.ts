// The store's CRC-32: the wasm module (kernels/wasm/crc32.wat, what checksum.ts uses) and the JS
// loop of hash.ts (reference and fallback) both give zlib's crc32, on every length around the
// 8-byte steps and the module's 57,344-byte input window, and continue from a previous CRC.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CRC32_SOURCE_SHA256 } from '../../kernels/wasm/generated/crc32.js';
import { crc32 } from '../../src/vectors/checksum.js';
import { crc32 as crc32Js } from '../../src/vectors/hash.js';
import { probeValues } from '../../src/model/probe.js';

const data = Uint8Array.from(probeValues(32, 200_000), (v) => Math.floor((v + 1) * 128) & 0xff);

describe('CRC-32', () => {
  it('the embedded module was assembled from the current kernels/wasm/crc32.wat (else: npm run build)', () => {
    const source = readFileSync(new URL('../../kernels/wasm/crc32.wat', import.meta.url), 'utf8');
    expect(CRC32_SOURCE_SHA256).toBe(createHash('sha256').update(source).digest('hex'));
  });

  const lengths = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 600, 1200, 16384, 57343, 57344, 57345, 114688, 199_990];
  for (const [name, fn] of Object.entries({ wasm: crc32, js: crc32Js })) {
    it(`${name}: equals zlib.crc32 at every length and start, and continues`, () => {
      for (const n of lengths) {
        for (const start of [0, 1, 3, 5]) {
          const bytes = data.subarray(start, start + n);
          expect(fn(bytes), `${n} bytes at ${start}`).toBe(zlibCrc32(bytes));
          const cut = Math.floor(n / 3);
          expect(fn(bytes.subarray(cut), fn(bytes.subarray(0, cut)))).toBe(zlibCrc32(bytes));
        }
      }
      expect(fn(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the CRC-32 check value
    });
  }
});
