/**
 * The DynamoDB store against a real DynamoDB-compatible server (dynalite on loopback) with the
 * real SDK v3 client, through a fault-injecting proxy. No SDK mocks.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbStore, type DynamoDbStore, type DynamoDbStoreOptions } from '../../src/vectors/dynamodb.js';
import { VectorStoreError } from '../../src/vectors/errors.js';
import { fromHalfBits, toHalfBits } from '../../src/vectors/half.js';
import { encodeItem } from '../../src/vectors/item.js';
import { castoriniItem, client, createTable, putItems, startDynalite, type Dynalite } from './dynalite.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { vec } from './fixtures.js';

const DIM = 50;
const N = 400;
const WORDS = Array.from({ length: N }, (_, i) => `w${i}`);
const TRUTH = new Map(WORDS.map((w, i) => [w, vec(i + 1, DIM)]));
const UNK = vec(9999, DIM);
const half = (v: Float32Array) => v.map((x) => fromHalfBits(toHalfBits(x)));

let db: Dynalite;
let proxy: FaultProxy;
let seed: DynamoDBClient;
const stores: DynamoDbStore[] = [];

beforeAll(async () => {
  db = await startDynalite();
  proxy = await startFaultProxy(db.endpoint);
  seed = client(db.endpoint, 3);
  await createTable(seed, 'list');
  await putItems(
    seed,
    'list',
    WORDS.map((w) => castoriniItem(w, TRUTH.get(w)!)),
  );
  await createTable(seed, 'compact');
  // every other word f16, the rest f32; one without the dtype attribute
  await putItems(
    seed,
    'compact',
    WORDS.map((w, i) => {
      const item = encodeItem(w, TRUTH.get(w)!, 'compact', i % 2 ? 'f16' : 'f32');
      if (i === 2) delete item.dtype;
      return item;
    }),
  );
  await createTable(seed, 'withunk');
  await putItems(seed, 'withunk', [castoriniItem('<unk>', UNK), castoriniItem('good', TRUTH.get('w1')!)]);
  await createTable(seed, 'bad');
  await putItems(seed, 'bad', [
    { word: { S: 'short' }, vector: { L: [{ N: '1' }, { N: '2' }] } },
    { word: { S: 'huge' }, vector: { L: Array.from({ length: DIM }, (_, j) => ({ N: j === 3 ? '1e100' : '0.5' })) } },
    { word: { S: 'blob' }, vector: { B: new Uint8Array(DIM * 3) } },
    { word: { S: 'tagged' }, vector: { B: new Uint8Array(DIM * 4) }, dtype: { S: 'f16' } },
    { word: { S: 'novector' }, other: { S: 'x' } },
    { word: { S: 'string' }, vector: { S: '[1,2,3]' } },
  ]);
}, 60_000);

afterAll(async () => {
  for (const s of stores) s.close();
  seed.destroy();
  await proxy.close();
  await db.close();
});

beforeEach(() => {
  proxy.reset();
  proxy.plan = () => ({ kind: 'pass' });
});

function store(table: string, options: Partial<DynamoDbStoreOptions> = {}): DynamoDbStore {
  const s = createDynamoDbStore({
    table,
    dim: DIM,
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    baseDelayMs: 1,
    maxDelayMs: 20,
    ...options,
  });
  stores.push(s);
  return s;
}

function rows(m: Float32Array, n: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) => m.subarray(i * DIM, (i + 1) * DIM));
}

async function failure(p: Promise<unknown>): Promise<VectorStoreError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VectorStoreError);
    return e as VectorStoreError;
  }
  throw new Error('expected a VectorStoreError');
}

describe('layouts', () => {
  it("reads castorini's List-of-Numbers table", async () => {
    const s = store('list');
    const tokens = ['w5', 'w7', 'w5', 'nope'];
    const r = await s.embed(tokens);
    const [a, b, c, d] = rows(r.matrix, 4);
    expect(a).toEqual(TRUTH.get('w5'));
    expect(b).toEqual(TRUTH.get('w7'));
    expect(c).toEqual(a);
    expect(Array.from(d)).toEqual(new Array(DIM).fill(0));
    expect(r.unknown).toEqual(['nope']);
    expect(r.unknownPositions).toEqual([3]);
    // one request: distinct keys only, plus the one-time <unk> probe
    expect(proxy.calls).toHaveLength(1);
    expect(proxy.calls[0].words.sort()).toEqual(['<unk>', 'nope', 'w5', 'w7']);
  });

  it('reads the compact layout, f32 and f16 mixed, detected per item (dtype attribute optional)', async () => {
    const s = store('compact');
    const r = await s.embed(['w0', 'w1', 'w2', 'w3']);
    const [a, b, c, d] = rows(r.matrix, 4);
    expect(a).toEqual(TRUTH.get('w0'));
    expect(b).toEqual(half(TRUTH.get('w1')!));
    expect(c).toEqual(TRUTH.get('w2'));
    expect(d).toEqual(half(TRUTH.get('w3')!));
  });

  it("unknown words get the table's <unk> vector when it has one (fetched once)", async () => {
    const s = store('withunk');
    const r1 = await s.embed(['good', 'zzz']);
    expect(rows(r1.matrix, 2)[1]).toEqual(UNK);
    expect(r1.unknown).toEqual(['zzz']);
    proxy.reset();
    const r2 = await s.embed(['yyy']);
    expect(rows(r2.matrix, 1)[0]).toEqual(UNK);
    expect(proxy.calls[0].words).toEqual(['yyy']);
    const none = store('withunk', { unkWord: null });
    expect(Array.from((await none.embed(['yyy'])).matrix)).toEqual(new Array(DIM).fill(0));
  });

  it('a malformed item is an error naming the word, never a silent zero', async () => {
    const s = store('bad');
    for (const [word, msg] of [
      ['short', /vector list has 2 numbers, expected 50/],
      ['huge', /element 3 is not a finite float32 \("10000/],
      ['blob', /binary vector of 150 bytes does not hold 50 f32 or f16 values/],
      ['tagged', /binary vector of 200 bytes does not hold 50 f16 values/],
      ['novector', /item has no "vector" attribute/],
      ['string', /neither a List .* nor Binary/],
    ] as const) {
      const e = await failure(s.embed(['w1', word]));
      expect(e.code).toBe('VECTORS_CORRUPT');
      expect(e.word).toBe(word);
      expect(e.message).toMatch(msg);
      expect(e.message).toMatch(/^dynamodb:bad/);
    }
  });

  it('a wrong dim is caught on the first item', async () => {
    const s = store('list', { dim: 300 });
    expect((await failure(s.embed(['w1']))).message).toMatch(/50 numbers, expected 300/);
  });

  it('a missing table is VECTORS_NOT_FOUND, not a retry loop', async () => {
    const s = store('no-such-table');
    const e = await failure(s.embed(['w1']));
    expect(e.code).toBe('VECTORS_NOT_FOUND');
    expect(proxy.calls).toHaveLength(1);
  });
});

describe('chunks and cache', () => {
  it('250 distinct words go out as 100-key chunks in parallel, without duplicate keys', async () => {
    proxy.plan = () => ({ kind: 'delay', ms: 40 });
    const s = store('list', { unkWord: null });
    const tokens = [...WORDS.slice(0, 250), ...WORDS.slice(0, 50)];
    const r = await s.embed(tokens);
    rows(r.matrix, tokens.length).forEach((row, i) => expect(row).toEqual(TRUTH.get(tokens[i])));
    const gets = proxy.calls.filter((c) => c.op === 'BatchGetItem');
    expect(gets.map((c) => c.words.length).sort((a, b) => a - b)).toEqual([50, 100, 100]);
    expect(new Set(gets.flatMap((c) => c.words)).size).toBe(250);
    expect(proxy.maxConcurrent('BatchGetItem')).toBe(3);
  });

  it('LRU: a repeated sentence costs no request; hits, misses and evictions are counted', async () => {
    const s = store('list', { cacheSize: 3, unkWord: null });
    await s.embed(['w1', 'w2', 'w1']);
    expect(s.stats()).toMatchObject({ hits: 0, misses: 2, size: 2, requests: 1 });
    const r = await s.embed(['w2', 'w1']);
    expect(rows(r.matrix, 2)[1]).toEqual(TRUTH.get('w1'));
    expect(s.stats()).toMatchObject({ hits: 2, misses: 2, requests: 1 });
    await s.embed(['w3', 'w4', 'unknown-word']);
    expect(s.stats()).toMatchObject({ size: 3, evictions: 2, requests: 2 });
    const before = s.stats().requests;
    const again = await s.embed(['unknown-word']); // unknown words are cached too
    expect(again.unknown).toEqual(['unknown-word']);
    expect(s.stats().requests).toBe(before);
  });
});

describe('faults: retry, succeed, or fail clearly within the deadline', () => {
  const tokens = WORDS.slice(0, 150);
  const check = (m: Float32Array) => rows(m, tokens.length).forEach((row, i) => expect(row).toEqual(TRUTH.get(tokens[i])));

  it('throttling errors are retried with backoff', async () => {
    proxy.plan = ({ n }) => (n < 4 ? { kind: 'throttle' } : { kind: 'pass' });
    const s = store('list', { unkWord: null });
    check((await s.embed(tokens)).matrix);
    expect(s.stats().retriedErrors).toBe(4);
  });

  it('partial UnprocessedKeys are re-requested until complete', async () => {
    proxy.plan = ({ n }) => (n < 6 ? { kind: 'unprocessed', keep: 17 } : { kind: 'pass' });
    const s = store('list', { unkWord: null });
    check((await s.embed(tokens)).matrix);
    expect(s.stats().unprocessedKeys).toBeGreaterThan(0);
    const asked = proxy.calls.flatMap((c) => c.words);
    expect(new Set(asked).size).toBe(150);
  });

  it('dropped connections and 500s are retried', async () => {
    proxy.plan = ({ n }) => (n === 0 ? { kind: 'drop' } : n === 1 ? { kind: 'error500' } : { kind: 'pass' });
    const s = store('list', { unkWord: null });
    check((await s.embed(tokens)).matrix);
    expect(s.stats().retriedErrors).toBe(2);
  });

  it('a slow or hung server ends in VECTORS_TIMEOUT at the deadline, with requests aborted', async () => {
    for (const fault of [{ kind: 'delay', ms: 2000 }, { kind: 'hang' }] as const) {
      proxy.reset();
      proxy.plan = () => fault;
      const s = store('list', { deadlineMs: 300, unkWord: null });
      const t0 = performance.now();
      const e = await failure(s.embed(tokens));
      const took = performance.now() - t0;
      expect(e.code).toBe('VECTORS_TIMEOUT');
      expect(e.message).toMatch(/300 ms deadline/);
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(800);
      await new Promise((r) => setTimeout(r, 50));
      expect(proxy.calls.length).toBe(2);
      expect(proxy.calls.every((c) => c.aborted)).toBe(true);
    }
  });

  it('throttled forever: VECTORS_UNAVAILABLE after maxAttempts, or VECTORS_TIMEOUT, never a hang', async () => {
    proxy.plan = () => ({ kind: 'throttle' });
    const few = store('list', { maxAttempts: 3, unkWord: null });
    const e1 = await failure(few.embed(['w1']));
    expect(e1.code).toBe('VECTORS_UNAVAILABLE');
    expect(e1.message).toMatch(/after 3 attempts.*ProvisionedThroughputExceeded/);
    proxy.plan = () => ({ kind: 'unprocessed', keep: 0 });
    const e2 = await failure(store('list', { maxAttempts: 4, unkWord: null }).embed(['w1']));
    expect(e2.message).toMatch(/1 keys still unprocessed after 4 attempts/);
    proxy.plan = () => ({ kind: 'throttle' });
    const slow = store('list', { maxAttempts: 1000, baseDelayMs: 50, maxDelayMs: 200, deadlineMs: 400, unkWord: null });
    expect((await failure(slow.embed(['w1']))).code).toBe('VECTORS_TIMEOUT');
  });

  it('the caller can abort', async () => {
    proxy.plan = () => ({ kind: 'hang' });
    const s = store('list', { unkWord: null });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect((await failure(s.embed(['w1'], { signal: ac.signal }))).code).toBe('VECTORS_ABORTED');
  });

  it('a response that answers for the wrong key, or with a bent vector, is an error', async () => {
    proxy.plan = () => ({
      kind: 'rewrite',
      fn: (r) => {
        const items = r.Responses.list;
        items[0].word.S = 'w399'; // an item for a key nobody asked for
        return r;
      },
    });
    expect((await failure(store('list', { unkWord: null }).embed(['w1', 'w2']))).message).toMatch(/not requested \("w399"\)/);
    proxy.plan = () => ({
      kind: 'rewrite',
      fn: (r) => {
        r.Responses.list[0].vector.L.pop();
        return r;
      },
    });
    expect((await failure(store('list', { unkWord: null }).embed(['w1']))).code).toBe('VECTORS_CORRUPT');
    proxy.plan = () => ({
      kind: 'rewrite',
      fn: (r) => {
        r.Responses.list[0].vector.L[7].N = 'NaN';
        return r;
      },
    });
    expect((await failure(store('list', { unkWord: null }).embed(['w1']))).message).toMatch(/element 7 is not a finite float32/);
    proxy.plan = () => ({
      kind: 'rewrite',
      fn: (r) => {
        r.UnprocessedKeys = { list: { Keys: [{ word: { S: 'w123' } }] } };
        return r;
      },
    });
    expect((await failure(store('list', { unkWord: null }).embed(['w1']))).message).toMatch(/UnprocessedKeys holds a key that was not pending/);
  });

  it('chaos: random faults on every call; each result is exactly right or a typed error, always within the deadline', async () => {
    let state = 12345;
    const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    proxy.plan = () => {
      const x = rand();
      if (x < 0.15) return { kind: 'throttle' };
      if (x < 0.3) return { kind: 'unprocessed', keep: Math.floor(rand() * 100) };
      if (x < 0.38) return { kind: 'drop' };
      if (x < 0.43) return { kind: 'delay', ms: 150 };
      if (x < 0.46) return { kind: 'error500' };
      return { kind: 'pass' };
    };
    let ok = 0;
    let failed = 0;
    for (let round = 0; round < 30; round++) {
      const s = store(round % 2 ? 'list' : 'compact', { deadlineMs: 1500, cacheSize: 0, unkWord: null });
      const picked = Array.from({ length: 20 + Math.floor(rand() * 200) }, () => WORDS[Math.floor(rand() * N)]);
      const t0 = performance.now();
      try {
        const r = await s.embed(picked);
        rows(r.matrix, picked.length).forEach((row, i) => {
          const t = TRUTH.get(picked[i])!;
          const idx = WORDS.indexOf(picked[i]);
          expect(row).toEqual(round % 2 || idx % 2 === 0 ? t : half(t));
        });
        expect(r.unknown).toEqual([]);
        ok++;
      } catch (e) {
        expect(e).toBeInstanceOf(VectorStoreError);
        expect(['VECTORS_TIMEOUT', 'VECTORS_UNAVAILABLE']).toContain((e as VectorStoreError).code);
        failed++;
      }
      expect(performance.now() - t0).toBeLessThan(1500 + 300);
    }
    expect(ok).toBeGreaterThan(20);
    expect(ok + failed).toBe(30);
  }, 60_000);
});
