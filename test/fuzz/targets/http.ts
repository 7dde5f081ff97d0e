/**
 * The local server on mutated raw HTTP requests (methods, paths with dot segments, percent escapes
 * and double slashes, headers, lying Content-Length, broken chunked framing, bodies), sent over a
 * socket to an in-process server with short timeouts (150 ms headers, 300 ms request). A case
 * passes when a complete HTTP answer comes back within 3 s, is not a 500 or 502, and, when it is
 * JSON, is a 2xx or an {"error": {"code", "message"}} — and no answer names the server's folders.
 */
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { readConfig } from '../../../src/lambda/config.js';
import { startServer, type LocalServer } from '../../../src/server/server.js';
import { mutateJson, mutateText } from '../mutate.js';
import type { Rng } from '../random.js';
import { ensure, ensureNoLeak, type FuzzTarget } from '../target.js';

interface Context {
  server: LocalServer;
  root: string;
}

interface Input {
  text: string;
  method: string;
}

const METHODS = ['GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'get', 'P0ST', 'GET /x'];
const PATHS = [
  '/kim',
  '/kim',
  '/sm',
  '/',
  '/health',
  '//sm',
  '//kim',
  '/kim/',
  '/prod/kim',
  '/report',
  '/report/',
  '/report/charts/x.svg',
  '/report/charts/..%2F..%2Fpackage.json',
  '/assets/app.js',
  '/assets/../package.json',
  '/assets/%2e%2e/%2e%2e/etc/passwd',
  '/kim?input=x',
  '/kim#frag',
  '/%00',
  '/\u00e9',
  `/${'a'.repeat(9000)}`,
  '*',
  'http://evil.example/kim',
  '/kim/../sm',
];
const BODIES: unknown[] = [
  { input: 'a gripping , funny and heartfelt film' },
  { inputs: ['so good', 'so bad'] },
  { sent1: 'who wrote the book', sent2: 'a young author' },
  { pairs: [['q', 'a b']] },
];

function request(rng: Rng): { input: Input; ops: string[] } {
  const method = rng.pick(METHODS);
  const path = rng.pick(PATHS);
  const ops = [`${method} ${path.slice(0, 60)}`];
  let body = JSON.stringify(rng.pick(BODIES));
  if (rng.chance(0.4)) {
    const m = mutateJson(rng, JSON.parse(body), ['input', 'inputs', 'sent1', 'sent2', 'pairs', 'ext']);
    body = JSON.stringify(m.value) ?? '';
    ops.push(...m.ops);
  }
  if (rng.chance(0.15)) {
    const m = mutateText(rng, body);
    body = m.text;
    ops.push(...m.ops.map((o) => `body: ${o}`));
  }
  const bytes = Buffer.byteLength(body);
  const headers = ['Host: 127.0.0.1'];
  if (rng.chance(0.8))
    headers.push(`Content-Type: ${rng.pick(['application/json', 'application/octet-stream', 'text/plain; charset=utf-8', 'multipart/form-data'])}`);
  let framed = body;
  const bodyless = method === 'GET' || method === 'HEAD';
  switch (bodyless && rng.chance(0.9) ? -1 : rng.int(14)) {
    case -1:
      break; // a GET / HEAD without framing headers
    case 0:
      headers.push(`Content-Length: ${Math.max(0, bytes - 1 - rng.int(5))}`);
      ops.push('Content-Length too small');
      break;
    case 1:
      headers.push(`Content-Length: ${bytes + 1 + rng.int(50)}`);
      ops.push('Content-Length too large (the body never completes)');
      break;
    case 2:
      headers.push(`Content-Length: ${rng.pick(['-1', 'abc', '1e3', '99999999999999999999', `${bytes}, ${bytes + 1}`])}`);
      ops.push('Content-Length garbage');
      break;
    case 3:
      headers.push('Transfer-Encoding: chunked');
      framed = `${bytes.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      ops.push('chunked');
      break;
    case 4:
      headers.push('Transfer-Encoding: chunked');
      framed = `zz\r\n${body}\r\n`;
      ops.push('broken chunked');
      break;
    case 5:
      headers.push(`Content-Length: ${bytes}`, `Content-Length: ${bytes}`);
      ops.push('Content-Length twice');
      break;
    default:
      headers.push(`Content-Length: ${bytes}`);
  }
  if (rng.chance(0.1)) {
    headers.push(`X-${rng.pick(['Big', 'Injected\r\nEvil: 1', 'Unicode-\u00e9', ''])}: ${'v'.repeat(rng.pick([1, 100, 20_000]))}`);
    ops.push('odd header');
  }
  headers.push('Connection: close');
  return { input: { method, text: `${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${bodyless ? '' : framed}` }, ops };
}

/** Sends the request and reads one answer (until the server closes, or its Content-Length is in). */
function exchange(port: number, input: Input): Promise<{ head: string; body: string; ms: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const start = performance.now();
    let data = Buffer.alloc(0);
    const done = () => {
      clearTimeout(deadline);
      socket.destroy();
      const text = data.toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({ head: split < 0 ? text : text.slice(0, split), body: split < 0 ? '' : text.slice(split + 4), ms: performance.now() - start });
    };
    const deadline = setTimeout(done, 3000);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split));
      const bodyExpected = input.method !== 'HEAD' && !/^HTTP\/1\.1 (204|304)/.test(text);
      if (length !== null && (!bodyExpected || data.length - split - 4 >= Number(length[1]))) done();
    });
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.write(input.text);
  });
}

export const httpTarget: FuzzTarget<Context, Input> = {
  async setup({ root }) {
    // the report page reads bench/results under the working directory (the repo): it names that folder, relative
    const server = await startServer({ config: readConfig({}), port: 0, log: () => {}, headersTimeoutMs: 150, requestTimeoutMs: 300 });
    return { server, root };
  },
  make: (_, rng) => request(rng),
  async check({ server, root }, input) {
    const { head, body, ms } = await exchange(server.port, input);
    ensure(ms < 3000, `no complete answer within 3 s (got ${JSON.stringify(head.slice(0, 80))})`);
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1];
    ensure(status !== undefined, `not an HTTP answer: ${JSON.stringify(head.slice(0, 80))}`);
    ensure(status !== '500' && status !== '502', `answered ${status}: ${body.slice(0, 300)}`);
    for (const path of [root, tmpdir()]) ensure(!body.includes(path) && !head.includes(path), `the answer names ${path}`);
    ensureNoLeak(body, 'the body');
    if (/\r\ncontent-type: application\/json/i.test(head) && body !== '' && input.method !== 'HEAD') {
      const json = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
      if (Number(status) >= 400)
        ensure(
          typeof json.error?.code === 'string' && typeof json.error.message === 'string',
          `a ${status} without {"error": {"code", "message"}}: ${body.slice(0, 200)}`,
        );
      return `${status}${json.error ? ` ${json.error.code as string}` : ''}`;
    }
    return `${status} ${/\r\ncontent-type: ([\w/+-]+)/i.exec(head)?.[1] ?? 'no type'}`;
  },
  async teardown({ server }) {
    await server.close();
  },
  save: ({ text }) => text,
};
