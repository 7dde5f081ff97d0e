/**
 * Kernel micro-benchmark for the wasm backend: the conv bank (+ bias, activation,
 * max over time) and the dense heads of Kim CNN and SM CNN, timed through the
 * Backend interface (so staging and copy-out are included), in GFLOP/s and as a
 * share of the machine's register-only f32x4 multiply-add peak measured in the
 * same run. Both flavours, both conv algorithms (direct, winograd) and the shapes
 * are interleaved in rounds; each figure is the median over rounds of the
 * per-round median call time (min-max shown).
 *
 * FLOPs: 2 * (tokens + k - 1) * (channels * k * dim) * filters per conv — the wide
 * convolution as PyTorch computes it, zero padding rows included. For Winograd the
 * same count over its time is an *effective* rate: it can pass the peak, because
 * F(m, k) does fewer multiplies than the count says.
 *
 *   npm run bench:kernels            (add -- --quick for a short run, --only=NAME for some cases,
 *                                     --tiles=3:6,4:5,5:4 for other Winograd tile sizes m by k)
 */
import * as v8 from 'node:v8';
import * as os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Backend, ConvAlgorithm, ConvShape, PackedConv, Sentence } from '../src/backend/backend.js';
import { createWasmBackend } from '../src/backend/wasm.js';
import { decodeBase64, type WasmFlavour } from '../src/backend/wasm-module.js';
import { PEAK_RELAXED_BASE64, PEAK_SIMD_BASE64 } from '../kernels/wasm/generated/modules.js';
import { probeValues } from '../src/model/probe.js';
import { DEFAULT_TILE, winogradPlanFor } from '../kernels/js/toom-cook.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20; on by default in 22/24

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7); // run the cases whose name contains this
const ROUNDS = quick ? 5 : 15;
const ROUND_MS = quick ? 40 : 600; // per round, shared by all cases and flavours
const tilesArg = process.argv.find((a) => a.startsWith('--tiles='))?.slice(8); // e.g. 3:6,4:5,5:4
const tiles: Record<number, number> = tilesArg ? Object.fromEntries(tilesArg.split(',').map((kv) => kv.split(':').map(Number))) : DEFAULT_TILE;
const winogradPlan = (k: number) => winogradPlanFor(k, tiles);
/** What runs: a kernel flavour with a conv algorithm ('wasm-simd', 'wasm-simd winograd', ...). */
type Variant = `${WasmFlavour}${'' | ' winograd'}`;
const FLAVOURS: Variant[] = ['wasm-simd', 'wasm-relaxed', 'wasm-simd winograd', 'wasm-relaxed winograd'];

/** Best GFLOP/s over the peak loops (8..14 chains) of one flavour; the best of the two flavours is "peak". */
function measurePeak(flavour: WasmFlavour): { gflops: number; chains: number } {
  const module = new WebAssembly.Module(decodeBase64(flavour === 'wasm-relaxed' ? PEAK_RELAXED_BASE64 : PEAK_SIMD_BASE64));
  const exports = new WebAssembly.Instance(module, {}).exports as Record<string, (iters: number) => number>;
  let best = { gflops: 0, chains: 0 };
  for (let chains = 8; chains <= 14; chains++) {
    const run = exports[`peak${chains}`];
    const iters = 200_000;
    run(iters);
    for (let r = 0; r < 9; r++) {
      const t0 = process.hrtime.bigint();
      run(iters);
      const ns = Number(process.hrtime.bigint() - t0);
      const gflops = (iters * 32 * chains) / ns;
      if (gflops > best.gflops) best = { gflops, chains };
    }
  }
  return best;
}

interface Case {
  name: string;
  flops: number;
  run: Record<Variant, () => void>;
}

let seed = 7;
const floats = (n: number, scale: number): Float32Array => {
  const v = probeValues(seed++, n);
  for (let i = 0; i < n; i++) v[i] *= scale;
  return v;
};

function convCase(name: string, backends: Record<Variant, Backend>, shapes: ConvShape[], tokens: number[], act: 'relu' | 'tanh'): Case {
  const { channels, dim } = shapes[0];
  const sentences: Sentence[] = tokens.map((t) => ({ tokens: t, data: floats(channels * t * dim, 1) }));
  const weights = shapes.map((s) => ({ s, w: floats(s.filters * s.channels * s.k * s.dim, 0.05), b: floats(s.filters, 0.05) }));
  const filters = shapes.reduce((a, s) => a + s.filters, 0);
  const features = new Float32Array(tokens.length * filters);
  let flops = 0;
  for (const s of shapes) for (const t of tokens) flops += 2 * (t + s.k - 1) * s.channels * s.k * s.dim * s.filters;
  const run = {} as Record<Variant, () => void>;
  for (const flavour of FLAVOURS) {
    const packed: PackedConv[] = weights.map(({ s, w, b }) => backends[flavour].packConv(w, b, s));
    run[flavour] = () => backends[flavour].convMaxPool(features, filters, 0, packed, sentences, act);
  }
  return { name, flops, run };
}

function denseCase(name: string, backends: Record<Variant, Backend>, outF: number, inF: number, batch: number): Case {
  const w = floats(outF * inF, 0.05);
  const b = floats(outF, 0.05);
  const x = floats(batch * inF, 1);
  const out = new Float32Array(batch * outF);
  const run = {} as Record<Variant, () => void>;
  for (const flavour of FLAVOURS) {
    const packed = backends[flavour].packDense(w, b, outF, inF);
    run[flavour] = () => backends[flavour].dense(out, packed, x, batch, 'tanh');
  }
  return { name, flops: 2 * outF * inF * batch, run };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const backend = (flavour: WasmFlavour, conv: ConvAlgorithm) => createWasmBackend({ flavour, conv, winogradPlan });
  const backends: Record<Variant, Backend> = {
    'wasm-simd': backend('wasm-simd', 'direct'),
    'wasm-relaxed': backend('wasm-relaxed', 'direct'),
    'wasm-simd winograd': backend('wasm-simd', 'winograd'),
    'wasm-relaxed winograd': backend('wasm-relaxed', 'winograd'),
  };
  const kim = (channels: number): ConvShape[] => [3, 4, 5].map((k) => ({ filters: 100, channels, k, dim: 300 }));
  const sm: ConvShape[] = [{ filters: 100, channels: 1, k: 5, dim: 50 }];
  const cases: Case[] = [
    convCase('Kim conv bank, 20 tokens', backends, kim(1), [20], 'relu'),
    convCase('Kim conv bank, 64 tokens', backends, kim(1), [64], 'relu'),
    convCase('Kim multichannel bank, 20 tokens', backends, kim(2), [20], 'relu'),
    convCase('Kim conv bank, batch 32 x 20 tokens', backends, kim(1), Array(32).fill(20), 'relu'),
    convCase('SM conv tower, 20 tokens', backends, sm, [20], 'tanh'),
    convCase('SM conv tower, 64 tokens', backends, sm, [64], 'tanh'),
    denseCase('SM combined_feature_vector 204 -> 200, tanh', backends, 200, 204, 1),
    convCase('Kim conv bank, 1000 tokens (in L2-sized blocks)', backends, kim(1), [1000], 'relu'),
  ];

  if (only) cases.splice(0, cases.length, ...cases.filter((c) => c.name.includes(only)));
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  console.log(`machine: ${os.arch()}, ${cpu}, ${os.cpus().length} cores, node ${process.versions.node}, v8 ${process.versions.v8}`);
  const peaks = { 'wasm-simd': measurePeak('wasm-simd'), 'wasm-relaxed': measurePeak('wasm-relaxed') };
  const peak = Math.max(peaks['wasm-simd'].gflops, peaks['wasm-relaxed'].gflops);
  console.log(
    `register-only f32x4 madd peak: simd128 ${peaks['wasm-simd'].gflops.toFixed(1)} GFLOP/s (${peaks['wasm-simd'].chains} chains), ` +
      `relaxed ${peaks['wasm-relaxed'].gflops.toFixed(1)} (${peaks['wasm-relaxed'].chains} chains); peak = ${peak.toFixed(1)}`,
  );

  // per case and flavour: one median call time (us) per round
  const samples = new Map<string, number[]>();
  for (const c of cases) for (const f of FLAVOURS) for (let i = 0; i < 20; i++) c.run[f](); // warm-up: tier up to TurboFan
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      for (const f of round % 2 ? [...FLAVOURS].reverse() : FLAVOURS) {
        // alternate which flavour goes first
        const times: number[] = [];
        const end = performance.now() + ROUND_MS / cases.length;
        do {
          const t0 = process.hrtime.bigint();
          c.run[f]();
          times.push(Number(process.hrtime.bigint() - t0) / 1000);
        } while (performance.now() < end || times.length < 5);
        const key = `${c.name}|${f}`;
        samples.set(key, [...(samples.get(key) ?? []), median(times)]);
      }
    }
  }

  console.log(
    `winograd: F(m, k) for k:m = ${Object.entries(tiles)
      .map(([k, m]) => `${k}:${m}`)
      .join(', ')}`,
  );
  console.log(
    '\n| kernel | MFLOP | flavour | p50 us (min-max of rounds) | GFLOP/s (effective for winograd) | % of peak | time / direct, per round (min-max) |',
  );
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const c of cases) {
    for (const f of FLAVOURS) {
      const xs = samples.get(`${c.name}|${f}`)!;
      const p50 = median(xs);
      const gflops = c.flops / (p50 * 1000);
      // Winograd's time over the same flavour's direct time, taken within each round (same load)
      const direct = f.endsWith(' winograd') ? samples.get(`${c.name}|${f.slice(0, -' winograd'.length)}`)! : undefined;
      const ratios = direct ? xs.map((x, r) => x / direct[r]) : [];
      const ratio = direct ? `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})` : '';
      console.log(
        `| ${c.name} | ${(c.flops / 1e6).toFixed(2)} | ${f} | ${p50.toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}) | ` +
          `${gflops.toFixed(1)} | ${((100 * gflops) / peak).toFixed(0)}% | ${ratio} |`,
      );
    }
  }
}

main();
