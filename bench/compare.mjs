/**
 * Two benchmark results side by side — the intended use is x86_64 vs arm64
 * (two Lambda invocations of the bench handler, or two machines):
 *
 *   npm run bench:compare -- A.json B.json [--memory MB]
 *
 * A file is a bench/results/*.json, or the output of `aws lambda invoke` with the
 * payload {"bench": true} (the proxy response is unwrapped; see src/lambda/bench.ts).
 *
 * Prints markdown: both machine tags, then per (case, runtime) both p50s, the
 * ratio B ÷ A, and the Lambda cost per 1M inferences on each architecture at
 * one stated memory size. Cost model (the project's, src/cost): one request per
 * call (a batch-N call serves N inferences), billed duration = the p50 rounded up
 * to 1 ms, x86_64 $0.0000166667 / GB-s, arm64 $0.0000133334 / GB-s, $0.20 per 1M
 * requests. A p50 measured on a full core (not inside Lambda) is scaled by 1 / the
 * vCPU share the memory size buys (memory / 1769 MB, at most 1): single-threaded
 * work runs that much slower on a fraction of a core. A run measured inside
 * Lambda at another memory size is rescaled the same way.
 *
 * A run under emulation (qemu) is labelled "emulated — not a speed result" and
 * never gives a speed ratio or a cost.
 */
import { MB_PER_VCPU, machineLine } from './machine.mjs';
import { fmt, readResultsFile } from './report.mjs';

const EMULATED = 'emulated — not a speed result';

function loadCostModel() {
  return Promise.all([import('../build/src/cost/bill.js'), import('../build/src/cost/prices.js')]).catch((error) => {
    throw new Error(`cannot import the cost model from build/ (run \`npm run build\` first): ${error.message}`);
  });
}

/** Share of one core a single-threaded run gets at `memoryMb`. */
const share = (memoryMb) => Math.min(1, memoryMb / MB_PER_VCPU);

/**
 * Estimated Lambda duration (ms) at `memoryMb` of a call measured as `p50Us` on `machine`.
 * @returns {{ ms: number, scaled: boolean }}
 */
export function lambdaDurationMs(p50Us, machine, memoryMb) {
  const measuredShare = machine.lambda ? share(machine.lambda.memory_mb) : 1;
  const factor = measuredShare / share(memoryMb);
  return { ms: (p50Us / 1e3) * factor, scaled: Math.abs(factor - 1) > 1e-6 };
}

/**
 * USD per 1M inferences on Lambda: (1M / batch) requests, each billed for its
 * duration rounded up to 1 ms at `memoryMb`, plus the request fee.
 */
export function costPerMillionInferences(durationMs, batch, arch, memoryMb, costModel) {
  const [bill] = costModel;
  const billedMs = bill.billedDurationMs(durationMs, 0);
  const perRequest = bill.costPerMillion({ gbSecondsPerRequest: bill.gbSeconds(billedMs, memoryMb), arch });
  return perRequest.totalUsd / batch;
}

/** Markdown lines comparing two results files. */
export function compareLines(a, b, { memoryMb, names }, costModel) {
  const [, prices] = costModel;
  const archOf = (m) => prices.parseArch(m.arch) ?? 'x86_64';
  const status = (m) =>
    m.emulated ? `**${EMULATED}** (${m.emulation ?? 'qemu'})` : m.lambda ? `measured inside Lambda at ${m.lambda.memory_mb} MB` : 'measured on a full core';
  const out = [`## ${names[0]} vs ${names[1]}`, ''];
  out.push('| | A | B |', '|---|---|---|');
  out.push(`| file | ${names[0]} | ${names[1]} |`);
  out.push(`| machine | ${machineLine(a.machine)} | ${machineLine(b.machine)} |`);
  out.push(`| run | ${a.run?.date ?? '?'}, ${a.run?.rounds ?? '?'} rounds | ${b.run?.date ?? '?'}, ${b.run?.rounds ?? '?'} rounds |`);
  out.push(`| status | ${status(a.machine)} | ${status(b.machine)} |`);
  out.push(`| Lambda price | ${archOf(a.machine)} | ${archOf(b.machine)} |`, '');

  const scaling = (run, label) => {
    if (run.machine.emulated) return `${label}: no cost (emulated)`;
    const factor = lambdaDurationMs(1e3, run.machine, memoryMb).ms;
    const measured = run.machine.lambda ? `${run.machine.lambda.vcpu_share} vCPU in Lambda` : 'a full core';
    return Math.abs(factor - 1) < 1e-6
      ? `${label}: p50 as measured`
      : `${label}: p50 x ${factor.toFixed(2)} (measured on ${measured}, priced at ${share(memoryMb).toFixed(2)} vCPU)`;
  };
  out.push(
    `Cost per 1M inferences at **${memoryMb} MB** (${(memoryMb / MB_PER_VCPU).toFixed(2)} vCPU): one request per call (a batch-N call serves N), ` +
      "billed ms = ceil(p50), first-tier GB-s price of each machine's architecture + $0.20 per 1M requests; " +
      `${scaling(a, 'A')}; ${scaling(b, 'B')}. B ÷ A compares medians from two separate runs (no same-round ratio exists across machines).`,
    '',
  );
  out.push(`| case | runtime | A p50 µs | B p50 µs | B ÷ A | A $ / 1M inferences | B $ / 1M inferences |`, '|---|---|---|---|---|---|---|');
  const key = (r) => `${r.case}\u0000${r.runtime}`;
  const bRows = new Map(b.results.map((r) => [key(r), r]));
  const seen = new Set();
  const rows = [...a.results.map((r) => [r, bRows.get(key(r))])];
  for (const r of a.results) seen.add(key(r));
  for (const r of b.results) if (!seen.has(key(r))) rows.push([undefined, r]);
  const cost = (r, run) => {
    if (!r) return '–';
    if (run.machine.emulated) return 'n/a (emulated)';
    const { ms } = lambdaDurationMs(r.p50_us, run.machine, memoryMb);
    return `$${costPerMillionInferences(ms, r.batch ?? 1, archOf(run.machine), memoryMb, costModel).toFixed(4)}`;
  };
  const p50 = (r, run) => (r ? `${fmt(r.p50_us)}${run.machine.emulated ? ' (emulated)' : ''}` : '–');
  for (const [ra, rb] of rows) {
    const r = ra ?? rb;
    let ratio = '–';
    if (ra && rb) ratio = a.machine.emulated || b.machine.emulated ? EMULATED : fmt(rb.p50_us / ra.p50_us);
    out.push(`| ${r.case} | ${r.runtime} | ${p50(ra, a)} | ${p50(rb, b)} | ${ratio} | ${cost(ra, a)} | ${cost(rb, b)} |`);
  }
  return out;
}

function parseArgs(argv) {
  const files = [];
  let memoryMb;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--memory') memoryMb = Number(argv[++i]);
    else files.push(argv[i]);
  }
  if (files.length !== 2 || (memoryMb !== undefined && !(memoryMb >= 128 && memoryMb <= 10240))) {
    console.error('usage: npm run bench:compare -- A.json B.json [--memory MB (128..10240)]');
    process.exit(2);
  }
  return { files, memoryMb };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, memoryMb } = parseArgs(process.argv.slice(2));
  const [a, b] = files.map((f) => {
    try {
      return readResultsFile(f);
    } catch (error) {
      console.error(`bench:compare: ${f}: not a benchmark results file (${error.message})`);
      process.exit(1);
    }
  });
  // Default memory: the Lambda size both runs used, else 1,769 MB (exactly one vCPU, so no scaling).
  const lambdaMb = a.machine.lambda?.memory_mb === b.machine.lambda?.memory_mb ? a.machine.lambda?.memory_mb : undefined;
  const costModel = await loadCostModel();
  console.log(compareLines(a, b, { memoryMb: memoryMb ?? lambdaMb ?? MB_PER_VCPU, names: files }, costModel).join('\n'));
}
