/**
 * Per-op tolerances for backend parity, as "how many allowed errors away" ratios:
 * a ratio <= 1 passes. Each bound is relative to the magnitude of the sum that
 * produced the value, because float32 summation error scales with sum |terms|,
 * not with the (possibly cancelled) result.
 *
 * conv + max over time:  |wasm - js| <= 1e-5 * (1 + |bias_f| + S_f),
 *   S_f = sum_{c,j,d} |w[f,c,j,d]| * max |x|  >= sum |w * x| over any window.
 *   js sums in float64 and rounds once; wasm sums in float32 (K = channels * k * dim
 *   terms, up to 4,214 here, split over 8 or 1 chains, FMA or mul+add). A float32
 *   running sum's error is <= u * sum_j |partial sum_j| (u = 2^-24 = 6e-8); the
 *   partials of these random-sign sums stay far below S, so the real error is
 *   ~1e-7 * S and the worst case (every partial as large as S) is K * u * S
 *   = 2.5e-4 * S. 1e-5 sits between: ~100x above what we observe, while one wrong
 *   weight moves a value by |dw * x|, about S / K — 2e-4 to 1e-1 of S, i.e. 20 to
 *   10,000 x the bound (the sabotage test checks such a weight is caught).
 *   max over time and ReLU are 1-Lipschitz, tanh too (plus its own rounding,
 *   <= 1 ulp of a value <= 1, inside the "1 +" term), so the bound carries through.
 * dense:  |wasm - js| <= 1e-5 * (1 + |bias_o| + sum_i |w[o,i] * x[b,i]|), same argument, K <= 301.
 */
import type { ConvShape } from '../../src/backend/backend.js';

export const RELATIVE_TOLERANCE = 1e-5;

/** Worst (error / allowed) over a conv bank's outputs; features are (batch, stride) with the bank at `offset`. */
export function convWorstRatio(
  got: Float32Array, // (batch, stride)
  want: Float32Array, // (batch, stride)
  stride: number,
  offset: number,
  bank: ReadonlyArray<{ weight: Float32Array; bias: Float32Array; shape: ConvShape }>,
  sentences: ReadonlyArray<{ data: Float32Array }>,
): { ratio: number; where: string } {
  let worst = { ratio: 0, where: 'nothing compared' };
  sentences.forEach((sentence, b) => {
    let xMax = 0;
    for (const v of sentence.data) xMax = Math.max(xMax, Math.abs(v));
    let column = offset;
    bank.forEach(({ weight, bias, shape }, member) => {
      const span = shape.channels * shape.k * shape.dim;
      for (let f = 0; f < shape.filters; f++) {
        let wSum = 0;
        for (let i = 0; i < span; i++) wSum += Math.abs(weight[f * span + i]);
        const allowed = RELATIVE_TOLERANCE * (1 + Math.abs(bias[f]) + wSum * xMax);
        const at = b * stride + column + f;
        const error = Math.abs(got[at] - want[at]);
        const ratio = Number.isNaN(error) ? Infinity : error / allowed;
        if (ratio > worst.ratio) worst = { ratio, where: `sentence ${b}, conv ${member}, filter ${f}: ${got[at]} vs ${want[at]}` };
      }
      column += shape.filters;
    });
  });
  return worst;
}

/** Worst (error / allowed) over a dense layer's outputs, out (batch, outFeatures). */
export function denseWorstRatio(
  got: Float32Array, // (batch, outFeatures)
  want: Float32Array, // (batch, outFeatures)
  weight: Float32Array, // (outFeatures, inFeatures)
  bias: Float32Array, // (outFeatures)
  x: Float32Array, // (batch, inFeatures)
  batch: number,
  outFeatures: number,
  inFeatures: number,
): { ratio: number; where: string } {
  let worst = { ratio: 0, where: 'nothing compared' };
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outFeatures; o++) {
      let scale = 1 + Math.abs(bias[o]);
      for (let i = 0; i < inFeatures; i++) scale += Math.abs(weight[o * inFeatures + i] * x[b * inFeatures + i]);
      const at = b * outFeatures + o;
      const error = Math.abs(got[at] - want[at]);
      const ratio = Number.isNaN(error) ? Infinity : error / (RELATIVE_TOLERANCE * scale);
      if (ratio > worst.ratio) worst = { ratio, where: `row ${b}, output ${o}: ${got[at]} vs ${want[at]}` };
    }
  }
  return worst;
}
