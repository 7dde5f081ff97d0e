/**
 * Lambda's per-invocation REPORT line, as CloudWatch shows it:
 *
 *   REPORT RequestId: <uuid>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 51 MB\t
 *
 * with `Init Duration: 12.34 ms\t` appended on the first (cold) invocation. Billing is per 1 ms,
 * and since August 2025 INIT is billed on cold starts too, so a cold Billed Duration is
 * ceil(Duration + Init Duration). Max Memory Used is the process's peak resident set, in MB.
 */

/** What one REPORT line says. */
export interface ReportFields {
  requestId: string;
  /** Handler time, ms. */
  durationMs: number;
  /** The configured memory size, MB (128..10240 on Lambda). */
  memorySizeMb: number;
  /** Peak resident memory of the process, MB. */
  maxMemoryUsedMb: number;
  /** INIT time, ms: only on the first invocation of an environment. */
  initDurationMs?: number;
}

/**
 * Formats one REPORT line.
 * @param fields the invocation's measurements
 */
export function formatReport(fields: ReportFields): string {
  const duration = fields.durationMs.toFixed(2);
  const init = fields.initDurationMs?.toFixed(2);
  // billed from the figures as printed, so a reader of the line (src/cost) gets the same ms
  const billed = Math.max(1, Math.ceil(Number(duration) + Number(init ?? 0)));
  let line =
    `REPORT RequestId: ${fields.requestId}\tDuration: ${duration} ms\tBilled Duration: ${billed} ms\t` +
    `Memory Size: ${fields.memorySizeMb} MB\tMax Memory Used: ${fields.maxMemoryUsedMb} MB\t`;
  if (init !== undefined) line += `Init Duration: ${init} ms\t`;
  return line;
}

/** Peak resident set size of this process so far, in MB (Lambda's "Max Memory Used"). */
export function maxMemoryUsedMb(): number {
  return Math.ceil(process.resourceUsage().maxRSS / 1024);
}
