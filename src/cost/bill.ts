/**
 * The Lambda billing model: billed duration (rounded up to the billing
 * granularity, INIT included when it is billed), GB-seconds, the tiered
 * compute charge and the per-request charge, and from those the cost of one
 * million requests.
 *
 *   cost = requests x $/request + sum over invocations of
 *          ceil(duration + init) [ms] / 1000 x memory [MB] / 1024 x $/GB-s (by tier)
 */
import { type Arch, LAMBDA_PRICES, type LambdaPrices } from './prices.js';

/** Milliseconds AWS bills for one invocation. */
export function billedDurationMs(
  /** Handler duration (the REPORT line's `Duration`), ms. */
  durationMs: number,
  /** INIT duration (cold starts only; 0 or undefined when warm), ms. */
  initMs: number | undefined = 0,
  /** Price data (granularity, whether INIT is billed). */
  prices: LambdaPrices = LAMBDA_PRICES,
): number {
  const ms = durationMs + (prices.initBilled ? (initMs ?? 0) : 0);
  // Round to a microsecond first so 13.000000000001 (float noise) bills as 13, not 14.
  const clean = Math.round(ms * 1000) / 1000;
  const g = prices.billingGranularityMs;
  return Math.max(g, Math.ceil(clean / g) * g);
}

/** GB-seconds of one invocation: billed seconds x memory in GB (MB / 1024). */
export function gbSeconds(
  /** Billed duration, ms. */
  billedMs: number,
  /** Configured memory, MB. */
  memoryMb: number,
): number {
  return (billedMs / 1000) * (memoryMb / 1024);
}

/** The compute charge (USD) for `gbs` GB-seconds in one month, walking the volume tiers. */
export function computeChargeUsd(
  /** GB-seconds to price. */
  gbs: number,
  /** Architecture (each has its own tiers and its own monthly counter). */
  arch: Arch,
  /** Price data. */
  prices: LambdaPrices = LAMBDA_PRICES,
  /** GB-seconds already used this month before these (they have filled the first, dearest tiers). */
  alreadyUsedGbs = 0,
): number {
  let usd = 0;
  let from = alreadyUsedGbs;
  let left = gbs;
  for (const tier of prices.computeTiers[arch]) {
    if (left <= 0) break;
    if (from >= tier.upToGbSeconds) continue;
    const take = Math.min(left, tier.upToGbSeconds - from);
    usd += take * tier.usdPerGbSecond;
    from += take;
    left -= take;
  }
  return usd;
}

/** What one million requests cost, split into its two charges. */
export interface CostPerMillion {
  /** Compute (duration) charge per 1M requests, USD. */
  readonly computeUsd: number;
  /** Request charge per 1M requests, USD. */
  readonly requestUsd: number;
  /** computeUsd + requestUsd. */
  readonly totalUsd: number;
  /** The average USD per GB-s paid (the first tier's price unless a monthly volume reaches further tiers). */
  readonly effectiveUsdPerGbSecond: number;
}

/** Options of {@link costPerMillion}. */
export interface CostOptions {
  /** Mean GB-seconds per request (see {@link gbSeconds}). */
  readonly gbSecondsPerRequest: number;
  /** Architecture. */
  readonly arch: Arch;
  /** Requests per month on this architecture (account-wide); when given, the volume tiers apply to the whole month. */
  readonly monthlyRequests?: number | undefined;
  /** Subtract the monthly free tier (1M requests, 400,000 GB-s); only meaningful with monthlyRequests. */
  readonly freeTier?: boolean | undefined;
  /** Price data. */
  readonly prices?: LambdaPrices | undefined;
}

/**
 * The cost of one million requests. Without a monthly volume this is the
 * marginal price of a small account (first tier, no free tier); with one, it is
 * the month's bill divided by its requests, so the cheaper tiers show.
 */
export function costPerMillion(options: CostOptions): CostPerMillion {
  const prices = options.prices ?? LAMBDA_PRICES;
  const g = options.gbSecondsPerRequest;
  const month = options.monthlyRequests;
  if (month === undefined || month <= 0) {
    const usdPerGbs = prices.computeTiers[options.arch][0].usdPerGbSecond;
    const computeUsd = 1e6 * g * usdPerGbs;
    return { computeUsd, requestUsd: prices.usdPerMillionRequests, totalUsd: computeUsd + prices.usdPerMillionRequests, effectiveUsdPerGbSecond: usdPerGbs };
  }
  const bill = monthlyBill({ requests: month, gbSecondsPerRequest: g, arch: options.arch, freeTier: options.freeTier, prices });
  const scale = 1e6 / month;
  return {
    computeUsd: bill.computeUsd * scale,
    requestUsd: bill.requestUsd * scale,
    totalUsd: bill.totalUsd * scale,
    effectiveUsdPerGbSecond:
      month * g > 0 ? computeChargeUsd(month * g, options.arch, prices) / (month * g) : prices.computeTiers[options.arch][0].usdPerGbSecond,
  };
}

/** A month's bill for one architecture. */
export interface MonthlyBill {
  readonly requests: number;
  readonly gbSeconds: number;
  readonly computeUsd: number;
  readonly requestUsd: number;
  readonly totalUsd: number;
}

/** The bill for a month of `requests` invocations averaging `gbSecondsPerRequest`. */
export function monthlyBill(options: {
  /** Requests in the month. */
  requests: number;
  /** Mean GB-seconds per request. */
  gbSecondsPerRequest: number;
  /** Architecture. */
  arch: Arch;
  /** Subtract the free tier (requests and GB-s). */
  freeTier?: boolean | undefined;
  /** Price data. */
  prices?: LambdaPrices | undefined;
}): MonthlyBill {
  const prices = options.prices ?? LAMBDA_PRICES;
  const gbs = options.requests * options.gbSecondsPerRequest;
  const free = options.freeTier === true;
  const billableGbs = free ? Math.max(0, gbs - prices.freeTier.gbSeconds) : gbs;
  const billableRequests = free ? Math.max(0, options.requests - prices.freeTier.requests) : options.requests;
  // The free tier is taken off the top of the month, so the billable GB-s start at the free amount.
  const computeUsd = computeChargeUsd(billableGbs, options.arch, prices, free ? Math.min(gbs, prices.freeTier.gbSeconds) : 0);
  const requestUsd = (billableRequests / 1e6) * prices.usdPerMillionRequests;
  return { requests: options.requests, gbSeconds: gbs, computeUsd, requestUsd, totalUsd: computeUsd + requestUsd };
}

/** First-tier cost (USD) of one invocation, request charge included. */
export function invocationUsd(
  /** Billed duration, ms. */
  billedMs: number,
  /** Configured memory, MB. */
  memoryMb: number,
  /** Architecture. */
  arch: Arch,
  /** Price data. */
  prices: LambdaPrices = LAMBDA_PRICES,
): number {
  return gbSeconds(billedMs, memoryMb) * prices.computeTiers[arch][0].usdPerGbSecond + prices.usdPerMillionRequests / 1e6;
}
