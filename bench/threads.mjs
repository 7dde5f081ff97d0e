#!/usr/bin/env node
/**
 * `npm run bench:threads`: throughput of a large batch split across worker threads
 * (createThreadPool, src/node/thread-pool.ts) per thread count, beside the same batch on the
 * main thread with no pool. Kim CNN on the load-test sentences, SM CNN on the load-test pairs
 * (bench/data), the shipped models, backend `auto`. Each count: the pool is started and warmed
 * with one pass, then timed over --rounds passes; the median pass is reported.
 *
 *   node bench/threads.mjs [--texts N] [--rounds R] [--max-threads T]
 * Writes bench/results/threads-<date>-<arch>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..');
const { createThreadPool, pipeline } = await import(join(REPO, 'build', 'src', 'node', 'index.js'));
const { values } = parseArgs({
  options: { texts: { type: 'string', default: '4096' }, rounds: { type: 'string', default: '5' }, 'max-threads': { type: 'string' } },
});
const count = Number(values.texts);
const rounds = Number(values.rounds);
const maxThreads = Number(values['max-threads'] ?? availableParallelism());

const data = (file) =>
  readFileSync(join(HERE, 'data', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
const sentences = data('kim-sentences.txt');
const pairs = data('sm-pairs.tsv').map((l) => {
  const [question, answer] = l.split('\t');
  return { question, answer };
});
const cases = [
  { name: 'kim', task: 'sentiment-analysis', method: 'classify', items: Array.from({ length: count }, (_, i) => sentences[i % sentences.length]) },
  { name: 'sm', task: 'answer-selection', method: 'scorePairs', items: Array.from({ length: count }, (_, i) => pairs[i % pairs.length]) },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** Median ms of `rounds` passes of run() after one untimed pass. */
async function timed(run) {
  await run();
  const ms = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  return median(ms);
}

const loadAtStart = loadavg()[0];
const results = [];
for (const c of cases) {
  const single = pipeline(c.task);
  const slice = 256; // as a pool thread calls it
  const mainMs = await timed(() => {
    for (let i = 0; i < c.items.length; i += slice) single[c.method](c.items.slice(i, i + slice));
  });
  results.push({ case: c.name, threads: 0, ms: mainMs, per_second: (c.items.length / mainMs) * 1000 });
  console.error(`${c.name}: main thread, no pool: ${mainMs.toFixed(0)} ms`);
  for (let threads = 1; threads <= maxThreads; threads++) {
    const pool = await createThreadPool(c.task, { threads });
    try {
      const ms = await timed(() => pool[c.method](c.items));
      results.push({ case: c.name, threads, ms, per_second: (c.items.length / ms) * 1000 });
      console.error(`${c.name}: ${threads} thread(s): ${ms.toFixed(0)} ms`);
    } finally {
      await pool.close();
    }
  }
}

const machine = { arch: arch(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.versions.node, loadavg_1m: [loadAtStart, loadavg()[0]] };
const date = new Date().toISOString();
const out = join(REPO, 'bench', 'results', `threads-${date.slice(0, 10)}-${arch()}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date, machine, texts: count, rounds, results }, null, 1)}\n`);

console.log(
  `Batches across threads: ${count} texts (Kim) / pairs (SM), median of ${rounds} passes; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
);
console.log(`load average ${machine.loadavg_1m[0].toFixed(2)} -> ${machine.loadavg_1m[1].toFixed(2)}\n`);
console.log('| case | threads | ms | per second | ÷ one thread |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  const one = results.find((x) => x.case === r.case && x.threads === 1);
  const who = r.threads === 0 ? 'main thread, no pool' : String(r.threads);
  console.log(
    `| ${r.case} | ${who} | ${r.ms.toFixed(0)} | ${Math.round(r.per_second).toLocaleString('en-US')} | ${(r.per_second / one.per_second).toFixed(2)}× |`,
  );
}
console.log(`\nWritten to ${out.slice(REPO.length + 1)}`);
