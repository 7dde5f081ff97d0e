/**
 * The uploader against dynalite (real SDK) through the fault proxy: both layouts, table
 * creation, UnprocessedItems and throttling, resumption after an interruption or a failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runVectors } from '../../src/cli/vectors.js';
import { convertVectors } from '../../src/vectors/convert.js';
import { createDynamoDbStore } from '../../src/vectors/dynamodb.js';
import { fromHalfBits, toHalfBits } from '../../src/vectors/half.js';
import { uploadVectors, type UploadOptions } from '../../src/vectors/upload.js';
import { client, startDynalite, type Dynalite } from './dynalite.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { entries, tempDir, word2vecBinary, type Entry } from './fixtures.js';

const DIM = 32;
const N = 530; // 21.2 batches of 25
const LIST: Entry[] = entries(
  Array.from({ length: N }, (_, i) => `word${i}`),
  DIM,
);
const tmp = tempDir();
let db: Dynalite;
let proxy: FaultProxy;
let admin: DynamoDBClient;
let input: string;
let tcv: string;

beforeAll(async () => {
  db = await startDynalite();
  proxy = await startFaultProxy(db.endpoint);
  admin = client(db.endpoint, 3);
  input = tmp.write('vectors.bin', word2vecBinary(LIST, DIM));
  tcv = tmp.path('vectors.tcv');
  await convertVectors(input, tcv);
}, 60_000);

afterAll(async () => {
  admin.destroy();
  await proxy.close();
  await db.close();
  tmp.cleanup();
});

beforeEach(() => {
  proxy.reset();
  proxy.plan = () => ({ kind: 'pass' });
});

const options = (table: string, extra: Partial<UploadOptions> = {}): UploadOptions => ({
  table,
  endpoint: proxy.endpoint,
  region: 'us-east-1',
  create: true,
  baseDelayMs: 1,
  maxDelayMs: 10,
  clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  ...extra,
});

async function scanWords(table: string): Promise<Set<string>> {
  const words = new Set<string>();
  let start: Record<string, never> | undefined;
  do {
    const r = await admin.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of r.Items ?? []) words.add(item.word.S!);
    start = r.LastEvaluatedKey as typeof start;
  } while (start);
  return words;
}

async function expectTableHolds(table: string, f16: boolean) {
  expect((await scanWords(table)).size).toBe(N);
  const store = createDynamoDbStore({
    table,
    dim: DIM,
    endpoint: db.endpoint,
    region: 'us-east-1',
    unkWord: null,
    clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  });
  const picked = LIST.filter((_, i) => i % 7 === 0);
  const r = await store.embed(picked.map(([w]) => w));
  picked.forEach(([, v], i) => {
    const want = f16 ? v.map((x) => fromHalfBits(toHalfBits(x))) : v;
    expect(r.matrix.subarray(i * DIM, (i + 1) * DIM)).toEqual(want);
  });
  store.close();
}

describe('upload', () => {
  it('compact f16 from a word2vec file: creates the table, 25-item batches in parallel', async () => {
    const s = await uploadVectors(input, options('compact16', { concurrency: 4 }));
    expect(s).toMatchObject({ completed: true, written: N, done: N, resumedFrom: 0, skipped: 0 });
    const writes = proxy.calls.filter((c) => c.op === 'BatchWriteItem');
    expect(writes).toHaveLength(Math.ceil(N / 25));
    expect(Math.max(...writes.map((c) => c.words.length))).toBe(25);
    expect(proxy.maxConcurrent('BatchWriteItem')).toBeGreaterThan(1);
    expect(proxy.maxConcurrent('BatchWriteItem')).toBeLessThanOrEqual(4);
    expect(existsSync(s.checkpoint)).toBe(false);
    await expectTableHolds('compact16', true);
  });

  it("castorini's List layout and compact f32 from a .tcv store; compact items are smaller", async () => {
    const list = await uploadVectors(tcv, options('list', { layout: 'list' }));
    const f32 = await uploadVectors(tcv, options('compact32', { dtype: 'f32' }));
    const f16 = await uploadVectors(tcv, options('compact16b'));
    await expectTableHolds('list', false);
    await expectTableHolds('compact32', false);
    expect(f16.itemBytes).toBeLessThan(f32.itemBytes); // 32-d: names and keys weigh more than at 300-d (item.test.ts)
    expect(f32.itemBytes).toBeLessThan(list.itemBytes);
  });

  it('UnprocessedItems and throttling are retried until every item is stored', async () => {
    proxy.plan = ({ op, n }) =>
      op !== 'BatchWriteItem' ? { kind: 'pass' } : n % 3 === 0 ? { kind: 'unprocessed', keep: 10 } : n % 5 === 1 ? { kind: 'throttle' } : { kind: 'pass' };
    const s = await uploadVectors(input, options('flaky'));
    expect(s.completed).toBe(true);
    expect(s.retries).toBeGreaterThan(5);
    await expectTableHolds('flaky', true);
  });

  it('resumes after an interruption (abort signal) from the checkpoint', async () => {
    const stop = new AbortController();
    const first = await uploadVectors(
      input,
      options('resume', {
        concurrency: 2,
        onProgress: (p) => {
          if (p.done >= 200) stop.abort();
        },
        signal: stop.signal,
      }),
    );
    expect(first.completed).toBe(false);
    expect(first.done).toBeGreaterThanOrEqual(200);
    expect(first.done).toBeLessThan(N);
    const saved = JSON.parse(readFileSync(first.checkpoint, 'utf8'));
    expect(saved).toMatchObject({ table: 'resume', layout: 'compact', dtype: 'f16', done: first.done });
    proxy.reset();
    const second = await uploadVectors(input, options('resume'));
    expect(second).toMatchObject({ completed: true, resumedFrom: first.done, written: N - first.done, done: N });
    const rewritten = proxy.calls.filter((c) => c.op === 'BatchWriteItem').flatMap((c) => c.words);
    expect(rewritten).not.toContain('word0');
    expect(existsSync(second.checkpoint)).toBe(false);
    await expectTableHolds('resume', true);
  });

  it('a hard failure mid-way keeps the checkpoint; the re-run resumes; a mismatching run is refused', async () => {
    proxy.plan = ({ op, n }) => (op === 'BatchWriteItem' && n === 9 ? { kind: 'validation' } : { kind: 'pass' });
    await expect(uploadVectors(input, options('crash', { concurrency: 1 }))).rejects.toMatchObject({
      code: 'VECTORS_UNAVAILABLE',
      message: expect.stringMatching(/BatchWriteItem failed .*ValidationException/),
    });
    const ckpt = `${input}.upload-crash.json`;
    const saved = JSON.parse(readFileSync(ckpt, 'utf8'));
    expect(saved.done).toBe(9 * 25);
    await expect(uploadVectors(input, options('crash', { layout: 'list' }))).rejects.toThrow(/checkpoint was made with layout = "compact".*--restart/);
    proxy.plan = () => ({ kind: 'pass' });
    const again = await uploadVectors(input, options('crash'));
    expect(again).toMatchObject({ completed: true, resumedFrom: 225 });
    await expectTableHolds('crash', true);
  });

  it('CLI: tinycnn vectors upload IN --table T --endpoint URL --create', async () => {
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    try {
      expect(await runVectors(['upload', tcv, '--table', 'cli', '--endpoint', db.endpoint, '--create', '--layout', 'list'])).toBe(0);
      expect(err).toMatch(/cli: done; 530 items written \(list, \d+ bytes\/item\)/);
      err = '';
      expect(await runVectors(['upload', tcv, '--table', 'cli', '--layout', 'list', '--dtype', 'f16'])).toBe(2);
      expect(err).toMatch(/--dtype applies to --layout compact only/);
    } finally {
      spy.mockRestore();
    }
    await expectTableHolds('cli', false);
  });
});
