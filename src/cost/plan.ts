/**
 * The deployment planner: from measurements over memory x architecture x batch,
 * the cost of one million inferences (sentences) per configuration, the
 * cost-performance figure of the "All-You-Can-Inference" study
 *
 *   relative cost(M) = (M / 2 GB) x Latency(M) / Latency(2 GB)      (per architecture and batch)
 *
 * the memory beyond which more memory stops paying off, and the cheapest
 * configuration whose p99 meets a latency objective.
 */
import { billedDurationMs, costPerMillion, gbSeconds } from './bill.js';
import { CostInputError } from './errors.js';
import { type Arch, ARCHES, LAMBDA_PRICES, type LambdaPrices } from './prices.js';
import type { Measurement } from './runs.js';

/** Two costs closer than this (relative) count as equal. */
export const COST_TIE = 0.005;
/** A step up in memory "pays for itself" when the cost per inference rises by at most this share (measurement noise, 1 ms rounding). */
export const PAYOFF_TOLERANCE = 0.02;
/** A latency within this share of a group's best counts as "no longer dropping". */
export const LATENCY_FLOOR = 0.05;
/** The study's reference memory size, MB. */
export const REFERENCE_MB = 2048;

/** One configuration, priced. Latencies are per request (a request carries `batch` sentences). */
export interface PlanRow {
  readonly arch: Arch;
  readonly memoryMb: number;
  readonly batch: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The latency costs are computed from: mean when measured, else p50. */
  readonly latencyMs: number;
  /** Billed ms per request: measured when known, else ceil(latencyMs). */
  readonly billedMs: number;
  readonly costPerMillionRequestsUsd: number;
  /** Per sentence: cost per request / batch x 1e6. */
  readonly costPerMillionInferencesUsd: number;
  /** (M / Mref) x Latency(M) / Latency(Mref) within its (arch, batch) group. */
  readonly relativeCost: number;
  /** Mref: 2048 MB when measured, else the measured size nearest to it. */
  readonly referenceMemoryMb: number;
  /** Sentences per second one instance serves: batch x 1000 / latencyMs. */
  readonly sentencesPerSecond: number;
  /** p99 <= the objective; null without one. */
  readonly meetsSlo: boolean | null;
  readonly requests: number | undefined;
  readonly coldStarts: number | undefined;
  readonly source: string;
}

/** Going from one memory size to the next within an (arch, batch) group. */
export interface MemoryStep {
  readonly fromMb: number;
  readonly toMb: number;
  /** latency(to) / latency(from) - 1 (negative = faster). */
  readonly latencyChange: number;
  /** cost per inference(to) / cost per inference(from) - 1 (negative = cheaper). */
  readonly costChange: number;
  /** Whether the step paid for itself: cheaper per inference, or at most PAYOFF_TOLERANCE dearer while at least LATENCY_FLOOR faster. */
  readonly paysOff: boolean;
}

/** Where memory stops paying off, for one (arch, batch). */
export interface GroupFinding {
  readonly arch: Arch;
  readonly batch: number;
  readonly referenceMemoryMb: number;
  /** The cheapest memory size per inference (ties: the larger, faster one). */
  readonly cheapestMemoryMb: number;
  /** Where more memory stops paying off: the top of the last step that paid for itself (the smallest size when none did). */
  readonly paysOffUpToMb: number;
  /** The smallest memory whose latency is within LATENCY_FLOOR of the group's best. */
  readonly latencyFloorMemoryMb: number;
  readonly steps: MemoryStep[];
  /** The step up from paysOffUpToMb, if there is a larger size: what the next size would cost. */
  readonly stepBeyond: MemoryStep | null;
}

/** The planner's answer. */
export interface Plan {
  readonly sloMs: number | null;
  /** All configurations, by arch, batch, memory. */
  readonly rows: PlanRow[];
  readonly groups: GroupFinding[];
  /** How many rows meet the objective (all when there is none). */
  readonly meeting: number;
  /** The cheapest configuration meeting the objective; null when none does. */
  readonly recommended: PlanRow | null;
  /** The best on the other architecture, for comparison. */
  readonly bestOtherArch: PlanRow | null;
  /** The lowest-p99 configuration (what to fall back on when none meets the objective). */
  readonly fastest: PlanRow;
}

/** Options of {@link plan}. */
export interface PlanOptions {
  /** Latency objective on p99, ms; undefined = none (recommend the cheapest). */
  readonly sloMs?: number | undefined;
  /** Price data. */
  readonly prices?: LambdaPrices | undefined;
}

/** Prices every measurement, finds where memory stops paying off, and picks a configuration. */
export function plan(
  /** The measurements (at least one; one per (arch, memory, batch)). */
  measurements: readonly Measurement[],
  /** Objective and prices. */
  options: PlanOptions = {},
): Plan {
  if (measurements.length === 0) throw new CostInputError('<plan>', 'no measurements to plan from');
  const prices = options.prices ?? LAMBDA_PRICES;
  const slo = options.sloMs;
  const seen = new Map<string, string>();
  for (const m of measurements) {
    const key = `${m.arch}/${m.memoryMb}/${m.batch}`;
    const before = seen.get(key);
    if (before !== undefined)
      throw new CostInputError(
        m.source,
        `measures ${m.arch} ${m.memoryMb} MB batch ${m.batch} again (also in ${before}); give each configuration once (concatenate its logs into one file)`,
      );
    seen.set(key, m.source);
  }

  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.arch}/${m.batch}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [m]);
    else list.push(m);
  }
  const rows: PlanRow[] = [];
  const findings: GroupFinding[] = [];
  for (const group of [...groups.values()].sort((a, b) => ARCHES.indexOf(a[0].arch) - ARCHES.indexOf(b[0].arch) || a[0].batch - b[0].batch)) {
    group.sort((a, b) => a.memoryMb - b.memoryMb);
    const ref = referenceOf(group);
    const refLatency = latencyOf(ref);
    const priced = group.map((m): PlanRow => {
      const latencyMs = latencyOf(m);
      const billedMs = m.billedMs ?? billedDurationMs(latencyMs, 0, prices);
      const perRequest = costPerMillion({ gbSecondsPerRequest: gbSeconds(billedMs, m.memoryMb), arch: m.arch, prices }).totalUsd;
      return {
        arch: m.arch,
        memoryMb: m.memoryMb,
        batch: m.batch,
        p50Ms: m.p50Ms,
        p99Ms: m.p99Ms,
        latencyMs,
        billedMs,
        costPerMillionRequestsUsd: perRequest,
        costPerMillionInferencesUsd: perRequest / m.batch,
        relativeCost: (m.memoryMb / ref.memoryMb) * (latencyMs / refLatency),
        referenceMemoryMb: ref.memoryMb,
        sentencesPerSecond: (m.batch * 1000) / latencyMs,
        meetsSlo: slo === undefined ? null : m.p99Ms <= slo,
        requests: m.requests,
        coldStarts: m.coldStarts,
        source: m.source,
      };
    });
    rows.push(...priced);
    findings.push(findingOf(priced, ref.memoryMb));
  }

  const candidates = rows.filter((r) => r.meetsSlo !== false);
  const recommended = cheapest(candidates);
  const bestOtherArch = recommended === null ? null : cheapest(candidates.filter((r) => r.arch !== recommended.arch));
  const fastest = rows.reduce((a, b) => (b.p99Ms < a.p99Ms || (b.p99Ms === a.p99Ms && b.costPerMillionInferencesUsd < a.costPerMillionInferencesUsd) ? b : a));
  return { sloMs: slo ?? null, rows, groups: findings, meeting: candidates.length, recommended, bestOtherArch, fastest };
}

/** The latency costs are computed from: the mean when measured, else p50. */
function latencyOf(m: Measurement): number {
  return m.meanMs ?? m.p50Ms;
}

/** 2048 MB if measured, else the size nearest to it on a log scale (ties: the larger). */
function referenceOf(group: readonly Measurement[]): Measurement {
  let best = group[0];
  for (const m of group) {
    const d = Math.abs(Math.log2(m.memoryMb / REFERENCE_MB));
    const bestD = Math.abs(Math.log2(best.memoryMb / REFERENCE_MB));
    if (d < bestD - 1e-12 || (Math.abs(d - bestD) <= 1e-12 && m.memoryMb > best.memoryMb)) best = m;
  }
  return best;
}

/** The cheapest row per inference; costs within COST_TIE tie, then the lower p99 wins, then the smaller memory. */
export function cheapest(rows: readonly PlanRow[]): PlanRow | null {
  if (rows.length === 0) return null;
  const min = Math.min(...rows.map((r) => r.costPerMillionInferencesUsd));
  const tied = rows.filter((r) => r.costPerMillionInferencesUsd <= min * (1 + COST_TIE));
  return tied.reduce((a, b) => (b.p99Ms < a.p99Ms || (b.p99Ms === a.p99Ms && b.memoryMb < a.memoryMb) ? b : a));
}

/** Steps between consecutive memory sizes of one (arch, batch) group, sorted by memory. */
function findingOf(group: readonly PlanRow[], referenceMemoryMb: number): GroupFinding {
  const steps: MemoryStep[] = [];
  for (let i = 1; i < group.length; i++) {
    const a = group[i - 1];
    const b = group[i];
    const costChange = b.costPerMillionInferencesUsd / a.costPerMillionInferencesUsd - 1;
    const latencyChange = b.latencyMs / a.latencyMs - 1;
    // Cheaper pays off; about as cheap (noise, 1 ms rounding) pays off only if it bought real speed.
    const paysOff = costChange <= 0 || (costChange <= PAYOFF_TOLERANCE && latencyChange <= -LATENCY_FLOOR);
    steps.push({ fromMb: a.memoryMb, toMb: b.memoryMb, latencyChange, costChange, paysOff });
  }
  const minCost = Math.min(...group.map((r) => r.costPerMillionInferencesUsd));
  // Ties go to the larger memory: the same money buys lower latency.
  const cheapestRow = group.filter((r) => r.costPerMillionInferencesUsd <= minCost * (1 + COST_TIE)).reduce((a, b) => (b.memoryMb > a.memoryMb ? b : a));
  const lastPaying = steps.filter((s) => s.paysOff).at(-1);
  const paysOffUpToMb = lastPaying?.toMb ?? group[0].memoryMb;
  const minLatency = Math.min(...group.map((r) => r.latencyMs));
  const floorRow = group.find((r) => r.latencyMs <= minLatency * (1 + LATENCY_FLOOR)) ?? group[group.length - 1];
  return {
    arch: group[0].arch,
    batch: group[0].batch,
    referenceMemoryMb,
    cheapestMemoryMb: cheapestRow.memoryMb,
    paysOffUpToMb,
    latencyFloorMemoryMb: floorRow.memoryMb,
    steps,
    stepBeyond: steps.find((s) => s.fromMb === paysOffUpToMb) ?? null,
  };
}
