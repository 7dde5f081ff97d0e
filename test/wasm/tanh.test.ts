// The wasm tanh (kernels/wasm/tinycnn.wat $tanh4: float64 evaluation, one rounding
// to float32) against Math.tanh rounded to float32, over the whole float32 range:
// every 509th bit pattern of each sign (8.4 M values: all binades, denormals
// included) plus the special and threshold values. Bound: 1 ulp. Set
// TINYCNN_TANH_EXHAUSTIVE=1 to check all 2^31 non-negative patterns (several minutes;
// last run: 2,147,483,641 identical to fround(Math.tanh), 7 at 1 ulp, just above 2^-8).
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

import { describe, expect, it } from 'vitest';
import { kernelModule, type KernelExports, type WasmFlavour } from '../../src/backend/wasm-module.js';

const CHUNK = 1 << 20; // floats per call

function tanhOf(flavour: WasmFlavour) {
  const kernels = new WebAssembly.Instance(kernelModule(flavour), {}).exports as unknown as KernelExports;
  kernels.memory.grow(Math.ceil((CHUNK * 4 + 64) / 65536));
  const f32 = new Float32Array(kernels.memory.buffer, 64, CHUNK);
  /** In place: values (n) <- tanh(values), through the wasm export, in chunks. */
  return (values: Float32Array): Float32Array => {
    for (let at = 0; at < values.length; at += CHUNK) {
      const part = values.subarray(at, Math.min(at + CHUNK, values.length));
      f32.set(part);
      kernels.tanh(64, part.length); // odd lengths exercise the one-at-a-time tail
      part.set(f32.subarray(0, part.length));
    }
    return values;
  };
}

const pair = new Float32Array(2);
const pairBits = new Int32Array(pair.buffer);

/** Distance in units in the last place between two float32 values of the same sign (bit patterns as integers). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0; // also +0 vs -0, checked separately
  pair[0] = a;
  pair[1] = b;
  const ia = pairBits[0];
  const ib = pairBits[1];
  if (ia < 0 !== ib < 0) return Infinity;
  return Math.abs(ia - ib);
}

/** Max ulp error of got vs fround(Math.tanh(x)), with the worst x. */
function worstUlps(xs: Float32Array, got: Float32Array): { ulps: number; x: number } {
  let worst = { ulps: 0, x: NaN };
  for (let i = 0; i < xs.length; i++) {
    const u = ulps(got[i], Math.fround(Math.tanh(xs[i])));
    if (u > worst.ulps) worst = { ulps: u, x: xs[i] };
  }
  return worst;
}

const SPECIALS = [
  0,
  -0,
  1e-45,
  -1e-45,
  1.1754942e-38,
  1.1754944e-38,
  2 ** -126,
  1e-30,
  1e-10,
  2 ** -9,
  2 ** -8 - 2 ** -32,
  2 ** -8,
  2 ** -8 + 2 ** -31,
  0.001,
  0.1,
  0.25,
  0.5,
  0.54,
  0.55,
  0.625,
  0.7,
  1,
  1.5,
  2,
  3,
  4,
  5,
  7,
  8,
  8.5,
  9,
  9.01,
  9.02,
  9.1,
  10,
  15,
  19.99,
  20,
  20.01,
  50,
  88.7,
  100,
  1e10,
  3.4028235e38,
  Infinity,
  NaN,
];

for (const flavour of ['wasm-simd', 'wasm-relaxed'] as WasmFlavour[]) {
  describe(`tanh on ${flavour}`, () => {
    const tanh = tanhOf(flavour);

    it('special values: +-0 keep their sign, +-Infinity -> +-1, NaN -> NaN, odd symmetry', () => {
      const xs = Float32Array.from([...SPECIALS, ...SPECIALS.map((v) => -v)]);
      const got = tanh(xs.slice());
      expect(Object.is(got[0], 0)).toBe(true); // tanh(+0) = +0
      expect(Object.is(got[1], -0)).toBe(true); // tanh(-0) = -0
      expect(got[SPECIALS.indexOf(Infinity)]).toBe(1);
      expect(got[SPECIALS.length + SPECIALS.indexOf(Infinity)]).toBe(-1);
      expect(got[SPECIALS.findIndex(Number.isNaN)]).toBeNaN();
      for (let i = 0; i < SPECIALS.length; i++) expect(Object.is(got[SPECIALS.length + i], -got[i]) || Number.isNaN(got[i])).toBe(true);
      const worst = worstUlps(xs, got);
      expect(worst.ulps, `worst at x = ${worst.x}`).toBeLessThanOrEqual(1);
    });

    it('every 509th float32 bit pattern, both signs (all binades, denormals, huge values): <= 1 ulp', () => {
      const stride = 509;
      const count = Math.floor(0x7f800000 / stride);
      const bits = new Uint32Array(2 * count);
      for (let i = 0; i < count; i++) {
        bits[i] = i * stride;
        bits[count + i] = (i * stride) | 0x80000000;
      }
      const xs = new Float32Array(bits.buffer);
      const got = tanh(xs.slice());
      const worst = worstUlps(xs, got);
      console.log(
        `tanh ${flavour}: ${xs.length} values, worst ${worst.ulps} ulp${worst.ulps ? ` at x = ${worst.x}` : ' (all identical to fround(Math.tanh))'}`,
      );
      expect(worst.ulps, `worst at x = ${worst.x}`).toBeLessThanOrEqual(1);
    });

    // $tanh4 has no MADD, so its code is the same in both flavours: one exhaustive run is enough
    it.runIf(process.env.TINYCNN_TANH_EXHAUSTIVE === '1' && flavour === 'wasm-simd')(
      'all 2^31 non-negative float32 values: <= 1 ulp',
      () => {
        let worst = { ulps: 0, x: NaN };
        let exact = 0;
        const bits = new Uint32Array(1 << 24);
        const xs = new Float32Array(bits.buffer);
        for (let hi = 0; hi < 128; hi++) {
          for (let i = 0; i < bits.length; i++) bits[i] = (hi << 24) | i;
          const got = tanh(xs.slice());
          for (let i = 0; i < xs.length; i++) {
            const u = ulps(got[i], Math.fround(Math.tanh(xs[i])));
            if (u === 0) exact++;
            if (u > worst.ulps) worst = { ulps: u, x: xs[i] };
          }
        }
        console.log(`tanh ${flavour} exhaustive: worst ${worst.ulps} ulp at x = ${worst.x}; ${exact} of 2^31 identical to fround(Math.tanh)`);
        expect(worst.ulps).toBeLessThanOrEqual(1);
      },
      600_000,
    );
  });
}
