/**
 * What the integrity checks cost where they run: in a fresh process (cold code), in the order
 * Lambda INIT runs them, each check timed apart from what it guards:
 *   - the non-finite weight pass over each default weight file (cold), then that file's loadModel
 *     (which compiles the wasm kernels, as INIT does first)
 *   - the index check of each default vector store (the Lambda opens them with the index read
 *     whole: every index page's CRC-32), then the open itself
 *   - the row checks of a first 20-word request (20 CRC-32s of 300-d rows: 600 bytes in f16), then the
 *     first and second lookup of a 20-word sentence
 * Each figure is the median over ROUNDS fresh processes, with the min-max.
 *
 *   npm run bench:init-checks            (-- --quick: 5 processes)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/node/files.js';
import { assertFiniteWeights } from '../src/model/finite.js';
import { readSafetensors } from '../src/safetensors/read.js';
import { openEmbeddedStore } from '../src/node/files.js';
import { decodeHeader, dtypeBytes, HEADER_BYTES } from '../src/vectors/format.js';
import { crc32 } from '../src/vectors/checksum.js';
import { checkIndexRegion } from '../src/vectors/integrity.js';
import { SHIPPED_MODELS } from '../src/pipeline/defaults.js';

const ROUNDS = process.argv.includes('--quick') ? 5 : 15;
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/build\/$/, '');
/** A shipped model's file (src/pipeline/defaults.ts), e.g. shipped('kim', 'vectors'). */
const shipped = (model: 'kim' | 'sm', file: 'weights' | 'vectors') => join(root, SHIPPED_MODELS[model][file]);
const SENTENCE = 'this movie is not good , but the actors make it a funny and moving story for all of us'.split(' ');

type Figures = Record<string, number>;

/** One fresh process's measurements (child mode), in INIT's order. */
function child(): Figures {
  const out: Figures = {};
  const t = (key: string, fn: () => void) => {
    const t0 = performance.now();
    fn();
    out[key] = performance.now() - t0;
  };
  for (const name of ['kim', 'sm'] as const) {
    const file = shipped(name, 'weights');
    const parsed = readSafetensors(readFileSync(file), file);
    t(`${name} weights: non-finite pass (cold)`, () => assertFiniteWeights(parsed));
    t(`${name} weights: loadModel (pass included, warm)`, () => loadModel(file));
  }
  const stores: [string, string][] = [
    ['kim', shipped('kim', 'vectors')],
    ['sm', shipped('sm', 'vectors')],
  ];
  for (const [name, file] of stores) {
    const bytes = readFileSync(file);
    const h = decodeHeader(bytes.subarray(0, HEADER_BYTES), bytes.length, file);
    const region = new Uint8Array(bytes.subarray(h.tableOffset, h.fileBytes));
    t(`${name} vectors: index check (${(region.length / 1024).toFixed(0)} KB)`, () => checkIndexRegion(region, h, file));
  }
  for (const [name, file] of stores)
    t(`${name} vectors: open, resident index (check included)`, () => openEmbeddedStore(file, { residentIndexBytes: 1 << 20 }).close());
  const kim = readFileSync(shipped('kim', 'vectors'));
  const h = decodeHeader(kim.subarray(0, HEADER_BYTES), kim.length, 'kim');
  const rowBytes = h.dim * dtypeBytes(h.dtype);
  t('kim vectors: 20 row checks of a first request', () => {
    for (let i = 0; i < 20; i++)
      crc32(kim.subarray(h.vectorsOffset + ((i * 487) % h.count) * rowBytes, h.vectorsOffset + (((i * 487) % h.count) + 1) * rowBytes));
  });
  const store = openEmbeddedStore(shipped('kim', 'vectors'), { residentIndexBytes: 1 << 20 });
  t('kim vectors: first 20-word lookup (row checks included)', () => store.lookup(SENTENCE));
  t('kim vectors: second 20-word lookup', () => store.lookup(SENTENCE));
  return out;
}

function main(): void {
  if (process.argv.includes('--child')) {
    process.stdout.write(JSON.stringify(child()));
    return;
  }
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  console.log(
    `# integrity checks at INIT and on the first request\n\nmachine: ${arch()}, ${cpu}, ${cpus().length} cores, node ${process.versions.node}; ${ROUNDS} fresh processes each; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`,
  );
  console.log('| what | median ms | min–max ms |\n|---|---|---|');
  const runs: Figures[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    runs.push(JSON.parse(run.stdout) as Figures);
  }
  for (const key of Object.keys(runs[0])) {
    const xs = runs.map((r) => r[key]).sort((a, b) => a - b);
    console.log(`| ${key} | ${xs[Math.floor(xs.length / 2)].toFixed(2)} | ${xs[0].toFixed(2)}–${xs[xs.length - 1].toFixed(2)} |`);
  }
}

main();
