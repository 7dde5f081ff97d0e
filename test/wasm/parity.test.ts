// Backend parity: both wasm flavours, with direct and Winograd convolution, against
// the js reference backend (direct) on random shapes, with the per-op tolerances of
// ./compare.ts — and a check that the comparison fails when one weight is wrong.
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: before anything compiles the relaxed flavour

import { afterAll, describe, expect, it } from 'vitest';
import type { Activation, Backend, ConvAlgorithm, ConvShape, Sentence } from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js.js';
import { createWasmBackend } from '../../src/backend/wasm.js';
import type { WasmFlavour } from '../../src/backend/wasm-module.js';
import { randomFloats, randomInt } from '../helpers/random.js';
import { convWorstRatio, denseWorstRatio } from './compare.js';

interface BankCase {
  name: string;
  channels: number;
  dim: number;
  filters: number[]; // one conv per entry
  ks: number[];
  tokens: number[]; // the batch
  act: 'relu' | 'tanh';
}

const CASES: BankCase[] = [
  { name: 'Kim static (k 3,4,5, 300-d), 20 tokens', channels: 1, dim: 300, filters: [100, 100, 100], ks: [3, 4, 5], tokens: [20], act: 'relu' },
  { name: 'Kim multichannel, mixed batch 1..300', channels: 2, dim: 300, filters: [100, 100, 100], ks: [3, 4, 5], tokens: [1, 2, 3, 64, 300, 7], act: 'relu' },
  { name: 'SM tower (k 5, 50-d), tanh, mixed batch', channels: 1, dim: 50, filters: [100], ks: [5], tokens: [20, 1, 33, 5], act: 'tanh' },
  { name: 'odd dim 7, filters 1/3/5, k 1..3', channels: 1, dim: 7, filters: [1, 3, 5], ks: [1, 2, 3], tokens: [1, 4, 9, 2], act: 'relu' },
  { name: 'odd dim 13, 2 channels, filters 13, k 7', channels: 2, dim: 13, filters: [13], ks: [7], tokens: [1, 6, 13, 250], act: 'tanh' },
  { name: 'odd dim 301, filters 13 + 100, k 6 and 7', channels: 1, dim: 301, filters: [13, 100], ks: [6, 7], tokens: [3, 17], act: 'relu' },
  { name: 'dim 301, 2 channels, k 7 (K = 4,214), 1 filter', channels: 2, dim: 301, filters: [1], ks: [7], tokens: [11, 1], act: 'tanh' },
];

// Random shapes on top: seeded, so a failure reproduces.
for (let i = 0; i < 8; i++) {
  const seed = 1000 + 17 * i;
  const dim = [7, 13, 50, 300, 301][randomInt(0, 4, seed)];
  const members = randomInt(1, 3, seed + 1);
  CASES.push({
    name: `random #${i}`,
    channels: randomInt(1, 2, seed + 2),
    dim,
    filters: Array.from({ length: members }, (_, m) => [1, 3, 5, 8, 13, 100][randomInt(0, 5, seed + 3 + m)]),
    ks: Array.from({ length: members }, (_, m) => randomInt(1, 7, seed + 7 + m)),
    tokens: Array.from({ length: randomInt(1, 5, seed + 11) }, (_, s) => randomInt(1, dim >= 300 ? 120 : 300, seed + 12 + s)),
    act: randomInt(0, 1, seed + 20) ? 'tanh' : 'relu',
  });
}

/** Weights scaled like PyTorch's default init, inputs in [-1, 1). */
function makeBank(c: BankCase) {
  return c.filters.map((filters, m) => {
    const shape: ConvShape = { filters, channels: c.channels, k: c.ks[m], dim: c.dim };
    const fanIn = c.channels * shape.k * c.dim;
    return { shape, weight: randomFloats(filters * fanIn, 1 / Math.sqrt(fanIn)), bias: randomFloats(filters, 1 / Math.sqrt(fanIn)) };
  });
}

function runBank(backend: Backend, bank: ReturnType<typeof makeBank>, sentences: Sentence[], act: 'relu' | 'tanh', stride: number, offset: number) {
  const packed = bank.map((m) => backend.packConv(m.weight, m.bias, m.shape));
  const features = new Float32Array(sentences.length * stride).fill(NaN); // NaN: an unwritten slot fails the comparison
  backend.convMaxPool(features, stride, offset, packed, sentences, act);
  return features;
}

const FLAVOURS: WasmFlavour[] = ['wasm-simd', 'wasm-relaxed'];
const js = createJsBackend();
const observed: Record<string, number> = {}; // worst ratio per flavour and op, printed at the end
const note = (key: string, ratio: number) => (observed[key] = Math.max(observed[key] ?? 0, ratio));
afterAll(() => console.log(`worst error / allowed: ${JSON.stringify(observed)}`));

for (const flavour of FLAVOURS)
  for (const conv of ['direct', 'winograd'] as ConvAlgorithm[]) {
    describe(`${flavour} ${conv} vs js`, () => {
      const wasm = createWasmBackend({ flavour, conv });

      it('really runs the requested flavour and convolution', () => {
        expect(wasm.flavour).toBe(flavour);
        expect(wasm.conv).toBe(conv);
      });

      for (const c of CASES) {
        it(`convMaxPool: ${c.name} (channels ${c.channels}, dim ${c.dim}, filters ${c.filters}, k ${c.ks}, tokens ${c.tokens}, ${c.act})`, () => {
          const bank = makeBank(c);
          const sentences = c.tokens.map((tokens) => ({ tokens, data: randomFloats(c.channels * tokens * c.dim) }));
          const total = c.filters.reduce((a, b) => a + b, 0);
          const stride = total + 5; // the bank sits at offset 3 inside wider rows, as in SM's feature vector
          const want = runBank(js, bank, sentences, c.act, stride, 3);
          const got = runBank(wasm, bank, sentences, c.act, stride, 3);
          const worst = convWorstRatio(got, want, stride, 3, bank, sentences);
          note(`${flavour} ${conv} conv`, worst.ratio);
          expect(worst.ratio, worst.where).toBeLessThanOrEqual(1);
          for (let b = 0; b < sentences.length; b++) {
            for (const slot of [0, 1, 2, stride - 2, stride - 1]) expect(got[b * stride + slot], 'wrote outside its columns').toBeNaN();
          }
        });
      }

      it('convMaxPool: a deliberately wrong weight is caught by the same comparison', () => {
        const c = CASES[0];
        const bank = makeBank({ ...c, filters: [13], ks: [3] }); // 13 filters: the wrong one sits in the partial last panel
        const sentences = [{ tokens: 20, data: randomFloats(20 * c.dim) }];
        const want = runBank(js, bank, sentences, 'relu', 13, 0);
        const wrong = bank.map((m) => ({ ...m, weight: m.weight.slice() }));
        wrong[0].weight[12 * 3 * 300 + 2 * 300 + 299] += 0.5; // filter 12, row j = 2, last element of the dim
        const got = runBank(wasm, wrong, sentences, 'relu', 13, 0);
        const worst = convWorstRatio(got, want, 13, 0, bank, sentences);
        expect(worst.ratio).toBeGreaterThan(10);
        expect(worst.where).toContain('filter 12');
      });

      const DENSE: Array<[number, number, number, Activation]> = [
        [6, 300, 1, 'none'], // Kim fc1, SST-1
        [2, 300, 3, 'none'],
        [200, 204, 1, 'tanh'], // SM combined_feature_vector with ext features
        [200, 200, 5, 'tanh'],
        [2, 200, 4, 'none'], // SM hidden
        [1, 1, 1, 'relu'],
        [13, 7, 9, 'relu'],
        [9, 301, 2, 'tanh'],
      ];
      for (const [outFeatures, inFeatures, batch, act] of DENSE) {
        it(`dense ${outFeatures} x ${inFeatures}, batch ${batch}, ${act}`, () => {
          const scale = 1 / Math.sqrt(inFeatures);
          const weight = randomFloats(outFeatures * inFeatures, scale);
          const bias = randomFloats(outFeatures, scale);
          const x = randomFloats(batch * inFeatures + 11); // longer than batch * in, like a reused feature buffer
          const want = new Float32Array(batch * outFeatures);
          const got = new Float32Array(batch * outFeatures).fill(NaN);
          js.dense(want, js.packDense(weight, bias, outFeatures, inFeatures), x, batch, act);
          wasm.dense(got, wasm.packDense(weight, bias, outFeatures, inFeatures), x, batch, act);
          const worst = denseWorstRatio(got, want, weight, bias, x, batch, outFeatures, inFeatures);
          note(`${flavour} ${conv} dense`, worst.ratio);
          expect(worst.ratio, worst.where).toBeLessThanOrEqual(1);
        });
      }

      it('dense: a deliberately wrong weight is caught', () => {
        const weight = randomFloats(13 * 7, 0.4);
        const bias = randomFloats(13, 0.4);
        const x = randomFloats(2 * 7);
        const want = new Float32Array(26);
        const got = new Float32Array(26);
        js.dense(want, js.packDense(weight, bias, 13, 7), x, 2, 'none');
        const wrong = weight.slice();
        wrong[12 * 7 + 6] += 0.01;
        wasm.dense(got, wasm.packDense(wrong, bias, 13, 7), x, 2, 'none');
        expect(denseWorstRatio(got, want, weight, bias, x, 2, 13, 7).ratio).toBeGreaterThan(10);
      });
    });
  }
