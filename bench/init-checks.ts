/**
 * What the integrity checks cost where they run: in a fresh process (cold code, as at Lambda
 * INIT and on a function's first request), each measured apart, next to what it guards:
 *   - the non-finite weight pass over each default weight file, next to that file's loadModel
 *   - the index check of each default vector store at open (the Lambda's mode: index read whole,
 *     every index page's CRC-32), next to that open
 *   - the first lookup of a 20-word sentence (20 vector rows checked by their CRC on first use),
 *     next to the second lookup of the same sentence (no checks left)
 * Each figure is the median over ROUNDS fresh processes, with the min-max.
 *
 *   npm run bench:init-checks
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/model/model.js';
import { assertFiniteWeights } from '../src/model/finite.js';
import { readSafetensors } from '../src/safetensors/read.js';
import { openEmbeddedStore } from '../src/vectors/embedded.js';
import { decodeHeader, HEADER_BYTES } from '../src/vectors/format.js';
import { checkIndexRegion } from '../src/vectors/integrity.js';

const ROUNDS = process.argv.includes('--quick') ? 5 : 15;
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/build\/$/, '');
const weights = (f: string) => join(root, 'weights', f);
const SENTENCE = 'this movie is not good , but the actors make it a funny and moving story for all of us'.split(' ');

type Figures = Record<string, number>;

/** One fresh process's measurements (child mode). */
function child(what: string): Figures {
  const t = (fn: () => void) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  const out: Figures = {};
  if (what === 'weights') {
    for (const [name, file] of [['kim', 'kim-static-sst1.safetensors'], ['sm', 'sm-trecqa.safetensors']]) {
      const parsed = readSafetensors(readFileSync(weights(file)), file);
      out[`${name} finite pass`] = t(() => assertFiniteWeights(parsed));
      out[`${name} loadModel`] = t(() => loadModel(weights(file)));
    }
  } else {
    const file = weights(what === 'kim-vectors' ? 'vectors-300d.tcv' : 'vectors-50d.tcv');
    const bytes = readFileSync(file);
    const h = decodeHeader(bytes.subarray(0, HEADER_BYTES), bytes.length, file);
    const region = new Uint8Array(bytes.subarray(h.tableOffset, h.fileBytes));
    out['index check'] = t(() => checkIndexRegion(region, h, file)); // cold: the first CRC-32 of the process
    let store: ReturnType<typeof openEmbeddedStore> | undefined;
    out['open (resident index)'] = t(() => (store = openEmbeddedStore(file, { residentIndexBytes: 1 << 20 })));
    out['first 20-word lookup'] = t(() => store!.lookup(SENTENCE));
    out['second 20-word lookup'] = t(() => store!.lookup(SENTENCE));
  }
  return out;
}

function main(): void {
  const at = process.argv.indexOf('--child');
  if (at > 0) {
    process.stdout.write(JSON.stringify(child(process.argv[at + 1])));
    return;
  }
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  console.log(`# integrity checks at INIT and on the first request\n\nmachine: ${arch()}, ${cpu}, ${cpus().length} cores, node ${process.versions.node}; ${ROUNDS} fresh processes each; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
  console.log('| what | median ms | min–max ms |\n|---|---|---|');
  for (const what of ['weights', 'kim-vectors', 'sm-vectors']) {
    const runs: Figures[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', what], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
      runs.push(JSON.parse(run.stdout) as Figures);
    }
    for (const key of Object.keys(runs[0])) {
      const xs = runs.map((r) => r[key]).sort((a, b) => a - b);
      console.log(`| ${what} ${key} | ${xs[Math.floor(xs.length / 2)].toFixed(2)} | ${xs[0].toFixed(2)}–${xs[xs.length - 1].toFixed(2)} |`);
    }
  }
}

main();
