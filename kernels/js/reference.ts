/**
 * The living definition of each op: straightforward loops, written to be
 * obviously right rather than fast. The fast TypeScript kernels and the wasm
 * kernels are tested against these. Every kernel writes into an output passed first.
 */
import { activate as activateOne, type Activation } from '../activation.js';
import type { ConvShape } from '../shapes.js';

/**
 * Wide 1-D convolution over time, as nn.Conv2d(channels, filters, (k, dim), padding=(k-1, 0)):
 *   out[f, t] = bias[f] + sum_{c, j, d} weight[f, c, j, d] * x[c, t + j - (k - 1), d]
 * for t in [0, tokens + k - 1), with x = 0 outside [0, tokens).
 */
export function conv1dWide(
  out: Float32Array, // (filters, tokens + k - 1)
  x: Float32Array, // (channels, tokens, dim)
  tokens: number,
  weight: Float32Array, // (filters, channels, k, dim)
  bias: Float32Array, // (filters)
  shape: ConvShape,
): void {
  const { filters, channels, k, dim } = shape;
  const steps = tokens + k - 1;
  for (let f = 0; f < filters; f++) {
    for (let t = 0; t < steps; t++) {
      let sum = bias[f];
      for (let c = 0; c < channels; c++) {
        for (let j = 0; j < k; j++) {
          const row = t + j - (k - 1);
          if (row < 0 || row >= tokens) continue;
          for (let d = 0; d < dim; d++) {
            sum += weight[((f * channels + c) * k + j) * dim + d] * x[(c * tokens + row) * dim + d];
          }
        }
      }
      out[f * steps + t] = sum;
    }
  }
}

/** In-place activation over the first `count` values. */
export function activate(x: Float32Array, count: number, act: Activation): void {
  for (let i = 0; i < count; i++) x[i] = activateOne(x[i], act);
}

/** out[offset + f] = max over t of y[f, t] (max-over-time pooling). */
export function maxOverTime(
  out: Float32Array, // (..., offset + filters, ...)
  offset: number,
  y: Float32Array, // (filters, steps)
  filters: number,
  steps: number,
): void {
  for (let f = 0; f < filters; f++) {
    let best = -Infinity;
    for (let t = 0; t < steps; t++) best = Math.max(best, y[f * steps + t]);
    out[offset + f] = best;
  }
}

/** out = x · weightᵀ + bias, as nn.Linear. */
export function denseRef(
  out: Float32Array, // (outFeatures)
  x: Float32Array, // (inFeatures)
  weight: Float32Array, // (outFeatures, inFeatures)
  bias: Float32Array, // (outFeatures)
  outFeatures: number,
  inFeatures: number,
): void {
  for (let o = 0; o < outFeatures; o++) {
    let sum = bias[o];
    for (let i = 0; i < inFeatures; i++) sum += weight[o * inFeatures + i] * x[i];
    out[o] = sum;
  }
}
