/**
 * IEEE 754 binary16 <-> number. Encoding rounds to nearest, ties to even, directly from
 * the double (no double rounding through f32), like numpy's float16 cast; overflow -> ±inf.
 */

const f64 = new Float64Array(1);
const f64w = new Uint32Array(f64.buffer); // [lo, hi] on little-endian hosts

/**
 * The binary16 bit pattern nearest to `v`.
 * @param v any number
 */
export function toHalfBits(v: number): number {
  f64[0] = v;
  const lo = f64w[0];
  const hi = f64w[1];
  const sign = (hi >>> 16) & 0x8000;
  const exp = (hi >>> 20) & 0x7ff;
  if (exp === 0x7ff) return sign | 0x7c00 | ((hi & 0xfffff) !== 0 || lo !== 0 ? 0x200 : 0);
  const e = exp - 1023 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half: value = m * 2^-24; scaling by a power of two is exact
    const x = Math.abs(v) * 16777216;
    let m = Math.floor(x);
    const r = x - m;
    if (r > 0.5 || (r === 0.5 && (m & 1) === 1)) m++;
    return sign | m; // m == 0x400 is the smallest normal, which is the right bit pattern
  }
  const mantHi = hi & 0xfffff; // top 20 of the 52 mantissa bits
  const m = mantHi >>> 10;
  const rem = mantHi & 0x3ff; // next 10 bits, then 32 more in lo
  let h = sign | (e << 10) | m;
  if (rem > 0x200 || (rem === 0x200 && (lo !== 0 || (m & 1) === 1))) h++; // carry may reach inf: correct
  return h;
}

const f32 = new Float32Array(1);
const f32w = new Uint32Array(f32.buffer);

/**
 * The f32 bit pattern of a binary16 value, except subnormals (exponent 0, mantissa != 0),
 * for which it returns -1: those are m * 2^-24 and exact in f32 arithmetic.
 */
function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return mant === 0 ? sign >>> 0 : -1;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
}

/**
 * The value of a binary16 pattern.
 * @param h 16-bit pattern
 */
export function fromHalfBits(h: number): number {
  const bits = halfToFloatBits(h & 0xffff);
  if (bits === -1) return ((h & 0x8000) ? -1 : 1) * (h & 0x3ff) * 5.960464477539063e-8; // 2^-24
  f32w[0] = bits;
  return f32[0];
}

/**
 * Decodes n binary16 values into f32, without a lookup table (no start-up cost).
 * @param src (>= srcOff + n) binary16 patterns
 * @param out (>= outOff + n) destination
 * @param outBits a Uint32Array view of `out`'s memory (same offset and length)
 * @returns false when a value is NaN or infinite (the row is still written)
 */
export function decodeHalfRow(src: Uint16Array, srcOff: number, out: Float32Array, outBits: Uint32Array, outOff: number, n: number): boolean {
  let finite = true;
  for (let j = 0; j < n; j++) {
    const h = src[srcOff + j];
    const exp = h & 0x7c00;
    if (exp === 0 && (h & 0x3ff) !== 0) {
      out[outOff + j] = ((h & 0x8000) ? -1 : 1) * (h & 0x3ff) * 5.960464477539063e-8; // subnormal: m * 2^-24
      continue;
    }
    let e32 = exp === 0 ? 0 : (exp >>> 10) + 112;
    if (exp === 0x7c00) {
      finite = false;
      e32 = 0xff;
    }
    outBits[outOff + j] = (((h & 0x8000) << 16) | (e32 << 23) | ((h & 0x3ff) << 13)) >>> 0;
  }
  return finite;
}

/** A Uint32Array over the same memory as a Float32Array (for decodeHalfRow). */
export function bitsView(out: Float32Array): Uint32Array {
  return new Uint32Array(out.buffer, out.byteOffset, out.length);
}
