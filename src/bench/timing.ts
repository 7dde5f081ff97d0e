/**
 * The timing loop of the in-function benchmark: a fixed number of timed calls,
 * each bracketed by performance.now(), into a preallocated buffer. Written here
 * instead of bundling tinybench (~18 KB minified, a quarter of index.mjs) because
 * the Lambda bench must plan exact sample counts against a hard deadline and
 * reports only p50, min and max; tinybench's run-for-a-time model cannot stop at
 * a deadline and its statistics go unused. bench/worker.mjs keeps tinybench.
 */

/** What one timed task gives. */
export interface TaskTiming {
  readonly p50_us: number;
  readonly min_us: number;
  readonly max_us: number;
  /** Timed calls actually made (fewer than asked when the deadline cut them short). */
  readonly samples: number;
}

let buffer = new Float64Array(1024); // (samples) call times, ms; grown when a task asks for more

/**
 * Times `run`: `warmup` untimed calls, then up to `samples` timed ones; stops early
 * (after at least one timed call) once performance.now() passes `deadline`.
 * @param run      the call to time (synchronous, e.g. () => model.forward(out, inputs))
 * @param samples  timed calls to make, >= 1
 * @param warmup   untimed calls first
 * @param deadline performance.now() value past which no further call starts (default: none)
 */
export function timeCalls(run: () => void, samples: number, warmup: number, deadline = Infinity): TaskTiming {
  for (let i = 0; i < warmup; i++) run();
  if (buffer.length < samples) buffer = new Float64Array(samples);
  let n = 0;
  let t0 = performance.now();
  while (n < samples) {
    run();
    const t1 = performance.now();
    buffer[n++] = t1 - t0;
    if (t1 > deadline) break;
    t0 = t1;
  }
  const times = buffer.subarray(0, n).sort();
  const mid = n >> 1;
  const p50 = n % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  return { p50_us: p50 * 1e3, min_us: times[0] * 1e3, max_us: times[n - 1] * 1e3, samples: n };
}
