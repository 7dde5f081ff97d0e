/**
 * The requests both runtimes answer in the cross-runtime tests (workerd here, the browser in
 * test/web): sentences and question/answer pairs from bench/data (written for this project),
 * a batch of each, and the refusals a client can provoke. Answers are compared without their
 * timing fields, which differ run to run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

/** One HTTP request. */
export interface Case {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
}

/** Every `every`-th non-comment line of a bench/data file. */
function lines(file: string, every: number): string[] {
  return readFileSync(join(repoRoot, 'bench', 'data', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .filter((_, i) => i % every === 0);
}

/** Kim sentences (every `every`-th line of bench/data/kim-sentences.txt). */
export function kimSentences(every = 4): string[] {
  return lines('kim-sentences.txt', every);
}

/** SM question/answer pairs (every `every`-th line of bench/data/sm-pairs.tsv). */
export function smPairs(every = 4): [string, string][] {
  return lines('sm-pairs.tsv', every).map((l) => l.split('\t') as [string, string]);
}

/** The requests: one per sentence and pair, a batch of each, typed text, and the refusals. */
export function cases(every = 4): Case[] {
  const post = (path: string, body: unknown): Case => ({ method: 'POST', path, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const sentences = kimSentences(every);
  const pairs = smPairs(every);
  return [
    ...sentences.map((input) => post('/kim', { input })),
    ...pairs.map(([sent1, sent2]) => post('/sm', { sent1, sent2 })),
    post('/kim', { inputs: sentences.slice(0, 8) }),
    post('/sm', { pairs: pairs.slice(0, 8).map(([sent1, sent2]) => ({ sent1, sent2 })) }),
    post('/kim', { input: "It's a GRIPPING, beautifully-acted film!! (zxqvw)" }), // typed text, an unknown word
    post('/', { input: 'so good' }),
    post('/', { sent1: 'who wrote hamlet ?', sent2: 'shakespeare wrote hamlet .' }),
    post('/kim', { input: '   ' }),
    post('/kim', {}),
    post('/kim', '{"input": '),
    post('/sm', { sent1: 'only a question' }),
    post('/nope', { input: 'x' }),
    { method: 'GET', path: '/kim' },
    { method: 'GET', path: '/health' },
  ];
}

/**
 * The answer's JSON without the fields that measure time (or say which request came first),
 * its probabilities apart. Logits are float32 results of the kernels and must match bit for
 * bit; probabilities are float64 softmax through the runtime's own Math.exp, whose last bit
 * differs between V8 releases (workerd's and Chromium's V8 against Node 20's): compare them
 * with closeProbabilities().
 */
export function comparable(body: string): { answer: unknown; probabilities: number[] } {
  const json = JSON.parse(body) as Record<string, unknown>;
  const probabilities: number[] = [];
  const strip = (o: Record<string, unknown>) => {
    for (const key of ['t_overall', 't_sent_embedding', 't_load_model', 't_inference', 'cold_start']) delete o[key];
    if (Array.isArray(o.probabilities)) probabilities.push(...(o.probabilities as number[]));
    delete o.probabilities;
    return o;
  };
  if (Array.isArray(json.results)) json.results = (json.results as Record<string, unknown>[]).map(strip);
  return { answer: strip(json), probabilities };
}

/** Largest |a - b| / max(|a|, |b|) over two lists of probabilities of the same length (Infinity if the lengths differ). */
export function probabilityGap(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((worst, x, i) => Math.max(worst, x === b[i] ? 0 : Math.abs(x - b[i]) / Math.max(Math.abs(x), Math.abs(b[i]))), 0);
}

/** The logits in an answer (Kim `output`, SM `score`), single or batch. */
export function logitsOf(json: unknown): number[] {
  const o = json as { output?: number[]; score?: number[][]; results?: unknown[] };
  if (Array.isArray(o.results)) return o.results.flatMap(logitsOf);
  return o.output ?? o.score?.flat() ?? [];
}
