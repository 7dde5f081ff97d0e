// Winograd / Toom-Cook F(m, r) along time: the transform matrices compute exact correlations,
// their A^T and B^T entries are exact in float32, and the TypeScript Winograd kernel matches the
// straightforward reference convolution (kernels/js/reference.ts) — and fails when it should.
import { afterAll, describe, expect, it } from 'vitest';
import { activate, conv1dWide, maxOverTime } from '../../kernels/js/reference.js';
import { DEFAULT_TILE, MAX_ALPHA, toomCook, transformWeights, winogradPlanFor, type WinogradPlan } from '../../kernels/js/toom-cook.js';
import { winogradConvMaxPool, winogradScratchLength } from '../../kernels/js/winograd.js';
import type { Backend, ConvShape } from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js.js';
import { randomFloats, randomInt } from '../helpers/random.js';

/** Every (m, r) with 2 <= r <= 7 and alpha = m + r - 1 <= MAX_ALPHA. */
const ALL_PLANS: Array<[number, number]> = [];
for (let r = 2; r <= 7; r++) for (let m = 1; m + r - 1 <= MAX_ALPHA; m++) ALL_PLANS.push([m, r]);

describe('toomCook', () => {
  for (const [m, r] of ALL_PLANS) {
    it(`F(${m}, ${r}) computes y_i = sum_j g_j d_(i+j) exactly on small integers`, () => {
      const plan = toomCook(m, r);
      const { alpha, at, g, bt } = plan;
      for (let trial = 0; trial < 20; trial++) {
        const taps = Array.from({ length: r }, (_, j) => randomInt(-9, 9, 100 * trial + j + 1));
        const d = Array.from({ length: alpha }, (_, j) => randomInt(-9, 9, 100 * trial + 50 + j));
        const u = Array.from({ length: alpha }, (_, x) => taps.reduce((s, t, j) => s + g[x * r + j] * t, 0));
        const v = Array.from({ length: alpha }, (_, x) => d.reduce((s, t, j) => s + bt[x * alpha + j] * t, 0));
        for (let i = 0; i < m; i++) {
          let y = 0;
          for (let x = 0; x < alpha; x++) y += at[i * alpha + x] * u[x] * v[x];
          const exact = taps.reduce((s, t, j) => s + t * d[i + j], 0);
          expect(Math.abs(y - exact), `output ${i}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(exact)));
        }
      }
    });
  }

  it('keeps every inexact coefficient in G: A^T and B^T entries are exact float32 values', () => {
    for (const [m, r] of ALL_PLANS) {
      const { at, bt } = toomCook(m, r);
      for (const value of [...at, ...bt]) expect(Math.fround(value), `F(${m}, ${r})`).toBe(value);
    }
  });

  it('refuses repeated points and wrong point counts', () => {
    expect(() => toomCook(2, 3, [0, 1, 1])).toThrow(RangeError);
    expect(() => toomCook(2, 3, [0, 1])).toThrow(RangeError);
  });

  it('has a default plan for k = 2..7 and none for k = 1 (nothing to gain)', () => {
    for (let k = 2; k <= 7; k++) expect(winogradPlanFor(k)?.m, `k = ${k}`).toBe(DEFAULT_TILE[k]);
    expect(winogradPlanFor(1)).toBeUndefined();
    expect(winogradPlanFor(3, { 3: 7 })).toBeUndefined(); // alpha 9 > MAX_ALPHA
  });
});

/** Reference: wide conv, bias, activation, then max over time, each as its own pass (float64 sums). */
function reference(x: Float32Array, tokens: number, w: Float32Array, b: Float32Array, shape: ConvShape, act: 'relu' | 'tanh') {
  const steps = tokens + shape.k - 1;
  const y = new Float32Array(shape.filters * steps);
  conv1dWide(y, x, tokens, w, b, shape);
  activate(y, y.length, act);
  const out = new Float32Array(shape.filters);
  maxOverTime(out, 0, y, shape.filters, steps);
  return out;
}

/** Runs the Winograd kernel the way the js backend does: pad rows above and below, transform, fused conv. */
function runWinograd(
  x: Float32Array,
  tokens: number,
  w: Float32Array,
  b: Float32Array,
  shape: ConvShape,
  act: 'relu' | 'tanh',
  plan: WinogradPlan,
  pad: number,
) {
  const { filters, channels, dim } = shape;
  const rows = tokens + 2 * pad;
  const xpad = new Float32Array(channels * rows * dim);
  for (let c = 0; c < channels; c++) xpad.set(x.subarray(c * tokens * dim, (c + 1) * tokens * dim), (c * rows + pad) * dim);
  const u = new Float32Array(filters * plan.alpha * channels * dim);
  transformWeights(u, w, shape, plan);
  const out = new Float32Array(filters + 3).fill(-7);
  winogradConvMaxPool(out, 2, xpad, rows, pad, tokens, u, b, shape, plan, act, new Float64Array(winogradScratchLength(plan, shape)));
  expect([out[0], out[1], out[filters + 2]], 'wrote outside its columns').toEqual([-7, -7, -7]);
  return out.subarray(2, 2 + filters);
}

/** Worst |got - want| / (1 + |b_f| + sum |w_f| * max |x|): the scale of float32 error in the dot products. */
function worstRatio(got: Float32Array, want: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, filters: number) {
  let xMax = 0;
  for (const v of x) xMax = Math.max(xMax, Math.abs(v));
  const span = w.length / filters;
  let worst = 0;
  for (let f = 0; f < filters; f++) {
    let wSum = 0;
    for (let i = 0; i < span; i++) wSum += Math.abs(w[f * span + i]);
    const error = Math.abs(got[f] - want[f]) / (1 + Math.abs(b[f]) + wSum * xMax);
    worst = Math.max(worst, Number.isNaN(error) ? Infinity : error);
  }
  return worst;
}

const observed: Record<string, number> = {};
afterAll(() => console.log(`winograd js kernel, worst |error| / (1 + |b| + S) per F(m, r): ${JSON.stringify(observed)}`));

/** float64 sums; U rounded to float32 once: far below float32 direct convolution's ~1e-7 * S. */
const BOUND = 2e-7;

describe('winogradConvMaxPool (TypeScript backend)', () => {
  const shapes: Array<[string, ConvShape, number]> = [
    ['Kim branch, 20 tokens', { filters: 100, channels: 1, k: 3, dim: 300 }, 20],
    ['Kim branch k 5, 64 tokens', { filters: 100, channels: 1, k: 5, dim: 300 }, 64],
    ['multichannel, 1 token', { filters: 7, channels: 2, k: 5, dim: 13 }, 1],
    ['odd filters, 2 tokens', { filters: 5, channels: 1, k: 4, dim: 7 }, 2],
    ['SM tower, 33 tokens', { filters: 100, channels: 1, k: 5, dim: 50 }, 33],
  ];
  for (const act of ['relu', 'tanh'] as const) {
    for (const [name, shape, tokens] of shapes) {
      it(`${name}, ${act}, default plan`, () => {
        const { filters, channels, k, dim } = shape;
        const x = randomFloats(channels * tokens * dim);
        const w = randomFloats(filters * channels * k * dim, 0.1);
        const b = randomFloats(filters, 0.1);
        const plan = winogradPlanFor(k)!;
        const ratio = worstRatio(runWinograd(x, tokens, w, b, shape, act, plan, k + 1), reference(x, tokens, w, b, shape, act), x, w, b, filters);
        observed[`F(${plan.m},${k})`] = Math.max(observed[`F(${plan.m},${k})`] ?? 0, ratio);
        expect(ratio).toBeLessThanOrEqual(BOUND);
      });
    }
  }

  it('every F(m, r) with alpha <= 8 on random shapes and lengths (every tile-count remainder)', () => {
    let trial = 0;
    for (const [m, r] of ALL_PLANS) {
      const plan = toomCook(m, r);
      for (let tokens = 1; tokens <= 4 * m + 1; tokens += Math.max(1, m - 1)) {
        const seed = 7000 + 31 * trial++;
        const shape = { filters: randomInt(1, 9, seed), channels: randomInt(1, 2, seed + 1), k: r, dim: randomInt(1, 17, seed + 2) };
        const act = trial % 2 ? 'relu' : 'tanh';
        const x = randomFloats(shape.channels * tokens * shape.dim, 4);
        const w = randomFloats(shape.filters * shape.channels * r * shape.dim);
        const b = randomFloats(shape.filters);
        const ratio = worstRatio(runWinograd(x, tokens, w, b, shape, act, plan, r - 1), reference(x, tokens, w, b, shape, act), x, w, b, shape.filters);
        observed[`F(${m},${r})`] = Math.max(observed[`F(${m},${r})`] ?? 0, ratio);
        expect(ratio, `F(${m}, ${r}), ${tokens} tokens, ${JSON.stringify(shape)}`).toBeLessThanOrEqual(BOUND);
      }
    }
  });

  it('fails the same comparison when one transformed weight is wrong', () => {
    const shape = { filters: 9, channels: 1, k: 3, dim: 30 };
    const plan = winogradPlanFor(3)!;
    const x = randomFloats(12 * 30);
    const w = randomFloats(9 * 3 * 30, 0.2);
    const b = randomFloats(9, 0.1);
    const wrongG = { ...plan, g: plan.g.slice() };
    wrongG.g[plan.r + 1] *= 1.001; // one coefficient of G off by 0.1%
    const ratio = worstRatio(runWinograd(x, 12, w, b, shape, 'tanh', wrongG, 2), reference(x, 12, w, b, shape, 'tanh'), x, w, b, 9);
    expect(ratio).toBeGreaterThan(10 * BOUND);
  });
});

describe('the js backend with conv: winograd', () => {
  it('matches js direct on a mixed bank (k = 1 and 8 have no plan and run direct) over a batch of lengths', () => {
    const direct = createJsBackend({ conv: 'direct' });
    const winograd = createJsBackend({ conv: 'winograd' });
    expect(winograd.conv).toBe('winograd');
    const shapes: ConvShape[] = [1, 3, 8, 5].map((k) => ({ filters: 11, channels: 2, k, dim: 9 }));
    const bank = shapes.map((shape) => ({ shape, weight: randomFloats(11 * 2 * shape.k * 9, 0.3), bias: randomFloats(11, 0.1) }));
    const sentences = [1, 2, 7, 30].map((tokens) => ({ tokens, data: randomFloats(2 * tokens * 9) }));
    const run = (backend: Backend) => {
      const features = new Float32Array(4 * 50).fill(NaN);
      backend.convMaxPool(
        features,
        50,
        3,
        bank.map((m) => backend.packConv(m.weight, m.bias, m.shape)),
        sentences,
        'tanh',
      );
      return features;
    };
    const want = run(direct);
    const got = run(winograd);
    for (let i = 0; i < got.length; i++) {
      const column = i % 50;
      if (column < 3 || column >= 47) expect(got[i], 'wrote outside its columns').toBeNaN();
      else expect(Math.abs(got[i] - want[i]), `feature ${i}`).toBeLessThanOrEqual(1e-6);
    }
  });
});
