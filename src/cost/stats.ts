/** Small statistics over exact samples (the cost and plan reports; the load tester uses an HDR histogram instead). */

/**
 * The p-th percentile by the nearest-rank method: the smallest sample such that
 * at least p% of the samples are less than or equal to it. NaN when empty.
 */
export function percentile(
  /** Samples sorted ascending. */
  sorted: readonly number[],
  /** Percentile in [0, 100]. */
  p: number,
): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n - 1, Math.max(0, rank - 1))];
}

/** Arithmetic mean; NaN when empty. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** A copy sorted ascending. */
export function sortedCopy(values: readonly number[]): number[] {
  return Array.from(Float64Array.from(values).sort());
}

/** p50 / p90 / p99 / max / mean of some samples. */
export interface Spread {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** The {@link Spread} of some samples (NaN fields when there are none). */
export function spread(values: readonly number[]): Spread {
  const s = sortedCopy(values);
  return {
    count: s.length,
    mean: mean(s),
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    min: s.length > 0 ? s[0] : NaN,
    max: s.length > 0 ? s[s.length - 1] : NaN,
  };
}

/** Rounds for display and JSON: `digits` decimals, NaN -> null. */
export function round(value: number, digits = 3): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
