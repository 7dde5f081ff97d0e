/**
 * The TypeScript backend's Winograd convolution: the same contract as
 * convMaxPool in ./conv.ts (wide convolution, bias, activation and max over
 * time, fused), computed with F(m, k) minimal filtering along time
 * (./toom-cook.ts): per tile of m outputs, alpha = m + k - 1 products per
 * embedding element instead of m * k.
 *
 * Per group of 4 tiles: the input transform V = B^T d of each tile (alpha rows
 * of channels * dim floats, kept in float64), then for each pair of filters and
 * each plane x a 4 (tiles) x 2 (filters) block of dot products
 * M[x] = U[f, x] · V[x] over the embedding width — the block shape of conv.ts,
 * 6 loads per 8 multiply-adds — and the output transform y = A^T M, whose valid
 * outputs fold into the running max. Sums, V and the transforms are float64; the
 * transformed weights U are float32 (rounded once from float64 at load), so the
 * only error beyond direct convolution's is U's rounding, amplified by A^T.
 *
 * Padding rows are never read: a tile row outside the sentence contributes zero
 * to V, so xpad only needs the layout conv.ts reads.
 */
import type { WinogradPlan } from './toom-cook.js';

const TILES = 4; // tiles per group

/**
 * Floats of float64 scratch winogradConvMaxPool needs: the transformed input of one group
 * (alpha, 4, channels * dim), its dot products (alpha, 4, 2) and the running maxes (filters).
 */
export function winogradScratchLength(plan: WinogradPlan, shape: Readonly<{ filters: number; channels: number; dim: number }>): number {
  return plan.alpha * TILES * (shape.channels * shape.dim + 2) + shape.filters;
}

/**
 * features[at + f] = act(bias[f] + max_t sum_{c,j,d} weight[f,c,j,d] * xpad[c, first + t + j, d])
 * for f < filters, t in [0, tokens + k - 1), where first = pad - (k - 1); the weights given
 * as U = G weight (transformWeights in ./toom-cook.ts).
 */
export function winogradConvMaxPool(
  features: Float32Array, // (..., at + filters, ...)
  at: number,
  xpad: Float32Array, // (channels, rows, dim): the sentence at rows [pad, pad + tokens)
  rows: number,
  pad: number,
  tokens: number,
  u: Float32Array, // (filters, alpha, channels * dim)
  bias: Float32Array, // (filters)
  shape: Readonly<{ filters: number; channels: number; k: number; dim: number }>,
  plan: WinogradPlan,
  act: 'relu' | 'tanh',
  scratch: Float64Array, // winogradScratchLength(plan, shape) floats or more
): void {
  const { filters, channels, k, dim } = shape;
  const { m, alpha, bt } = plan;
  const K = channels * dim; // the reduction: one plane's dot product length
  const steps = tokens + k - 1;
  const tiles = Math.ceil(steps / m);
  const first = pad - (k - 1); // padded row of output 0's window
  const v = scratch.subarray(0, alpha * TILES * K); // (alpha, 4 tiles, K): transformed input
  const mBlock = scratch.subarray(alpha * TILES * K, alpha * TILES * (K + 2)); // (alpha, 4 tiles, 2 filters)
  const maxes = scratch.subarray(alpha * TILES * (K + 2), alpha * TILES * (K + 2) + filters); // (filters): raw running max
  maxes.fill(-Infinity);
  const lastValid = steps - (tiles - 1) * m; // outputs of the last tile that are < steps (1..m)

  for (let group = 0; group < tiles; group += TILES) {
    // input transform of tiles group .. group + 3 (the last group repeats the last tile)
    for (let r = 0; r < TILES; r++) {
      const tile = Math.min(group + r, tiles - 1);
      for (let x = 0; x < alpha; x++) v.fill(0, (x * TILES + r) * K, (x * TILES + r + 1) * K);
      for (let j = 0; j < alpha; j++) {
        const row = first + tile * m + j; // padded row
        if (row < pad || row >= pad + tokens) continue; // zero padding: contributes nothing
        for (let x = 0; x < alpha; x++) {
          const b = bt[x * alpha + j];
          if (b === 0) continue;
          const dst = (x * TILES + r) * K;
          for (let c = 0; c < channels; c++) {
            const src = (c * rows + row) * dim;
            const o = dst + c * dim;
            for (let d = 0; d < dim; d++) v[o + d] += b * xpad[src + d];
          }
        }
      }
    }

    let f = 0;
    for (; f + 2 <= filters; f += 2) {
      for (let x = 0; x < alpha; x++) {
        const w0 = (f * alpha + x) * K;
        const w1 = w0 + alpha * K;
        const v0 = x * TILES * K;
        const v1 = v0 + K;
        const v2 = v1 + K;
        const v3 = v2 + K;
        let s00 = 0,
          s10 = 0,
          s20 = 0,
          s30 = 0; // filter f,     tiles 0..3
        let s01 = 0,
          s11 = 0,
          s21 = 0,
          s31 = 0; // filter f + 1, tiles 0..3
        for (let i = 0; i < K; i++) {
          const wa = u[w0 + i];
          const wb = u[w1 + i];
          const a0 = v[v0 + i];
          const a1 = v[v1 + i];
          const a2 = v[v2 + i];
          const a3 = v[v3 + i];
          s00 += wa * a0;
          s10 += wa * a1;
          s20 += wa * a2;
          s30 += wa * a3;
          s01 += wb * a0;
          s11 += wb * a1;
          s21 += wb * a2;
          s31 += wb * a3;
        }
        const o = x * TILES * 2;
        mBlock[o] = s00;
        mBlock[o + 2] = s10;
        mBlock[o + 4] = s20;
        mBlock[o + 6] = s30;
        mBlock[o + 1] = s01;
        mBlock[o + 3] = s11;
        mBlock[o + 5] = s21;
        mBlock[o + 7] = s31;
      }
      for (let r = 0; r < TILES; r++) {
        maxes[f] = Math.max(maxes[f], outputMax(mBlock, r * 2, plan, group + r >= tiles - 1 ? lastValid : m));
        maxes[f + 1] = Math.max(maxes[f + 1], outputMax(mBlock, r * 2 + 1, plan, group + r >= tiles - 1 ? lastValid : m));
      }
    }
    for (; f < filters; f++) {
      for (let x = 0; x < alpha; x++) {
        for (let r = 0; r < TILES; r++) {
          let s = 0;
          const w = (f * alpha + x) * K;
          const a = (x * TILES + r) * K;
          for (let i = 0; i < K; i++) s += u[w + i] * v[a + i];
          mBlock[(x * TILES + r) * 2] = s;
        }
      }
      for (let r = 0; r < TILES; r++) maxes[f] = Math.max(maxes[f], outputMax(mBlock, r * 2, plan, group + r >= tiles - 1 ? lastValid : m));
    }
  }
  for (let f = 0; f < filters; f++) {
    const z = bias[f] + maxes[f];
    features[at + f] = act === 'relu' ? (z > 0 ? z : 0) : Math.tanh(z);
  }
}

/** max over i < valid of (A^T M)[i] for one (tile, filter) column of mBlock (alpha, 4 tiles, 2 filters). */
function outputMax(mBlock: Float64Array, column: number, plan: WinogradPlan, valid: number): number {
  const { alpha, at } = plan;
  let best = -Infinity;
  for (let i = 0; i < valid; i++) {
    let y = 0;
    for (let x = 0; x < alpha; x++) y += at[i * alpha + x] * mBlock[x * TILES * 2 + column];
    if (y > best) best = y;
  }
  return best;
}
