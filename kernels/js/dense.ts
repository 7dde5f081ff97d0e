/**
 * nn.Linear with an optional fused activation, over a batch of rows:
 *   out[b, o] = act(bias[o] + sum_i weight[o, i] * x[b, i])
 * Sums are kept in float64. Two output features per pass halve the reads of x.
 */
import { activate, type Activation } from '../activation.js';

export function dense(
  out: Float32Array, // (batch, outFeatures)
  x: Float32Array, // (batch, inFeatures)
  batch: number,
  weight: Float32Array, // (outFeatures, inFeatures)
  bias: Float32Array, // (outFeatures)
  outFeatures: number,
  inFeatures: number,
  act: Activation,
): void {
  for (let b = 0; b < batch; b++) {
    const xb = b * inFeatures;
    const ob = b * outFeatures;
    let o = 0;
    for (; o + 2 <= outFeatures; o += 2) {
      const w0 = o * inFeatures;
      const w1 = w0 + inFeatures;
      let s0 = 0;
      let s1 = 0;
      for (let i = 0; i < inFeatures; i++) {
        const v = x[xb + i];
        s0 += weight[w0 + i] * v;
        s1 += weight[w1 + i] * v;
      }
      out[ob + o] = activate(bias[o] + s0, act);
      out[ob + o + 1] = activate(bias[o + 1] + s1, act);
    }
    for (; o < outFeatures; o++) {
      let s = 0;
      for (let i = 0; i < inFeatures; i++) s += weight[o * inFeatures + i] * x[xb + i];
      out[ob + o] = activate(bias[o] + s, act);
    }
  }
}
