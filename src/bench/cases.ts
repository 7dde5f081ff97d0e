/**
 * The benchmark cases, their FLOP counts and their input floats: one definition
 * for bench/run.mjs (which writes the floats to a file every contender reads) and
 * for the Lambda bench handler (src/lambda/bench.ts), so both time the very same
 * inputs. No Node APIs here.
 */
import type { KimSpec } from '../model/kim/architecture.js';
import { architectureOf, type ModelSpec } from '../model/registry.js';
import type { SmSpec } from '../model/sm/architecture.js';

export interface KimCase {
  readonly name: string;
  readonly model: 'kim';
  readonly batch: number;
  readonly tokens: number;
  /** A batch > 1 case: the figure to read is the time per sentence. */
  readonly throughput: boolean;
}

export interface SmCase {
  readonly name: string;
  readonly model: 'sm';
  readonly batch: number;
  readonly qTokens: number;
  readonly aTokens: number;
  readonly throughput: boolean;
}

export type BenchCase = KimCase | SmCase;

/** Batch sizes of the throughput cases (Kim, 20 tokens per sentence); batch 1 is kim-20 itself. */
export const BATCHES: readonly number[] = [2, 4, 8, 16, 32];

/**
 * The cases of a run. Latency: Kim at 20 and 64 tokens, SM at 20+20, batch 1.
 * Throughput: Kim at 20 tokens, batch 2..32 (the per-sentence time is p50 / batch).
 * @param options quick: kim-20, sm-20+20 and one throughput case (batch 4)
 */
export function defineCases({ quick = false }: { quick?: boolean } = {}): BenchCase[] {
  const cases: BenchCase[] = [
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
 * FLOPs of one call of the case: the batch times the architecture's count for one
 * input (2 per multiply-add of every GEMM; nothing for bias, activation, max or softmax).
 * @param spec the model the case runs on
 * @param c    the case
 */
export function flopsOf(spec: ModelSpec, c: BenchCase): number {
  const architecture = architectureOf(spec);
  const tokens = caseTokens(c);
  if (architecture.slots(spec).length !== tokens.length) throw new Error(`case ${c.name} does not fit a ${architecture.title} model`);
  return c.batch * architecture.flops(spec, tokens);
}

/** Token counts of one input of the case, in the architecture's slot order (Kim: x; SM: q, a). */
export function caseTokens(c: BenchCase): number[] {
  return 'tokens' in c ? [c.tokens] : [c.qTokens, c.aTokens];
}

/** mulberry32: a tiny seeded PRNG, so the inputs are the same in every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The floats of one Kim case: x[b] (channels, tokens, dim). */
export interface KimCaseInputs {
  readonly x: Float32Array[];
}

/** The floats of one SM case: q[b] (qTokens, dim), a[b] (aTokens, dim), ext[b] (extFeatures) when the model has them. */
export interface SmCaseInputs {
  readonly q: Float32Array[];
  readonly a: Float32Array[];
  readonly ext: Float32Array[];
}

/**
 * A case's input floats: word vectors uniform in [-0.25, 0.25) (castorini's range
 * for unknown words), from a generator seeded with 1234 + the case's index in
 * defineCases() — so every run, local or in Lambda, times the same numbers.
 * @param c     the case
 * @param index its position in the defineCases() list it came from
 * @param spec  the model's shape (Kim: channels, dim; SM: dim, extFeatures)
 */
export function caseInputs(c: KimCase, index: number, spec: Pick<KimSpec, 'channels' | 'dim'>): KimCaseInputs;
export function caseInputs(c: SmCase, index: number, spec: Pick<SmSpec, 'dim' | 'extFeatures'>): SmCaseInputs;
export function caseInputs(c: BenchCase, index: number, spec: { channels?: number; dim: number; extFeatures?: number }): KimCaseInputs | SmCaseInputs {
  const random = prng(1234 + index);
  const take = (length: number) => {
    const part = new Float32Array(length);
    for (let i = 0; i < length; i++) part[i] = random() * 0.5 - 0.25;
    return part;
  };
  if (c.model === 'kim') {
    const x: Float32Array[] = [];
    for (let b = 0; b < c.batch; b++) x.push(take((spec.channels ?? 1) * c.tokens * spec.dim));
    return { x };
  }
  const q: Float32Array[] = [],
    a: Float32Array[] = [],
    ext: Float32Array[] = [];
  for (let b = 0; b < c.batch; b++) {
    q.push(take(c.qTokens * spec.dim));
    a.push(take(c.aTokens * spec.dim));
    if ((spec.extFeatures ?? 0) > 0) ext.push(take(spec.extFeatures!));
  }
  return { q, a, ext };
}
