/**
 * The benchmark's markdown report (stdout): parity, latency, throughput, the
 * tinycnn ÷ peer ratios, the SIMD peak and each kernel's share of it, and the
 * targets as PASS / FAIL lines. Input: the object runBenchmark() returns.
 */
import { readFileSync } from 'node:fs';
import { machineLine } from './machine.mjs';
import { TINYCNN, isTinycnn } from './stats.mjs';

const RUNTIME_ORDER = [
  ...TINYCNN, // src/bench/stats.ts: the tinycnn runtimes, fastest path first
  'ort-node',
  'pytorch',
  'tfjs-wasm',
  'ort-web',
  'naive-js',
  'tfjs-cpu',
];
const order = (a, b) => RUNTIME_ORDER.indexOf(a.runtime) - RUNTIME_ORDER.indexOf(b.runtime);

/** 3 significant digits, thousands separated: 1,234 · 56.7 · 0.812 */
export function fmt(v) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return '∞';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The tinycnn runtime the "ratio" column divides: what `auto` picks here, if it ran. */
export function headline(report) {
  const auto = `tinycnn-${report.machine.auto_flavour}`;
  if (report.results.some((r) => r.runtime === auto)) return auto;
  return TINYCNN.find((t) => report.results.some((r) => r.runtime === t)) ?? 'tinycnn-js';
}

/** Markdown lines of the report. */
export function reportLines(report) {
  const { machine, run, results } = report;
  const head = headline(report);
  const ratioOf = (c, peer, tiny = head) => report.ratios.find((r) => r.case === c && r.peer === peer && r.tinycnn === tiny);
  const ratioCell = (r) => (r.runtime === head ? '1' : ratioOf(r.case, r.runtime) ? fmt(ratioOf(r.case, r.runtime).ratio) : '–');
  const out = [];
  out.push(`## tinycnn benchmark${machine.emulated ? ' — EMULATED, not a speed result' : ''}`, '');
  out.push(`Machine: ${machineLine(machine)}`, '');
  if (run.load_avg_1m)
    out.push(`Load average (1 min): ${run.load_avg_1m.start} at the start, ${run.load_avg_1m.end} at the end, on ${machine.cores} cores.`, '');
  out.push(
    `${run.rounds} round(s), contenders interleaved (order rotated each round); p50 = median of the rounds' p50s, ` +
      `min–max = range of the rounds' p50s; ratio = ${head} ÷ this runtime, taken within each round, median over rounds ` +
      '(< 1: tinycnn is faster). Separate processes: ' +
      Object.entries(run.processes)
        .map(([label, rts]) => `${label} [${rts.join(', ')}]`)
        .join(' · ') +
      '.',
    '',
  );
  const torch = run.peers.pytorch;
  if (torch) out.push(`PyTorch ${torch.torch}, ${torch.threads} thread, BLAS ${torch.blas}; conv path: ${torch.conv_path}.`, '');
  const missing = Object.entries(run.unavailable);
  if (missing.length) out.push(`Not run: ${missing.map(([k, v]) => `${k} (${v})`).join('; ')}.`, '');

  out.push('### Parity before timing (logits vs tinycnn-js; bound 1e-4·(1+|ref|))', '');
  const byRuntime = new Map();
  for (const p of run.parity) {
    const agg = byRuntime.get(p.runtime) ?? { abs: 0, rel: 0, ok: true, errors: [] };
    if (p.error === undefined) {
      agg.abs = Math.max(agg.abs, p.max_abs);
      agg.rel = Math.max(agg.rel, p.max_rel);
    }
    agg.ok &&= p.ok;
    if (p.error) agg.errors.push(`${p.case}: ${p.error}`);
    byRuntime.set(p.runtime, agg);
  }
  out.push(
    table(
      ['runtime', 'max abs diff', 'max diff / (1+|ref|)', 'verdict'],
      [...byRuntime]
        .sort(([a], [b]) => RUNTIME_ORDER.indexOf(a) - RUNTIME_ORDER.indexOf(b))
        .map(([rt, a]) => [rt, a.abs.toExponential(1), a.rel.toExponential(1), a.ok ? 'ok' : `WRONG — not timed ${a.errors.join('; ')}`]),
    ),
    '',
  );

  out.push('### Latency, batch 1', '');
  const latency = results.filter((r) => r.batch === 1).sort((a, b) => a.case.localeCompare(b.case) || order(a, b));
  out.push(
    table(
      ['case', 'runtime', 'p50 µs', 'min–max µs', 'GFLOP/s', `ratio (${head} ÷ this)`],
      latency.map((r) => [r.case, r.runtime, fmt(r.p50_us), `${fmt(r.min_us)}–${fmt(r.max_us)}`, fmt(r.gflops), ratioCell(r)]),
    ),
    '',
  );

  const throughput = results.filter((r) => r.case === 'kim-20' || r.case.startsWith('kim-20-b')).sort((a, b) => order(a, b) || a.batch - b.batch);
  if (throughput.some((r) => r.batch > 1)) {
    out.push('### Throughput, Kim 20 tokens per sentence', '');
    out.push(
      table(
        ['runtime', 'batch', 'p50 µs', 'µs / sentence', 'sentences/s', 'GFLOP/s', `ratio (${head} ÷ this)`],
        throughput.map((r) => [r.runtime, r.batch, fmt(r.p50_us), fmt(r.us_per_sentence), fmt(1e6 / r.us_per_sentence), fmt(r.gflops), ratioCell(r)]),
      ),
      '',
    );
  }

  const tinies = TINYCNN.filter((t) => results.some((r) => r.runtime === t)).reverse();
  const peers = RUNTIME_ORDER.filter((p) => !isTinycnn(p) && results.some((r) => r.runtime === p));
  out.push('### tinycnn ÷ peer, batch 1 (median of per-round ratios, min–max)', '');
  const rows = [];
  for (const c of [...new Set(latency.map((r) => r.case))]) {
    for (const peer of peers) {
      const cells = tinies.map((t) => ratioOf(c, peer, t)).map((r) => (r ? `${fmt(r.ratio)} (${fmt(r.min)}–${fmt(r.max)})` : '–'));
      if (cells.some((cell) => cell !== '–')) rows.push([c, peer, ...cells]);
    }
  }
  out.push(table(['case', 'peer', ...tinies], rows), '');

  const { peak, loops } = run.simd_peak_gflops;
  if (peak !== undefined) {
    out.push('### WebAssembly SIMD peak (register-only f32x4 multiply-add loops, best of the samples taken before every case; bench/simd-peak.mjs)', '');
    out.push(
      `${Object.entries(loops)
        .map(([name, g]) => `${name}: ${fmt(g)}`)
        .join(' · ')} GFLOP/s → peak **${fmt(peak)} GFLOP/s** (the best loop)`,
      '',
    );
    if (run.quick) out.push('(--quick: 30 ms samples; the peak and the shares below are not reliable)', '');
    const shares = results.filter((r) => r.peak_share !== undefined).sort((a, b) => order(a, b) || a.batch - b.batch || a.case.localeCompare(b.case));
    if (shares.length) {
      out.push("GFLOP/s counts the direct convolution's FLOPs; for a Winograd runtime that is an effective rate, which can pass the peak.", '');
      out.push(
        table(
          ['case', 'runtime', 'GFLOP/s (end to end)', 'share of the peak'],
          shares.map((r) => [r.case, r.runtime, fmt(r.gflops), `${(r.peak_share * 100).toFixed(0)}%`]),
        ),
        '',
      );
    }
  }

  out.push('### Targets (ratios from this run)', '', '```');
  for (const t of report.targets) {
    const figure =
      t.ratio !== undefined ? `${fmt(t.ratio)}x (rounds ${fmt(t.min)}–${fmt(t.max)})` : t.share !== undefined ? `${(t.share * 100).toFixed(0)}%` : t.why;
    out.push(`${t.status.padEnd(4)}  issue ${t.issue}  ${t.target}: ${figure}`);
  }
  out.push('```');
  return out;
}

export function printReport(report) {
  console.log(reportLines(report).join('\n'));
}

/**
 * A results file: what bench/run.mjs writes, or what `aws lambda invoke` writes for the
 * bench handler — its proxy response {statusCode, body: "<results JSON>"}, unwrapped here.
 * Throws with the reason when the file is neither (or the invocation answered an error).
 * @param {string} path
 */
export function readResultsFile(path) {
  let parsed = JSON.parse(readFileSync(path, 'utf8'));
  if (parsed && typeof parsed.statusCode === 'number' && typeof parsed.body === 'string') {
    const body = JSON.parse(parsed.body);
    if (parsed.statusCode !== 200) throw new Error(`the function answered ${parsed.statusCode}: ${body.error?.message ?? parsed.body.slice(0, 200)}`);
    parsed = body;
  }
  if (parsed?.errorMessage !== undefined) throw new Error(`the invocation failed: ${parsed.errorType ?? 'Error'}: ${parsed.errorMessage}`);
  if (!parsed?.machine || !Array.isArray(parsed.results)) throw new Error('no "machine" / "results"');
  return parsed;
}

// `node bench/report.mjs bench/results/FILE.json`: print the report of a saved run again.
if (import.meta.url === `file://${process.argv[1]}`) {
  printReport(readResultsFile(process.argv[2]));
}
