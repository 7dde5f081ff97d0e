// The TypeScript backend's fast kernels against the straightforward reference loops (kernels/js/reference.ts).
import { describe, expect, it } from 'vitest';
import { convMaxPool } from '../../kernels/js/conv.js';
import { dense } from '../../kernels/js/dense.js';
import { activate, conv1dWide, denseRef, maxOverTime } from '../../kernels/js/reference.js';
import { softmax } from '../../kernels/js/softmax.js';
import type { ConvShape } from '../../src/backend/backend.js';
import { randomFloats, randomInt } from '../helpers/random.js';

/** Reference: wide conv, bias, activation, then max over time, each as its own pass. */
function referenceConvMaxPool(x: Float32Array, tokens: number, w: Float32Array, b: Float32Array, shape: ConvShape, act: 'relu' | 'tanh') {
  const steps = tokens + shape.k - 1;
  const y = new Float32Array(shape.filters * steps);
  conv1dWide(y, x, tokens, w, b, shape);
  activate(y, y.length, act);
  const out = new Float32Array(shape.filters);
  maxOverTime(out, 0, y, shape.filters, steps);
  return out;
}

/** Pads (channels, tokens, dim) with `pad` zero rows above and below each channel, as the backend does. */
function padRows(x: Float32Array, channels: number, tokens: number, dim: number, pad: number) {
  const rows = tokens + 2 * pad;
  const xpad = new Float32Array(channels * rows * dim);
  for (let c = 0; c < channels; c++) xpad.set(x.subarray(c * tokens * dim, (c + 1) * tokens * dim), (c * rows + pad) * dim);
  return { xpad, rows };
}

describe('reference conv1dWide', () => {
  it('matches a hand-computed wide convolution', () => {
    // 1 filter, 1 channel, k = 2, dim = 1, x = [1, 2, 3]: outputs over xpad = [0, 1, 2, 3, 0]
    const out = new Float32Array(4);
    conv1dWide(out, Float32Array.of(1, 2, 3), 3, Float32Array.of(10, 1), Float32Array.of(0.5), { filters: 1, channels: 1, k: 2, dim: 1 });
    expect(Array.from(out)).toEqual([0 * 10 + 1 * 1 + 0.5, 1 * 10 + 2 + 0.5, 2 * 10 + 3 + 0.5, 3 * 10 + 0 + 0.5]);
  });

  it('sees a one-token sentence through every kernel row (wide, not valid, convolution)', () => {
    const out = new Float32Array(3);
    conv1dWide(out, Float32Array.of(2), 1, Float32Array.of(1, 10, 100), Float32Array.of(0), { filters: 1, channels: 1, k: 3, dim: 1 });
    expect(Array.from(out)).toEqual([200, 20, 2]);
  });
});

describe('fused convMaxPool (TypeScript backend)', () => {
  const cases: Array<[string, ConvShape, number]> = [
    ['Kim branch, 20 tokens', { filters: 100, channels: 1, k: 3, dim: 300 }, 20],
    ['multichannel, 1 token', { filters: 7, channels: 2, k: 5, dim: 13 }, 1],
    ['odd filters, 2 tokens', { filters: 5, channels: 1, k: 4, dim: 7 }, 2],
    ['one filter, k = 1', { filters: 1, channels: 1, k: 1, dim: 301 }, 3],
    ['SM tower, 64 tokens', { filters: 100, channels: 1, k: 5, dim: 50 }, 64],
  ];
  for (const act of ['relu', 'tanh'] as const) {
    for (const [name, shape, tokens] of cases) {
      it(`${name}, ${act}`, () => {
        const { filters, channels, k, dim } = shape;
        const x = randomFloats(channels * tokens * dim);
        const w = randomFloats(filters * channels * k * dim, 0.1);
        const b = randomFloats(filters, 0.1);
        const expected = referenceConvMaxPool(x, tokens, w, b, shape, act);
        const pad = k + 2; // more padding than the branch needs, as in a bank with a larger k
        const { xpad, rows } = padRows(x, channels, tokens, dim, pad);
        const out = new Float32Array(filters + 3).fill(-7);
        convMaxPool(out, 2, xpad, rows, pad, tokens, w, b, shape, act);
        expect(out[0]).toBe(-7);
        expect(out[1]).toBe(-7);
        expect(out[filters + 2]).toBe(-7);
        for (let f = 0; f < filters; f++) {
          // both sum in float64 but in different orders; the bound scales with the dot product's size
          expect(Math.abs(out[2 + f] - expected[f])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(expected[f])));
        }
      });
    }
  }

  it('random shapes', () => {
    for (let trial = 0; trial < 40; trial++) {
      const shape = { filters: randomInt(1, 13), channels: randomInt(1, 2), k: randomInt(1, 6), dim: randomInt(1, 40) };
      const tokens = randomInt(1, 30);
      const act = trial % 2 ? 'relu' : 'tanh';
      const x = randomFloats(shape.channels * tokens * shape.dim, 4);
      const w = randomFloats(shape.filters * shape.channels * shape.k * shape.dim);
      const b = randomFloats(shape.filters);
      const expected = referenceConvMaxPool(x, tokens, w, b, shape, act);
      const pad = shape.k - 1;
      const { xpad, rows } = padRows(x, shape.channels, tokens, shape.dim, pad);
      const out = new Float32Array(shape.filters);
      convMaxPool(out, 0, xpad, rows, pad, tokens, w, b, shape, act);
      for (let f = 0; f < shape.filters; f++) expect(Math.abs(out[f] - expected[f])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(expected[f])));
    }
  });
});

describe('dense', () => {
  it('matches the reference for odd sizes, a batch and every activation', () => {
    for (const [outF, inF, batch] of [
      [1, 1, 1],
      [2, 300, 1],
      [6, 300, 3],
      [204, 204, 2],
      [5, 7, 4],
    ]) {
      const w = randomFloats(outF * inF);
      const b = randomFloats(outF);
      const x = randomFloats(batch * inF);
      for (const act of ['none', 'relu', 'tanh'] as const) {
        const out = new Float32Array(batch * outF);
        dense(out, x, batch, w, b, outF, inF, act);
        for (let r = 0; r < batch; r++) {
          const expected = new Float32Array(outF);
          denseRef(expected, x.subarray(r * inF), w, b, outF, inF);
          activate(expected, outF, act);
          for (let o = 0; o < outF; o++) expect(Math.abs(out[r * outF + o] - expected[o])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(expected[o])));
        }
      }
    }
  });
});

describe('softmax', () => {
  it('matches exp / sum and survives huge logits', () => {
    const out = new Float32Array(3);
    softmax(out, [1, 2, 3], 3);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expect(out[2]).toBeCloseTo(Math.exp(3) / z, 6);
    softmax(out, [1e30, -1e30, 1e30], 3);
    expect(Array.from(out)).toEqual([0.5, 0, 0.5]);
  });
});
