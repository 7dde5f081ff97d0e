/**
 * A results folder shaped like the one the CLIs write: the markdown stdout of
 * `tinycnn loadtest` and `tinycnn plan` saved with `>`, their charts (SVG + PNG),
 * and a benchmark results file (bench/README.md's JSON shape).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOADTEST_MD = `Load test of http://127.0.0.1:39337/kim (local server and client on AMD EPYC, 2 cores, x64, Node 20.20.2): kim, 60 requests per level, batch 1

| C | tput (req/s) | mean (ms) | p50 (ms) | p99 (ms) | cost ($/1M req) | ok | errors | timeouts | server t_sent_embedding (ms) | server t_inference (ms) |
|---:|---:|---:|---:|---:|---:|---:|:---|---:|---:|---:|
| 1 | 157.1 | 6.20 | 5.93 | 17.60 | $0.2485 | 60/60 | 0 | 0 | 0.365 | 0.881 |
| 4 | 25.9 | 153.16 | 18.06 | 1382.40 | $0.4942 | 60/60 | 0 | 0 | 3.186 | 6.402 |

note: cost: measured durations priced as x86_64 at 1769 MB (--memory-mb, --arch), request charge included
note: <script>this must stay text</script>

Warm protocol: 25/25 ok
  round trip        p50 5.10 ms, p90 6.00 ms, max 9.00 ms, mean 5.50 ms (n=25)
  cost per 1M       $0.2200 (billed mean 2.00 ms)

Charts:
  bench/results/charts/loadtest-latency-vs-concurrency.svg  bench/results/charts/loadtest-latency-vs-concurrency.png
`;

export const PLAN_MD = `2 configurations from 1 input; objective p99 ≤ 50 ms; Lambda prices as of 2026-11-22

| arch | memory (MB) | batch | p50 (ms) | p99 (ms) | billed (ms/request) | $ per 1M inferences | relative cost (vs 2 GB) | sentences/s per instance | p99 ≤ SLO |
|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|
| x86_64 | 128 | 1 | 6.33 | 15.81 | 7.0 | $0.2146 | 0.537 | 150.6 | yes |
| arm64 ⭐ | 1769 | 16 | 6.38 | 15.95 | 7.0 | $0.0226 | 0.864 | 2388.4 | yes |

Where more memory stops paying off:
  - x86_64, batch 1: cheapest per inference at 128 MB

Recommendation:
  For a p99 objective of 50 ms, the cheapest configuration is arm64 with 1769 MB and batches of
  16 sentences: $0.0226 per million inferences.
`;

/** A chart as Vega writes it, reduced: the title sits in a role-title-text group. */
function svg(title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300" viewBox="0 0 600 300"><rect width="600" height="300" fill="white"/><g class="mark-text role-title-text"><text x="20" y="30" font-size="18">${title}</text></g><path d="M40 260 L200 200 L360 220 L560 60" stroke="#1f5fbf" stroke-width="3" fill="none"/></svg>`;
}

/** 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export const BENCH = {
  machine: { arch: 'x64', cpu: 'AMD EPYC', cores: 2, node: '20.20.2', v8: '11.3', auto_flavour: 'wasm-relaxed', load_avg_1m: 1.5 },
  run: { date: '2026-11-22T08:06:00.000Z', rounds: 3, simd_peak_gflops: { peak: 58.1 } },
  results: [
    { case: 'kim-20', runtime: 'ort-node', batch: 1, p50_us: 258, min_us: 222, max_us: 277, us_per_sentence: 258, gflops: 64.7 },
    { case: 'kim-20', runtime: 'tinycnn-wasm-simd', batch: 1, p50_us: 334, min_us: 330, max_us: 577, us_per_sentence: 334, gflops: 50.0, peak_share: 0.86 },
    { case: 'sm-20+20', runtime: 'tinycnn-wasm-simd', batch: 1, p50_us: 54.2, min_us: 54.0, max_us: 55.9, us_per_sentence: 54.2, gflops: 45.8 },
    { case: 'kim-20-b4', runtime: 'tinycnn-wasm-simd', batch: 4, p50_us: 1428, min_us: 1400, max_us: 1500, us_per_sentence: 357, gflops: 47.8 },
  ],
  ratios: [],
  targets: [
    { issue: 3, target: 'kim-20: tinycnn-wasm-simd <= 1.5x ort-node', status: 'PASS', ratio: 1.29 },
    { issue: 3, target: 'kim-64: tinycnn-wasm-simd >= 65% of the SIMD peak', status: 'FAIL', share: 0.6 },
  ],
};

/** Writes the folder; returns its path. */
export function writeResults(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinycnn-results-'));
  mkdirSync(join(dir, 'charts'));
  writeFileSync(join(dir, 'loadtest.md'), LOADTEST_MD);
  writeFileSync(join(dir, 'plan.md'), PLAN_MD);
  for (const [name, title] of [
    ['loadtest-latency-vs-concurrency', 'Latency vs concurrency'],
    ['plan-cost-vs-memory', 'Cost per million inferences vs memory'],
  ]) {
    writeFileSync(join(dir, 'charts', `${name}.svg`), svg(title));
    writeFileSync(join(dir, 'charts', `${name}.png`), PNG);
  }
  writeFileSync(join(dir, '2026-11-22-x64.json'), JSON.stringify(BENCH, null, 1));
  // a newer quick run: the committed-kind file above still wins
  writeFileSync(join(dir, '2026-11-23-x64.tmp.json'), JSON.stringify({ ...BENCH, run: { date: '2026-11-23T00:00:00Z' }, results: [] }));
  return dir;
}

/** An empty results folder. */
export function emptyResults(): string {
  return mkdtempSync(join(tmpdir(), 'tinycnn-noresults-'));
}
