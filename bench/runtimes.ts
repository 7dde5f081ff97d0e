/**
 * `npm run bench:runtimes`: tinycnn on each runtime it is tested on, in one run on one machine.
 *
 *   Node 20 (this one), 22 and 24 (the official builds, .runtimes/)
 *     cold   a new process: import the package's Node entry, load the shipped Kim CNN with no
 *            paths, answer one sentence; wall time (spawn to exit) minus the same Node's
 *            `node -e 0`, 1 warm-up + N interleaved rounds, medians
 *     warm   Kim (20 tokens) and SM (about 20 + 20) through the pipelines, p50 over ~1.5 s
 *   Chromium (Debian's, headless, through playwright-core): the engine bundle in a page of the
 *            local server, fetchPipeline over HTTP (vectors by range); time from navigation to
 *            the first answer; warm p50 of classifyAsync / scoreAsync in the page
 *   workerd (npm): the shipped Worker entry; spawn to ready (INIT included), and the warm HTTP
 *            round trip of POST /kim and /sm beside the same round trip to the local Node server
 *            (the same loopback HTTP on both sides: their ratio is the comparison that holds)
 * Every runtime runs its own `auto` flavour (named in the output). Writes
 * bench/results/runtimes-<date>-<arch>.json and prints a markdown table.
 *
 *   npm run bench:runtimes [-- --rounds 5] [--budget 1500]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { readConfig } from '../src/lambda/config.js';
import { startServer } from '../src/server/server.js';
import { repoRoot } from '../test/helpers/paths.js';
import { CHROMIUM } from '../test/helpers/requirements.js';
import { startWorkerd } from '../test/worker/workerd.js';
import { KIM_TEXT, SM_ANSWER, SM_QUESTION, summarise, timeLoop } from './runtimes/inputs.mjs';

type Times = { p50: number; p90: number; min: number; n: number };
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, budget: { type: 'string', default: '1500' } } });
const rounds = Number(values.rounds);
const budget = Number(values.budget);
const log = (line: string) => console.error(line);
const median = (xs: number[]) => summarise(xs).p50;
const loadStart = loadavg()[0];

// --- Node 20 / 22 / 24
type NodeBuild = { node: string; version: string };
// imported at run time, not bundled: bundled, its "am I the main module" check would take this file for itself
const { findNodeBuild, ensureNodeBuild } = (await import(pathToFileURL(join(repoRoot, 'test', 'runtimes', 'node-builds.mjs')).href)) as {
  findNodeBuild(major: number): { ok: true; build: NodeBuild } | { ok: false };
  ensureNodeBuild(major: number, cpu?: string, options?: { log?: (line: string) => void }): NodeBuild;
};
const nodes = [{ major: Number(process.versions.node.split('.')[0]), bin: process.execPath, version: process.versions.node }];
for (const major of [22, 24]) {
  const found = findNodeBuild(major);
  const build = found.ok ? found.build : ensureNodeBuild(major, undefined, { log });
  nodes.push({ major, bin: build.node, version: build.version.replace(/^v/, '') });
}
const child = join(repoRoot, 'bench', 'runtimes', 'node-child.mjs');
const wall = (bin: string, args: string[]) => {
  const t = performance.now();
  const run = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, TINYCNN_BACKEND: '' } });
  const ms = performance.now() - t;
  if (run.status !== 0) throw new Error(`${bin} ${args.join(' ')}: ${run.stderr}`);
  return { ms, out: run.stdout };
};
const cold = new Map<number, { floor: number[]; tinycnn: number[]; first: number[]; flavour: string }>();
for (let round = -1; round < rounds; round++) {
  const order = nodes.map((_, i) => nodes[(i + Math.max(0, round)) % nodes.length]);
  for (const n of order) {
    const floor = wall(n.bin, ['-e', '0']);
    const run = wall(n.bin, [child, 'cold']);
    if (round < 0) continue; // warm-up: disk cache
    const entry = cold.get(n.major) ?? { floor: [], tinycnn: [], first: [], flavour: '' };
    const answer = JSON.parse(run.out) as { firstMs: number; flavour: string };
    entry.floor.push(floor.ms);
    entry.tinycnn.push(run.ms);
    entry.first.push(answer.firstMs);
    entry.flavour = answer.flavour;
    cold.set(n.major, entry);
  }
  log(`cold round ${round + 1}/${rounds}`);
}
const warm = new Map<number, { kim: Times; sm: Times; flavour: string }>();
for (const n of nodes) warm.set(n.major, JSON.parse(wall(n.bin, [child, 'warm', String(budget)]).out));
log('node warm done');

// --- Chromium and workerd, against the local Node server
const server = await startServer({ config: readConfig({}), port: 0, host: '127.0.0.1', log: () => {}, web: {} });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.goto(`${server.url}/`);
const inBrowser = (await page.evaluate(
  async ([kimText, question, answer, budgetMs, enginePath]) => {
    const engine = await import(enginePath); // a variable: the bundler must leave this import to the page
    const baseUrl = new URL('/', (globalThis as unknown as { location: { href: string } }).location.href);
    const classifier = await engine.fetchPipeline('sentiment-analysis', { baseUrl });
    await classifier.classifyAsync(kimText);
    const firstMs = performance.now(); // since navigation
    const ranker = await engine.fetchPipeline('answer-selection', { baseUrl });
    const loop = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 50; i++) await fn();
      const times: number[] = [];
      const end = performance.now() + budgetMs;
      while (performance.now() < end || times.length < 200) {
        const t = performance.now();
        await fn();
        times.push((performance.now() - t) * 1000);
      }
      return times;
    };
    const kim = await loop(() => classifier.classifyAsync(kimText));
    const sm = await loop(() => ranker.scoreAsync(question, answer));
    return {
      firstMs,
      kim,
      sm,
      flavour: classifier.model.flavour as string,
      agent: (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
    };
  },
  [KIM_TEXT, SM_QUESTION, SM_ANSWER, budget, '/engine/tinycnn.js'] as const,
)) as { firstMs: number; kim: number[]; sm: number[]; flavour: string; agent: string };
await browser.close();
const chromiumVersion = /Chrome\/([\d.]+)/.exec(inBrowser.agent)?.[1] ?? '?';
log('chromium done');

const workerd = await startWorkerd([{ name: 'shipped', entry: join(repoRoot, 'worker', 'index.js') }]);
const post = (base: string, path: string, body: unknown) => async () => {
  const response = await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${base}${path}: HTTP ${response.status}`);
  return response.json() as Promise<{ backend: string }>;
};
const kimBody = { input: KIM_TEXT };
const smBody = { sent1: SM_QUESTION, sent2: SM_ANSWER };
const workerdFlavour = (await post(workerd.urls.get('shipped')!, '/kim', kimBody)()).backend;
const serverFlavour = (await post(server.url, '/kim', kimBody)()).backend;
const roundTrips: Record<string, Times[]> = { workerdKim: [], serverKim: [], workerdSm: [], serverSm: [] };
for (let round = 0; round < 3; round++) {
  roundTrips.workerdKim.push(await timeLoop(post(workerd.urls.get('shipped')!, '/kim', kimBody), budget / 3));
  roundTrips.serverKim.push(await timeLoop(post(server.url, '/kim', kimBody), budget / 3));
  roundTrips.workerdSm.push(await timeLoop(post(workerd.urls.get('shipped')!, '/sm', smBody), budget / 3));
  roundTrips.serverSm.push(await timeLoop(post(server.url, '/sm', smBody), budget / 3));
}
await workerd.close();
await server.close();
const rt = (key: string) => median(roundTrips[key].map((t) => t.p50));
log('workerd done');

// --- report
const cpu = cpus()[0]?.model ?? '?';
const result = {
  date: new Date().toISOString(),
  machine: { arch: process.arch, cpu, cores: cpus().length, loadavg: [loadStart, loadavg()[0]] },
  node: nodes.map((n) => {
    const c = cold.get(n.major)!;
    const w = warm.get(n.major)!;
    return {
      major: n.major,
      version: n.version,
      flavour: w.flavour,
      coldWallMs: median(c.tinycnn),
      floorMs: median(c.floor),
      overFloorMs: median(c.tinycnn.map((t, i) => t - c.floor[i])),
      firstAnswerMs: median(c.first),
      kimWarmUs: w.kim,
      smWarmUs: w.sm,
    };
  }),
  chromium: {
    version: chromiumVersion,
    flavour: inBrowser.flavour,
    firstAnswerMs: inBrowser.firstMs,
    kimWarmUs: summarise(inBrowser.kim),
    smWarmUs: summarise(inBrowser.sm),
  },
  workerd: {
    version: workerd.bundles.length > 0 ? spawnSync(join(repoRoot, 'node_modules', '.bin', 'workerd'), ['--version'], { encoding: 'utf8' }).stdout.trim() : '?',
    flavour: workerdFlavour,
    readyMs: workerd.readyMs,
    kimRoundTripUs: rt('workerdKim'),
    smRoundTripUs: rt('workerdSm'),
  },
  nodeServer: { flavour: serverFlavour, kimRoundTripUs: rt('serverKim'), smRoundTripUs: rt('serverSm') },
};
const day = result.date.slice(0, 10);
const out = join(repoRoot, 'bench', 'results', `runtimes-${day}-${process.arch}.json`);
mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

const f = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(
  `Machine: ${process.arch} ${cpu}, ${cpus().length} cores; load average ${loadStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end. ${rounds} cold rounds, warm budget ${budget} ms.`,
);
console.log('');
console.log('| runtime | flavour (auto) | cold: process to first answer, ms (wall − `node -e 0`) | warm Kim 20 p50, µs | warm SM 20+20 p50, µs |');
console.log('|---|---|---|---|---|');
for (const n of result.node)
  console.log(
    `| Node ${n.version} | ${n.flavour} | ${f(n.coldWallMs)} (${f(n.overFloorMs)} over ${f(n.floorMs)}) | ${f(n.kimWarmUs.p50)} | ${f(n.smWarmUs.p50, 1)} |`,
  );
console.log(
  `| Chromium ${chromiumVersion} | ${inBrowser.flavour} | ${f(inBrowser.firstMs)} from navigation (local server) | ${f(result.chromium.kimWarmUs.p50)} | ${f(result.chromium.smWarmUs.p50, 1)} |`,
);
console.log(
  `| ${result.workerd.version} | ${workerdFlavour} | ${f(workerd.readyMs)} spawn to ready | round trip ${f(result.workerd.kimRoundTripUs)} (Node server ${f(result.nodeServer.kimRoundTripUs)}, ${(result.workerd.kimRoundTripUs / result.nodeServer.kimRoundTripUs).toFixed(2)}×) | round trip ${f(result.workerd.smRoundTripUs)} (Node server ${f(result.nodeServer.smRoundTripUs)}, ${(result.workerd.smRoundTripUs / result.nodeServer.smRoundTripUs).toFixed(2)}×) |`,
);
console.log('');
console.log(`Written: ${out.slice(repoRoot.length + 1)}`);
