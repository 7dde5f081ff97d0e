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

let table: Float32Array | undefined;

/** (65536) the f32 value of every binary16 pattern; built on first use (~0.3 ms). */
export function halfTable(): Float32Array {
  if (table) return table;
  const t = new Float32Array(65536);
  const bits = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) t[h] = (sign ? -mant : mant) * 5.960464477539063e-8; // 2^-24
    else if (exp === 0x1f) bits[h] = sign | 0x7f800000 | (mant << 13);
    else bits[h] = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  return (table = t);
}

/**
 * The value of a binary16 pattern.
 * @param h 16-bit pattern
 */
export function fromHalfBits(h: number): number {
  return halfTable()[h & 0xffff];
}
