/**
 * From the rounds' raw p50s to the figures a results file holds: per contender
 * the median of the rounds' p50s with their min–max, and per (tinycnn, other)
 * pair the ratio taken inside each round, then the median of those ratios.
 * Shared by bench/run.mjs (through bench/stats.mjs) and the Lambda bench handler.
 */

/** One timed task of one round. */
export interface RoundTiming {
  readonly p50_us: number;
  readonly samples: number;
}

/** One row of "results" in a results file. */
export interface ResultRow {
  readonly case: string;
  readonly runtime: string;
  readonly batch: number;
  /** Median of the rounds' p50s. */
  readonly p50_us: number;
  /** Smallest and largest of the rounds' p50s. */
  readonly min_us: number;
  readonly max_us: number;
  readonly us_per_sentence: number;
  readonly gflops: number;
  /** GFLOP/s as a share of the measured WebAssembly SIMD peak (wasm runtimes, when a peak was measured). */
  readonly peak_share?: number;
  readonly rounds_p50_us: number[];
  readonly samples: number;
}

/** One row of "ratios": a tinycnn runtime ÷ another, per round, then the median. */
export interface RatioRow {
  readonly case: string;
  readonly tinycnn: string;
  readonly peer: string;
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
}

/** case -> runtime -> the timing of each round it ran in. */
export type Rounds = ReadonlyMap<string, ReadonlyMap<string, readonly RoundTiming[]>>;

/** Median of a non-empty list. */
export const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const round = (v: number, digits = 3): number => Number(v.toPrecision(digits + 2));

/**
 * The tinycnn runtimes, fastest-path first: each flavour with the convolution a user gets by
 * default (Winograd unless TINYCNN_CONV says otherwise), then with direct convolution.
 */
export const TINYCNN: readonly string[] = [
  'tinycnn-wasm-relaxed',
  'tinycnn-wasm-simd',
  'tinycnn-js',
  'tinycnn-wasm-relaxed-direct',
  'tinycnn-wasm-simd-direct',
  'tinycnn-js-direct',
];

/** Whether a runtime name is one of tinycnn's flavours. */
export const isTinycnn = (runtime: string): boolean => runtime.startsWith('tinycnn-');

/**
 * The "results" rows.
 * @param rounds case -> runtime -> per-round timings
 * @param meta   case -> batch and FLOPs of one call
 * @param peak   the machine's WebAssembly SIMD peak, GFLOP/s, when measured
 */
export function summarise(rounds: Rounds, meta: ReadonlyMap<string, { batch: number; flops: number }>, peak?: number): ResultRow[] {
  const results: ResultRow[] = [];
  for (const [caseName, byRuntime] of rounds) {
    const { batch, flops } = meta.get(caseName)!;
    for (const [runtime, timings] of byRuntime) {
      if (timings.length === 0) continue;
      const p50s = timings.map((t) => t.p50_us);
      const p50 = median(p50s);
      const gflops = flops / (p50 * 1e3);
      results.push({
        case: caseName,
        runtime,
        batch,
        p50_us: round(p50),
        min_us: round(Math.min(...p50s)),
        max_us: round(Math.max(...p50s)),
        us_per_sentence: round(p50 / batch),
        gflops: round(gflops),
        ...(peak && runtime.startsWith('tinycnn-wasm') ? { peak_share: round(gflops / peak) } : {}),
        rounds_p50_us: p50s.map((v) => round(v)),
        samples: timings.reduce((n, t) => n + t.samples, 0),
      });
    }
  }
  return results;
}

/** Per case, each tinycnn runtime against every other contender (other tinycnn flavours too): median and min–max of the per-round ratios. */
export function ratios(rounds: Rounds): RatioRow[] {
  const out: RatioRow[] = [];
  for (const [caseName, byRuntime] of rounds) {
    for (const tiny of TINYCNN) {
      const mine = byRuntime.get(tiny);
      if (!mine || mine.length === 0) continue;
      for (const [peer, theirs] of byRuntime) {
        if (peer === tiny || theirs.length === 0) continue;
        const perRound: number[] = [];
        for (let r = 0; r < Math.min(mine.length, theirs.length); r++) perRound.push(mine[r].p50_us / theirs[r].p50_us);
        if (perRound.length === 0) continue;
        out.push({ case: caseName, tinycnn: tiny, peer, ratio: round(median(perRound)), min: round(Math.min(...perRound)), max: round(Math.max(...perRound)) });
      }
    }
  }
  return out;
}
