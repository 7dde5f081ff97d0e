// createThreadPool (src/node/thread-pool.ts), as users import it: from the build (`npm test` builds
// first; the worker threads run build/src/node/thread-pool-worker.js). A batch split across threads
// must answer exactly what one pipeline on the main thread answers, in input order, for both tasks;
// a thread's load error and a call after close() are typed errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

type Built = typeof import('../../src/node/index.js');
let tinycnn: Built;

const lines = (file: string) =>
  readFileSync(join(repoRoot, 'bench', 'data', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));

beforeAll(async () => {
  tinycnn = (await import(join(repoRoot, 'build', 'src', 'node', 'index.js'))) as Built;
});

describe('createThreadPool', () => {
  // 601 texts over 3 threads: slices of 201, 201 and 199; more than a thread's 256-item forward call in total
  const texts = Array.from({ length: 601 }, (_, i) => `${lines('kim-sentences.txt')[i % 40]} ${i % 7 === 0 ? 'zzunknownword' : ''}`.trim());
  const pairs = lines('sm-pairs.tsv').map((l) => ({ question: l.split('\t')[0], answer: l.split('\t')[1] }));
  let pools: Awaited<ReturnType<Built['createThreadPool']>>[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('Kim: a batch over 3 threads answers what one main-thread pipeline answers, in order, logits bit for bit', async () => {
    const pool = await tinycnn.createThreadPool('sentiment-analysis', { threads: 3 });
    pools.push(pool);
    expect(pool.threads).toBe(3);
    const got = await pool.classify(texts);
    const want = tinycnn.pipeline('sentiment-analysis').classify(texts);
    expect(got.length).toBe(texts.length);
    for (let i = 0; i < texts.length; i++) {
      expect(got[i].label, `text ${i}`).toBe(want[i].label);
      expect(got[i].logits, `text ${i}`).toEqual(want[i].logits);
      expect(got[i].unknown, `text ${i}`).toEqual(want[i].unknown);
    }
    expect(await pool.classify([])).toEqual([]);
    expect((await pool.classify(texts.slice(0, 2))).map((c) => c.label)).toEqual(want.slice(0, 2).map((c) => c.label));
  });

  it('SM: scorePairs over 2 threads equals the main thread, in order', async () => {
    const pool = await tinycnn.createThreadPool('answer-selection', { threads: 2 });
    pools.push(pool);
    const got = await pool.scorePairs(pairs);
    const want = tinycnn.pipeline('answer-selection').scorePairs(pairs);
    expect(got.map((s) => s.score)).toEqual(want.map((s) => s.score));
  });

  it('a thread that cannot load rejects createThreadPool with its error; calls after close() reject', async () => {
    await expect(tinycnn.createThreadPool('sentiment-analysis', { threads: 2, model: 'nope' as 'kim' })).rejects.toMatchObject({
      name: 'ThreadPoolError',
      code: 'THREAD_FAILED',
      causeCode: 'UNKNOWN_MODEL',
    });
    await expect(tinycnn.createThreadPool('sentiment-analysis', { threads: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    const pool = await tinycnn.createThreadPool('sentiment-analysis', { threads: 1 });
    await pool.close();
    await expect(pool.classify(['a film'])).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    pools = pools.filter((p) => p !== pool);
  });
});
