// Weight packing in the kernel module (`pack` in kernels/wasm/tinycnn.wat) against the JS
// reference layout (src/backend/wasm-pack.ts), bit for bit, on both flavours: conv and dense
// shapes, partial last panels (zero lanes), columns not a multiple of 4, and the two source
// placements — apart from dst, and in dst's own tail as the wasm backend does it.
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: before anything compiles the relaxed flavour

import { describe, expect, it } from 'vitest';
import { kernelModule, type KernelExports, type WasmFlavour } from '../../src/backend/wasm-module.js';
import { packConvWeight, packDenseWeight, PANEL, panelsFor } from '../../src/backend/wasm-pack.js';
import { randomFloats } from '../helpers/random.js';

const GARBAGE = 0x7fc0dead; // a NaN pattern: any lane the kernel fails to write stands out

function kernels(flavour: WasmFlavour): KernelExports {
  return new WebAssembly.Instance(kernelModule(flavour), {}).exports as unknown as KernelExports;
}

/** Packs weight (rows, cols) with the kernel; `inTail`: src placed in dst's tail, else after dst. */
function packInWasm(k: KernelExports, weight: Float32Array, rows: number, cols: number, inTail: boolean): Uint32Array {
  const packedFloats = panelsFor(rows) * PANEL * cols;
  const dst = 64;
  const src = inTail ? dst + (packedFloats - rows * cols) * 4 : dst + packedFloats * 4 + 64;
  const tmp = Math.max(dst + packedFloats * 4, src + rows * cols * 4) + 64;
  const need = tmp + PANEL * cols * 4 + 64;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const u32 = new Uint32Array(k.memory.buffer);
  u32.fill(GARBAGE);
  new Float32Array(k.memory.buffer).set(weight, src >>> 2);
  k.pack(dst, src, rows, cols, tmp);
  const out = new Uint32Array(k.memory.buffer);
  expect(out[(dst >>> 2) - 1], 'a word before dst was written').toBe(GARBAGE);
  if (!inTail) expect(out[(dst >>> 2) + packedFloats], 'a word after the packed weight was written').toBe(GARBAGE);
  return out.slice(dst >>> 2, (dst >>> 2) + packedFloats);
}

const bits = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);

/** The first index where two bit patterns differ (or the shorter length), -1 when equal: cheaper than a deep toEqual of 1M words. */
function firstDifference(got: Uint32Array, want: Uint32Array): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}

const DENSE: [number, number][] = [
  [1, 1],
  [1, 4],
  [2, 200],
  [6, 300],
  [7, 3],
  [8, 8],
  [9, 5],
  [13, 301],
  [200, 200],
  [200, 204],
  [17, 2],
];
const CONV: { filters: number; channels: number; k: number; dim: number }[] = [
  { filters: 100, channels: 1, k: 3, dim: 300 },
  { filters: 100, channels: 2, k: 5, dim: 300 },
  { filters: 100, channels: 1, k: 5, dim: 50 }, // SM: cols 250, not a multiple of 4
  { filters: 1, channels: 1, k: 1, dim: 7 },
  { filters: 13, channels: 2, k: 7, dim: 13 },
  { filters: 8, channels: 1, k: 2, dim: 3 },
];

for (const flavour of ['wasm-simd', 'wasm-relaxed'] as WasmFlavour[]) {
  describe(`pack kernel (${flavour}) = the JS reference layout`, () => {
    const k = kernels(flavour);
    for (const inTail of [true, false]) {
      const where = inTail ? 'src in the tail of dst' : 'src apart';
      it(`dense layers, ${where}`, () => {
        for (const [rows, cols] of DENSE) {
          const weight = randomFloats(rows * cols, 1);
          const want = new Float32Array(panelsFor(rows) * PANEL * cols).fill(Number.NaN);
          packDenseWeight(want, 0, weight, rows, cols);
          expect(firstDifference(packInWasm(k, weight, rows, cols, inTail), bits(want)), `(${rows}, ${cols})`).toBe(-1);
        }
      });
      it(`conv layers, ${where}`, () => {
        for (const shape of CONV) {
          const cols = shape.channels * shape.k * shape.dim;
          const weight = randomFloats(shape.filters * cols, 1);
          const want = new Float32Array(panelsFor(shape.filters) * PANEL * cols).fill(Number.NaN);
          packConvWeight(want, 0, weight, shape);
          expect(firstDifference(packInWasm(k, weight, shape.filters, cols, inTail), bits(want)), JSON.stringify(shape)).toBe(-1);
        }
      });
    }
    it('copies bits exactly: -0, NaN payloads, infinities and subnormals survive', () => {
      const raw = new Uint32Array([0x80000000, 0x7fc12345, 0x7f800000, 0xff800000, 0x00000001, 0x3f800000, 0x807fffff, 0x7fa00000, 0x12345678]);
      // (3, 3) -> one panel (3, 8): lane l of column i is raw[l * 3 + i], lanes 3..7 zero (a JS
      // float copy could quiet the signalling NaN, so the expectation is built from the bits)
      const want = new Uint32Array(PANEL * 3);
      for (let i = 0; i < 3; i++) for (let l = 0; l < 3; l++) want[i * PANEL + l] = raw[l * 3 + i];
      expect(packInWasm(k, new Float32Array(raw.buffer), 3, 3, true)).toEqual(want);
    });
  });
}
