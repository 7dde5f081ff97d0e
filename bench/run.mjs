/**
 * tinycnn's benchmark: every contender on the same weights and the same inputs,
 * checked for the same answers, then timed in interleaved rounds.
 *
 *   npm run bench [-- --quick] [-- --rounds N] [-- --only tinycnn-js,naive-js] [-- --out FILE] [-- --node MAJOR]
 *
 * --node MAJOR runs every Node contender on the official Node build of that major
 * (bench/on-node.mjs), e.g. 22 for Lambda's nodejs22.x.
 * Prints markdown on stdout (progress goes to stderr) and writes the
 * machine-tagged JSON to bench/results/<date>-<arch>-node<major>.json (--quick and
 * non-reference weights write a .tmp.json that git ignores). bench/README.md
 * explains the protocol and how to read the output.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCases, flopsOf, writeInputs } from './cases.mjs';
import { machineTag } from './machine.mjs';
import { NODE_MAJOR, onNodeMajor } from './on-node.mjs';
import { PROCESSES, Proc } from './procs.mjs';
import { printReport } from './report.mjs';
import { ratios, summarise, targets } from './stats.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
/** Too slow for the batch-32 throughput cases (a second per call): latency cases only. */
const SLOW = new Set(['tfjs-cpu', 'naive-js', 'tinycnn-js-direct']);
const log = (...parts) => console.error(...parts);

/** The ONNX files for the ORT peers, made by converters/export_onnx.py and cached by weight hash. */
function exportOnnx(weights, python) {
  const dir = join(tmpdir(), 'tinycnn-bench-onnx');
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const kind of ['kim', 'sm']) {
    const sha = createHash('sha256').update(readFileSync(weights[kind])).digest('hex').slice(0, 16);
    const onnx = join(dir, `${kind}-${sha}.onnx`);
    if (!existsSync(onnx)) {
      execFileSync(python, [join(REPO, 'converters', 'export_onnx.py'), weights[kind], `${onnx}.part`], { stdio: ['ignore', 2, 2] });
      execFileSync('mv', [`${onnx}.part`, onnx]);
    }
    out[`${kind}Onnx`] = onnx;
  }
  return out;
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * Runs the whole benchmark; returns the results object (the Lambda bench handler,
 * src/lambda/bench.ts, answers in the same schema, without the peers).
 * @param {{ quick?: boolean, rounds?: number, only?: string[], weightsDir?: string, python?: string }} options
 */
export async function runBenchmark(options = {}) {
  const loadAtStart = loadavg()[0];
  const quick = options.quick ?? false;
  const rounds = options.rounds ?? (quick ? 1 : 3);
  const budget = quick ? { minTime: 20, maxTime: 60, samples: 100, warmupTime: 10 } : { minTime: 250, maxTime: 1000, samples: 1000, warmupTime: 100 };
  const python = options.python ?? process.env.TINYCNN_PYTHON ?? '/usr/bin/python3';
  const weightsDir = resolve(options.weightsDir ?? join(REPO, 'weights'));
  // tinycnn-js always runs: it is the reference of the parity check.
  const wanted = (runtime) => !options.only || runtime === 'tinycnn-js' || options.only.includes(runtime);

  const engine = await import('../build/src/node/index.js').catch((error) => {
    throw new Error(`cannot import the built engine (run \`npm run build\` first): ${error.message}`);
  });
  // The shipped models (src/pipeline/defaults.ts): Kim CNN on SST-2, SM CNN on TrecQA (4 external features).
  const shipped = (name) => join(weightsDir, basename(engine.SHIPPED_MODELS[name].weights));
  const weights = { kim: shipped('kim'), sm: shipped('sm') };
  const specs = {
    kim: engine.loadModel(weights.kim, { backend: 'js', verify: false }).spec,
    sm: engine.loadModel(weights.sm, { backend: 'js', verify: false }).spec,
  };
  const cases = defineCases({ quick });
  const meta = new Map(cases.map((c) => [c.name, { batch: c.batch, flops: flopsOf(specs[c.model], c) }]));
  const manifest = writeInputs(cases, specs);

  const unavailable = {};
  const peerWeights = { ...weights };
  if (['ort-web', 'ort-node'].some(wanted)) {
    try {
      Object.assign(peerWeights, exportOnnx(weights, python));
    } catch (error) {
      log(`export_onnx.py failed: ${error.message.split('\n')[0]}`);
    }
  }

  // Start the processes (in parallel: setup is not timed), open every peer.
  const procs = new Map();
  const info = {};
  const layout = {};
  await Promise.all(
    PROCESSES.filter((p) => (p.label === 'tinycnn' ? true : wanted(p.label))).map(async ({ label, argv }) => {
      const proc = new Proc(label, argv);
      try {
        const opened = await proc.request({ op: 'open', manifest, weights: peerWeights });
        Object.assign(unavailable, opened.unavailable);
        Object.assign(info, opened.info);
        layout[label] = opened.runtimes.filter(wanted);
        for (const runtime of layout[label]) procs.set(runtime, proc);
        if (label !== 'tinycnn' && layout[label].length === 0) await proc.close();
      } catch (error) {
        unavailable[label] = error.message.split('\n')[0];
        await proc.close();
      }
    }),
  );
  const tinycnnProc = [...procs.values()].find((p) => p.label === 'tinycnn');
  if (!procs.has('tinycnn-js')) throw new Error(`tinycnn-js did not start: ${unavailable['tinycnn-js'] ?? unavailable.tinycnn ?? 'filtered out by --only'}`);
  for (const [what, why] of Object.entries(unavailable)) log(`unavailable: ${what}: ${why}`);

  // Parity first: a fast wrong answer is not a result.
  const parity = [];
  const contenders = new Map(); // case -> runtimes to time
  for (const c of cases) {
    const reference = (await procs.get('tinycnn-js').request({ op: 'logits', runtime: 'tinycnn-js', case: c.name })).logits;
    const list = [];
    for (const runtime of procs.keys()) {
      if (c.throughput && SLOW.has(runtime)) continue;
      let row;
      try {
        const { logits } = await procs.get(runtime).request({ op: 'logits', runtime, case: c.name });
        let maxAbs = logits.length === reference.length ? 0 : Infinity;
        let maxRel = maxAbs;
        reference.forEach((ref, i) => {
          const d = Math.abs(logits[i] - ref);
          maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
          maxRel = Math.max(maxRel, Number.isNaN(d) ? Infinity : d / (1 + Math.abs(ref)));
        });
        row = { case: c.name, runtime, max_abs: maxAbs, max_rel: maxRel, ok: maxRel <= 1e-4 };
      } catch (error) {
        row = { case: c.name, runtime, ok: false, error: error.message.split('\n')[0] };
      }
      parity.push(row);
      if (row.ok) list.push(runtime);
      else log(`PARITY FAIL ${runtime} ${c.name}: ${row.error ?? `max |Δ|/(1+|ref|) = ${row.max_rel}`} — not timed`);
    }
    contenders.set(c.name, list);
  }

  // Rounds: every case, every contender, in an order rotated each round.
  const timings = new Map(cases.map((c) => [c.name, new Map(contenders.get(c.name).map((r) => [r, []]))]));
  const peakRounds = [];
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      // The SIMD peak, sampled before every case of every round: the best sample is the peak,
      // and many short samples spread over the run catch a quiet moment of a busy machine.
      if (tinycnnProc) peakRounds.push((await tinycnnProc.request({ op: 'peak', time: quick ? 30 : 60 })).peaks);
      const list = contenders.get(c.name);
      const order = list.map((_, i) => list[(i + r) % list.length]);
      for (const runtime of order) {
        const t = await procs.get(runtime).request({ op: 'time', runtime, case: c.name, ...budget });
        timings.get(c.name).get(runtime).push(t);
        log(`round ${r + 1}/${rounds}  ${c.name.padEnd(10)} ${runtime.padEnd(21)} p50 ${t.p50_us.toFixed(1).padStart(9)} µs  (${t.samples} samples)`);
      }
    }
  }
  const seconds = (performance.now() - t0) / 1e3;
  await Promise.all([...new Set(procs.values())].map((p) => p.close()));
  rmSync(dirname(manifest), { recursive: true, force: true });

  // A peak is a best case: the best sample of each loop, the best loop for the machine.
  const peaks = {};
  for (const p of peakRounds) for (const [loop, gflops] of Object.entries(p)) peaks[loop] = Math.max(peaks[loop] ?? 0, gflops);
  const machinePeak = Math.max(0, ...Object.values(peaks)) || undefined;
  const results = summarise(timings, meta, machinePeak);
  const ratioList = ratios(timings);
  const tinycnnInfo = info.tinycnn ?? {};
  return {
    machine: machineTag({
      flavours: (layout.tinycnn ?? []).filter((r) => r.startsWith('tinycnn-') && !r.endsWith('-direct')).map((r) => r.slice('tinycnn-'.length)),
      convs: tinycnnInfo.convs,
      auto_flavour: tinycnnInfo.auto_flavour,
      relaxed_simd: tinycnnInfo.relaxed_simd,
    }),
    run: {
      date: new Date().toISOString(),
      quick,
      rounds,
      budget,
      seconds_timing: Math.round(seconds),
      load_avg_1m: { start: Number(loadAtStart.toFixed(2)), end: Number(loadavg()[0].toFixed(2)) },
      weights: Object.fromEntries(Object.entries(weights).map(([k, p]) => [k, { file: relative(REPO, p), sha256: sha256(p) }])),
      reference_weights: weightsDir === join(REPO, 'weights'),
      processes: layout,
      peers: info,
      unavailable,
      flops: Object.fromEntries([...meta].map(([name, m]) => [name, m.flops])),
      simd_peak_gflops: { peak: machinePeak, loops: peaks, samples: peakRounds },
      parity,
    },
    results,
    ratios: ratioList,
    targets: targets(ratioList, results, unavailable),
  };
}

/** `--flag value` / `--flag` parsing for the few options above. */
function parseArgs(argv) {
  const args = { quick: argv.includes('--quick') };
  const value = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (value('--rounds')) args.rounds = Number(value('--rounds'));
  if (value('--only')) args.only = value('--only').split(',');
  if (value('--weights-dir')) args.weightsDir = value('--weights-dir');
  args.out = value('--out');
  return args;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(onNodeMajor(process.argv[1], process.argv.slice(2)));
  const report = await runBenchmark(args);
  printReport(report);
  const stem = `${report.run.date.slice(0, 10)}-${report.machine.arch}-node${NODE_MAJOR}`;
  const tmp = args.quick || !report.run.reference_weights || args.only !== undefined;
  const out = args.out ?? join(BENCH, 'results', `${stem}${tmp ? '.tmp' : ''}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
  log(`wrote ${relative(process.cwd(), out)}`);
}
