/**
 * `tinycnn cost [FILE...|-]`: latency percentiles, cold-start share, memory and
 * the cost of one million requests, from CloudWatch REPORT lines.
 */
import { archFlag, numberFlag, parseFlags, withUsage } from './flags.js';
import { formatCostSummary } from '../cost/format.js';
import { LAMBDA_PRICES } from '../cost/prices.js';
import { readReportLog } from '../cost/read.js';
import { emptyLog, type ReportLog } from '../cost/report.js';
import { summarize } from '../cost/summary.js';

const USAGE = `usage: tinycnn cost [FILE...|-] [--arch x86_64|arm64] [--json]
                   [--monthly-requests N] [--free-tier] [--no-init-billing]

Reads CloudWatch Lambda REPORT lines (text or JSON log format; START/END and
application lines are skipped, anything else is counted as malformed) from the
files, or from stdin when there is none or FILE is '-', and prints Duration
percentiles, the cold-start share, memory used and the cost of 1M requests.

  --arch A               the function's architecture (REPORT lines do not say); default x86_64
  --json                 one JSON document: requests, cold_starts, p50_ms, p99_ms,
                         cost_per_million_usd, malformed_lines, ...
  --monthly-requests N   price the month's volume through the GB-s tiers
  --free-tier            subtract the monthly free tier (with --monthly-requests)
  --no-init-billing      price INIT the pre-August-2025 way (not billed)`;

/** Runs `tinycnn cost`; returns the exit code. */
export async function runCost(
  /** Arguments after `cost`. */
  argv: string[],
): Promise<number> {
  return withUsage('cost', USAGE, argv, async () => {
    const { values, positionals } = parseFlags({
      args: argv,
      allowPositionals: true,
      options: {
        arch: { type: 'string' },
        json: { type: 'boolean', default: false },
        'monthly-requests': { type: 'string' },
        'free-tier': { type: 'boolean', default: false },
        'no-init-billing': { type: 'boolean', default: false },
      },
    });
    const arch = archFlag(values.arch) ?? 'x86_64';
    const monthlyRequests = numberFlag(values['monthly-requests'], '--monthly-requests');
    const prices = values['no-init-billing'] ? { ...LAMBDA_PRICES, initBilled: false } : LAMBDA_PRICES;
    const files = positionals.length === 0 ? ['-'] : positionals;
    if (files.includes('-') && process.stdin.isTTY) console.error('tinycnn cost: reading REPORT lines from stdin (end with Ctrl-D)');
    const log = await readAll(files);
    const summary = summarize(log, { arch, prices, monthlyRequests, freeTier: values['free-tier'] });
    if (values.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(formatCostSummary(summary, files.map((f) => (f === '-' ? '<stdin>' : f)).join(', ')));
    if (summary.requests === 0) console.error('tinycnn cost: warning: no REPORT lines found');
    else if (summary.malformed_lines > 0) console.error(`tinycnn cost: warning: skipped ${summary.malformed_lines} malformed line(s)`);
    return 0;
  });
}

/** Reads several logs into one (line numbers restart per file in the examples). */
async function readAll(files: string[]): Promise<ReportLog> {
  if (files.length === 1) return readReportLog(files[0]);
  const all = emptyLog();
  for (const file of files) {
    const log = await readReportLog(file);
    all.records.push(...log.records);
    all.malformedLines += log.malformedLines;
    all.otherLines += log.otherLines;
    all.totalLines += log.totalLines;
    for (const e of log.malformedExamples) if (all.malformedExamples.length < 5) all.malformedExamples.push({ ...e, text: `${file}: ${e.text}` });
  }
  return all;
}
