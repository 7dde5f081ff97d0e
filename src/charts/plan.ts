/**
 * Chart specifications for `tinycnn plan`: cost per 1M inferences vs memory
 * (per architecture), the "All-You-Can-Inference" relative cost vs memory, p99
 * vs memory against the objective, and throughput per sentence vs batch size.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Plan } from '../cost/plan.js';
import { type ChartFiles, writeChart } from './render.js';

/** One plotted point per configuration. */
function points(plan: Plan) {
  return plan.rows.map((r) => ({
    arch: r.arch,
    memory: r.memoryMb,
    memoryLabel: `${r.memoryMb} MB`,
    batch: r.batch,
    batchLabel: `batch ${r.batch}`,
    series: `${r.arch}, batch ${r.batch}`,
    cost: r.costPerMillionInferencesUsd,
    relative: r.relativeCost,
    p50: r.p50Ms,
    p99: r.p99Ms,
    throughput: r.sentencesPerSecond,
    recommended: r === plan.recommended,
  }));
}

function memoryAxis(plan: Plan) {
  const values = [...new Set(plan.rows.map((r) => r.memoryMb))].sort((a, b) => a - b);
  return {
    field: 'memory',
    type: 'quantitative' as const,
    title: 'Memory (MB, log scale)',
    scale: { type: 'log' as const, base: 2, domain: [values[0] / 1.15, values[values.length - 1] * 1.15], nice: false },
    axis: { values, format: 'd', labelOverlap: false, labelAngle: values.length > 5 ? -40 : 0 },
  };
}

/** Colour by architecture; dash by batch when batches vary. */
function seriesEncoding(plan: Plan) {
  const batches = new Set(plan.rows.map((r) => r.batch));
  return {
    color: { field: 'arch', type: 'nominal' as const, title: 'Architecture', sort: ['x86_64', 'arm64'] },
    ...(batches.size > 1 ? { strokeDash: { field: 'batchLabel', type: 'nominal' as const, title: 'Batch', sort: { field: 'batch' as const } } } : {}),
    detail: { field: 'series', type: 'nominal' as const },
  };
}

function spread(values: number[]): number {
  const pos = values.filter((v) => v > 0);
  return pos.length === 0 ? 1 : Math.max(...pos) / Math.min(...pos);
}

/** Lines per (arch, batch) over memory, points on top, the recommended point circled; `rules` are horizontal reference lines. */
function memoryChart(
  plan: Plan,
  y: { field: string; title: string; format?: string },
  title: string,
  subtitle: string[],
  rules: { y: number; color: string; dash: number[] }[] = [],
): TopLevelSpec {
  const data = points(plan);
  const values = data.map((d) => (d as unknown as Record<string, number>)[y.field]);
  const yScale = spread(values) > 30 ? { type: 'log' as const } : { zero: false };
  const yEnc = { field: y.field, type: 'quantitative' as const, title: y.title, scale: yScale, axis: y.format === undefined ? {} : { format: y.format } };
  const xy = { x: memoryAxis(plan), y: yEnc };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: 620,
    height: 340,
    layer: [
      { data: { values: data }, mark: { type: 'line', strokeWidth: 2 }, encoding: { ...xy, ...seriesEncoding(plan) } },
      { data: { values: data }, mark: { type: 'point', filled: true, size: 45 }, encoding: { ...xy, color: seriesEncoding(plan).color } },
      {
        data: { values: data.filter((d) => d.recommended) },
        mark: { type: 'point', shape: 'circle', size: 420, strokeWidth: 2.5, color: '#111111', filled: false },
        encoding: xy,
      },
      ...rules.map((r) => ({
        data: { values: [{}] },
        mark: { type: 'rule', strokeDash: r.dash, color: r.color, strokeWidth: 1.5 },
        encoding: { y: { datum: r.y } },
      })),
    ],
  } as TopLevelSpec;
}

/** Chart specs by file name; `label`, when given, is the first subtitle line of every chart (e.g. where the data came from). */
export function planChartSpecs(plan: Plan, label?: string): Record<string, TopLevelSpec> {
  const rec = plan.recommended;
  const recNote = rec === null ? 'no configuration meets the objective' : `circled: recommended ${rec.arch}, ${rec.memoryMb} MB, batch ${rec.batch}`;
  const specs = buildSpecs(plan, recNote);
  if (label !== undefined && label !== '') {
    for (const spec of Object.values(specs)) {
      const title = spec.title as { text: string; subtitle: string[] };
      title.subtitle = [label, ...title.subtitle];
    }
  }
  return specs;
}

function buildSpecs(plan: Plan, recNote: string): Record<string, TopLevelSpec> {
  const specs: Record<string, TopLevelSpec> = {
    'plan-cost-vs-memory': memoryChart(plan, { field: 'cost', title: 'Cost per 1M inferences (USD)', format: '$.3' }, 'Cost per million inferences vs memory', [
      'AWS Lambda on-demand prices, requests included; one inference = one sentence',
      recNote,
    ]),
    'plan-relative-cost': memoryChart(
      plan,
      { field: 'relative', title: 'Relative cost (1.0 = cost at 2 GB)' },
      'Relative cost vs memory ("All-You-Can-Inference" figure)',
      ['relative cost = (M / 2 GB) × latency(M) / latency(2 GB), per architecture and batch', `below 1 is cheaper than running at 2 GB; ${recNote}`],
      [{ y: 1, color: '#888888', dash: [4, 4] }],
    ),
    'plan-p99-vs-memory': memoryChart(
      plan,
      { field: 'p99', title: 'p99 latency per request (ms)' },
      'p99 latency vs memory',
      [plan.sloMs === null ? 'no latency objective given' : `dashed line: objective p99 ≤ ${plan.sloMs} ms`, recNote],
      plan.sloMs === null ? [] : [{ y: plan.sloMs, color: '#d62728', dash: [6, 4] }],
    ),
  };
  if (new Set(plan.rows.map((r) => r.batch)).size > 1) specs['plan-throughput-vs-batch'] = throughputChart(plan);
  return specs;
}

/** Sentences per second one instance serves vs batch size, one line per memory size, one panel per architecture. */
function throughputChart(plan: Plan): TopLevelSpec {
  const data = points(plan);
  const batches = [...new Set(data.map((d) => d.batch))].sort((a, b) => a - b);
  const memories = [...new Set(data.map((d) => d.memory))].sort((a, b) => a - b);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Throughput per sentence vs batch size', subtitle: ['sentences per second one Lambda instance serves: batch × 1000 / latency (ms)'] },
    data: { values: data },
    facet: { column: { field: 'arch', type: 'nominal', title: null, sort: ['x86_64', 'arm64'], header: { labelFontSize: 14 } } },
    spec: {
      width: 300,
      height: 300,
      encoding: {
        x: {
          field: 'batch',
          type: 'quantitative',
          title: 'Batch size (sentences per request, log scale)',
          scale: { type: 'log', base: 2 },
          axis: { values: batches },
        },
        y: { field: 'throughput', type: 'quantitative', title: 'Sentences per second per instance' },
        color: { field: 'memoryLabel', type: 'ordinal', title: 'Memory', sort: memories.map((m) => `${m} MB`), scale: { scheme: 'viridis' } },
      },
      layer: [{ mark: { type: 'line', strokeWidth: 2 } }, { mark: { type: 'point', filled: true, size: 40 } }],
    },
  } as TopLevelSpec;
}

/** Writes the plan's charts (SVG and PNG) into `dir`. */
export async function writePlanCharts(
  /** The computed plan. */
  plan: Plan,
  /** Output directory. */
  dir: string,
  /** Optional first subtitle line (where the data came from). */
  label?: string,
): Promise<ChartFiles[]> {
  const out: ChartFiles[] = [];
  for (const [name, spec] of Object.entries(planChartSpecs(plan, label))) out.push(await writeChart(spec, dir, name));
  return out;
}
