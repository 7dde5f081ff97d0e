// The load tester against tiny loopback servers written here: one that answers, one that errors, one that stalls.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runLoadtest } from '../../src/cli/loadtest.js';
import { readTimings } from '../../src/loadtest/client.js';
import { payloadsFromText } from '../../src/loadtest/data.js';
import { LatencyHistogram, loadHistogramLibrary } from '../../src/loadtest/histogram.js';
import { runColdLocal, runWarm } from '../../src/loadtest/protocols.js';
import { runLevel } from '../../src/loadtest/sweep.js';

const dir = mkdtempSync(join(tmpdir(), 'tinycnn-loadtest-'));
const servers: Server[] = [];

/** A loopback server; `handle` answers each request (after its body was read). Tracks the most requests in flight. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const state = { inFlight: 0, maxInFlight: 0, count: 0 };
  const server = createServer((req, res) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    res.on('close', () => state.inFlight--);
    req.resume();
    req.on('end', () => handle(req, res, state.count++));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/kim`), state };
}

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** An answer shaped like tinycnn's Lambda handler (timings in seconds, as castorini's). */
function answer(res: ServerResponse, delayMs = 2) {
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ prediction: 1, output: [0.1, 0.9], t_overall: 0.0015, t_sent_embedding: 0.0004, t_inference: 0.001, cold_start: false }));
  }, delayMs);
}

const payloads = payloadsFromText('a fine film .\na dull film .\n', 'mem', 'kim');
const level = (url: URL, extra: object) => ({
  target: { url, timeoutMs: 2000, timingUnit: 'auto' as const },
  payloads,
  batch: 1,
  memoryMb: 1024,
  arch: 'x86_64' as const,
  concurrency: 4,
  ...extra,
});

describe('runLevel (closed loop)', () => {
  it('keeps at most C requests in flight and reports throughput, latency, the server split and cost', async () => {
    const { url, state } = await serve((_req, res) => answer(res, 5));
    const r = await runLevel(level(url, { requests: 40 }));
    expect(r).toMatchObject({ concurrency: 4, sent: 40, ok: 40, errors: {}, timeouts: 0, cost_basis: 'server t_overall' });
    expect(state.count).toBe(40);
    expect(state.maxInFlight).toBe(4);
    expect(r.latency.count).toBe(40);
    expect(r.latency.p50_ms).toBeGreaterThanOrEqual(5);
    expect(r.throughput_rps).toBeGreaterThan(0);
    expect(r.server).toEqual({ t_overall_ms: 1.5, t_sent_embedding_ms: 0.4, t_inference_ms: 1 });
    // ceil(1.5 ms) = 2 ms at 1 GB: 0.002 x 1 x 0.0000166667 x 1e6 + 0.20 = 0.0333334 + 0.20
    expect(r.billed_mean_ms).toBe(2);
    expect(r.cost_per_million_usd).toBeCloseTo(0.2333334, 6);
  });

  it('counts HTTP errors by status', async () => {
    const { url } = await serve((_req, res, n) => {
      if (n % 2 === 0) return answer(res, 0);
      res.writeHead(n % 4 === 1 ? 500 : 429, { 'content-type': 'application/json' });
      res.end('{"message":"nope"}');
    });
    const r = await runLevel(level(url, { requests: 20 }));
    expect(r.ok).toBe(10);
    expect(r.errors).toEqual({ http_500: 5, http_429: 5 });
  });

  it('counts a 200 that is not JSON as bad_body, and a refused connection by its code', async () => {
    const { url } = await serve((_req, res) => res.end('<html>oops</html>'));
    expect((await runLevel(level(url, { requests: 3 }))).errors).toEqual({ bad_body: 3 });
    const closed = await serve(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect((await runLevel(level(closed.url, { requests: 3 }))).errors).toEqual({ ECONNREFUSED: 3 });
  });

  it('times out a stalling server and still ends on time (request count)', async () => {
    const { url } = await serve(() => {}); // never answers
    const start = performance.now();
    const r = await runLevel(level(url, { requests: 6, concurrency: 3, target: { url, timeoutMs: 150, timingUnit: 'auto' } }));
    const elapsed = performance.now() - start;
    expect(r).toMatchObject({ sent: 6, ok: 0, timeouts: 6, errors: { timeout: 6 }, cost_per_million_usd: null });
    expect(elapsed).toBeLessThan(150 * 2 + 1000); // two rounds of 3 timeouts, plus slack
  });

  it('times out a stalling server and still ends on time (duration)', async () => {
    const { url } = await serve(() => {});
    const start = performance.now();
    const r = await runLevel(level(url, { durationS: 0.3, concurrency: 2, target: { url, timeoutMs: 100, timingUnit: 'auto' } }));
    expect(performance.now() - start).toBeLessThan(300 + 100 + 1000);
    expect(r.ok).toBe(0);
    expect(r.timeouts).toBeGreaterThanOrEqual(4);
  });
});

describe('protocols', () => {
  it('warm: discards one request, then sends N one at a time, spaced out', async () => {
    const { url, state } = await serve((_req, res) => answer(res, 0));
    const start = performance.now();
    const r = await runWarm({ target: { url, timeoutMs: 1000, timingUnit: 'auto' }, payloads, count: 3, memoryMb: 128, arch: 'arm64' }, 60);
    expect(performance.now() - start).toBeGreaterThanOrEqual(2 * 60 - 5);
    expect(state.count).toBe(4);
    expect(state.maxInFlight).toBe(1);
    expect(r).toMatchObject({ protocol: 'warm', requests: 3, ok: 3 });
    expect(r.server.t_inference.p50_ms).toBe(1);
  });

  it('cold, locally: a fresh server process per request, INIT read from its REPORT line', async () => {
    const stub = join(dir, 'stub-server.mjs');
    writeFileSync(
      stub,
      `import http from 'node:http';
let first = true;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ t_overall: 0.002, t_sent_embedding: 0.0005, t_inference: 0.001, cold_start: first }));
    console.log('REPORT RequestId: 0f0e\\tDuration: 2.00 ms\\tBilled Duration: 2 ms\\tMemory Size: 128 MB\\tMax Memory Used: 50 MB\\t' + (first ? 'Init Duration: 30.00 ms\\t' : ''));
    first = false;
  });
});
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`,
    );
    const url = new URL('http://127.0.0.1:1/kim'); // only the path is used
    const r = await runColdLocal(
      { target: { url, timeoutMs: 5000, timingUnit: 'auto' }, payloads, count: 2, memoryMb: 128, arch: 'x86_64' },
      { command: [process.execPath, stub] },
    );
    expect(r).toMatchObject({ protocol: 'cold', requests: 2, ok: 2, reported_cold_starts: 2 });
    expect(r.init_duration).toMatchObject({ count: 2, p50_ms: 30 });
    expect(r.startup?.count).toBe(2);
    expect(r.billed_mean_ms).toBe(32); // ceil(2 + 30): INIT is billed
  });
});

describe('pieces', () => {
  it('reads timings in seconds (castorini) or milliseconds', () => {
    expect(readTimings('{"t_overall":0.002,"t_inference":0.001}', 5, 'auto')).toMatchObject({ overallMs: 2, inferenceMs: 1 });
    expect(readTimings('{"t_overall":2,"t_inference":1}', 5, 'auto')).toMatchObject({ overallMs: 2, inferenceMs: 1 }); // 2 s > a 5 ms round trip: must be ms
    expect(readTimings('{"t_overall":2}', 5000, 'ms')).toMatchObject({ overallMs: 2 });
    expect(readTimings('[1]', 5, 'auto')).toBeNull();
    expect(readTimings('{}', 5, 'auto')).toMatchObject({ overallMs: undefined });
  });

  it('builds request bodies from sentence and pair files, with batches', () => {
    expect(payloadsFromText('# c\none .\n\n{"sentence": "two ."}\n', 'f', 'kim')).toEqual(['{"input":"one ."}', '{"input":"two ."}']);
    expect(payloadsFromText('q1 ?\ta1 .\n{"question":"q2 ?","answer":"a2 ."}\n', 'f', 'sm')).toEqual([
      '{"sent1":"q1 ?","sent2":"a1 ."}',
      '{"sent1":"q2 ?","sent2":"a2 ."}',
    ]);
    expect(payloadsFromText('a\nb\nc\n', 'f', 'kim', 2)).toEqual(['{"inputs":["a","b"]}', '{"inputs":["c","a"]}']);
    expect(() => payloadsFromText('only one field\n', 'f', 'sm')).toThrow(/question<TAB>answer/);
    expect(() => payloadsFromText('# nothing\n', 'f', 'kim')).toThrow(/no sentences/);
  });

  it('HDR histogram percentiles match exact ones to 3 significant digits', async () => {
    await loadHistogramLibrary();
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms
    const s = h.stats();
    expect(s.count).toBe(1000);
    expect(s.p50_ms).toBeCloseTo(50, 0);
    expect(s.p99_ms).toBeCloseTo(99, 0);
    expect(s.max_ms).toBeCloseTo(100, 0);
  });
});

describe('tinycnn loadtest (CLI)', () => {
  it('--json: one entry per concurrency level with the table fields', async () => {
    const { url } = await serve((_req, res) => answer(res, 1));
    const data = join(dir, 'sentences.txt');
    writeFileSync(data, 'a fine film .\na dull film .\n');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const code = await runLoadtest([url.href, '--json', '--requests', '12', '--concurrency', '2,4', '--data', data]);
      expect(code).toBe(0);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    const json = JSON.parse(out.join('\n'));
    expect(json.levels.map((l: { concurrency: number }) => l.concurrency)).toEqual([2, 4]);
    for (const l of json.levels) {
      expect(l).toMatchObject({ sent: 12, ok: 12, timeouts: 0 });
      for (const key of ['throughput_rps', 'latency', 'cost_per_million_usd', 'server', 'errors']) expect(l).toHaveProperty(key);
    }
  });

  it('exits 2 on usage mistakes', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runLoadtest([])).toBe(2);
      expect(await runLoadtest(['http://127.0.0.1:1', '--local'])).toBe(2);
      expect(await runLoadtest(['http://127.0.0.1:1/kim', '--model', 'sm'])).toBe(2);
      expect(await runLoadtest(['http://127.0.0.1:1', '--protocol', 'cold'])).toBe(2);
      expect(await runLoadtest(['http://127.0.0.1:1', '--requests', '5', '--duration', '1'])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
