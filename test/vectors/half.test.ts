// decodeHalfRow (the embedded store's f16 -> f32 decode, written as 16-bit halves) on all 65,536
// binary16 patterns: the same f32 bits as the plain formula, the non-finite flag on exactly
// NaN and ±Infinity, at any output offset.
import { describe, expect, it } from 'vitest';
import { bitsView, decodeHalfRow, fromHalfBits } from '../../src/vectors/half.js';

/** The f32 bit pattern of binary16 `h` (subnormals through their exact value). */
function reference(h: number): number {
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0 && mant !== 0) return new Uint32Array(new Float32Array([fromHalfBits(h)]).buffer)[0];
  const e32 = exp === 0 ? 0 : exp === 0x1f ? 0xff : exp + 112;
  return (((h & 0x8000) << 16) | (e32 << 23) | (mant << 13)) >>> 0;
}

describe('decodeHalfRow', () => {
  it('every binary16 pattern decodes to the reference f32 bits', () => {
    const src = new Uint16Array(65536).map((_, i) => i);
    const out = new Float32Array(65536 + 3);
    decodeHalfRow(src, 0, out, bitsView(out), 3, 65536);
    const bits = new Uint32Array(out.buffer);
    let mismatches = 0;
    for (let h = 0; h < 65536; h++) if (bits[h + 3] !== reference(h)) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('flags a row exactly when it holds NaN or an infinity', () => {
    const out = new Float32Array(4);
    const row = (values: number[]) => decodeHalfRow(new Uint16Array(values), 0, out, bitsView(out), 0, values.length);
    expect(row([0x3c00, 0x8000, 0x0001, 0x7bff])).toBe(true); // 1, -0, smallest subnormal, 65504
    expect(row([0x3c00, 0x7c00])).toBe(false); // +inf
    expect(row([0xfc00])).toBe(false); // -inf
    expect(row([0x7e00, 0x3c00])).toBe(false); // NaN
  });
});
