// The embedded store's f16 -> f32 row decode on all 65,536 binary16 patterns: the wasm decoder
// (kernels/wasm/half.wat, what decodeHalfRow uses) and the JS loop (reference and fallback),
// both written at an odd output offset, give the f32 bits of the plain formula and flag a row
// exactly when it holds NaN or an infinity.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HALF_SOURCE_SHA256 } from '../../kernels/wasm/generated/half.js';
import { bitsView, decodeHalfRow, decodeHalfRowJs, fromHalfBits } from '../../src/vectors/half.js';

/** The f32 bit pattern of binary16 `h` (subnormals through their exact value). */
function reference(h: number): number {
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0 && mant !== 0) return new Uint32Array(new Float32Array([fromHalfBits(h)]).buffer)[0];
  const e32 = exp === 0 ? 0 : exp === 0x1f ? 0xff : exp + 112;
  return (((h & 0x8000) << 16) | (e32 << 23) | (mant << 13)) >>> 0;
}

const decoders = { wasm: decodeHalfRow, js: decodeHalfRowJs };

describe('f16 row decode', () => {
  it('the embedded decoder was assembled from the current kernels/wasm/half.wat (else: npm run build)', () => {
    const source = readFileSync(new URL('../../kernels/wasm/half.wat', import.meta.url), 'utf8');
    expect(HALF_SOURCE_SHA256).toBe(createHash('sha256').update(source).digest('hex'));
  });

  for (const [name, decode] of Object.entries(decoders)) {
    it(`${name}: every binary16 pattern decodes to the reference f32 bits`, () => {
      const src = new Uint16Array(65536 + 5).map((_, i) => i - 5);
      const out = new Float32Array(65536 + 3);
      expect(decode(src, 5, out, bitsView(out), 3, 65536)).toBe(false); // the row holds infinities and NaNs
      const bits = new Uint32Array(out.buffer);
      let mismatches = 0;
      for (let h = 0; h < 65536; h++) if (bits[h + 3] !== reference(h)) mismatches++;
      expect(mismatches).toBe(0);
    });

    it(`${name}: flags a row exactly when it holds NaN or an infinity`, () => {
      const out = new Float32Array(4);
      const row = (values: number[]) => decode(new Uint16Array(values), 0, out, bitsView(out), 0, values.length);
      expect(row([0x3c00, 0x8000, 0x0001, 0x7bff])).toBe(true); // 1, -0, smallest subnormal, 65504
      expect(Array.from(out)).toEqual([1, -0, 2 ** -24, 65504]);
      expect(row([0x3c00, 0x7c00])).toBe(false); // +inf
      expect(row([0xfc00])).toBe(false); // -inf
      expect(row([0x7e00, 0x3c00])).toBe(false); // NaN
    });
  }
});
