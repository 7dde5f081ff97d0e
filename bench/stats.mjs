/**
 * From the rounds' raw p50s to the figures the report prints: per contender the
 * median of the rounds' p50s with their min–max; per (tinycnn, peer) pair the
 * ratio taken inside each round (both ran minutes apart at most, under the same
 * background load), then the median of those ratios; and the targets of issues
 * 2 and 3 as PASS/FAIL lines.
 *
 * summarise, ratios and median are defined in src/bench/stats.ts (the Lambda bench
 * handler uses them too); re-exported here from build/. The targets, which are about
 * the peers only this script runs, live here.
 */
import { importBuilt } from './built.mjs';

export const { median, summarise, ratios, TINYCNN, isTinycnn } = await importBuilt('bench/stats.js');

/**
 * The targets, as ratios in the same run (issue 2: the TypeScript backend;
 * issue 3: the WebAssembly backends; issue 17: Winograd convolution past native
 * AVX2) and the conv's share of the SIMD peak.
 * A target whose contenders did not run is reported as SKIP with the reason.
 */
export function targets(ratioList, results, unavailable) {
  const lines = [];
  const ran = (runtime, c) => results.some((r) => r.runtime === runtime && (c === undefined || r.case === c));
  const why = (runtime) => `${runtime} did not run${unavailable[runtime] ? `: ${unavailable[runtime]}` : ''}`;
  const check = (issue, c, tiny, peer, limit) => {
    const text = `${c}: ${tiny} <= ${limit}x ${peer}`;
    const r = ratioList.find((x) => x.case === c && x.tinycnn === tiny && x.peer === peer);
    if (!results.some((res) => res.case === c)) lines.push({ issue, target: text, status: 'SKIP', why: 'case not in this run' });
    else if (r === undefined) lines.push({ issue, target: text, status: 'SKIP', why: why(ran(tiny, c) ? peer : tiny) });
    else lines.push({ issue, target: text, status: r.ratio <= limit ? 'PASS' : 'FAIL', ratio: r.ratio, min: r.min, max: r.max, limit });
  };
  for (const c of ['kim-20', 'kim-64']) {
    check(2, c, 'tinycnn-js', 'tfjs-cpu', 0.25);
    check(2, c, 'tinycnn-js', 'naive-js', 0.6);
  }
  for (const tiny of ['tinycnn-wasm-simd', 'tinycnn-wasm-relaxed']) {
    if (!ran(tiny)) {
      lines.push({ issue: 3, target: `all issue 3 targets for ${tiny}`, status: 'SKIP', why: why(tiny) });
      continue;
    }
    for (const c of ['kim-20', 'kim-64']) {
      check(3, c, tiny, 'tfjs-wasm', 0.6);
      check(3, c, tiny, 'ort-web', 0.6);
      check(3, c, tiny, 'ort-node', 1.5);
    }
    check(3, 'sm-20+20', tiny, 'tfjs-wasm', 0.5);
    check(3, 'sm-20+20', tiny, 'ort-node', 1.5);
    const kim64 = results.find((r) => r.case === 'kim-64' && r.runtime === tiny);
    const text = `kim-64: ${tiny} conv >= 65% of the WebAssembly SIMD peak (end-to-end Kim; the convs are >99.9% of its FLOPs)`;
    if (kim64?.peak_share === undefined) lines.push({ issue: 3, target: text, status: 'SKIP', why: kim64 ? 'no SIMD peak measured' : 'case not in this run' });
    else lines.push({ issue: 3, target: text, status: kim64.peak_share >= 0.65 ? 'PASS' : 'FAIL', share: kim64.peak_share, limit: 0.65 });
    // issue 17: fewer multiplies (Winograd, the default convolution) past native AVX2 + FMA
    for (const c of ['kim-20', 'kim-64', 'sm-20+20']) {
      check(17, c, tiny, 'ort-node', 1.0);
      check(17, c, tiny, 'tfjs-wasm', 0.5);
      check(17, c, tiny, 'ort-web', 0.5);
    }
    for (const c of ['kim-20', 'kim-64']) {
      const row = results.find((r) => r.case === c && r.runtime === tiny);
      const effective = `${c}: ${tiny} effective rate (direct-convolution FLOPs / time) > 100% of the WebAssembly SIMD peak`;
      if (row?.peak_share === undefined)
        lines.push({ issue: 17, target: effective, status: 'SKIP', why: row ? 'no SIMD peak measured' : 'case not in this run' });
      else lines.push({ issue: 17, target: effective, status: row.peak_share > 1 ? 'PASS' : 'FAIL', share: row.peak_share, limit: 1 });
    }
  }
  return lines;
}
