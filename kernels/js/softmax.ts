/**
 * Numerically stable softmax: out[i] = exp(x[i] - max) / sum_j exp(x[j] - max).
 * Subtracting the max keeps exp() finite for any finite logits.
 */
export function softmax(
  out: Float32Array | number[], // (count)
  x: ArrayLike<number>, // (count)
  count: number,
): void {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, x[i]);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const e = Math.exp(x[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < count; i++) out[i] = out[i] / sum;
}
