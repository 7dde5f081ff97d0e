/**
 * The /report page: the latest load-test and planner output (their markdown
 * tables and charts) and the benchmark table, or, for whatever is missing, the
 * commands that produce it. Server-rendered, no script.
 */
import { relative } from 'node:path';
import { html, page, raw, type Raw } from './html.js';
import { markdownToHtml } from './markdown.js';
import { fileDate, type BenchFile, type BenchRow, type ChartFile, type CommandResults, type Results } from './results.js';

/** The commands the "how to produce them" messages show (run from the tinycnn checkout). */
export const PRODUCE = {
  loadtest: ['npm run build', 'node build/src/cli/bin.js loadtest --local --charts > bench/results/loadtest.md'],
  plan: [
    "# your function's CloudWatch REPORT logs, or the illustrative grid bench/data/plan-example.csv:",
    'node build/src/cli/bin.js plan bench/data/plan-example.csv --slo-ms 50 --charts --label "example grid" > bench/results/plan.md',
  ],
  bench: ['npm run bench'],
} as const;

/**
 * The report page's HTML.
 * @param results what readResults found
 * @param cwd     the server's working directory (paths are shown relative to it)
 */
export function reportPage(results: Results, cwd: string): string {
  const where = relative(cwd, results.dir) || '.';
  const nothing =
    results.loadtest.table === undefined &&
    results.loadtest.charts.length === 0 &&
    results.plan.table === undefined &&
    results.plan.charts.length === 0 &&
    results.bench === undefined;
  const main = html`<h1>Measurements</h1>
<p class="intro">The latest results found in <code>${where}/</code>, read when this page loads: the load test of the local server or a deployed API, the cost planner's verdict, and the engine benchmark.</p>
${nothing ? html`<p class="notice" id="no-results"><strong>No results yet.</strong> Each section below says which command writes its part; reload this page afterwards.</p>` : ''}
${command('loadtest', 'Load test', results.loadtest, PRODUCE.loadtest, html`<code>tinycnn loadtest</code> sends requests at rising concurrency and records latency, throughput, errors and the cost of a million requests.`)}
${command('plan', 'Cost planner', results.plan, PRODUCE.plan, html`<code>tinycnn plan</code> prices measured runs over memory size, architecture and batch size and picks the cheapest configuration that meets a latency objective.`)}
${bench(results.bench)}`;
  return page('report', 'tinycnn measurements', main);
}

function command(id: string, title: string, found: CommandResults, produce: readonly string[], about: Raw): Raw {
  const { table, charts } = found;
  const missing = table === undefined && charts.length === 0;
  return html`<section class="card" id="${id}" aria-labelledby="${id}-h">
<h2 id="${id}-h">${title}</h2>
<p class="about">${about}</p>
${missing ? howTo(`No ${title.toLowerCase()} results yet.`, produce) : ''}
${
  table === undefined
    ? ''
    : html`<p class="source">From <code>${table.file}</code>${table.date === undefined ? '' : `, ${day(table.date)}`}.</p>
<div class="md">${raw(markdownToHtml(table.text, title))}</div>`
}
${!missing && table === undefined ? howTo("Only the charts are saved: the table went to the terminal. To show it here too, save the command's output.", produce) : ''}
${charts.length === 0 ? '' : html`<div class="charts">${charts.map(chart)}</div>`}
</section>`;
}

function chart(c: ChartFile): Raw {
  const file = c.svg ?? c.png!;
  const links = [c.svg && html`<a href="/report/charts/${c.svg}">SVG</a>`, c.png && html`<a href="/report/charts/${c.png}">PNG</a>`].filter(Boolean);
  return html`<figure class="chart">
<img src="/report/charts/${file}" alt="Chart: ${c.title}">
<figcaption>${c.title} <span class="muted">(${c.name}${c.date === undefined ? '' : `, ${when(c.date)}`}; ${links.flatMap((l, i) => (i === 0 ? [l] : [raw(' · '), l]))})</span></figcaption>
</figure>`;
}

function bench(b: BenchFile | undefined): Raw {
  const head = html`<h2 id="bench-h">Engine benchmark</h2>
<p class="about"><code>npm run bench</code> times tinycnn's backends against tfjs, onnxruntime and PyTorch on the same weights and inputs (median of interleaved rounds; see <code>bench/README.md</code>).</p>`;
  if (b === undefined)
    return html`<section class="card" id="bench" aria-labelledby="bench-h">${head}${howTo('No benchmark results yet.', PRODUCE.bench)}</section>`;
  const single = b.results.filter((r) => (r.batch ?? 1) === 1 && !/-b\d+$/.test(r.case));
  const batched = b.results.filter((r) => /-b\d+$/.test(r.case) || (r.batch ?? 1) > 1);
  const peak = num((b.run.simd_peak_gflops as Record<string, unknown> | undefined)?.peak);
  return html`<section class="card" id="bench" aria-labelledby="bench-h">${head}
<p class="source">From <code>${b.file}</code>${b.temporary ? html` <strong class="warn">(a quick, partial or non-reference run: its numbers mean little)</strong>` : ''}; ${machine(b)}.</p>
<h3>Latency at batch 1</h3>
<p class="muted">p50 per call in µs, with the range of the rounds' p50s and the achieved GFLOP/s${peak === undefined ? '' : html` (measured WebAssembly SIMD peak: ${peak.toFixed(1)} GFLOP/s)`}. Lower is better.</p>
${pivot(
  single,
  (r) => r.case,
  'Latency at batch 1',
  (r) => cell(r.p50_us, r.min_us, r.max_us, r.gflops),
)}
${
  batched.length === 0
    ? ''
    : html`<h3>Throughput: Kim CNN, 20 tokens, by batch size</h3>
<p class="muted">µs per sentence (p50 of one call ÷ batch). Lower is better.</p>
${pivot(
  [...single.filter((r) => r.case === 'kim-20'), ...batched],
  (r) => `batch ${r.batch ?? r.case.replace(/^.*-b/, '')}`,
  'Throughput by batch size',
  (r) => cell(r.us_per_sentence ?? r.p50_us),
)}`
}
${targets(b.targets)}
</section>`;
}

/** Rows = runtimes (tinycnn first), columns = `column(row)`. */
function pivot(rows: readonly BenchRow[], column: (r: BenchRow) => string, label: string, content: (r: BenchRow) => Raw): Raw {
  const columns = [...new Set(rows.map(column))];
  const runtimes = [...new Set(rows.map((r) => r.runtime))].sort((a, b) => Number(!a.startsWith('tinycnn')) - Number(!b.startsWith('tinycnn')));
  const at = new Map(rows.map((r) => [`${r.runtime}\u0000${column(r)}`, r]));
  return html`<div class="table-wrap" role="region" aria-label="${label} table" tabindex="0"><table class="bench">
<thead><tr><th scope="col">runtime</th>${columns.map((c) => html`<th scope="col" class="num">${c}</th>`)}</tr></thead>
<tbody>${runtimes.map(
    (rt) => html`
<tr${raw(rt.startsWith('tinycnn') ? ' class="ours"' : '')}><th scope="row">${rt}</th>${columns.map((c) => {
      const r = at.get(`${rt}\u0000${c}`);
      return html`<td class="num">${r === undefined ? '–' : content(r)}</td>`;
    })}</tr>`,
  )}
</tbody></table></div>`;
}

function cell(value: number, min?: number, max?: number, gflops?: number): Raw {
  const range = min !== undefined && max !== undefined ? html`<span class="sub">${fmt(min)}–${fmt(max)}</span>` : '';
  return html`${fmt(value)}${range}${gflops === undefined ? '' : html`<span class="sub">${gflops.toFixed(1)} GFLOP/s</span>`}`;
}

function targets(list: readonly Record<string, unknown>[]): Raw {
  if (list.length === 0) return html``;
  const counts = (status: string) => list.filter((t) => t.status === status).length;
  return html`<details class="targets"><summary>Targets: ${counts('PASS')} pass, ${counts('FAIL')} fail, ${counts('SKIP')} skipped</summary>
<ul>${list.map((t) => {
    const status = String(t.status ?? '?');
    const detail =
      typeof t.why === 'string'
        ? t.why
        : num(t.ratio) !== undefined
          ? `ratio ${num(t.ratio)!.toFixed(3)}`
          : num(t.share) !== undefined
            ? `share ${(num(t.share)! * 100).toFixed(1)}%`
            : '';
    return html`<li><span class="badge ${status.toLowerCase()}">${status}</span> issue ${String(t.issue ?? '?')}: ${String(t.target ?? '')}${detail === '' ? '' : html` <span class="muted">(${detail})</span>`}</li>`;
  })}</ul></details>`;
}

function machine(b: BenchFile): string {
  const m = b.machine;
  const parts = [m.arch, m.cpu, m.cores === undefined ? undefined : `${String(m.cores)} cores`, m.node === undefined ? undefined : `Node ${String(m.node)}`];
  if (typeof m.auto_flavour === 'string') parts.push(`default flavour ${m.auto_flavour}`);
  if (num(m.load_avg_1m) !== undefined) parts.push(`load average ${num(m.load_avg_1m)}`);
  const named = fileDate(b.file);
  const date =
    typeof b.run.date === 'string' ? b.run.date.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : named === undefined ? 'date not recorded' : day(named);
  return `${parts
    .filter((p) => p !== undefined && p !== null)
    .map(String)
    .join(', ')}; run ${date}`;
}

function howTo(message: string, commands: readonly string[]): Raw {
  return html`<div class="howto"><p>${message} In the tinycnn checkout, run:</p><pre><code>${commands.join('\n')}</code></pre></div>`;
}

function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function fmt(us: number): string {
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
