// The Winograd transforms in the kernel module (kernels/wasm/winograd.wat) against float64 in JS:
// winograd_weightsK (U = G w, one 8-filter panel of raw weight per call; padding lanes 0) and winograd_inputA
// (V = B^T d, layout (alpha, tiles, channels * dim)) for every alpha, both flavours, odd dims
// (the overlapping last step), two channels, and words left untouched outside the outputs.
// The GEMMs and the output transform are checked end to end by parity.test.ts and golden.test.ts.
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: before anything compiles the relaxed flavour

import { describe, expect, it } from 'vitest';
import { toomCook, transformWeights, type WinogradPlan } from '../../kernels/js/toom-cook.js';
import { kernelModule, type KernelExports, type WasmFlavour } from '../../src/backend/wasm-module.js';
import { PANEL, panelsFor } from '../../src/backend/wasm-pack.js';
import { randomFloats, randomInt } from '../helpers/random.js';

const GARBAGE = 0x7fc0dead; // a NaN pattern: a word the kernel should not have written stands out

function kernels(flavour: WasmFlavour, bytes: number): KernelExports {
  const k = new WebAssembly.Instance(kernelModule(flavour), {}).exports as unknown as KernelExports;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  new Uint32Array(k.memory.buffer).fill(GARBAGE);
  return k;
}

/** |a - b| <= 4 ulp of the float32 result + 4 ulp of the sum of |terms| (float32 arithmetic vs float64). */
const close = (got: number, want: number, magnitude: number) => Math.abs(got - want) <= 2 ** -21 * (Math.abs(want) + magnitude);

/**
 * U (panels, alpha, channels * dim, 8) by winograd_weightsK, one panel per call as
 * src/backend/wasm-winograd.ts drives it; memory outside its buffers is GARBAGE.
 */
function transformInWasm(flavour: WasmFlavour, weight: Float32Array, shape: { filters: number; channels: number; k: number; dim: number }, plan: WinogradPlan) {
  const { filters, channels, k, dim } = shape;
  const { alpha } = plan;
  const panels = panelsFor(filters);
  const rowFloats = channels * k * dim;
  const g = 64;
  const rows = g + alpha * k * 4 + 64;
  const groups = rows + PANEL * rowFloats * 4 + 64;
  const u = groups + k * 32 * 4 + 64;
  const panelBytes = alpha * channels * dim * PANEL * 4;
  const end = u + panels * panelBytes;
  const wasm = kernels(flavour, end + 64);
  const f32 = new Float32Array(wasm.memory.buffer);
  f32.set(plan.g, g >>> 2);
  let overflowed = 0;
  for (let p = 0; p < panels; p++) {
    const real = Math.min(PANEL, filters - p * PANEL);
    f32.set(weight.subarray(p * PANEL * rowFloats, (p * PANEL + real) * rowFloats), rows >>> 2);
    f32.fill(0, (rows >>> 2) + real * rowFloats, (rows >>> 2) + PANEL * rowFloats);
    overflowed |= wasm[`winograd_weights${k as 2 | 3 | 4 | 5 | 6 | 7}`](u + p * panelBytes, rows, channels, dim, alpha, g, groups);
  }
  return { wasm, u, end, overflowed };
}

for (const flavour of ['wasm-simd', 'wasm-relaxed'] as WasmFlavour[]) {
  describe(`Winograd transforms in wasm, ${flavour}`, () => {
    it('winograd_weightsK: U = G w one 8-filter panel at a time, for every k and alpha <= 8, odd dims (the overlapping last block), two channels', () => {
      for (let k = 2; k <= 7; k++) {
        for (let m = 1; m + k - 1 <= 8; m += 2) {
          const plan = toomCook(m, k);
          const { alpha } = plan;
          const shape = { filters: randomInt(1, 19), channels: randomInt(1, 2), k, dim: [4, 5, 7, 13, 50][randomInt(0, 4)] };
          const { filters, channels, dim } = shape;
          const panels = panelsFor(filters);
          const weight = randomFloats(filters * channels * k * dim);
          const want = new Float32Array(filters * alpha * channels * dim); // (filters, alpha, channels, dim)
          expect(transformWeights(want, weight, shape, plan), 'js: U of small weights overflowed').toBe(false);
          const { wasm, u, end, overflowed } = transformInWasm(flavour, weight, shape, plan);
          expect(overflowed, 'U of small weights overflowed').toBe(0);
          const got = new Float32Array(wasm.memory.buffer, u, (end - u) / 4); // (panels, alpha, channels * dim, 8)
          for (let f = 0; f < panels * PANEL; f++) {
            for (let x = 0; x < alpha; x++) {
              for (let c = 0; c < channels; c++) {
                for (let d = 0; d < dim; d++) {
                  const at = (((f >> 3) * alpha + x) * channels * dim + c * dim + d) * PANEL + (f & 7);
                  if (f >= filters) {
                    if (got[at] !== 0) expect.fail(`F(${m}, ${k}) ${JSON.stringify(shape)}: padding lane ${f} holds ${got[at]}`);
                    continue;
                  }
                  const ref = want[((f * alpha + x) * channels + c) * dim + d];
                  let magnitude = 0;
                  for (let j = 0; j < k; j++) magnitude += Math.abs(plan.g[x * k + j] * weight[((f * channels + c) * k + j) * dim + d]);
                  if (!close(got[at], ref, magnitude))
                    expect.fail(`F(${m}, ${k}) ${JSON.stringify(shape)}: U[${f}, ${x}, ${c}, ${d}] = ${got[at]}, float64 says ${ref}`);
                }
              }
            }
          }
          expect(new Uint32Array(wasm.memory.buffer)[end >>> 2], 'a word after U was written').toBe(GARBAGE);
          expect(new Uint32Array(wasm.memory.buffer)[(u >>> 2) - 1], 'a word before U was written').toBe(GARBAGE);
        }
      }
    });

    it('winograd_weightsK says when U overflows float32 (finite weights near the maximum), as the float64 transform does', () => {
      let overflowed = 0;
      for (let k = 2; k <= 7; k++) {
        for (let m = 2; m + k - 1 <= 8; m++) {
          const plan = toomCook(m, k);
          const { alpha } = plan;
          const shape = { filters: 9, channels: 1, k, dim: 5 };
          const weight = randomFloats(9 * k * 5);
          const huge = randomInt(0, 8); // one filter's taps all 3e38: the G rows that sum past ~1.13 overflow
          for (let i = 0; i < k * 5; i++) weight[huge * k * 5 + i] = 3e38;
          const want = new Float32Array(9 * alpha * 5);
          const jsSays = transformWeights(want, weight, shape, plan);
          expect(jsSays, `F(${m}, ${k}): js flag vs its own U`).toBe(want.some((v) => !Number.isFinite(v)));
          const wasmSays = transformInWasm(flavour, weight, shape, plan).overflowed;
          expect(wasmSays, `F(${m}, ${k}): wasm flag vs the float64 transform`).toBe(jsSays ? 1 : 0);
          overflowed += wasmSays;
        }
      }
      expect(overflowed, 'no tile overflowed: the case is not exercised').toBeGreaterThan(5);
    });

    for (let alpha = 4; alpha <= 8; alpha++) {
      it(`winograd_input${alpha}: V = B^T d over tiles of overlapping rows, odd dims, two channels`, () => {
        const plan = toomCook(alpha - 2, 3); // any F(m, r) with this alpha has the same B^T shape
        for (const [channels, dim] of [
          [1, 300],
          [2, 13],
          [1, 7],
          [2, 4],
        ]) {
          const m = plan.m;
          const tiles = 5;
          const rows = (tiles - 1) * m + alpha + 2; // a channel's rows, a little more than the tiles read
          const x = randomFloats(channels * rows * dim); // (channels, rows, dim)
          const input = 64;
          const bt = input + x.length * 4 + 64;
          const desc = bt + alpha * alpha * 4 + 64;
          const v = desc + tiles * 12 + 64;
          const planeBytes = tiles * channels * dim * 4;
          const end = v + alpha * planeBytes;
          const wasm = kernels(flavour, end + 64);
          const f32 = new Float32Array(wasm.memory.buffer);
          const i32 = new Int32Array(wasm.memory.buffer);
          f32.set(x, input >>> 2);
          f32.set(plan.bt, bt >>> 2);
          const first = (t: number) => 1 + t * m; // padded row of tile t's window (row 0 is never read)
          for (let t = 0; t < tiles; t++) i32[(desc >>> 2) + 3 * t] = input + first(t) * dim * 4;
          wasm[`winograd_input${alpha as 4 | 5 | 6 | 7 | 8}`](v, planeBytes, desc, tiles, channels, dim * 4, rows * dim * 4, bt);
          for (let p = 0; p < alpha; p++) {
            for (let t = 0; t < tiles; t++) {
              for (let c = 0; c < channels; c++) {
                for (let d = 0; d < dim; d++) {
                  let want = 0;
                  let magnitude = 0;
                  for (let j = 0; j < alpha; j++) {
                    const term = plan.bt[p * alpha + j] * x[(c * rows + first(t) + j) * dim + d];
                    want += term;
                    magnitude += Math.abs(term);
                  }
                  const got = f32[(v + p * planeBytes) / 4 + (t * channels + c) * dim + d];
                  if (!close(got, want, magnitude))
                    expect.fail(`channels ${channels}, dim ${dim}: V[${p}, ${t}, ${c * dim + d}] = ${got}, float64 says ${want}`);
                }
              }
            }
          }
          expect(new Uint32Array(wasm.memory.buffer)[end >>> 2], 'a word after V was written').toBe(GARBAGE);
          expect(new Uint32Array(wasm.memory.buffer)[(v >>> 2) - 1], 'a word before V was written').toBe(GARBAGE);
        }
      });
    }
  });
}
