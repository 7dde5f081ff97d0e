/** Plain-text rendering of the `tinycnn cost` summary, and number formats shared by the cost, plan and loadtest reports. */
import type { CostSummary } from './summary.js';

/** US dollars: 3 significant digits under a tenth of a cent, 4 decimals under $10 (per-million costs of small functions are cents), else 2. */
export function usd(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const a = Math.abs(value);
  if (a !== 0 && a < 0.001) return `$${value.toPrecision(3)}`;
  return `$${a < 10 ? value.toFixed(4) : value.toFixed(2)}`;
}

/** Milliseconds with 2 decimals under 100 ms, 1 above. */
export function ms(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  return `${value < 100 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

/** A share as a percentage with one decimal. */
export function pct(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return 'n/a';
  return `${(share * 100).toFixed(1)}%`;
}

/** An integer with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The human-readable report of `tinycnn cost`. */
export function formatCostSummary(
  /** The summary to print. */
  s: CostSummary,
  /** What was read (file names, or '<stdin>'). */
  source: string,
): string {
  const out: string[] = [];
  out.push(`Lambda REPORT lines from ${source}: ${count(s.requests)} invocations, ${s.arch}`);
  if (s.requests === 0) {
    out.push('  no REPORT lines found: nothing to price.');
  } else {
    const cold =
      s.cold_starts === 0
        ? 'no cold starts'
        : `${count(s.cold_starts)} cold start${s.cold_starts === 1 ? '' : 's'} (${pct(s.cold_start_share)})${s.init_ms === null ? '' : `, INIT p50 ${ms(s.init_ms.p50)}, max ${ms(s.init_ms.max)}; cold request p50 ${ms(s.cold_total_p50_ms)}`}`;
    const rows: [string, string][] = [
      ['duration', `p50 ${ms(s.p50_ms)}   p90 ${ms(s.p90_ms)}   p99 ${ms(s.p99_ms)}   max ${ms(s.max_ms)}   mean ${ms(s.mean_ms)}`],
      ['cold starts', cold],
      [
        'memory',
        `${s.memory_size_mb.map((m) => `${m} MB`).join(', ')} configured; max used ${s.max_memory_used_mb ?? 'n/a'} MB (p50 ${s.p50_memory_used_mb ?? 'n/a'} MB)`,
      ],
      [
        'billed',
        `mean ${ms(s.billed_mean_ms)} per request${s.init_billing_added > 0 ? ` (INIT added to ${count(s.init_billing_added)} cold-start lines: billed since August 2025)` : ''}`,
      ],
      [
        'cost per 1M',
        `${usd(s.cost_per_million_usd)} = ${usd(s.compute_per_million_usd)} compute + ${usd(s.request_per_million_usd)} requests, at $${s.usd_per_gb_second.toPrecision(6)} per GB-s${s.monthly_requests === null ? '' : ` (volume tiers at ${count(s.monthly_requests)} requests/month)`}`,
      ],
      ['these requests', `${usd(s.cost_usd)} (${s.gb_seconds.toFixed(3)} GB-s)`],
    ];
    const failures = Object.entries(s.failures);
    if (failures.length > 0) rows.push(['failures', failures.map(([k, v]) => `${count(v)} ${k}`).join(', ')]);
    for (const [k, v] of rows) out.push(`  ${k.padEnd(15)}${v}`);
  }
  if (s.malformed_lines > 0 || s.other_lines > 0) {
    out.push(`  ${'skipped'.padEnd(15)}${count(s.malformed_lines)} malformed lines, ${count(s.other_lines)} START/END/application lines`);
    for (const e of s.malformed_examples) out.push(`    line ${e.line}: ${e.reason}: ${JSON.stringify(e.text)}`);
  }
  out.push(`  prices as of ${s.prices_as_of}, ${s.prices_source}`);
  return out.join('\n');
}
