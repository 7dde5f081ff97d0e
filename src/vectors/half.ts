/**
 * IEEE 754 binary16 <-> number. Encoding rounds to nearest, ties to even, directly from
 * the double (no double rounding through f32), like numpy's float16 cast; overflow -> ±inf.
 * Rows of f16 word vectors decode in wasm (kernels/wasm/half.wat), else in JS.
 */
import { HALF_DECODER_BASE64 } from '../../kernels/wasm/generated/half.js';

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
  if (bits === -1) return (h & 0x8000 ? -1 : 1) * (h & 0x3ff) * 2 ** -24;
  f32w[0] = bits;
  return f32[0];
}

/** Index of the high 16-bit half of a float32 in a Uint16Array over it (0 on big-endian hosts). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOW = 1 - HIGH;

/**
 * Decodes n binary16 values into f32 (exactly; subnormals, infinities and NaN payloads
 * included) with the 210-byte wasm decoder of kernels/wasm/half.wat, or with the JS loop
 * below where there is no WebAssembly (or on a big-endian host).
 * @param src (>= srcOff + n) binary16 patterns
 * @param out (>= outOff + n) destination
 * @param outHalves bitsView(out), for the JS loop
 * @returns false when a value is NaN or infinite (the row is still written)
 */
export function decodeHalfRow(src: Uint16Array, srcOff: number, out: Float32Array, outHalves: Uint16Array, outOff: number, n: number): boolean {
  const wasm = halfDecoder();
  if (wasm === null) return decodeHalfRowJs(src, srcOff, out, outHalves, outOff, n);
  let finite = 1;
  for (let done = 0; done < n; done += CHUNK) {
    const m = Math.min(CHUNK, n - done);
    wasm.input.set(src.subarray(srcOff + done, srcOff + done + m));
    finite &= wasm.decode(0, 2 * CHUNK, m);
    out.set(m === CHUNK ? wasm.output : wasm.output.subarray(0, m), outOff + done);
  }
  return finite === 1;
}

/** Values per decoder call: their input (2 bytes each) and output (4 bytes each) share its one 64 KiB page. */
const CHUNK = 10880;

interface HalfDecoder {
  readonly input: Uint16Array; // (CHUNK) u16 at byte 0 of its memory
  readonly output: Float32Array; // (CHUNK) f32 at byte 2 * CHUNK
  decode(src: number, dst: number, n: number): number;
}

let decoder: HalfDecoder | null | undefined;

/** The wasm decoder, instantiated on first use (~0.1 ms); null where it cannot run. */
function halfDecoder(): HalfDecoder | null {
  if (decoder !== undefined) return decoder;
  decoder = null;
  if (HIGH !== 1 || typeof WebAssembly !== 'object') return decoder;
  try {
    const module = new WebAssembly.Module(base64Bytes(HALF_DECODER_BASE64));
    const exports = new WebAssembly.Instance(module, {}).exports as { memory: WebAssembly.Memory; decode(src: number, dst: number, n: number): number };
    const buffer = exports.memory.buffer; // one page, never grown: the views stay valid
    decoder = { input: new Uint16Array(buffer, 0, CHUNK), output: new Float32Array(buffer, 2 * CHUNK, CHUNK), decode: exports.decode };
  } catch {
    // no usable WebAssembly (a locked-down runtime): the JS loop
  }
  return decoder;
}

function base64Bytes(text: string): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer;
  if (NodeBuffer !== undefined) return NodeBuffer.from(text, 'base64');
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * The JS decode (reference and fallback), without a lookup table (no start-up cost). Each f32
 * is written as two 16-bit halves: small-integer work only, because where it runs cold it runs
 * in the interpreter, where a float or a 32-bit pattern with its top bits set is a boxed heap
 * number.
 *   f32 high half = sign | (exponent + 112) << 7 | mantissa >> 3;  low half = (mantissa & 7) << 13
 * Parameters and result as decodeHalfRow.
 */
export function decodeHalfRowJs(src: Uint16Array, srcOff: number, out: Float32Array, outHalves: Uint16Array, outOff: number, n: number): boolean {
  let special = 0;
  for (let j = 0, o = 2 * outOff; j < n; j++, o += 2) {
    const h = src[srcOff + j];
    const exp = h & 0x7c00;
    if (exp === 0 && (h & 0x3ff) !== 0) {
      out[outOff + j] = (h & 0x8000 ? -1 : 1) * (h & 0x3ff) * 2 ** -24; // subnormal: m * 2^-24
      continue;
    }
    const e32 = exp === 0 ? 0 : exp === 0x7c00 ? 0xff : (exp >>> 10) + 112;
    special |= exp === 0x7c00 ? 1 : 0;
    outHalves[o + HIGH] = (h & 0x8000) | (e32 << 7) | ((h & 0x3ff) >>> 3);
    outHalves[o + LOW] = (h & 7) << 13;
  }
  return special === 0;
}

/** A Uint16Array over the same memory as a Float32Array, two halves per float (for decodeHalfRow). */
export function bitsView(out: Float32Array): Uint16Array {
  return new Uint16Array(out.buffer, out.byteOffset, out.length * 2);
}
