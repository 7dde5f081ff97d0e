/**
 * The local server's rough edges (issue 16, defect 4), each from its reproduction: a 404 that named
 * the absolute results folder; `POST //sm` answered by the Kim model (the path read as a host); the
 * server's own 413 and 502 in a shape other than {"error": {"code", "message"}}; slow headers and
 * slow bodies (a byte at a time) held open for Node's 60 s / 300 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/lambda/config.js';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, startServer, toHttpResponse, type LocalServer } from '../../src/server/server.js';
import { requestUrl } from '../../src/server/event.js';

const resultsDir = mkdtempSync(join(tmpdir(), 'tinycnn-results-'));
let server: LocalServer;

beforeAll(async () => {
  server = await startServer({ config: readConfig({}), port: 0, log: () => {}, web: { resultsDir }, headersTimeoutMs: 400, requestTimeoutMs: 800 });
});
afterAll(async () => {
  await server.close();
  rmSync(resultsDir, { recursive: true, force: true });
});

/** Sends raw bytes (optionally dribbled, one chunk every `everyMs`) and returns what came back before the server closed. */
function raw(chunks: string[], everyMs = 0): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    const start = performance.now();
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (d) => (text += d.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text, ms: performance.now() - start });
    });
    if (everyMs === 0) socket.write(chunks.join(''));
    else {
      let i = 0;
      timer = setInterval(() => (i < chunks.length && socket.writable ? socket.write(chunks[i++]) : clearInterval(timer)), everyMs);
    }
  });
}

function jsonError(text: string): { status: number; code: string; body: string } {
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  return { status, code: (JSON.parse(body) as { error: { code: string } }).error.code, body };
}

describe('local server edges', () => {
  it("a missing chart is a 404 that does not name the server's folders", async () => {
    const response = await fetch(`${server.url}/report/charts/x.svg`);
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(text).not.toContain(resultsDir);
    expect(text).not.toMatch(/\/tmp|\/work|\/var|charts\//);
  });

  it('POST //sm is the path "//sm" (no route), not the root route answered by Kim', async () => {
    for (const [path, body] of [
      ['//sm', { sent1: 'who wrote it', sent2: 'a young author wrote it' }],
      ['//kim', { input: 'a fine film' }],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      const json = (await response.json()) as { error?: { code: string; message: string }; output?: unknown };
      expect(response.status, path).toBe(404);
      expect(json.output).toBeUndefined();
      expect(json.error?.message).toContain(`no route ${path}`);
    }
    expect(requestUrl('//sm?x=1#f')).toMatchObject({ pathname: '//sm', search: '?x=1' });
    expect(requestUrl('http://proxy.example/sm?a=b')).toMatchObject({ pathname: '/sm', search: '?a=b' });
    expect((await fetch(`${server.url}//report`)).headers.get('content-type')).toMatch(/json/); // not the report page
  });

  it('the server\'s own 413 (over 6 MB, refused from its Content-Length) is {"error": {"code", "message"}}', async () => {
    const { text } = await raw([`POST /kim HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${7 * 1024 * 1024}\r\n\r\n{"input": "`]);
    const answer = jsonError(text);
    expect(answer.status).toBe(413);
    expect(answer.code).toBe('BODY_TOO_LARGE');
    expect(text).toMatch(/access-control-allow-origin: \*/i);
  });

  it('a failed invocation is a 502 in the same shape', () => {
    for (const result of [undefined, null, { statusCode: 200 }, { statusCode: '200', body: '' }, 'oops']) {
      const response = toHttpResponse(result);
      expect(response.statusCode).toBe(502);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } });
      expect(response.headers['Access-Control-Allow-Origin']).toBe('*');
    }
  });

  it('slow headers (a byte every 50 ms) get a JSON 408 and the connection closes after the headers timeout', async () => {
    const request = `POST /kim HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}`;
    const { text, ms } = await raw([...request], 50);
    const answer = jsonError(text);
    expect(answer.status).toBe(408);
    expect(answer.code).toBe('REQUEST_TIMEOUT');
    expect(ms).toBeLessThan(5_000); // 400 ms + the check interval, not Node's 60 s
  });

  it('a slow body (a byte every 50 ms) gets a JSON 408 after the request timeout; the server keeps serving', async () => {
    const body = JSON.stringify({ input: 'a good film' }).padEnd(300, ' ');
    const { text, ms } = await raw([`POST /kim HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`, ...body], 50);
    expect(jsonError(text)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(ms).toBeLessThan(5_000);
    expect((await fetch(`${server.url}/kim`, { method: 'POST', body: JSON.stringify({ input: 'fine' }) })).status).toBe(200);
  });

  it('bytes that are not HTTP get a JSON 400', async () => {
    expect(jsonError((await raw(['GARBAGE\r\n\r\n'])).text)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });

  it('defaults fit a function behind API Gateway (template.yaml gives it 10 s)', () => {
    expect(HEADERS_TIMEOUT_MS).toBe(5_000);
    expect(REQUEST_TIMEOUT_MS).toBe(10_000);
  });
});
