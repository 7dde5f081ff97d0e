/**
 * The benchmark cases, their FLOP counts, and their inputs.
 *
 * Every contender (each in its own process, PyTorch included) reads the very same
 * input floats from one binary file written here, so parity can be checked and
 * nobody's random-number generator matters:
 *   inputs.f32      all cases' floats, little-endian f32, back to back
 *   inputs.json     the manifest: per case its shape and the float offset of each part
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {{ name: string, model: 'kim', batch: number, tokens: number, throughput: boolean }} KimCase
 * @typedef {{ name: string, model: 'sm', batch: number, qTokens: number, aTokens: number, throughput: boolean }} SmCase
 * @typedef {KimCase | SmCase} Case
 */

/** Batch sizes of the throughput cases (Kim, 20 tokens per sentence); batch 1 is kim-20 itself. */
export const BATCHES = [2, 4, 8, 16, 32];

/**
 * The cases of a run. Latency: Kim at 20 and 64 tokens, SM at 20+20, batch 1.
 * Throughput: Kim at 20 tokens, batch 2..32 (the per-sentence time is p50 / batch).
 * @param {{ quick?: boolean }} options --quick keeps one throughput case
 * @returns {Case[]}
 */
export function defineCases({ quick = false } = {}) {
  /** @type {Case[]} */
  const cases = [
    { name: 'kim-20', model: 'kim', batch: 1, tokens: 20, throughput: false },
    { name: 'kim-64', model: 'kim', batch: 1, tokens: 64, throughput: false },
    { name: 'sm-20+20', model: 'sm', batch: 1, qTokens: 20, aTokens: 20, throughput: false },
  ];
  for (const batch of quick ? [4] : BATCHES) {
    cases.push({ name: `kim-20-b${batch}`, model: 'kim', batch, tokens: 20, throughput: true });
  }
  return quick ? cases.filter((c) => c.name !== 'kim-64') : cases;
}

/**
 * FLOPs of one forward pass, counting 2·M·N·K per GEMM (multiply-adds x 2) and
 * nothing for bias, activation, max or softmax. The wide conv with kernel height k
 * over n tokens is a GEMM of [n+k-1, k·dim·channels] x [k·dim·channels, filters].
 * @param {import('../build/src/index.js').ModelSpec} spec
 * @param {Case} c
 */
export function flopsOf(spec, c) {
  const conv = (n, k, width) => 2 * (n + k - 1) * (k * width) * spec.filters;
  if (c.model === 'kim' && spec.kind === 'kim') {
    let perSentence = 2 * 3 * spec.filters * spec.classes; // fc1: [1, 3·filters] x [3·filters, classes]
    for (const k of spec.kernelSizes) perSentence += conv(c.tokens, k, spec.dim * spec.channels);
    return c.batch * perSentence;
  }
  if (c.model === 'sm' && spec.kind === 'sm') {
    const head = 2 * spec.hidden * spec.hidden + 2 * spec.hidden * spec.classes;
    return c.batch * (conv(c.qTokens, spec.k, spec.dim) + conv(c.aTokens, spec.k, spec.dim) + head);
  }
  throw new Error(`case ${c.name} does not fit a ${spec.kind} model`);
}

/** mulberry32: a tiny seeded PRNG, so the inputs are the same in every run. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes every case's inputs: word vectors uniform in [-0.25, 0.25) (castorini's
 * range for unknown words), seeded per case. Returns the manifest's path.
 * @param {Case[]} cases
 * @param {{ kim: import('../build/src/index.js').KimSpec, sm: import('../build/src/index.js').SmSpec }} specs
 */
export function writeInputs(cases, specs) {
  const dir = mkdtempSync(join(tmpdir(), 'tinycnn-bench-'));
  const chunks = [];
  let offset = 0;
  const take = (random, length) => {
    const part = new Float32Array(length);
    for (let i = 0; i < length; i++) part[i] = random() * 0.5 - 0.25;
    chunks.push(part);
    offset += length;
    return offset - length;
  };
  const entries = cases.map((c, index) => {
    const random = prng(1234 + index);
    if (c.model === 'kim') {
      const { channels, dim } = specs.kim;
      const x = [];
      for (let b = 0; b < c.batch; b++) x.push(take(random, channels * c.tokens * dim));
      return { ...c, channels, dim, x };
    }
    const { dim, extFeatures } = specs.sm;
    const q = [], a = [], ext = [];
    for (let b = 0; b < c.batch; b++) {
      q.push(take(random, c.qTokens * dim));
      a.push(take(random, c.aTokens * dim));
      if (extFeatures > 0) ext.push(take(random, extFeatures));
    }
    return { ...c, dim, extFeatures, q, a, ext };
  });
  const all = new Float32Array(offset);
  let at = 0;
  for (const part of chunks) {
    all.set(part, at);
    at += part.length;
  }
  writeFileSync(join(dir, 'inputs.f32'), new Uint8Array(all.buffer));
  const manifest = join(dir, 'inputs.json');
  writeFileSync(manifest, JSON.stringify({ data: join(dir, 'inputs.f32'), cases: entries }, null, 1));
  return manifest;
}

/**
 * Reads the manifest and gives each case its inputs as Float32Array views:
 *   kim: x[b]  (channels, tokens, dim)
 *   sm:  q[b]  (qTokens, dim),  a[b]  (aTokens, dim),  ext[b]  (extFeatures) when the model has them
 * @param {string} manifestPath
 * @returns {Map<string, any>} case name -> case with `x` or `q`/`a`/`ext` as Float32Arrays
 */
export function readInputs(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bytes = readFileSync(manifest.data);
  // A fresh copy: Node may hand back a Buffer at an offset that is not 4-aligned.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const cases = new Map();
  for (const c of manifest.cases) {
    if (c.model === 'kim') {
      const size = c.channels * c.tokens * c.dim;
      cases.set(c.name, { ...c, x: c.x.map((o) => all.subarray(o, o + size)) });
    } else {
      cases.set(c.name, {
        ...c,
        q: c.q.map((o) => all.subarray(o, o + c.qTokens * c.dim)),
        a: c.a.map((o) => all.subarray(o, o + c.aTokens * c.dim)),
        ext: c.ext.map((o) => all.subarray(o, o + c.extFeatures)),
      });
    }
  }
  return cases;
}
