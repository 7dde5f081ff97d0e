/**
 * Latency recording with an HDR histogram (hdr-histogram-js): constant memory,
 * 3 significant digits at any scale, percentiles without sorting samples.
 * Values are recorded in microseconds and reported in milliseconds.
 *
 * hdr-histogram-js is an optional package: loaded by loadHistogramLibrary() (the
 * load-test protocols call it before they record), so `tinycnn loadtest --help` and
 * everything else in tinycnn work without it.
 */
import type * as Hdr from 'hdr-histogram-js';
import { importOptional } from '../optional.js';

let hdr: typeof Hdr | undefined;

/**
 * Loads hdr-histogram-js once; LatencyHistogram needs it.
 * @param purpose what needs it, for the message when it is missing
 * @throws MissingPackageError when hdr-histogram-js is not installed
 */
export async function loadHistogramLibrary(purpose = 'the load test'): Promise<void> {
  hdr ??= await importOptional('hdr-histogram-js', purpose, () => import('hdr-histogram-js'));
}

function library(): typeof Hdr {
  if (hdr === undefined) throw new Error('LatencyHistogram: call loadHistogramLibrary() first');
  return hdr;
}

/** Latency statistics in milliseconds (null when nothing was recorded). */
export interface LatencyStats {
  readonly count: number;
  readonly mean_ms: number | null;
  readonly p50_ms: number | null;
  readonly p90_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
  readonly min_ms: number | null;
}

/** An HDR histogram of latencies. */
export class LatencyHistogram {
  private readonly h = library().build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

  /** Records one latency, in milliseconds (resolution 1 µs). */
  record(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.h.totalCount;
  }

  /** Mean / p50 / p90 / p99 / min / max in ms, rounded to the microsecond. */
  stats(): LatencyStats {
    const n = this.h.totalCount;
    const ms = (us: number) => (n === 0 ? null : Math.round(us) / 1000);
    return {
      count: n,
      mean_ms: ms(this.h.mean),
      p50_ms: ms(this.h.getValueAtPercentile(50)),
      p90_ms: ms(this.h.getValueAtPercentile(90)),
      p99_ms: ms(this.h.getValueAtPercentile(99)),
      max_ms: ms(this.h.maxValue),
      min_ms: ms(this.h.minNonZeroValue),
    };
  }
}
