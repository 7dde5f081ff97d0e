/**
 * Words and tables for a {@link Plan}: the one-paragraph recommendation, the
 * markdown table of all configurations, where memory stops paying off, and
 * the `tinycnn plan --json` document.
 */
import { ms, pct, usd } from './format.js';
import { type GroupFinding, LATENCY_FLOOR, PAYOFF_TOLERANCE, type Plan, type PlanRow } from './plan.js';
import { LAMBDA_PRICES } from './prices.js';
import { round } from './stats.js';

/** "arm64 with 1024 MB and batches of 8 sentences" (the batch part only when batches vary). */
function describeRow(r: PlanRow, batchesVary: boolean): string {
  const batch = !batchesVary ? '' : r.batch === 1 ? ' and one sentence per request' : ` and batches of ${r.batch} sentences`;
  return `${r.arch} with ${r.memoryMb} MB${batch}`;
}

function groupOf(plan: Plan, r: PlanRow): GroupFinding | undefined {
  return plan.groups.find((g) => g.arch === r.arch && g.batch === r.batch);
}

/** The one plain-English paragraph explaining the choice. */
export function explainPlan(plan: Plan): string {
  const batchesVary = new Set(plan.rows.map((r) => r.batch)).size > 1;
  const arches = new Set(plan.rows.map((r) => r.arch));
  const rec = plan.recommended;
  const s: string[] = [];
  if (rec === null) {
    const f = plan.fastest;
    s.push(
      `No measured configuration meets the p99 objective of ${plan.sloMs} ms: the fastest, ${describeRow(f, batchesVary)}, has a p99 of ${ms(f.p99Ms)} at ${usd(f.costPerMillionInferencesUsd)} per million inferences.`,
      `Loosen the objective to at least ${ms(f.p99Ms)}, or measure larger memory sizes${batchesVary ? ' or smaller batches' : ''}.`,
    );
    return s.join(' ');
  }
  const objective = plan.sloMs === null ? 'With no latency objective given' : `For a p99 objective of ${plan.sloMs} ms`;
  s.push(
    `${objective}, the cheapest configuration is ${describeRow(rec, batchesVary)}: ${usd(rec.costPerMillionInferencesUsd)} per million inferences, with a p99 of ${ms(rec.p99Ms)} and a p50 of ${ms(rec.p50Ms)}.`,
  );
  if (plan.sloMs !== null) s.push(`${plan.meeting} of the ${plan.rows.length} measured configurations meet the objective.`);
  const other = plan.bestOtherArch;
  if (other !== null) {
    const more = other.costPerMillionInferencesUsd / rec.costPerMillionInferencesUsd - 1;
    s.push(
      `The best ${other.arch} option (${other.memoryMb} MB${batchesVary ? `, batch ${other.batch}` : ''}) costs ${more < 0.005 ? 'about the same' : `${pct(more)} more`} at ${usd(other.costPerMillionInferencesUsd)}.`,
    );
  } else if (arches.size > 1) {
    s.push(`No ${[...arches].find((a) => a !== rec.arch)} configuration meets the objective.`);
  }
  const g = groupOf(plan, rec);
  if (g !== undefined) {
    const where = `On ${rec.arch}${batchesVary ? ` at batch ${rec.batch}` : ''}`;
    const step = g.stepBeyond;
    const smallest = plan.rows.filter((r) => r.arch === rec.arch && r.batch === rec.batch).reduce((a, b) => (b.memoryMb < a.memoryMb ? b : a));
    if (step === null) {
      s.push(
        `${where}, every step up to the largest size measured (${g.paysOffUpToMb} MB) still paid for itself; measure larger sizes to find where it stops.`,
      );
    } else {
      const faster = -step.latencyChange;
      const priceRatio = step.toMb / step.fromMb;
      const breakEven = 1 - 1 / priceRatio;
      const cut = faster <= 0.005 ? 'does not cut latency at all' : `cuts latency by ${faster < breakEven / 2 ? 'only ' : ''}${pct(faster)}`;
      const head =
        g.paysOffUpToMb === smallest.memoryMb
          ? `${where}, more memory never pays for itself here`
          : `${where}, more memory pays for itself up to ${g.paysOffUpToMb} MB (each step up to there cut latency about as much as it raised the price of a millisecond)`;
      s.push(
        `${head}; going to ${step.toMb} MB ${cut} while a millisecond costs ${priceRatio.toFixed(Number.isInteger(priceRatio) ? 0 : 2)}x as much, so each inference costs ${pct(step.costChange)} more.`,
      );
    }
    if (rec.memoryMb > g.paysOffUpToMb) {
      const cheap = plan.rows.find((r) => r.arch === rec.arch && r.batch === rec.batch && r.memoryMb === g.paysOffUpToMb);
      if (cheap !== undefined)
        s.push(
          `The objective is what needs ${rec.memoryMb} MB: ${cheap.memoryMb} MB would be cheaper (${usd(cheap.costPerMillionInferencesUsd)}) but its p99 of ${ms(cheap.p99Ms)} misses it.`,
        );
    }
    if (g.latencyFloorMemoryMb !== g.paysOffUpToMb && g.latencyFloorMemoryMb < (g.steps.at(-1)?.toMb ?? g.latencyFloorMemoryMb)) {
      s.push(`Beyond ${g.latencyFloorMemoryMb} MB latency hardly drops at all (within 5% of the best measured).`);
    }
  }
  if (rec.batch > 1)
    s.push(`Each request carries ${rec.batch} sentences, so every sentence waits for the whole batch; the time spent gathering a batch is not counted.`);
  return s.join(' ');
}

/** The markdown table of all configurations; the recommended row is marked with ⭐. */
export function planTable(plan: Plan): string {
  const head =
    '| arch | memory (MB) | batch | p50 (ms) | p99 (ms) | billed (ms/request) | $ per 1M inferences | relative cost (vs 2 GB) | sentences/s per instance | p99 ≤ SLO |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|';
  const lines = plan.rows.map((r) => {
    const mark = r === plan.recommended ? ' ⭐' : '';
    const slo = r.meetsSlo === null ? '–' : r.meetsSlo ? 'yes' : 'no';
    const ref = r.referenceMemoryMb === 2048 ? '' : ` (vs ${r.referenceMemoryMb} MB)`;
    return `| ${r.arch}${mark} | ${r.memoryMb} | ${r.batch} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.billedMs.toFixed(1)} | ${usd(r.costPerMillionInferencesUsd)} | ${r.relativeCost.toFixed(3)}${ref} | ${r.sentencesPerSecond.toFixed(1)} | ${slo} |`;
  });
  return [head, rule, ...lines].join('\n');
}

/** One line per (arch, batch): where more memory stops paying off. */
export function memoryFindings(plan: Plan): string[] {
  return plan.groups.map((g) => {
    const head = `${g.arch}, batch ${g.batch}: cheapest per inference at ${g.cheapestMemoryMb} MB; pays for itself up to ${g.paysOffUpToMb} MB (steps cheaper, or ≤${PAYOFF_TOLERANCE * 100}% dearer and ≥${LATENCY_FLOOR * 100}% faster)`;
    const step = g.stepBeyond;
    const beyond =
      step === null
        ? '; no larger size measured'
        : `; then ${step.fromMb} -> ${step.toMb} MB: latency ${signed(step.latencyChange)}, cost per inference ${signed(step.costChange)}`;
    return `${head}${beyond}; latency within 5% of its best from ${g.latencyFloorMemoryMb} MB`;
  });
}

function signed(change: number): string {
  return `${change >= 0 ? '+' : '−'}${pct(Math.abs(change))}`;
}

function rowJson(r: PlanRow | null) {
  if (r === null) return null;
  return {
    arch: r.arch,
    memory_mb: r.memoryMb,
    batch: r.batch,
    p50_ms: round(r.p50Ms),
    p99_ms: round(r.p99Ms),
    latency_ms: round(r.latencyMs),
    billed_ms: round(r.billedMs),
    cost_per_million_requests_usd: round(r.costPerMillionRequestsUsd, 6),
    cost_per_million_inferences_usd: round(r.costPerMillionInferencesUsd, 6),
    relative_cost: round(r.relativeCost, 4),
    reference_memory_mb: r.referenceMemoryMb,
    sentences_per_second: round(r.sentencesPerSecond, 2),
    meets_slo: r.meetsSlo,
    requests: r.requests ?? null,
    cold_starts: r.coldStarts ?? null,
    source: r.source,
  };
}

/** The `tinycnn plan --json` document. */
export function planJson(plan: Plan) {
  return {
    slo_ms: plan.sloMs,
    configurations: plan.rows.length,
    meeting_slo: plan.meeting,
    recommendation: rowJson(plan.recommended),
    best_other_arch: rowJson(plan.bestOtherArch),
    fastest: rowJson(plan.fastest),
    explanation: explainPlan(plan),
    memory_pays_off: plan.groups.map((g) => ({
      arch: g.arch,
      batch: g.batch,
      cheapest_memory_mb: g.cheapestMemoryMb,
      pays_off_up_to_mb: g.paysOffUpToMb,
      latency_floor_memory_mb: g.latencyFloorMemoryMb,
      reference_memory_mb: g.referenceMemoryMb,
      next_step:
        g.stepBeyond === null
          ? null
          : {
              from_mb: g.stepBeyond.fromMb,
              to_mb: g.stepBeyond.toMb,
              latency_change: round(g.stepBeyond.latencyChange, 4),
              cost_change: round(g.stepBeyond.costChange, 4),
            },
      steps: g.steps.map((s) => ({
        from_mb: s.fromMb,
        to_mb: s.toMb,
        latency_change: round(s.latencyChange, 4),
        cost_change: round(s.costChange, 4),
        pays_off: s.paysOff,
      })),
    })),
    rows: plan.rows.map(rowJson),
    prices_as_of: LAMBDA_PRICES.asOf,
    prices_source: LAMBDA_PRICES.sources[0],
  };
}
