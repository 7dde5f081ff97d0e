/**
 * Turns parsed REPORT lines into the `tinycnn cost` summary: latency
 * percentiles of Duration, cold-start share, memory, billed time and the cost
 * of one million requests.
 */
import { billedDurationMs, costPerMillion, gbSeconds, invocationUsd } from './bill.js';
import { type Arch, LAMBDA_PRICES, type LambdaPrices } from './prices.js';
import type { ReportLog, ReportRecord } from './report.js';
import { round, spread } from './stats.js';

/** Options of {@link summarize}. */
export interface SummaryOptions {
  /** Architecture the function ran on (REPORT lines do not say). */
  readonly arch: Arch;
  /** Price data (set initBilled false to price the pre-August-2025 way). */
  readonly prices?: LambdaPrices | undefined;
  /** Requests per month, to apply the volume tiers. */
  readonly monthlyRequests?: number | undefined;
  /** Subtract the monthly free tier (with monthlyRequests). */
  readonly freeTier?: boolean | undefined;
}

/** The `tinycnn cost --json` document. Durations in ms, memory in MB, money in USD; null where there is no data. */
export interface CostSummary {
  readonly requests: number;
  readonly cold_starts: number;
  readonly cold_start_share: number | null;
  /** SnapStart restores (also counted in cold_starts). */
  readonly restores: number;
  /** Invocations whose Status was not success, by status ('timeout', 'error', ...). */
  readonly failures: Record<string, number>;
  readonly malformed_lines: number;
  readonly malformed_examples: ReportLog['malformedExamples'];
  readonly other_lines: number;
  readonly total_lines: number;
  readonly p50_ms: number | null;
  readonly p90_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
  readonly mean_ms: number | null;
  /** INIT durations of the cold starts. */
  readonly init_ms: { readonly mean: number | null; readonly p50: number | null; readonly max: number | null } | null;
  /** Cold-start latency as a caller sees it: INIT + Duration. */
  readonly cold_total_p50_ms: number | null;
  readonly billed_mean_ms: number | null;
  /** Lines whose billed duration was raised to include INIT (logs from before INIT was billed). */
  readonly init_billing_added: number;
  readonly memory_size_mb: number[];
  readonly max_memory_used_mb: number | null;
  readonly p50_memory_used_mb: number | null;
  readonly gb_seconds: number;
  readonly arch: Arch;
  readonly usd_per_gb_second: number;
  readonly monthly_requests: number | null;
  readonly cost_per_million_usd: number | null;
  readonly compute_per_million_usd: number | null;
  readonly request_per_million_usd: number | null;
  /** What exactly these requests cost, first-tier prices. */
  readonly cost_usd: number;
  readonly prices_as_of: string;
  readonly prices_source: string;
}

/** What one invocation is billed, ms: AWS's figure, raised to ceil(Duration + Init) when INIT is billed, plus SnapStart's billed restore. */
export function billedFor(
  /** The invocation. */
  record: ReportRecord,
  /** Price data. */
  prices: LambdaPrices = LAMBDA_PRICES,
): { ms: number; initAdded: boolean } {
  let ms = record.billedDurationMs ?? billedDurationMs(record.durationMs, 0, prices);
  let initAdded = false;
  if (prices.initBilled && record.initDurationMs !== undefined) {
    const withInit = billedDurationMs(record.durationMs, record.initDurationMs, prices);
    if (ms < withInit) {
      ms = withInit;
      initAdded = true;
    }
  }
  return { ms: ms + (record.billedRestoreDurationMs ?? 0), initAdded };
}

/** Summarizes a parsed log. */
export function summarize(
  /** The parsed log. */
  log: ReportLog,
  /** Architecture, prices, monthly volume. */
  options: SummaryOptions,
): CostSummary {
  const prices = options.prices ?? LAMBDA_PRICES;
  const records = log.records;
  const n = records.length;
  const durations = spread(records.map((r) => r.durationMs));
  const cold = records.filter((r) => r.initDurationMs !== undefined || r.restoreDurationMs !== undefined);
  const inits = spread(cold.map((r) => r.initDurationMs ?? r.restoreDurationMs ?? 0));
  const coldTotal = spread(cold.map((r) => r.durationMs + (r.initDurationMs ?? r.restoreDurationMs ?? 0)));
  const used = spread(records.filter((r) => r.maxMemoryUsedMb !== undefined).map((r) => r.maxMemoryUsedMb as number));
  const failures: Record<string, number> = {};
  for (const r of records) if (r.status !== 'success') failures[r.status] = (failures[r.status] ?? 0) + 1;

  let gbs = 0;
  let billedTotal = 0;
  let initAdded = 0;
  let costUsd = 0;
  for (const r of records) {
    const billed = billedFor(r, prices);
    billedTotal += billed.ms;
    if (billed.initAdded) initAdded++;
    gbs += gbSeconds(billed.ms, r.memorySizeMb);
    costUsd += invocationUsd(billed.ms, r.memorySizeMb, options.arch, prices);
  }
  const cost =
    n === 0
      ? undefined
      : costPerMillion({ gbSecondsPerRequest: gbs / n, arch: options.arch, monthlyRequests: options.monthlyRequests, freeTier: options.freeTier, prices });
  const money = (v: number | undefined) => (v === undefined ? null : round(v, 6));
  return {
    requests: n,
    cold_starts: cold.length,
    cold_start_share: n === 0 ? null : round(cold.length / n, 4),
    restores: records.filter((r) => r.restoreDurationMs !== undefined).length,
    failures,
    malformed_lines: log.malformedLines,
    malformed_examples: log.malformedExamples,
    other_lines: log.otherLines,
    total_lines: log.totalLines,
    p50_ms: round(durations.p50),
    p90_ms: round(durations.p90),
    p99_ms: round(durations.p99),
    max_ms: round(durations.max),
    mean_ms: round(durations.mean),
    init_ms: cold.length === 0 ? null : { mean: round(inits.mean), p50: round(inits.p50), max: round(inits.max) },
    cold_total_p50_ms: round(coldTotal.p50),
    billed_mean_ms: n === 0 ? null : round(billedTotal / n),
    init_billing_added: initAdded,
    memory_size_mb: [...new Set(records.map((r) => r.memorySizeMb))].sort((a, b) => a - b),
    max_memory_used_mb: round(used.max),
    p50_memory_used_mb: round(used.p50),
    gb_seconds: round(gbs, 6) ?? 0,
    arch: options.arch,
    usd_per_gb_second: cost?.effectiveUsdPerGbSecond ?? prices.computeTiers[options.arch][0].usdPerGbSecond,
    monthly_requests: options.monthlyRequests ?? null,
    cost_per_million_usd: money(cost?.totalUsd),
    compute_per_million_usd: money(cost?.computeUsd),
    request_per_million_usd: money(cost?.requestUsd),
    cost_usd: round(costUsd, 9) ?? 0,
    prices_as_of: prices.asOf,
    prices_source: prices.sources[0],
  };
}
