/**
 * How large a Winograd tile each filter height can take: for every F(m, k) with k = 3, 4, 5
 * (Kim's and SM's heights) and alpha = m + k - 1 <= 8, the worst error against PyTorch over
 * every golden fixture (test/golden/, PyTorch's logits) on every backend, with that one
 * filter height on F(m, k) and the others direct, so each error belongs to one tile size;
 * then the chosen combination (DEFAULT_TILE), other interpolation points at alpha = 8, and
 * direct. Next to it, the time of one 100-filter conv (300-d, as Kim's, through the wasm-relaxed
 * backend) at 20 and 64 tokens, all sizes interleaved in rounds: the best round's median,
 * and how much of direct's time it takes.
 *
 * Then the error distribution on many random inputs, against float64 (the js backend, direct):
 * Kim (the reference weights, and the 2-channel test model) and SM, at the word vectors' scale
 * and at scale 4096, where a logit can be a ~100-fold cancellation of features in the
 * thousands — direct convolution and Winograd (DEFAULT_TILE) on each backend.
 *
 * The golden contract is |ours - PyTorch| <= 1e-4 (1 + |PyTorch|); a tile size that breaks it
 * on any fixture is not used.
 *
 *   npm run bench:winograd            (add -- --quick for fewer timing rounds)
 */
import * as v8 from 'node:v8';
import * as os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TILE, MAX_ALPHA, toomCook, type WinogradPlan } from '../kernels/js/toom-cook.js';
import type { Backend, ConvAlgorithm } from '../src/backend/backend.js';
import { createJsBackend } from '../src/backend/js.js';
import { createWasmBackend } from '../src/backend/wasm.js';
import { TOLERANCE } from '../src/model/certificate.js';
import { loadModel } from '../src/node/files.js';
import { probeValues } from '../src/model/probe.js';
import { SHIPPED_MODELS } from '../src/pipeline/defaults.js';
import { inputFromRecipes, type ExtRecipe, type Recipe } from '../test/helpers/recipe.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20; on by default in 22/24

const quick = process.argv.includes('--quick');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..'); // built to build/bench/
const KS = [3, 4, 5];
const FLAVOURS = ['js', 'wasm-simd', 'wasm-relaxed'] as const;

interface Fixture {
  name: string;
  model: string;
  batch: boolean;
  cases: Array<{ input: Record<string, Recipe | ExtRecipe>; logits: number[] }>;
}

/** A configuration: which F(m, k) runs each filter height (undefined: direct). */
interface Config {
  name: string;
  conv: ConvAlgorithm;
  plan: (k: number) => WinogradPlan | undefined;
  k?: number; // the one filter height it changes, for the timing column
  m?: number;
  points?: number[];
}

function backendFor(flavour: (typeof FLAVOURS)[number], config: Config): Backend {
  const options = { conv: config.conv, winogradPlan: config.plan };
  return flavour === 'js' ? createJsBackend(options) : createWasmBackend({ flavour, ...options });
}

/** Worst |ours - PyTorch| / (1 + |PyTorch|) over the fixtures, hostile (scale up to 4096) and the rest apart. */
function goldenErrors(backend: Backend, fixtures: Fixture[]): { hostile: number; ordinary: number } {
  const worst = { hostile: 0, ordinary: 0 };
  for (const fixture of fixtures) {
    const model = loadModel(join(root, fixture.model), { backend, verify: false });
    const inputs = fixture.cases.map((c) => inputFromRecipes(c.input).input);
    const logits = fixture.batch ? model.logitsBatch(inputs) : inputs.map((input) => model.logits(input));
    const key = fixture.name.includes('hostile') ? 'hostile' : 'ordinary';
    fixture.cases.forEach((c, i) =>
      c.logits.forEach((ref, j) => {
        const error = Math.abs(logits[i][j] - ref) / (1 + Math.abs(ref));
        worst[key] = Math.max(worst[key], Number.isNaN(error) ? Infinity : error);
      }),
    );
  }
  return worst;
}

/** Median call time (us) of one Kim-sized conv per round, over interleaved rounds; the best round's median per config. */
function timeConvs(configs: Config[], tokens: number, rounds: number): Map<Config, number> {
  const timed = configs.filter((c) => c.k !== undefined);
  const runs = timed.map((config) => {
    const backend = createWasmBackend({ flavour: 'wasm-relaxed', conv: config.conv, winogradPlan: config.plan });
    const shape = { filters: 100, channels: 1, k: config.k!, dim: 300 };
    const packed = backend.packConv(scaled(probeValues(11, 100 * shape.k * 300), 0.05), scaled(probeValues(12, 100), 0.05), shape);
    const sentences = [{ tokens, data: probeValues(13, tokens * 300) }];
    const features = new Float32Array(100);
    return () => backend.convMaxPool(features, 100, 0, [packed], sentences, 'relu');
  });
  for (const run of runs) for (let i = 0; i < 30; i++) run(); // warm-up: tier up to TurboFan
  const best = timed.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    runs.forEach((run, i) => {
      const times: number[] = [];
      const end = performance.now() + 40;
      do {
        const t0 = process.hrtime.bigint();
        run();
        times.push(Number(process.hrtime.bigint() - t0) / 1000);
      } while (performance.now() < end || times.length < 5);
      times.sort((a, b) => a - b);
      best[i] = Math.min(best[i], times[times.length >> 1]);
    });
  }
  return new Map(timed.map((config, i) => [config, best[i]]));
}

const scaled = (v: Float32Array, s: number): Float32Array => v.map((x) => x * s);

function main(): void {
  const fixtures = readdirSync(join(root, 'test', 'golden'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(root, 'test', 'golden', f), 'utf8')) as Fixture);
  const configs: Config[] = [];
  for (const k of KS) {
    configs.push({ name: `k ${k}: direct`, conv: 'direct', plan: () => undefined, k });
    for (let m = 2; m + k - 1 <= MAX_ALPHA; m++) {
      configs.push({ name: `k ${k}: F(${m}, ${k})`, conv: 'winograd', plan: (kk) => (kk === k ? toomCook(m, k) : undefined), k, m });
    }
    // other points at alpha = 8: ±1/4 in place of ±2 (smaller magnitudes), ±3/2 in place of ±2
    const m = MAX_ALPHA - k + 1;
    for (const points of [
      [0, 1, -1, 0.5, -0.5, 0.25, -0.25],
      [0, 1, -1, 0.5, -0.5, 1.5, -1.5],
    ]) {
      configs.push({
        name: `k ${k}: F(${m}, ${k}), points 0, ±1, ±1/2, ±${points[5] === 0.25 ? '1/4' : '3/2'}`,
        conv: 'winograd',
        plan: (kk) => (kk === k ? toomCook(m, k, points) : undefined),
        points,
      });
    }
  }
  const chosen = Object.entries(DEFAULT_TILE)
    .map(([k, m]) => `F(${m}, ${k})`)
    .join(', ');
  configs.push({ name: `DEFAULT_TILE: ${chosen}`, conv: 'winograd', plan: (k) => (DEFAULT_TILE[k] ? toomCook(DEFAULT_TILE[k], k) : undefined) });
  configs.push({ name: 'direct (every k)', conv: 'direct', plan: () => undefined });

  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  console.log(`machine: ${os.arch()}, ${cpu}, ${os.cpus().length} cores, node ${process.versions.node}, load average ${os.loadavg()[0].toFixed(1)}`);
  console.log(`${fixtures.length} golden fixtures, ${fixtures.reduce((n, f) => n + f.cases.length, 0)} cases; contract: error <= ${TOLERANCE} (1 + |PyTorch|)`);
  const rounds = quick ? 3 : 9;
  const t20 = timeConvs(configs, 20, rounds);
  const t64 = timeConvs(configs, 64, rounds);
  const direct = (k: number | undefined, times: Map<Config, number>) => times.get(configs.find((c) => c.k === k && c.conv === 'direct')!)!;

  console.log(
    '\nworst |ours - PyTorch| / (1 + |PyTorch|), hostile fixtures (scale up to 4096) / the others; time of one k-conv (100 filters, 300-d), wasm-relaxed',
  );
  console.log(
    `\n| configuration | ${FLAVOURS.map((f) => `${f} hostile / other`).join(' | ')} | within contract | 20 tokens us (x direct) | 64 tokens us (x direct) |`,
  );
  console.log(`|---|${FLAVOURS.map(() => '---').join('|')}|---|---:|---:|`);
  for (const config of configs) {
    const errors = FLAVOURS.map((flavour) => goldenErrors(backendFor(flavour, config), fixtures));
    const ok = errors.every((e) => e.hostile <= TOLERANCE && e.ordinary <= TOLERANCE);
    const time = (times: Map<Config, number>) => {
      const t = times.get(config);
      return t === undefined ? '' : `${t.toFixed(0)} (${(t / direct(config.k, times)).toFixed(2)})`;
    };
    console.log(
      `| ${config.name} | ${errors.map((e) => `${e.hostile.toExponential(1)} / ${e.ordinary.toExponential(1)}`).join(' | ')} | ${ok ? 'yes' : '**no**'} | ${time(t20)} | ${time(t64)} |`,
    );
  }
  randomErrors(quick ? 40 : 200);
}

/**
 * |ours - float64| / (1 + |float64|) over the logits of `count` random inputs per model and scale
 * (20 tokens, values uniform in [-scale, scale)), for direct and Winograd on every backend.
 */
function randomErrors(count: number): void {
  const models = [
    { name: 'Kim, reference weights', file: 'test/golden/kim-static.safetensors' },
    { name: 'Kim, 2 channels (test model)', file: 'test/golden/kim-multichannel.safetensors' },
    { name: 'SM, reference weights', file: 'test/golden/sm.safetensors' },
    { name: 'Kim, shipped (SST-2)', file: SHIPPED_MODELS.kim.weights },
    { name: 'SM, shipped (TrecQA, 4 ext features)', file: SHIPPED_MODELS.sm.weights },
  ];
  const variants = FLAVOURS.flatMap((flavour) =>
    (['direct', 'winograd'] as const).map((conv) => ({
      name: `${flavour} ${conv}`,
      backend: flavour === 'js' ? createJsBackend({ conv }) : createWasmBackend({ flavour, conv }),
    })),
  ).filter((v) => v.name !== 'js direct'); // the reference itself
  console.log(
    `\nerror against float64 (js direct) on ${count} random inputs of 20 tokens per row: median / 99th percentile / max, and how many pass ${TOLERANCE} (1 + |ref|)`,
  );
  console.log(`\n| model, scale | ${variants.map((v) => v.name).join(' | ')} |`);
  console.log(`|---|${variants.map(() => '---').join('|')}|`);
  for (const { name, file } of models) {
    const reference = loadModel(join(root, file), { backend: createJsBackend({ conv: 'direct' }), verify: false });
    const runs = variants.map((v) => loadModel(join(root, file), { backend: v.backend, verify: false }));
    for (const scale of [0.25, 4096]) {
      const errors = variants.map(() => [] as number[]);
      for (let i = 0; i < count; i++) {
        const sentence = (seed: number, rows: number, channels: number) => {
          const data = probeValues(seed, channels * rows * reference.spec.dim);
          for (let j = 0; j < data.length; j++) data[j] *= scale;
          return { data, tokens: rows };
        };
        const spec = reference.spec;
        const input =
          spec.kind === 'kim'
            ? { x: sentence(50_000 + 7 * i, 20, spec.channels) }
            : {
                q: sentence(60_000 + 7 * i, 20, 1),
                a: sentence(60_001 + 7 * i, 20, 1),
                ...(spec.extFeatures ? { ext: probeValues(60_002 + 7 * i, spec.extFeatures) } : {}),
              };
        const want = reference.logits(input);
        runs.forEach((model, v) => {
          const got = model.logits(input);
          let worst = 0;
          for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]) / (1 + Math.abs(want[j])));
          errors[v].push(worst);
        });
      }
      const cells = errors.map((e) => {
        e.sort((a, b) => a - b);
        const pass = e.filter((x) => x <= TOLERANCE).length;
        return `${e[e.length >> 1].toExponential(1)} / ${e[Math.floor(0.99 * (e.length - 1))].toExponential(1)} / ${e[e.length - 1].toExponential(1)} (${pass}/${e.length})`;
      });
      console.log(`| ${name}, ${scale} | ${cells.join(' | ')} |`);
    }
  }
}

main();
