/**
 * `tinycnn plan`: from measurements over memory x architecture x batch (REPORT
 * logs, or a JSON / CSV of runs), the cost of 1M inferences per configuration,
 * the "All-You-Can-Inference" relative cost, where more memory stops paying
 * off, and the cheapest configuration whose p99 meets --slo-ms.
 */
import { statSync } from 'node:fs';
import { archFlag, numberFlag, parseFlags, withUsage } from './flags.js';
import { UsageError } from './usage.js';
import { explainPlan, memoryFindings, planJson, planTable } from '../cost/explain.js';
import { plan } from '../cost/plan.js';
import { LAMBDA_PRICES } from '../cost/prices.js';
import { type Measurement, readRuns } from '../cost/runs.js';

/** Where --charts writes when given without a directory. */
export const DEFAULT_CHART_DIR = 'bench/results/charts';

const USAGE = `usage: tinycnn plan [FILE...] [--input FILE]... [--slo-ms MS] [--arch A] [--batch N]
                   [--json] [--charts [DIR]] [--label TEXT] [--no-init-billing]

Inputs (each FILE is sniffed):
  REPORT logs   CloudWatch REPORT lines of one function, grouped by Memory Size. Architecture
                and batch from --arch / --batch, else from the file name (x86_64|x86|arm64|arm,
                b8|batch8|batch-8: e.g. kim-arm64-b8.log), else x86_64 and 1.
  JSON          [{"arch": "arm64", "memory_mb": 1024, "batch": 8, "p50_ms": 9.1, "p99_ms": 14.2}, ...]
                optional per run: mean_ms (costs use it instead of p50_ms), billed_ms (mean billed
                ms per request), requests
  CSV           header arch,memory_mb,batch,p50_ms,p99_ms[,mean_ms,billed_ms,requests]

  --slo-ms MS       latency objective on the p99 of one request; the recommendation is the
                    cheapest configuration per inference (sentence) that meets it
  --arch A          x86_64 or arm64 for every input (wins over file-name tags and JSON fields)
  --batch N         sentences per request for every input
  --json            one JSON document (recommendation, explanation, memory_pays_off, rows, ...)
  --charts [DIR]    write SVG + PNG charts (default ${DEFAULT_CHART_DIR})
  --label TEXT      a first subtitle line on every chart (where the numbers came from)
  --no-init-billing price INIT the pre-August-2025 way (REPORT logs only)`;

/** Runs `tinycnn plan`; returns the exit code. */
export async function runPlan(
  /** Arguments after `plan`. */
  argv: string[],
): Promise<number> {
  return withUsage('plan', USAGE, argv, async () => {
    const { values, positionals } = parseFlags({
      args: withChartDefault(argv),
      allowPositionals: true,
      options: {
        input: { type: 'string', short: 'i', multiple: true },
        'slo-ms': { type: 'string' },
        arch: { type: 'string' },
        batch: { type: 'string' },
        json: { type: 'boolean', default: false },
        charts: { type: 'string' },
        label: { type: 'string' },
        'no-init-billing': { type: 'boolean', default: false },
      },
    });
    const files = [...positionals, ...(values.input ?? [])];
    if (files.length === 0) throw new UsageError('needs at least one input: REPORT log files, or --input runs.json / runs.csv');
    if (values.charts !== undefined) await (await import('../charts/render.js')).ensureChartPackages('drawing charts');
    const prices = values['no-init-billing'] ? { ...LAMBDA_PRICES, initBilled: false } : LAMBDA_PRICES;
    const defaults = { arch: archFlag(values.arch), batch: numberFlag(values.batch, '--batch', true), prices };
    const sloMs = numberFlag(values['slo-ms'], '--slo-ms');
    const measurements: Measurement[] = [];
    for (const file of files) measurements.push(...(await readRuns(file, defaults)));
    const result = plan(measurements, { sloMs, prices });

    let charts: { svg: string; png: string }[] = [];
    if (values.charts !== undefined) {
      const { writePlanCharts } = await import('../charts/plan.js');
      charts = await writePlanCharts(result, values.charts, values.label);
    }
    if (values.json) {
      console.log(JSON.stringify({ ...planJson(result), charts }, null, 2));
      return 0;
    }
    const objective = sloMs === undefined ? 'no latency objective (add --slo-ms)' : `objective p99 ≤ ${sloMs} ms`;
    const out = [
      `${result.rows.length} configurations from ${files.length} input${files.length === 1 ? '' : 's'}; ${objective}; Lambda prices as of ${prices.asOf}`,
      '',
      planTable(result),
      '',
      'Where more memory stops paying off:',
      ...memoryFindings(result).map((line) => `  - ${line}`),
      '',
      'Recommendation:',
      wrap(explainPlan(result), 96, '  '),
    ];
    if (charts.length > 0) out.push('', 'Charts:', ...charts.map((c) => `  ${c.svg}  ${c.png}`));
    console.log(out.join('\n'));
    return 0;
  });
}

/** `--charts` with no directory after it (end, another flag, or an input file) means the default directory. */
export function withChartDefault(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]);
    const next = argv[i + 1];
    if (argv[i] === '--charts' && (next === undefined || next.startsWith('--') || isFile(next))) out.push(DEFAULT_CHART_DIR);
  }
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Wraps a paragraph at `width` columns with an indent. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}
