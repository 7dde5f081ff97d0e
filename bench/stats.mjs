/**
 * From the rounds' raw p50s to the figures the report prints: per contender the
 * median of the rounds' p50s with their min–max; per (tinycnn, peer) pair the
 * ratio taken inside each round (both ran minutes apart at most, under the same
 * background load), then the median of those ratios; and the targets of issues
 * 2 and 3 as PASS/FAIL lines.
 */

export const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const round = (v, digits = 3) => Number(v.toPrecision(digits + 2));

/** The tinycnn runtimes, fastest-path first. */
export const TINYCNN = ['tinycnn-wasm-relaxed', 'tinycnn-wasm-simd', 'tinycnn-js'];
export const isTinycnn = (runtime) => runtime.startsWith('tinycnn-');

/**
 * @param {Map<string, Map<string, {p50_us: number, samples: number}[]>>} rounds case -> runtime -> per-round timings
 * @param {Map<string, {batch: number, flops: number}>} meta case -> batch and FLOPs
 * @param {number | undefined} peak the machine's WebAssembly SIMD peak, GFLOP/s
 */
export function summarise(rounds, meta, peak) {
  const results = [];
  for (const [caseName, byRuntime] of rounds) {
    const { batch, flops } = meta.get(caseName);
    for (const [runtime, timings] of byRuntime) {
      if (timings.length === 0) continue;
      const p50s = timings.map((t) => t.p50_us);
      const p50 = median(p50s);
      const gflops = flops / (p50 * 1e3);
      results.push({
        case: caseName,
        runtime,
        batch,
        p50_us: round(p50),
        min_us: round(Math.min(...p50s)),
        max_us: round(Math.max(...p50s)),
        us_per_sentence: round(p50 / batch),
        gflops: round(gflops),
        ...(peak && runtime.startsWith('tinycnn-wasm') ? { peak_share: round(gflops / peak) } : {}),
        rounds_p50_us: p50s.map((v) => round(v)),
        samples: timings.reduce((n, t) => n + t.samples, 0),
      });
    }
  }
  return results;
}

/** Per case, each tinycnn runtime against every other contender (other tinycnn flavours too): median and min–max of the per-round ratios. */
export function ratios(rounds) {
  const out = [];
  for (const [caseName, byRuntime] of rounds) {
    for (const tiny of TINYCNN) {
      const mine = byRuntime.get(tiny);
      if (!mine || mine.length === 0) continue;
      for (const [peer, theirs] of byRuntime) {
        if (peer === tiny || theirs.length === 0) continue;
        const perRound = [];
        for (let r = 0; r < Math.min(mine.length, theirs.length); r++) perRound.push(mine[r].p50_us / theirs[r].p50_us);
        out.push({ case: caseName, tinycnn: tiny, peer, ratio: round(median(perRound)), min: round(Math.min(...perRound)), max: round(Math.max(...perRound)) });
      }
    }
  }
  return out;
}

/**
 * The targets, as ratios in the same run (issue 2: the TypeScript backend;
 * issue 3: the WebAssembly backends) and the conv's share of the SIMD peak.
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
  }
  return lines;
}
