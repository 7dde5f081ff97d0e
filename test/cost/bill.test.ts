// The billing model against bills computed by hand (the arithmetic is in the comments).
import { describe, expect, it } from 'vitest';
import { billedDurationMs, computeChargeUsd, costPerMillion, gbSeconds, monthlyBill } from '../../src/cost/bill.js';
import { LAMBDA_PRICES, parseArch } from '../../src/cost/prices.js';
import { parseReportLog } from '../../src/cost/report.js';
import { billedFor, summarize } from '../../src/cost/summary.js';

const ID = '3604209a-e9a3-11e6-939a-754dd98c7be3';

describe('prices data', () => {
  it('holds the published figures, a source and a date', () => {
    expect(LAMBDA_PRICES.computeTiers.x86_64.map((t) => t.usdPerGbSecond)).toEqual([0.0000166667, 0.000015, 0.0000133334]);
    expect(LAMBDA_PRICES.computeTiers.arm64.map((t) => t.usdPerGbSecond)).toEqual([0.0000133334, 0.0000120001, 0.0000106667]);
    expect(LAMBDA_PRICES.computeTiers.x86_64.map((t) => t.upToGbSeconds)).toEqual([6e9, 15e9, Infinity]);
    expect(LAMBDA_PRICES.usdPerMillionRequests).toBe(0.2);
    expect(LAMBDA_PRICES.billingGranularityMs).toBe(1);
    expect(LAMBDA_PRICES.initBilled).toBe(true);
    expect(LAMBDA_PRICES.sources[0]).toMatch(/^https:\/\/aws\.amazon\.com\/lambda\/pricing/);
    expect(LAMBDA_PRICES.asOf).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it('parses architecture names', () => {
    expect(parseArch('x86')).toBe('x86_64');
    expect(parseArch('AMD64')).toBe('x86_64');
    expect(parseArch('aarch64')).toBe('arm64');
    expect(parseArch('sparc')).toBeUndefined();
  });
});

describe('billed duration', () => {
  it('rounds up to the next millisecond', () => {
    expect(billedDurationMs(12.34)).toBe(13);
    expect(billedDurationMs(13)).toBe(13);
    expect(billedDurationMs(13.000000000001)).toBe(13); // float noise is not a millisecond
    expect(billedDurationMs(0.2)).toBe(1);
  });

  it('bills INIT since August 2025: ceil(12.34 + 150.12) = ceil(162.46) = 163', () => {
    expect(billedDurationMs(12.34, 150.12)).toBe(163);
    expect(billedDurationMs(12.34, 150.12, { ...LAMBDA_PRICES, initBilled: false })).toBe(13);
  });

  it('GB-s = seconds x MB / 1024: 13 ms at 128 MB = 0.013 x 0.125 = 0.001625', () => {
    expect(gbSeconds(13, 128)).toBeCloseTo(0.001625, 12);
  });
});

describe('cost per 1M requests', () => {
  it('x86_64: 1M x 13 ms x 128 MB = 1e6 x 0.013 s x 0.125 GB x $0.0000166667 + $0.20 = $0.0270833875 + $0.20', () => {
    const c = costPerMillion({ gbSecondsPerRequest: gbSeconds(13, 128), arch: 'x86_64' });
    expect(c.computeUsd).toBeCloseTo(0.0270833875, 10);
    expect(c.requestUsd).toBe(0.2);
    expect(c.totalUsd).toBeCloseTo(0.2270833875, 10);
  });

  it('arm64: 1625 GB-s x $0.0000133334 = $0.021666775, + $0.20 = $0.221666775', () => {
    expect(costPerMillion({ gbSecondsPerRequest: gbSeconds(13, 128), arch: 'arm64' }).totalUsd).toBeCloseTo(0.221666775, 10);
  });

  it('x86_64, 1 GB for 1 s, 10 billion requests a month: tiers 1 and 2', () => {
    // 10e9 GB-s: 6e9 x 0.0000166667 = 100,000.2 ; 4e9 x 0.000015 = 60,000 -> compute $160,000.2
    // requests: 10e9 / 1e6 x $0.20 = $2,000 -> month $162,000.2 -> per 1M: 162,000.2 / 10,000 = $16.20002
    const bill = monthlyBill({ requests: 10e9, gbSecondsPerRequest: 1, arch: 'x86_64' });
    expect(bill.computeUsd).toBeCloseTo(160000.2, 4);
    expect(bill.totalUsd).toBeCloseTo(162000.2, 4);
    expect(costPerMillion({ gbSecondsPerRequest: 1, arch: 'x86_64', monthlyRequests: 10e9 }).totalUsd).toBeCloseTo(16.20002, 8);
  });

  it('arm64, 20 billion GB-s: all three tiers', () => {
    // 7.5e9 x 0.0000133334 = 100,000.5 ; 11.25e9 x 0.0000120001 = 135,001.125 ; 1.25e9 x 0.0000106667 = 13,333.375
    expect(computeChargeUsd(20e9, 'arm64')).toBeCloseTo(248335.0, 3);
  });

  it('continues the tiers from what the month already used', () => {
    // 1e9 GB-s after 5.5e9 already used: 0.5e9 x 0.0000166667 + 0.5e9 x 0.000015 = 8,333.35 + 7,500 = 15,833.35
    expect(computeChargeUsd(1e9, 'x86_64', LAMBDA_PRICES, 5.5e9)).toBeCloseTo(15833.35, 4);
  });

  it('subtracts the free tier when asked', () => {
    // 2M requests x 0.5 GB-s = 1,000,000 GB-s; minus 400,000 free = 600,000 x 0.0000166667 = $10.00002
    // requests: (2M - 1M) x $0.20 / 1M = $0.20 -> $10.20002
    const bill = monthlyBill({ requests: 2e6, gbSecondsPerRequest: 0.5, arch: 'x86_64', freeTier: true });
    expect(bill.computeUsd).toBeCloseTo(10.00002, 8);
    expect(bill.totalUsd).toBeCloseTo(10.20002, 8);
  });
});

describe('summarize (what tinycnn cost prints)', () => {
  const cold = `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\t`;
  const warm = (d: string, b: number) => `REPORT RequestId: ${ID}\tDuration: ${d} ms\tBilled Duration: ${b} ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB\t`;

  it('adds INIT to a pre-2025 cold-start line, keeps a post-2025 one as billed', () => {
    const [oldStyle] = parseReportLog(cold).records;
    expect(billedFor(oldStyle)).toEqual({ ms: 163, initAdded: true });
    const [newStyle] = parseReportLog(cold.replace('Billed Duration: 13 ms', 'Billed Duration: 163 ms')).records;
    expect(billedFor(newStyle)).toEqual({ ms: 163, initAdded: false });
  });

  it('prices a small log by hand', () => {
    // Billed: 163 (13 + INIT) + 3 + 3 + 1 = 170 ms at 128 MB -> 0.17 x 0.125 = 0.02125 GB-s over 4 requests.
    // Per 1M: 0.02125 / 4 x 1e6 x 0.0000166667 = $0.0885418... + $0.20 = $0.2885418...
    const log = parseReportLog([cold, warm('2.10', 3), warm('2.50', 3), warm('0.90', 1), 'not a log line'].join('\n'));
    const s = summarize(log, { arch: 'x86_64' });
    expect(s.requests).toBe(4);
    expect(s.cold_starts).toBe(1);
    expect(s.cold_start_share).toBe(0.25);
    expect(s.malformed_lines).toBe(1);
    expect(s.p50_ms).toBe(2.1); // nearest rank: sorted 0.9, 2.1, 2.5, 12.34 -> 2nd
    expect(s.p99_ms).toBe(12.34);
    expect(s.billed_mean_ms).toBe(42.5);
    expect(s.init_billing_added).toBe(1);
    expect(s.cost_per_million_usd).toBeCloseTo((0.02125 / 4) * 1e6 * 0.0000166667 + 0.2, 6);
    expect(s.max_memory_used_mb).toBe(71);
  });

  it('gives nulls, not NaN, for an empty log', () => {
    const s = summarize(parseReportLog('nothing here\n'), { arch: 'arm64' });
    expect(s.requests).toBe(0);
    expect(s.p50_ms).toBeNull();
    expect(s.cost_per_million_usd).toBeNull();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
