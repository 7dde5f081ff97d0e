#!/usr/bin/env node
/**
 * `npm run bench:cold`: cold start as a whole process, side by side, in one run.
 *
 * Each contender is a fresh process that loads one Kim CNN (the shipped model, SHIPPED_MODELS.kim in
 * src/pipeline/defaults.ts: SST-2, static, 2 classes), runs one inference on a 20-token input and exits:
 *   tinycnn      imports the *packaged* handler (index.mjs of an unzipped dist/tinycnn-lambda.zip,
 *                TINYCNN_MODEL=kim): INIT at module scope, then one API request through the whole
 *                path (tokenize, embedded vectors, forward, JSON)
 *   tfjs-wasm    @tensorflow/tfjs-backend-wasm 4.22, the model built from the same safetensors file
 *   ort-node     onnxruntime-node 1.30 (native), the ONNX export of the same weights
 *   ort-web      onnxruntime-web 1.30 (wasm SIMD), the same ONNX file
 *   pytorch      /usr/bin/python3 + torch, castorini's module with the same weights
 *   node -e 0 / python3 -c pass   the floors
 *   harness      tinycnn.mjs importing a handler that does nothing: what the Node harness itself
 *                (ESM entry, dynamic import, the report line) adds over `node -e 0` in every Node
 *                contender's wall time; shown for reading the table, not used in the ratios
 * Rounds are interleaved (A B C ... A B C ..., the order rotated each round) after one untimed
 * warm-up run of each contender (disk cache warm). Wall time is measured here around the
 * process; INIT (spawn -> model ready) and first-invoke times are reported by the contender;
 * peak RSS comes from GNU time (%M), else from the contender's own getrusage.
 *
 *   node bench/cold/run.mjs [--rounds N] [--json] [--node MAJOR] [--only tinycnn,ort-node]
 * --node MAJOR runs it all on the official Node build of that major (bench/on-node.mjs), e.g. 22.
 * --only NAMES runs just those contenders (and the floors and the harness row the ratios need),
 * for quick before/after comparisons while working on start-up; a result file is written only for full runs.
 * Writes bench/cold/results/cold-<date>-<arch>-node<major>.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { unzip as unzipInJs } from '../../test/arm64/unzip.mjs';
import { NODE_MAJOR, onNodeMajor } from '../on-node.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const PYTHON = process.env.TINYCNN_PYTHON ?? '/usr/bin/python3';
const { SHIPPED_MODELS } = await import(join(REPO, 'build', 'src', 'pipeline', 'defaults.js'));
const WEIGHTS = join(REPO, SHIPPED_MODELS.kim.weights);
/** The class count of WEIGHTS (rows of fc1.weight), which every contender checks its logits against. */
const CLASSES = (() => {
  const bytes = readFileSync(WEIGHTS);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
  return header['fc1.weight'].shape[0];
})();
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const log = (...parts) => console.error(...parts);

const { values } = parseArgs({
  args: onNodeMajor(process.argv[1], process.argv.slice(2)),
  options: { rounds: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const rounds = Number(values.rounds);
const only = values.only?.split(',');
const loadAtStart = loadavg()[0];

/** dist/tinycnn-lambda.zip, made by `npm run package` when missing; unzipped into a temp folder. */
function unzippedPackage(into) {
  const zip = join(REPO, 'dist', 'tinycnn-lambda.zip');
  if (!existsSync(zip)) {
    log('bench:cold: dist/tinycnn-lambda.zip is missing: npm run package ...');
    execFileSync('npm', ['run', 'package', '--silent'], { cwd: REPO, stdio: ['ignore', 2, 2] });
  }
  const unzip = spawnSync('unzip', ['-q', zip, '-d', into]);
  if (unzip.error !== undefined || unzip.status !== 0) unzipInJs(zip, into); // no Info-ZIP: the test suite's own zip reader
  return { zip, sha256: createHash('sha256').update(readFileSync(zip)).digest('hex') };
}

/** A handler that answers like tinycnn's and does nothing else, for the harness row. */
function emptyHandler(dir) {
  const file = join(dir, 'empty-handler.mjs');
  const body = { tokens: Array(20).fill('x'), unknown_tokens: [], backend: 'none' };
  writeFileSync(file, `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(JSON.stringify(body))} });\n`);
  return file;
}

/** The ONNX export of the weights (converters/export_onnx.py), cached by weight hash like bench/run.mjs. */
function onnxFile() {
  const dir = join(tmpdir(), 'tinycnn-bench-onnx');
  mkdirSync(dir, { recursive: true });
  const sha = createHash('sha256').update(readFileSync(WEIGHTS)).digest('hex').slice(0, 16);
  const onnx = join(dir, `kim-${sha}.onnx`);
  if (!existsSync(onnx)) {
    execFileSync(PYTHON, [join(REPO, 'converters', 'export_onnx.py'), WEIGHTS, `${onnx}.part`], { stdio: ['ignore', 2, 2] });
    execFileSync('mv', [`${onnx}.part`, onnx]);
  }
  return onnx;
}

/** The peers live in bench/node_modules (bench/setup.mjs installs them). */
function peersInstalled() {
  const has = (p) => existsSync(join(REPO, 'bench', 'node_modules', p, 'package.json'));
  if (!has('@tensorflow/tfjs-backend-wasm') || !has('onnxruntime-node') || !has('onnxruntime-web')) {
    log('bench:cold: installing the benchmark peers (bench/setup.mjs) ...');
    spawnSync(process.execPath, [join(REPO, 'bench', 'setup.mjs')], { cwd: REPO, stdio: ['ignore', 2, 2] });
  }
  return { tfjs: has('@tensorflow/tfjs-backend-wasm'), ort: has('onnxruntime-node') && has('onnxruntime-web') };
}

/** One timed run: wall ms, the contender's JSON line (if any), peak RSS KiB. */
function runOnce(contender) {
  const env = { ...process.env, ...contender.env, COLD_T0: String(Date.now()) };
  const [cmd, args] = TIME ? [TIME, ['-f', 'COLD_MAXRSS_KIB=%M', contender.cmd, ...contender.args]] : [contender.cmd, contender.args];
  const start = process.hrtime.bigint();
  const child = spawnSync(cmd, args, { cwd: contender.cwd ?? REPO, env, encoding: 'utf8', timeout: 120_000 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${contender.name} failed (${child.status ?? child.error?.message}): ${(child.stderr ?? '').slice(-600)}`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  const reported = line.startsWith('{') ? JSON.parse(line) : {};
  const timeRss = /COLD_MAXRSS_KIB=(\d+)/.exec(child.stderr ?? '');
  return { wallMs, ...reported, maxRssKib: timeRss ? Number(timeRss[1]) : reported.max_rss_kib };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const tmp = mkdtempSync(join(tmpdir(), 'tinycnn-cold-'));
try {
  const unzipped = join(tmp, 'task');
  const pkg = unzippedPackage(unzipped);
  const peers = peersInstalled();
  let onnx;
  try {
    onnx = onnxFile();
  } catch (error) {
    log(`bench:cold: export_onnx.py failed (${error.message.split('\n')[0]}): onnxruntime contenders not run`);
  }
  const node = process.execPath;
  const contenders = [
    { name: 'node -e 0', floor: true, cmd: node, args: ['-e', '0'] },
    { name: 'python3 -c pass', floor: true, cmd: PYTHON, args: ['-c', 'pass'] },
    // like Lambda: the package unzipped in its own folder (/var/task), the handler imported from there
    {
      name: 'tinycnn',
      cmd: node,
      args: [join(HERE, 'tinycnn.mjs'), join(unzipped, 'index.mjs')],
      cwd: unzipped,
      env: { TINYCNN_MODEL: 'kim', LAMBDA_TASK_ROOT: unzipped },
    },
    { name: 'harness (empty handler)', cmd: node, args: [join(HERE, 'tinycnn.mjs'), emptyHandler(tmp)] },
    peers.tfjs && { name: 'tfjs-wasm', cmd: node, args: [join(HERE, 'tfjs-wasm.mjs'), WEIGHTS] },
    peers.ort && onnx && { name: 'ort-node', cmd: node, args: [join(HERE, 'ort.mjs'), 'node', onnx, String(CLASSES)] },
    peers.ort && onnx && { name: 'ort-web', cmd: node, args: [join(HERE, 'ort.mjs'), 'web', onnx, String(CLASSES)] },
    existsSync(PYTHON) && { name: 'pytorch', cmd: PYTHON, args: [join(HERE, 'pytorch.py'), WEIGHTS] },
  ]
    .filter(Boolean)
    .filter((c) => only === undefined || c.floor || c.name.startsWith('harness') || only.includes(c.name));
  const samples = new Map(contenders.map((c) => [c.name, []]));
  const info = {};

  log(`bench:cold: ${contenders.length} contenders, 1 warm-up + ${rounds} interleaved rounds ...`);
  for (const c of contenders) {
    const warm = runOnce(c); // untimed: warms the disk cache
    if (warm.flavour) info[c.name] = { flavour: warm.flavour };
  }
  for (let r = 0; r < rounds; r++) {
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
    for (const c of order) samples.get(c.name).push(runOnce(c));
  }

  const summary = contenders.map((c) => {
    const s = samples.get(c.name);
    const pick = (key) => s.map((x) => x[key]).filter((v) => typeof v === 'number');
    return {
      runtime: c.name,
      wall_ms_median: median(pick('wallMs')),
      wall_ms_min: Math.min(...pick('wallMs')),
      wall_ms_max: Math.max(...pick('wallMs')),
      init_ms_median: c.floor ? null : median(pick('init_ms')),
      first_invoke_ms_median: c.floor ? null : median(pick('invoke_ms')),
      peak_rss_mib_median: median(pick('maxRssKib')) / 1024,
      ...info[c.name],
    };
  });
  const by = Object.fromEntries(summary.map((s) => [s.runtime, s]));
  const floor = by['node -e 0'].wall_ms_median;
  const over = (name) => (by[name] ? by[name].wall_ms_median - floor : NaN);
  // what each engine itself adds: its wall time minus the empty-handler harness row's
  const own = (name) => (by[name] && by['harness (empty handler)'] ? by[name].wall_ms_median - by['harness (empty handler)'].wall_ms_median : NaN);
  const targets = {
    tinycnn_own_over_ort_node: own('tinycnn') / own('ort-node'),
    tinycnn_own_over_tfjs_wasm: own('tinycnn') / own('tfjs-wasm'),
    tinycnn_over_ort_node: over('tinycnn') / over('ort-node'),
    tinycnn_over_tfjs_wasm: over('tinycnn') / over('tfjs-wasm'),
    tinycnn_rss_over_node_mib: by.tinycnn.peak_rss_mib_median - by['node -e 0'].peak_rss_mib_median,
  };
  const machine = {
    arch: arch(),
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.versions.node,
    v8: process.versions.v8,
    loadavg_1m_at_start: loadAtStart,
    loadavg_1m_at_end: loadavg()[0],
    disk_cache: 'warm (one untimed run of each contender first)',
    rss_source: TIME ? 'GNU time %M' : 'getrusage in the contender',
  };
  const result = {
    date: new Date().toISOString(),
    machine,
    package: { zip: 'dist/tinycnn-lambda.zip', sha256: pkg.sha256 },
    rounds,
    results: summary,
    targets,
  };
  const outDir = join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `cold-${result.date.slice(0, 10)}-${arch()}-node${NODE_MAJOR}.json`);
  if (only === undefined) writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);

  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const f = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
    console.log(`Cold start: fresh process, import + load + 1 inference (Kim CNN, 20 tokens) + exit; median of ${rounds} interleaved rounds`);
    console.log(
      `${machine.cpu}, ${machine.cores} cores, ${machine.arch}, Node ${machine.node}; disk cache warm; tinycnn backend: ${by.tinycnn.flavour ?? '?'}\n`,
    );
    console.log('| runtime | wall median (min–max) ms | wall − node floor ms | INIT ms | first invoke ms | peak RSS MiB |');
    console.log('|---|---|---|---|---|---|');
    for (const s of summary) {
      console.log(
        `| ${s.runtime} | ${f(s.wall_ms_median)} (${f(s.wall_ms_min)}–${f(s.wall_ms_max)}) | ${s.runtime.startsWith('python') ? '–' : f(s.wall_ms_median - floor)} | ${f(s.init_ms_median, 1)} | ${f(s.first_invoke_ms_median, 1)} | ${f(s.peak_rss_mib_median, 1)} |`,
      );
    }
    const ok = (v, limit) => (Number.isNaN(v) ? 'not run' : v <= limit ? 'ok' : 'MISSED');
    console.log('');
    console.log(
      `tinycnn (wall − harness) / ort-node's:     ${f(targets.tinycnn_own_over_ort_node, 3)}  (target <= 0.15: ${ok(targets.tinycnn_own_over_ort_node, 0.15)})`,
    );
    console.log(
      `tinycnn (wall − harness) / tfjs-wasm's:    ${f(targets.tinycnn_own_over_tfjs_wasm, 3)}  (target <= 0.05: ${ok(targets.tinycnn_own_over_tfjs_wasm, 0.05)})`,
    );
    console.log(
      `tinycnn (wall − node floor) / ort-node's:  ${f(targets.tinycnn_over_ort_node, 3)}  (target <= 0.25: ${ok(targets.tinycnn_over_ort_node, 0.25)})`,
    );
    console.log(
      `tinycnn (wall − node floor) / tfjs-wasm's: ${f(targets.tinycnn_over_tfjs_wasm, 3)}  (target <= 0.1: ${ok(targets.tinycnn_over_tfjs_wasm, 0.1)})`,
    );
    console.log(`tinycnn peak RSS − node floor: ${f(targets.tinycnn_rss_over_node_mib, 1)} MiB  (target <= 16: ${ok(targets.tinycnn_rss_over_node_mib, 16)})`);
    const harness = by['harness (empty handler)'];
    if (harness)
      console.log(
        `the Node harness alone (empty handler) is ${f(harness.wall_ms_median - floor)} ms over the node floor; it is part of every Node contender's figure above`,
      );
    console.log(
      `INIT = spawn -> model ready (includes Node/Python start-up); wall includes exit. ${only === undefined ? `Written to ${outFile.slice(REPO.length + 1)}` : '--only: no result file written'}`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
