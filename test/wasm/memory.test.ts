// Linear memory: grows for long sentences and large batches (results still match
// js), is reused across calls, and stops at a cap with a typed INPUT_TOO_LARGE
// error — thrown before anything is written, leaving the backend usable. With
// both convolution algorithms (Winograd stages and chunks its own way).
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

import { describe, expect, it } from 'vitest';
import type { ConvAlgorithm, ConvShape, Sentence } from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js.js';
import { createWasmBackend } from '../../src/backend/wasm.js';
import type { WasmFlavour } from '../../src/backend/wasm-module.js';
import { BackendError } from '../../src/errors.js';
import { randomFloats, randomInt } from '../helpers/random.js';
import { convWorstRatio } from './compare.js';

const js = createJsBackend();

function bank(channels: number, dim: number, filters: number, ks: number[]) {
  return ks.map((k) => {
    const shape: ConvShape = { filters, channels, k, dim };
    const n = filters * channels * k * dim;
    return { shape, weight: randomFloats(n, 1 / Math.sqrt(n / filters)), bias: randomFloats(filters, 0.1) };
  });
}

function compare(
  flavour: WasmFlavour,
  conv: ConvAlgorithm,
  layers: ReturnType<typeof bank>,
  sentences: Sentence[],
  maxMemoryBytes?: number,
  act: 'relu' | 'tanh' = 'relu',
) {
  const wasm = createWasmBackend({ flavour, conv, maxMemoryBytes });
  const before = wasm.memoryBytes;
  const filters = layers.reduce((a, l) => a + l.shape.filters, 0);
  const want = new Float32Array(sentences.length * filters);
  const got = new Float32Array(sentences.length * filters);
  js.convMaxPool(
    want,
    filters,
    0,
    layers.map((l) => js.packConv(l.weight, l.bias, l.shape)),
    sentences,
    act,
  );
  const packed = layers.map((l) => wasm.packConv(l.weight, l.bias, l.shape));
  wasm.convMaxPool(got, filters, 0, packed, sentences, act);
  const grown = wasm.memoryBytes;
  wasm.convMaxPool(got, filters, 0, packed, sentences, act); // same size again: scratch is reused
  return { worst: convWorstRatio(got, want, filters, 0, layers, sentences), before, grown, after: wasm.memoryBytes };
}

for (const flavour of ['wasm-simd', 'wasm-relaxed'] as WasmFlavour[])
  for (const conv of ['direct', 'winograd'] as ConvAlgorithm[]) {
    describe(`linear memory on ${flavour}, ${conv} convolution`, () => {
      it('grows for a 2,000-token sentence (Kim-sized rows, 1 and 2 channels; cut into ~10-20 blocks) and still matches js', () => {
        for (const channels of [1, 2]) {
          const sentence = { tokens: 2000, data: randomFloats(channels * 2000 * 300) };
          const act = channels === 1 ? 'relu' : 'tanh';
          const { worst, before, grown, after } = compare(flavour, conv, bank(channels, 300, 5, [3, 4, 5]), [sentence], undefined, act);
          expect(worst.ratio, worst.where).toBeLessThanOrEqual(1);
          expect(grown).toBeGreaterThan(before);
          expect(grown).toBeGreaterThanOrEqual(channels * 2008 * 300 * 4); // the staged, padded sentence
          expect(after).toBe(grown);
        }
      });

      it('grows for a 256-sentence batch of mixed lengths (several L2-sized chunks) and still matches js', () => {
        const sentences = Array.from({ length: 256 }, (_, i) => {
          const tokens = randomInt(1, 64, 500 + i);
          return { tokens, data: randomFloats(tokens * 300) };
        });
        const { worst, grown, after } = compare(flavour, conv, bank(1, 300, 3, [3, 5]), sentences);
        expect(worst.ratio, worst.where).toBeLessThanOrEqual(1);
        expect(grown).toBeGreaterThan(256 * 10 * 300 * 4);
        expect(after).toBe(grown);
      });

      it('an input past the cap is INPUT_TOO_LARGE, and the backend still works afterwards', () => {
        const layers = bank(1, 300, 8, [3]);
        const wasm = createWasmBackend({ flavour, conv, maxMemoryBytes: 4 << 20 }); // 4 MiB
        const packed = layers.map((l) => wasm.packConv(l.weight, l.bias, l.shape));
        const out = new Float32Array(8);
        const big = { tokens: 5000, data: new Float32Array(5000 * 300) }; // 6 MB staged
        expect(() => wasm.convMaxPool(out, 8, 0, packed, [big], 'relu')).toThrow(
          expect.objectContaining({ name: 'BackendError', code: 'INPUT_TOO_LARGE', message: expect.stringMatching(/MiB.*cap of 4\.0 MiB/) }),
        );
        const small = { tokens: 20, data: randomFloats(20 * 300) };
        const { worst } = compare(flavour, conv, layers, [small], 4 << 20);
        expect(worst.ratio).toBeLessThanOrEqual(1);
        wasm.convMaxPool(out, 8, 0, packed, [small], 'relu');
        expect(out.every(Number.isFinite)).toBe(true);
      });

      it('an absurd input (2^28 tokens, never allocated) is INPUT_TOO_LARGE under the default 1 GiB cap', () => {
        const wasm = createWasmBackend({ flavour, conv });
        const layer = bank(1, 300, 8, [3])[0];
        const packed = wasm.packConv(layer.weight, layer.bias, layer.shape);
        const tokens = 2 ** 28;
        const fake = { tokens, data: { length: tokens * 300 } as Float32Array }; // only its length is read before the check
        expect(() => wasm.convMaxPool(new Float32Array(8), 8, 0, [packed], [fake], 'relu')).toThrow(expect.objectContaining({ code: 'INPUT_TOO_LARGE' }));
        expect(wasm.memoryBytes).toBeLessThan(1 << 20); // nothing was grown for it
      });

      it('weights past the cap are INPUT_TOO_LARGE too; bad caps are BAD_OPTION', () => {
        // one layer fits, two do not: direct packs it in 600 KB; Winograd in 1 MB, plus 50 KB of scratch (one panel at a time)
        const wasm = createWasmBackend({ flavour, conv, maxMemoryBytes: conv === 'direct' ? 1 << 20 : 1.5 * (1 << 20) });
        const layer = bank(1, 300, 100, [5])[0];
        wasm.packConv(layer.weight, layer.bias, layer.shape);
        expect(() => wasm.packConv(layer.weight, layer.bias, layer.shape)).toThrow(expect.objectContaining({ code: 'INPUT_TOO_LARGE' }));
        expect(() => createWasmBackend({ flavour, maxMemoryBytes: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
        expect(() => createWasmBackend({ flavour, maxMemoryBytes: 2 ** 33 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
      });

      it('refuses layers packed by another backend, and any call after dispose', () => {
        const a = createWasmBackend({ flavour, conv });
        const b = createWasmBackend({ flavour, conv });
        const layer = bank(1, 7, 3, [2])[0];
        const packed = a.packConv(layer.weight, layer.bias, layer.shape);
        const sentence = { tokens: 3, data: randomFloats(21) };
        expect(() => b.convMaxPool(new Float32Array(3), 3, 0, [packed], [sentence], 'relu')).toThrow(expect.objectContaining({ code: 'FOREIGN_LAYER' }));
        a.dispose!();
        expect(() => a.convMaxPool(new Float32Array(3), 3, 0, [packed], [sentence], 'relu')).toThrow(BackendError);
        expect(() => a.packDense(new Float32Array(1), new Float32Array(1), 1, 1)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
      });

      it('shape mistakes are typed errors, not wrong answers', () => {
        const wasm = createWasmBackend({ flavour, conv });
        const layer = bank(1, 7, 3, [2])[0];
        const packed = wasm.packConv(layer.weight, layer.bias, layer.shape);
        const bad = { tokens: 3, data: new Float32Array(20) }; // (1, 3, 7) needs 21
        expect(() => wasm.convMaxPool(new Float32Array(3), 3, 0, [packed], [bad], 'relu')).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
        const good = { tokens: 3, data: new Float32Array(21) };
        expect(() => wasm.convMaxPool(new Float32Array(2), 3, 0, [packed], [good], 'relu')).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
      });
    });
  }
