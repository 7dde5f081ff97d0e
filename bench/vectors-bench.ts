/**
 * Word-vector benchmark: 20-word sentence lookups (embedded store paged and in memory,
 * DynamoDB List vs compact layouts on dynalite over loopback, cold vs warm cache) next to
 * the Kim CNN forward they feed, bytes per stored item per layout, and store open time at
 * 10k / 100k / 1M words. Contenders run interleaved in rounds (tinybench per round); each
 * figure is the median of the rounds' p50s, with the min-max over rounds.
 *
 *   npm run bench:vectors              (-- --quick for a short run; synthetic stores are
 *                                       cached in $TMPDIR/tinycnn-vectors-bench, ~700 MB)
 */
import { cpus, arch, tmpdir } from 'node:os';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { loadModel, SHIPPED_MODELS } from '../src/node/index.js';
import { tokenize } from '../src/text/tokenizer.js';
import { createDynamoDbStore, type DynamoDbStore } from '../src/vectors/dynamodb.js';
import { openEmbeddedStore, type EmbeddedStore } from '../src/node/files.js';
import { convertVectors } from '../src/vectors/convert.js';
import { encodeItem, itemBytes } from '../src/vectors/item.js';
import { uploadVectors } from '../src/vectors/upload.js';
import { StoreWriter } from '../src/vectors/writer.js';
import { VERSION } from '../src/vectors/format.js';
import { startDynalite } from '../test/vectors/dynalite.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const TASK_MS = quick ? 80 : 200;
const SIZES = [10_000, 100_000, 1_000_000];
const DIM = 300;
const root = new URL('..', import.meta.url).pathname.replace(/build\/$/, '');
/** A shipped Kim CNN file (src/pipeline/defaults.ts): its weights or its word-vector store. */
const shippedKim = (file: 'weights' | 'vectors') => join(root, SHIPPED_MODELS.kim[file]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const cred = { credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };

function machine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  return `${arch()}, ${cpu}, ${cpus().length} cores, node ${process.versions.node}, v8 ${process.versions.v8}`;
}

/** A synthetic store of n words ("w" + base-36 index) x 300-d f16, cached across runs. */
async function syntheticStore(n: number): Promise<string> {
  const dir = join(tmpdir(), 'tinycnn-vectors-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `synthetic-${n}x${DIM}-f16-v${VERSION}.tcv`); // the format version in the name: a cached older store is not reused
  if (existsSync(path)) return path;
  const w = await StoreWriter.create(path, { dim: DIM, dtype: 'f16', meta: { source: 'vectors-bench synthetic' } });
  const v = new Float32Array(DIM);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < DIM; j++) v[j] = Math.sin(i * 0.37 + j) * 0.25;
    await w.add(`w${i.toString(36)}`, v);
  }
  await w.finish();
  return path;
}

/** Median (and min-max) over `reps` runs of fn, in ms. */
function timeIt(reps: number, fn: () => void): { p50: number; min: number; max: number } {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return { p50: median(t), min: Math.min(...t), max: Math.max(...t) };
}

/** Child mode: open a store in a fresh process (cold JIT, as at Lambda INIT) and time it. */
function childOpen(path: string): void {
  const t0 = performance.now();
  const s = openEmbeddedStore(path);
  const t1 = performance.now();
  const n = s.size;
  s.lookup(Array.from({ length: 20 }, (_, i) => s.wordAt((i * 7919) % n)));
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ open: t1 - t0, lookup: t2 - t1, mode: s.mode }));
}

/** Median over `reps` fresh processes of childOpen(path). */
function coldProcess(path: string, reps: number): { open: number; lookup: number; mode: string } {
  const runs = Array.from({ length: reps }, () => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child-open', path], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { open: number; lookup: number; mode: string };
  });
  return { open: median(runs.map((r) => r.open)), lookup: median(runs.map((r) => r.lookup)), mode: runs[0].mode };
}

async function main() {
  const child = process.argv.indexOf('--child-open');
  if (child > 0) return childOpen(process.argv[child + 1]);
  console.log(`# tinycnn vectors benchmark\n\nmachine: ${machine()}; ${ROUNDS} rounds x ${TASK_MS} ms per task; disk cache warm\n`);

  // --- store open time ---------------------------------------------------------------
  const opens: string[] = [];
  const openTimes = new Map<number, number>();
  let bigStore: EmbeddedStore | undefined;
  for (const n of SIZES) {
    const t0 = performance.now();
    const path = await syntheticStore(n);
    const made = performance.now() - t0;
    const bytes = statSync(path).size;
    readFileSync(path); // warm the page cache
    (globalThis as { gc?: () => void }).gc?.();
    const paged = timeIt(quick ? 5 : 21, () => openEmbeddedStore(path).close());
    const s = openEmbeddedStore(path);
    const sentence = Array.from({ length: 20 }, (_, i) => `w${((i * 7919) % n).toString(36)}`);
    const first = timeIt(1, () => s.lookup(sentence)).p50;
    const second = timeIt(200, () => s.lookup(sentence)).p50;
    const cold = coldProcess(path, quick ? 3 : 7);
    const pages = s.pagesRead;
    const memory = timeIt(quick ? 3 : 5, () => openEmbeddedStore(path, { mode: 'memory' }).close());
    (globalThis as { gc?: () => void }).gc?.();
    openTimes.set(n, paged.p50);
    if (n === SIZES[SIZES.length - 1]) bigStore = s;
    else s.close();
    opens.push(
      `| ${n.toLocaleString('en')} | ${(bytes / 1e6).toFixed(1)} MB | ${fmt(paged.p50)} (${fmt(paged.min)}–${fmt(paged.max)}) | ${fmt(first)} (${pages} pages read), then ${fmt(second)} | ${fmt(cold.open)} + ${fmt(cold.lookup)} | ${fmt(memory.p50)} |${made > 50 ? ` generated in ${(made / 1000).toFixed(1)} s` : ''}`,
    );
  }

  // --- stores for the lookup race ---------------------------------------------------
  const kimVectors = shippedKim('vectors');
  const resident = openEmbeddedStore(kimVectors, { mode: 'memory' });
  const pagedDefault = openEmbeddedStore(kimVectors);
  const words = [...resident.words()];
  const text = 'this movie is not good , but the actors make it a funny and moving story for all of us';
  const sentence = tokenize(text); // 20 tokens
  if (sentence.length !== 20) throw new Error(`sentence has ${sentence.length} tokens`);
  const db = await startDynalite();
  const subset = join(tmpdir(), 'tinycnn-vectors-bench', 'kim-2000.tcv'); // tables hold the first 2,000 words (all of the sentence)
  await convertVectors(kimVectors, subset, { top: 2000, dtype: 'f32' });
  const layouts = [
    ['list', undefined],
    ['compact', 'f16'],
    ['compact', 'f32'],
  ] as const;
  const itemSizes: string[] = [];
  const avgBytes = new Map<string, number>();
  for (const [layout, dtype] of layouts) {
    const table = `${layout}${dtype ?? ''}`;
    const t0 = performance.now();
    await uploadVectors(subset, {
      table,
      layout,
      dtype,
      endpoint: db.endpoint,
      region: 'us-east-1',
      create: true,
      clientConfig: cred,
      checkpoint: join(tmpdir(), `vb-${table}.json`),
      restart: true,
    });
    let total = 0;
    for (const w of words) total += itemBytes(encodeItem(w, resident.vectorAt(resident.indexOf(w)), layout, dtype));
    avgBytes.set(table, total / words.length);
    itemSizes.push(
      `| ${layout}${dtype ? ` ${dtype}` : ''} | ${(total / words.length).toFixed(0)} | RATIO_${table} | uploaded 2,000 items to dynalite in ${((performance.now() - t0) / 1000).toFixed(1)} s |`,
    );
  }
  const dynamo = (table: string, cacheSize: number): DynamoDbStore =>
    createDynamoDbStore({ table, dim: DIM, endpoint: db.endpoint, region: 'us-east-1', cacheSize, clientConfig: cred, deadlineMs: 5000 });
  const out = new Float32Array(20 * DIM);
  let model: { logits(input: { x: { data: Float32Array; tokens: number } }): Float32Array; backend?: string } | undefined;
  let modelNote = '';
  try {
    const m = loadModel(shippedKim('weights'));
    model = m as unknown as typeof model;
    modelNote = (m as unknown as { backend?: { flavour?: string } }).backend?.flavour ?? '';
  } catch (e) {
    modelNote = `unavailable: ${(e as Error).message}`;
  }
  const x = resident.lookup(sentence).matrix;
  const bigSentence = sentence.map((_, i) => `w${((i * 7919) % 1_000_000).toString(36)}`);

  const tasks: [string, () => unknown][] = [
    [`embedded, paged (default), shipped Kim ${(resident.size / 1000).toFixed(0)}k-word ${resident.dtype} store`, () => pagedDefault.lookup(sentence, out)],
    ['embedded, mode memory, same store', () => resident.lookup(sentence, out)],
    ['embedded, paged, 1M-word store (pages of these words cached)', () => bigStore!.lookup(bigSentence, out)],
  ];
  for (const [layout, dtype] of layouts) {
    const table = `${layout}${dtype ?? ''}`;
    const cold = dynamo(table, 0);
    const warm = dynamo(table, 10_000);
    await warm.embed(sentence);
    tasks.push([`dynamodb ${layout}${dtype ? ` ${dtype}` : ''}, cold cache`, () => cold.embed(sentence, { out })]);
    tasks.push([`dynamodb ${layout}${dtype ? ` ${dtype}` : ''}, warm cache`, () => warm.embed(sentence, { out })]);
  }
  if (model) tasks.push([`Kim CNN forward, 20 tokens (${modelNote})`, () => model!.logits({ x: { data: x, tokens: 20 } })]);

  const p50s = new Map<string, number[]>(tasks.map(([n]) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TASK_MS, warmupTime: quick ? 20 : 50 });
    for (const [name, fn] of tasks) bench.add(name, fn);
    await bench.run();
    for (const t of bench.tasks) {
      const r = t.result as { latency?: { p50: number } };
      if (r.latency) p50s.get(t.name)!.push(r.latency.p50);
    }
  }
  const fwdName = tasks.find(([n]) => n.startsWith('Kim CNN'))?.[0];
  const forward = fwdName ? median(p50s.get(fwdName)!) : undefined;
  console.log('## 20-word sentence lookup\n');
  console.log(`sentence: "${sentence.join(' ')}"\n`);
  console.log(`| contender | p50 (min–max of rounds) | vs Kim forward |\n|---|---|---|`);
  for (const [name] of tasks) {
    const xs = p50s.get(name)!;
    const ratio = forward ? `${(median(xs) / forward).toFixed(3)}x` : '–';
    console.log(`| ${name} | ${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}) | ${ratio} |`);
  }

  console.log(`\n## bytes per stored item (DynamoDB sizing rules; the shipped Kim store's ${words.length.toLocaleString('en')} words x ${DIM}-d)\n`);
  console.log('| layout | bytes / item | vs List | |\n|---|---|---|---|');
  const listBytes = avgBytes.get('list')!;
  for (const line of itemSizes) console.log(line.replace(/RATIO_(\w+)/, (_, t: string) => `${(avgBytes.get(t)! / listBytes).toFixed(2)}x`));

  console.log('\n## store open time (synthetic 300-d f16 stores; in-process figures after warm-up, "fresh process" = cold JIT as at Lambda INIT)\n');
  const def = coldProcess(kimVectors, quick ? 3 : 7);
  console.log(
    `shipped Kim store (${SHIPPED_MODELS.kim.vectors}, ${resident.size.toLocaleString('en')} words, ${def.mode}), fresh process: open ${fmt(def.open)}, first 20-word lookup ${fmt(def.lookup)}\n`,
  );
  console.log(
    '(paged: the 128-byte header and the index page checksums are read at open; 16 KiB pages on first touch, index pages checked against their CRC, kept up to 64 MiB)\n',
  );
  console.log(
    '| words | file | open, paged (default; min–max) | first 20-word lookup after open, then warm | fresh process: open + first lookup | open, mode memory (reads all) | |\n|---|---|---|---|---|---|---|',
  );
  for (const l of opens) console.log(l);

  const embedded = median(p50s.get(tasks[0][0])!);
  const o100 = openTimes.get(100_000)!;
  const o1m = openTimes.get(1_000_000)!;
  console.log('\n## targets\n');
  console.log(
    `- embedded 20-word lookup ${fmt(embedded)}${forward ? ` = ${(embedded / forward).toFixed(3)}x the Kim forward (${fmt(forward)})` : ''}; target <= 0.1x (${forward ? (embedded / forward <= 0.1 ? 'met' : 'MISSED') : 'forward n/a'}; vs 0.3 ms, the fastest forward in DESIGN.md: ${(embedded / 0.3).toFixed(3)}x)`,
  );
  console.log(
    `- open at 100k words ${fmt(o100)}: target <= 10 ms (${o100 <= 10 ? 'met' : 'MISSED'}); at 1M ${fmt(o1m)} = ${(o1m / o100).toFixed(1)}x: target <= 3x (${o1m <= 3 * o100 ? 'met' : 'MISSED'})`,
  );
  const c16 = avgBytes.get('compactf16')! / listBytes;
  console.log(
    `- compact f16 ${c16.toFixed(2)}x the List layout's bytes: target <= 0.4x (${c16 <= 0.4 ? 'met' : 'MISSED'}); compact f32 ${(avgBytes.get('compactf32')! / listBytes).toFixed(2)}x`,
  );
  bigStore?.close();
  await db.close();
  process.exit(0);
}

await main();
if (process.argv.includes('--child-open')) process.exit(0);
