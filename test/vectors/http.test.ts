/**
 * The .tcv store over HTTP (src/vectors/http.ts) against the same file opened whole: the same
 * vectors and unknown words for every word of the store and for unknown ones; only the header
 * page, the index and the pages of the rows asked for cross the network; a server that ignores
 * Range still works (the whole file, once); a damaged row is VECTORS_CORRUPT naming its word;
 * a missing file is VECTORS_NOT_FOUND; a sync classify() on it is STORE_IS_ASYNC.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/node/files.js';
import { loadTextClassifier } from '../../src/pipeline/load.js';
import { SHIPPED_MODELS } from '../../src/pipeline/defaults.js';
import { openHttpVectorStore } from '../../src/vectors/http.js';
import { parseRange } from '../../src/web/files.js';
import { repoRoot } from '../helpers/paths.js';

const FILE = join(repoRoot, SHIPPED_MODELS.sm.vectors); // 1.6 MB, 50-d f16
const bytes = readFileSync(FILE);

/** Serves `files` by name; Range honoured unless `ranges` is false; counts requests. */
function serve(files: Record<string, Uint8Array>, ranges = true): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const body = files[req.url!.slice(1)];
    requests.push(String(req.headers.range ?? 'whole'));
    if (body === undefined) return res.writeHead(404).end();
    const range = ranges ? parseRange(req.headers.range, body.length) : undefined;
    if (range === 'unsatisfiable') return res.writeHead(416).end();
    if (range === undefined) return res.writeHead(200, { 'Content-Length': body.length }).end(body);
    res.writeHead(206, { 'Content-Range': `bytes ${range[0]}-${range[1]}/${body.length}` }).end(body.subarray(range[0], range[1] + 1));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests })),
  );
}

describe('a .tcv store over HTTP Range requests', () => {
  let http: { url: string; server: Server; requests: string[] };
  const whole = openEmbeddedStore(new Uint8Array(bytes));
  const words = [...whole.words()];

  beforeAll(async () => {
    const damaged = new Uint8Array(bytes);
    damaged[whole.header.vectorsOffset + 5 * whole.dim * 2 + 3] ^= 0x40; // a bit of row 5's vector
    http = await serve({ 'sm.tcv': bytes, 'damaged.tcv': damaged });
  });
  afterAll(() => new Promise<void>((resolve) => http.server.close(() => resolve())));

  it('answers what the whole file answers, for every word and unknown ones, fetching only what lookups touch', async () => {
    const store = await openHttpVectorStore(`${http.url}/sm.tcv`);
    expect(store.opened.requests).toBe(2); // the header page, then the index region
    expect(store.fetched.bytes).toBeLessThan(bytes.length / 2);
    const first = words.slice(0, 40).concat(['zzz-not-a-word']);
    const a = await store.embed(first);
    expect(a).toEqual(whole.lookup(first));
    const afterFew = store.fetched.bytes - store.opened.bytes;
    expect(afterFew).toBeLessThan(41 * 2 * 2048); // each row's page(s), at most two 2 KiB pages a row
    for (let i = 0; i < words.length; i += 500) {
      const batch = words.slice(i, i + 500);
      expect(await store.embed(batch)).toEqual(whole.lookup(batch));
    }
    expect(store.fetched.bytes).toBeLessThanOrEqual(bytes.length + 2048); // each page once
    store.close();
  });

  it('works against a server without Range support (the whole file, once)', async () => {
    const plain = await serve({ 'sm.tcv': bytes }, false);
    try {
      const store = await openHttpVectorStore(`${plain.url}/sm.tcv`);
      expect(await store.embed(words.slice(100, 120))).toEqual(whole.lookup(words.slice(100, 120)));
      expect(plain.requests).toEqual(['bytes=0-2047']); // one request: its 200 answer held everything
      expect(store.fetched.bytes).toBe(bytes.length);
    } finally {
      await new Promise((resolve) => plain.server.close(resolve));
    }
  });

  it('a damaged row is VECTORS_CORRUPT naming its word; a missing file is VECTORS_NOT_FOUND', async () => {
    const store = await openHttpVectorStore(`${http.url}/damaged.tcv`);
    await expect(store.embed([words[4]])).resolves.toBeDefined();
    await expect(store.embed([words[5]])).rejects.toMatchObject({ code: 'VECTORS_CORRUPT', word: words[5] });
    await expect(openHttpVectorStore(`${http.url}/nope.tcv`)).rejects.toMatchObject({ code: 'VECTORS_NOT_FOUND' });
    await expect(openHttpVectorStore(`${http.url}/sm.tcv`, { pageBytes: 3000 })).rejects.toMatchObject({ code: 'VECTORS_ARGS' });
  });

  it('a pipeline on it answers classifyAsync; classify() says the store is asynchronous', async () => {
    const kim = SHIPPED_MODELS.kim;
    const served = await serve({ 'kim.tcv': readFileSync(join(repoRoot, kim.vectors)) });
    try {
      const vectors = await openHttpVectorStore(`${served.url}/kim.tcv`);
      const classifier = loadTextClassifier({ weights: readFileSync(join(repoRoot, kim.weights)), vectors, backend: 'js' });
      const local = loadTextClassifier({
        weights: readFileSync(join(repoRoot, kim.weights)),
        vectors: openEmbeddedStore(join(repoRoot, kim.vectors)),
        backend: 'js',
      });
      const text = 'a gripping , funny and heartfelt film';
      expect(await classifier.classifyAsync(text)).toEqual(local.classify(text));
      expect(() => classifier.classify(text)).toThrow(expect.objectContaining({ code: 'STORE_IS_ASYNC' }));
    } finally {
      await new Promise((resolve) => served.server.close(resolve));
    }
  });

  it('parseRange: the three forms, clipped; several ranges or garbage -> the whole file; outside -> 416', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual([0, 9]);
    expect(parseRange('bytes=90-', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=-10', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=95-200', 100)).toEqual([95, 99]);
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });
});
