#!/usr/bin/env node
/**
 * `npm run bench:cold:profile`: where tinycnn's cold start goes, phase by phase.
 *
 * Bundles the Lambda handler with `npm run package`'s options but *not minified* (so the profile
 * names the source's functions), then runs N fresh processes of bench/cold/tinycnn.mjs on it
 * (INIT at import, one 20-token Kim request, exit), each under V8's sampling profiler
 * (`--cpu-prof`, a sample every 50 µs), and prints the median inclusive milliseconds of
 * each phase of INIT and of the first request. The profiler slows what it samples by
 * ~10-30%: read the shares, and `npm run bench:cold` for the times.
 *
 *   node bench/cold/profile.mjs [--runs N] [--model kim|sm]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const { packageBuildOptions } = await import(join(REPO, 'build', 'src', 'package', 'build.js'));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, model: { type: 'string', default: 'kim' } } });
const runs = Number(values.runs);

/** Phases by the function that runs them (src/ names); a nested row counts only inside the row it sits under. */
const PHASES = [
  ['module compile (V8 parses the bundle)', 'compileSourceTextModule', 0],
  ['INIT (initRuntime)', 'initRuntime', 0],
  ['read the weight file', 'readWeightFile', 1],
  ['parse safetensors', 'readSafetensors', 1],
  ['non-finite weight scan', 'assertFiniteWeights', 1],
  ['backend: wasm compile + feature probe', 'createBackend', 1],
  ['pack conv weights', 'packConv', 1],
  ['of which Winograd plan (Toom-Cook)', 'winogradPlanFor', 2],
  ['parity certificate (probe + forward)', 'verify', 1],
  ['open the vector store', 'openVectorStore', 1],
  ['first request (handler)', /^handler\d*$/, 0],
  ['tokenize', 'tokenize', 1],
  ['vector lookup', 'lookup', 1],
  ['forward', 'forward', 1],
  ['garbage collection (anywhere)', '(garbage collector)', 0],
];

const dir = mkdtempSync(join(tmpdir(), 'tinycnn-cold-profile-'));
try {
  const bundle = join(dir, 'index.mjs');
  // the options `npm run package` uses, minify off so the profile names the source's functions
  await build({ ...packageBuildOptions(REPO, 'src/lambda/index.ts', 'esm'), minify: false, write: true, metafile: false, outfile: bundle });
  const totals = PHASES.map(() => []);
  for (let r = 0; r < runs; r++) {
    const profiles = join(dir, `run${r}`);
    const child = spawnSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${profiles}`, '--cpu-prof-interval=50', join(HERE, 'tinycnn.mjs'), bundle],
      // the weights are found under LAMBDA_TASK_ROOT as on Lambda: here, the repo's weights/
      { cwd: REPO, env: { ...process.env, TINYCNN_MODEL: values.model, LAMBDA_TASK_ROOT: REPO, COLD_T0: String(Date.now()) }, encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`profiled run failed: ${child.stderr.slice(-600)}`);
    const profile = JSON.parse(readFileSync(join(profiles, readdirSync(profiles)[0]), 'utf8'));
    const ms = inclusiveMs(profile);
    PHASES.forEach(([, fn, depth], i) => {
      const outer = PHASES.slice(0, i).findLast((p) => p[2] === depth - 1);
      totals[i].push(ms(depth === 0 ? [fn] : [outer[1], fn]));
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const engine = median(totals[0]) + median(totals[1]) + median(totals[PHASES.findIndex((p) => p[0].startsWith('first request'))]);
  console.log(`Cold start of the packaged handler (TINYCNN_MODEL=${values.model}), by phase: median of ${runs} profiled runs, ms inclusive\n`);
  console.log('| phase | ms | share of compile + INIT + first request |');
  console.log('|---|---|---|');
  PHASES.forEach(([label, fn], i) => {
    const m = median(totals[i]);
    if (totals[i].every((ms) => ms === 0)) console.error(`bench:cold:profile: no sample inside ${fn} (renamed by the bundler, or too short to sample)`);
    const indent = '&nbsp;&nbsp;'.repeat(PHASES[i][2]);
    console.log(`| ${indent}${label} | ${m.toFixed(2)} | ${((100 * m) / engine).toFixed(0)}% |`);
  });
  console.log(`\nsampled: compile + INIT + first request = ${engine.toFixed(1)} ms (profiler overhead included; node ${process.versions.node})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * For a .cpuprofile: function names (or patterns) -> ms of the samples with all of them on the
 * stack (each sample counted once however often a name recurs).
 */
function inclusiveMs(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map(); // node id -> names on its stack
  const stackOf = (id) => {
    let names = stacks.get(id);
    if (names) return names;
    const up = parent.get(id);
    names = new Set(up === undefined ? [] : stackOf(up));
    names.add(byId.get(id).callFrame.functionName || '(anonymous)');
    stacks.set(id, names);
    return names;
  };
  const samples = profile.samples.map((id, i) => [stackOf(id), profile.timeDeltas[i] / 1000]);
  const has = (names, fn) => (typeof fn === 'string' ? names.has(fn) : [...names].some((n) => fn.test(n)));
  return (fns) => {
    let ms = 0;
    for (const [names, dt] of samples) if (fns.every((fn) => has(names, fn))) ms += dt;
    return ms;
  };
}
