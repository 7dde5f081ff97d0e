/**
 * Toom-Cook / Winograd minimal filtering F(m, r) along time: the transform
 * matrices, built from interpolation points, and the tile size chosen per filter
 * height. Shared by the TypeScript kernel (kernels/js/winograd.ts) and the wasm
 * backend, which copies the matrices into linear memory.
 *
 * For one filter row g (r taps) and a tile d of alpha = m + r - 1 input rows,
 * the m outputs y_i = sum_j g_j d_{i+j} are
 *   y = A^T [ (G g) ⊙ (B^T d) ]        A^T: (m, alpha), G: (alpha, r), B^T: (alpha, alpha)
 * and with the embedding width (and channels) as a reduction, G g is computed
 * once per filter at load and the ⊙ becomes alpha small GEMMs: alpha products
 * per m outputs instead of m * r.
 *
 * Construction (the transpose of Toom-Cook polynomial multiplication, as in
 * Lavin & Gray 2016 and wincnn): with alpha - 1 finite points p_x and the point
 * at infinity,
 *   A^T[i][x] = p_x^i                      (infinity: 1 in the last row only)
 *   G[x][j]   = p_x^j / prod_{y != x} (p_x - p_y)           (infinity: [0 .. 0 1])
 *   B^T[x]    = coefficients of prod_{y != x} (t - p_y)     (infinity: of prod_y (t - p_y))
 * The points are 0, ±1, ±2, ±1/2 (NNPACK's F(6,3) set; Barabasz et al. 2019, "Error
 * analysis and improving the accuracy of Winograd convolution", found these small
 * reciprocal pairs among the best conditioned): every entry of A^T and B^T is then a
 * dyadic rational that float32 holds exactly, so the only inexact coefficients sit
 * in G, which is applied once, at load, in float64.
 */

/** One F(m, r) algorithm: its sizes, points and transform matrices (float64, row-major). */
export interface WinogradPlan {
  /** Outputs per tile. */
  readonly m: number;
  /** Filter height (taps along time). */
  readonly r: number;
  /** m + r - 1: input rows per tile, transformed planes, products per m outputs. */
  readonly alpha: number;
  /** The alpha - 1 finite interpolation points (the last point is infinity). */
  readonly points: readonly number[];
  /** Output transform (m, alpha). */
  readonly at: Float64Array;
  /** Filter transform (alpha, r). */
  readonly g: Float64Array;
  /** Input transform (alpha, alpha). */
  readonly bt: Float64Array;
}

/** Largest alpha with points below: the micro-kernels and the wasm input transform are built for alpha <= 8. */
export const MAX_ALPHA = 8;

/**
 * Finite points in the order they are taken: alpha - 1 of them for a given alpha. Measured
 * alternatives at alpha = 8 (npm run bench:winograd, worst golden error per backend): ±1/4 in
 * place of ±2 breaks the golden tolerance at every k; ±3/2 in place of ±2 is no better.
 */
const POINTS: readonly number[] = [0, 1, -1, 2, -2, 0.5, -0.5];

/**
 * Outputs per tile m for each filter height k: the largest m with alpha = m + k - 1 = 8, so the
 * fewest multiplies per output (alpha / m: 1.14 to 4 instead of k). Chosen by measured error and
 * speed (npm run bench:winograd): every F(m, k) with alpha <= 8 and these points keeps the golden
 * fixtures within tolerance on every backend, and alpha = 8 is the fastest for Kim's and SM's
 * k = 3, 4, 5 at 20 and 64 tokens (or within noise of it); with all three convs on Winograd the
 * error against float64 on random scale-4096 inputs is below direct convolution's. k without an
 * entry (1, or past 7) runs direct.
 */
export const DEFAULT_TILE: Readonly<Record<number, number>> = { 2: 7, 3: 6, 4: 5, 5: 4, 6: 3, 7: 2 };

/** Builds F(m, r) from the first alpha - 1 points of POINTS (or the ones given). */
export function toomCook(m: number, r: number, points: readonly number[] = POINTS.slice(0, m + r - 2)): WinogradPlan {
  const alpha = m + r - 1;
  if (!(Number.isInteger(m) && Number.isInteger(r) && m >= 1 && r >= 1)) throw new RangeError(`F(${m}, ${r}): m and r must be positive integers`);
  if (points.length !== alpha - 1 || new Set(points).size !== points.length) {
    throw new RangeError(`F(${m}, ${r}) needs ${alpha - 1} distinct finite points, got [${points.join(', ')}]`);
  }
  const at = new Float64Array(m * alpha); // (m, alpha)
  const g = new Float64Array(alpha * r); // (alpha, r)
  const bt = new Float64Array(alpha * alpha); // (alpha, alpha)
  for (let x = 0; x < alpha - 1; x++) {
    const p = points[x];
    for (let i = 0; i < m; i++) at[i * alpha + x] = p ** i;
    let denominator = 1;
    let poly = [1]; // coefficients, lowest degree first
    for (let y = 0; y < alpha - 1; y++) {
      if (y === x) continue;
      denominator *= p - points[y];
      poly = timesLinear(poly, points[y]);
    }
    for (let j = 0; j < r; j++) g[x * r + j] = p ** j / denominator;
    for (let j = 0; j < poly.length; j++) bt[x * alpha + j] = poly[j];
  }
  const last = alpha - 1; // the point at infinity
  at[(m - 1) * alpha + last] = 1;
  g[last * r + r - 1] = 1;
  let all = [1];
  for (const p of points) all = timesLinear(all, p);
  for (let j = 0; j < alpha; j++) bt[last * alpha + j] = all[j];
  return { m, r, alpha, points: [...points], at, g, bt };
}

/** (poly) * (t - p), coefficients lowest degree first. */
function timesLinear(poly: number[], p: number): number[] {
  const out = new Array<number>(poly.length + 1).fill(0);
  for (let i = 0; i < poly.length; i++) {
    out[i + 1] += poly[i];
    out[i] -= p * poly[i];
  }
  return out;
}

/**
 * The plan for filter height k: F(m, k) with m from `tiles` (default DEFAULT_TILE), or
 * undefined when k has no entry (k = 1 gains nothing; alpha past MAX_ALPHA is not built).
 */
export function winogradPlanFor(k: number, tiles: Readonly<Record<number, number>> = DEFAULT_TILE): WinogradPlan | undefined {
  const m = tiles[k];
  if (m === undefined || m < 1 || k < 2 || m + k - 1 > MAX_ALPHA) return undefined;
  return toomCook(m, k);
}

/**
 * U (filters, alpha, channels, dim) <- G applied along the k axis of weight (filters, channels, k, dim),
 * in float64, rounded once to float32. The wasm backend does the same in wasm (winograd.wat).
 * @returns whether some U value overflowed float32 (then the conv must run direct)
 */
export function transformWeights(
  u: Float32Array, // (filters, alpha, channels, dim)
  weight: Float32Array, // (filters, channels, k, dim)
  shape: Readonly<{ filters: number; channels: number; k: number; dim: number }>,
  plan: WinogradPlan,
): boolean {
  const { filters, channels, k, dim } = shape;
  const { alpha, g } = plan;
  let bad = 0; // stays 0 unless some stored U value is ±Infinity (inf * 0 = NaN)
  for (let f = 0; f < filters; f++) {
    for (let x = 0; x < alpha; x++) {
      for (let c = 0; c < channels; c++) {
        const dst = ((f * alpha + x) * channels + c) * dim;
        const src = (f * channels + c) * k * dim;
        for (let d = 0; d < dim; d++) {
          let sum = 0;
          for (let j = 0; j < k; j++) sum += g[x * k + j] * weight[src + j * dim + d];
          u[dst + d] = sum;
          bad += u[dst + d] * 0;
        }
      }
    }
  }
  return bad !== 0;
}
