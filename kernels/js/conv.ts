/**
 * The TypeScript backend's wide convolution with bias, activation and max over
 * time fused, so the (filters, tokens + k - 1) activation matrix is never written.
 *
 * Why it is fast for plain JS: for one channel the k-row window of output t is
 * k * dim contiguous floats of the padded input, and filter f's weights are
 * k * dim contiguous floats, so each output is one long dot product. The inner
 * loop computes a 4 (time steps) x 2 (filters) block of them at once: 6 loads
 * feed 8 multiply-adds, and the 8 accumulators + 6 operands fit the 16 float
 * registers V8 has on x86_64 and arm64. Sums are kept in float64.
 *
 * When the steps are not a multiple of 4, the last block starts at steps - 4 and
 * overlaps the one before it: max is idempotent, so recomputing a few outputs is
 * harmless, and far cheaper than the one-output-at-a-time loop (a single
 * dependent sum, bound by add latency) that only sentences of < 4 steps need.
 *
 * Max over time commutes with a monotone non-decreasing activation, which every
 * member of kernels/activation.ts is (stated and tested there):
 * max_t act(b + z_t) = act(b + max_t z_t), so the epilogue keeps a running max
 * of the raw dot products and applies bias and activation once per filter.
 */
import { activate, type PoolActivation } from '../activation.js';
import type { ConvShape } from '../shapes.js';

const ROWS = 4; // time steps per block
const COLS = 2; // filters per block

/**
 * features[at + f] = act(bias[f] + max_t sum_{c,j,d} weight[f,c,j,d] * xpad[c, first + t + j, d])
 * for f < filters, t in [0, tokens + k - 1), where first = pad - (k - 1).
 */
export function convMaxPool(
  features: Float32Array, // (..., at + filters, ...)
  at: number,
  xpad: Float32Array, // (channels, rows, dim): the sentence with `pad` zero rows above and below
  rows: number,
  pad: number, // zero rows above the sentence; >= k - 1
  tokens: number,
  weight: Float32Array, // (filters, channels, k, dim)
  bias: Float32Array, // (filters)
  shape: ConvShape,
  act: PoolActivation,
): void {
  const { filters, channels, k, dim } = shape;
  const span = k * dim; // floats in one channel's window, and in one (filter, channel) weight slice
  const steps = tokens + k - 1;
  const first = pad - (k - 1);
  const blockedSteps = steps >= ROWS ? steps : 0; // steps covered by (possibly overlapping) blocks
  const blockedFilters = filters - (filters % COLS);

  for (let f = 0; f < blockedFilters; f += COLS) {
    let max0 = -Infinity;
    let max1 = -Infinity;
    for (let block = 0; block < blockedSteps; block += ROWS) {
      const t = Math.min(block, steps - ROWS); // the last block may overlap the previous one
      let s00 = 0,
        s10 = 0,
        s20 = 0,
        s30 = 0; // filter f,   steps t..t+3
      let s01 = 0,
        s11 = 0,
        s21 = 0,
        s31 = 0; // filter f+1, steps t..t+3
      for (let c = 0; c < channels; c++) {
        const w0 = (f * channels + c) * span;
        const w1 = w0 + channels * span;
        const x0 = (c * rows + first + t) * dim;
        const x1 = x0 + dim;
        const x2 = x1 + dim;
        const x3 = x2 + dim;
        for (let i = 0; i < span; i++) {
          const wa = weight[w0 + i];
          const wb = weight[w1 + i];
          const v0 = xpad[x0 + i];
          const v1 = xpad[x1 + i];
          const v2 = xpad[x2 + i];
          const v3 = xpad[x3 + i];
          s00 += wa * v0;
          s10 += wa * v1;
          s20 += wa * v2;
          s30 += wa * v3;
          s01 += wb * v0;
          s11 += wb * v1;
          s21 += wb * v2;
          s31 += wb * v3;
        }
      }
      max0 = Math.max(max0, s00, s10, s20, s30);
      max1 = Math.max(max1, s01, s11, s21, s31);
    }
    for (let t = blockedSteps; t < steps; t++) {
      max0 = Math.max(max0, window(xpad, rows, first + t, weight, f, shape));
      max1 = Math.max(max1, window(xpad, rows, first + t, weight, f + 1, shape));
    }
    features[at + f] = activate(bias[f] + max0, act);
    features[at + f + 1] = activate(bias[f + 1] + max1, act);
  }
  for (let f = blockedFilters; f < filters; f++) {
    let max = -Infinity;
    for (let t = 0; t < steps; t++) max = Math.max(max, window(xpad, rows, first + t, weight, f, shape));
    features[at + f] = activate(bias[f] + max, act);
  }
}

/** One output before bias: the dot product of filter f with the window starting at padded row `start`. */
function window(xpad: Float32Array, rows: number, start: number, weight: Float32Array, f: number, shape: ConvShape): number {
  const { channels, k, dim } = shape;
  const span = k * dim;
  let sum = 0;
  for (let c = 0; c < channels; c++) {
    const w = (f * channels + c) * span;
    const x = (c * rows + start) * dim;
    for (let i = 0; i < span; i++) sum += weight[w + i] * xpad[x + i];
  }
  return sum;
}
