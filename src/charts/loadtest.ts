/** Chart specifications for `tinycnn loadtest`: latency (mean, p50, p99) and throughput vs concurrency. */
import type { TopLevelSpec } from 'vega-lite';
import type { LevelResult } from '../loadtest/sweep.js';
import { type ChartFiles, writeChart } from './render.js';

/** What the subtitle says about the run. */
export interface LoadtestChartContext {
  /** The endpoint, e.g. 'http://127.0.0.1:41234/kim (local server)'. */
  readonly target: string;
  /** e.g. '200 requests per level, batch 1'. */
  readonly workload: string;
}

/** Chart specs by file name. */
export function loadtestChartSpecs(levels: readonly LevelResult[], context: LoadtestChartContext): Record<string, TopLevelSpec> {
  const cs = levels.map((l) => l.concurrency);
  const x = {
    field: 'concurrency',
    type: 'quantitative' as const,
    title: 'Concurrency (requests in flight)',
    axis: { values: cs, format: 'd' },
    scale: { domain: [0, Math.max(...cs) * 1.05] },
  };
  const latency = levels.flatMap((l) =>
    (
      [
        ['mean', l.latency.mean_ms],
        ['p50', l.latency.p50_ms],
        ['p99', l.latency.p99_ms],
      ] as const
    )
      .filter(([, v]) => v !== null)
      .map(([stat, ms]) => ({ concurrency: l.concurrency, stat, ms })),
  );
  const subtitle = [context.target, context.workload];
  return {
    'loadtest-latency-vs-concurrency': {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Latency vs concurrency', subtitle },
      width: 620,
      height: 340,
      data: { values: latency },
      encoding: {
        x,
        y: { field: 'ms', type: 'quantitative', title: 'Round-trip latency (ms)' },
        color: { field: 'stat', type: 'nominal', title: 'Statistic', sort: ['mean', 'p50', 'p99'] },
      },
      layer: [{ mark: { type: 'line', strokeWidth: 2 } }, { mark: { type: 'point', filled: true, size: 50 } }],
    } as TopLevelSpec,
    'loadtest-throughput-vs-concurrency': {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Throughput vs concurrency', subtitle },
      width: 620,
      height: 340,
      data: { values: levels.map((l) => ({ concurrency: l.concurrency, rps: l.throughput_rps, errors: l.sent - l.ok })) },
      encoding: { x, y: { field: 'rps', type: 'quantitative', title: 'Successful requests per second' } },
      layer: [{ mark: { type: 'line', strokeWidth: 2, color: '#1f77b4' } }, { mark: { type: 'point', filled: true, size: 50, color: '#1f77b4' } }],
    } as TopLevelSpec,
  };
}

/** Writes the load test's charts (SVG and PNG) into `dir`. */
export async function writeLoadtestCharts(
  /** The sweep's levels. */
  levels: readonly LevelResult[],
  /** Subtitle context. */
  context: LoadtestChartContext,
  /** Output directory. */
  dir: string,
): Promise<ChartFiles[]> {
  const out: ChartFiles[] = [];
  for (const [name, spec] of Object.entries(loadtestChartSpecs(levels, context))) out.push(await writeChart(spec, dir, name));
  return out;
}
