/** The load test's markdown tables (the classic "C | tput | mean | p50 | p99 | cost" layout) and text summaries. */
import { usd } from '../cost/format.js';
import type { SequentialResult, SmallStats } from './protocols.js';
import type { LevelResult } from './sweep.js';

const n = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));

function errorText(errors: Record<string, number>): string {
  const entries = Object.entries(errors).filter(([k]) => k !== 'timeout');
  return entries.length === 0 ? '0' : entries.map(([k, v]) => `${v} ${k}`).join(', ');
}

/** The concurrency sweep as a markdown table. */
export function sweepTable(
  /** One result per level. */
  levels: readonly LevelResult[],
  /** Sentences per request (adds a cost-per-1M-inferences column when > 1). */
  batch: number,
): string {
  const perInference = batch > 1;
  const head = [
    'C',
    'tput (req/s)',
    'mean (ms)',
    'p50 (ms)',
    'p99 (ms)',
    'cost ($/1M req)',
    ...(perInference ? ['cost ($/1M inferences)'] : []),
    'ok',
    'errors',
    'timeouts',
    'server t_sent_embedding (ms)',
    'server t_inference (ms)',
  ];
  const rows = levels.map((l) => [
    String(l.concurrency),
    l.throughput_rps.toFixed(1),
    n(l.latency.mean_ms),
    n(l.latency.p50_ms),
    n(l.latency.p99_ms),
    usd(l.cost_per_million_usd),
    ...(perInference ? [usd(l.cost_per_million_inferences_usd)] : []),
    `${l.ok}/${l.sent}`,
    errorText(l.errors),
    String(l.timeouts),
    n(l.server.t_sent_embedding_ms, 3),
    n(l.server.t_inference_ms, 3),
  ]);
  const align = head.map((h) => (h === 'errors' ? ':---' : '---:'));
  return [`| ${head.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function stats(s: SmallStats | null): string {
  if (s === null || s.count === 0) return '–';
  return `p50 ${n(s.p50_ms)} ms, p90 ${n(s.p90_ms)} ms, max ${n(s.max_ms)} ms, mean ${n(s.mean_ms)} ms (n=${s.count})`;
}

/** A warm or cold run as a few lines of text. */
export function sequentialText(r: SequentialResult): string {
  const lines = [
    `${r.protocol === 'warm' ? 'Warm' : 'Cold'} protocol: ${r.ok}/${r.requests} ok${Object.keys(r.errors).length > 0 ? ` (errors: ${errorText(r.errors)}, timeouts: ${r.errors.timeout ?? 0})` : ''}`,
  ];
  lines.push(`  round trip        ${stats(r.latency)}`);
  if (r.startup !== null) lines.push(`  process startup   ${stats(r.startup)}`);
  if (r.cold_total !== null) lines.push(`  startup + request ${stats(r.cold_total)}`);
  if (r.init_duration !== null) lines.push(`  Init Duration     ${stats(r.init_duration)}`);
  if (r.server.t_overall.count > 0) lines.push(`  server t_overall  ${stats(r.server.t_overall)}`);
  if (r.server.t_inference.count > 0)
    lines.push(
      `  server split      t_sent_embedding p50 ${n(r.server.t_sent_embedding.p50_ms, 3)} ms, t_inference p50 ${n(r.server.t_inference.p50_ms, 3)} ms`,
    );
  if (r.reported_cold_starts > 0 || r.protocol === 'cold') lines.push(`  cold_start: true  in ${r.reported_cold_starts} of ${r.ok} answers`);
  lines.push(`  cost per 1M       ${usd(r.cost_per_million_usd)} (billed mean ${n(r.billed_mean_ms)} ms)`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
