/**
 * Soak: 20,000 requests through the local server (a child process running `tinycnn serve` on the
 * embedded defaults, REPORT lines on) at concurrency 8 over loopback keep-alive connections:
 * Kim and SM, single and batch, plus a share of hostile requests with their expected 4xx.
 * Zero unexpected statuses or network errors, and the server's resident memory grows by at most
 * 8 MiB between request 1,000 and the end.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, client, startChild, type ChildServer } from './helpers.js';

const TOTAL = 20_000;
const CONCURRENCY = 8;
const WARMUP = 1_000;
const MiB = 1024 * 1024;

const SENTENCES = [
  'this is a very good movie',
  'a gripping , funny and heartfelt film',
  'the plot is thin and the acting is worse',
  'i did not like it at all',
  'an unexpectedly moving story about a family',
  'it was fine',
  'the music is wonderful but the ending drags on for far too long',
  'zxqv unknownish wordz everywhere',
];
const PAIRS = [
  ['how are glacier caves formed', 'a glacier cave is a cave formed within the ice of a glacier'],
  ['who wrote the book', 'the book was written by a young author'],
  ['what is the capital', 'the city is the capital and the largest city'],
];

/** Request i: [path, body, expected status]. */
function requestFor(i: number): [string, string, number] {
  const s = SENTENCES[i % SENTENCES.length];
  const [q, a] = PAIRS[i % PAIRS.length];
  switch (i % 10) {
    case 7:
      return ['/kim', JSON.stringify({ inputs: [s, SENTENCES[(i + 1) % 8], SENTENCES[(i + 2) % 8], `${s} ${i}`] }), 200];
    case 8:
      return ['/sm', JSON.stringify({ pairs: PAIRS.map(([x, y]) => ({ sent1: x, sent2: y })) }), 200];
    case 9: {
      const hostile: [string, string, number][] = [
        ['/kim', '{"input": "unterminated', 400],
        ['/nowhere', '{}', 404],
        ['/kim', JSON.stringify({ input: '' }), 400],
        ['/sm', JSON.stringify({ sent1: 3, sent2: 'x' }), 400],
        ['/kim', JSON.stringify({ input: 'w '.repeat(600) }), 400],
      ];
      return hostile[Math.floor(i / 10) % hostile.length];
    }
    case 5:
    case 6:
      return ['/sm', JSON.stringify({ sent1: q, sent2: `${a} ${i % 97}` }), 200];
    default:
      return ['/kim', JSON.stringify({ input: `${s} ${i % 101}` }), 200];
  }
}

let cli: string;
let server: ChildServer;

beforeAll(async () => {
  cli = await bundleCli();
  server = await startChild(cli, ['--port', '0']);
});
afterAll(async () => {
  await server?.stop();
  rmSync(cli, { force: true });
});

describe('soak', () => {
  it(`${TOTAL} requests at concurrency ${CONCURRENCY}: zero errors, RSS growth <= 8 MiB after the first ${WARMUP}`, { timeout: 180_000 }, async () => {
    const http = client(CONCURRENCY);
    const errors: string[] = [];
    let next = 0;
    let done = 0;
    let rssAfterWarmup = 0;
    let peakRss = 0;
    const samples: number[] = [];
    const start = performance.now();
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        const [path, body, expected] = requestFor(i);
        try {
          const response = await http.post(`${server.url}${path}`, body);
          if (response.status !== expected) errors.push(`#${i} ${path}: ${response.status} ${response.body.slice(0, 200)}`);
        } catch (error) {
          errors.push(`#${i} ${path}: ${(error as Error).message}`);
        }
        done++;
        if (done === WARMUP) rssAfterWarmup = server.rss();
        if (done % 1000 === 0) {
          const rss = server.rss();
          samples.push(rss);
          peakRss = Math.max(peakRss, rss);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - start) / 1000;
    http.close();
    await new Promise((r) => setTimeout(r, 200)); // let the last REPORT lines arrive
    const rssEnd = server.rss();
    console.log(
      `soak: ${TOTAL} requests in ${seconds.toFixed(1)} s (${(TOTAL / seconds).toFixed(0)} req/s), ${errors.length} errors; ` +
        `server RSS after ${WARMUP}: ${(rssAfterWarmup / MiB).toFixed(1)} MiB, end: ${(rssEnd / MiB).toFixed(1)} MiB, ` +
        `peak sampled: ${(peakRss / MiB).toFixed(1)} MiB, growth ${((rssEnd - rssAfterWarmup) / MiB).toFixed(2)} MiB; ` +
        `RSS every 1000 (MiB): ${samples.map((r) => (r / MiB).toFixed(1)).join(' ')}`,
    );
    expect(errors.slice(0, 5)).toEqual([]);
    expect(server.lines()).toBe(TOTAL + 2); // INIT line, listening line, one REPORT per request
    expect(rssEnd - rssAfterWarmup).toBeLessThanOrEqual(8 * MiB);
    expect(peakRss - rssAfterWarmup).toBeLessThanOrEqual(8 * MiB);
  });
});
