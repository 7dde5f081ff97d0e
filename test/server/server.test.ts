/**
 * The local server over real HTTP on 127.0.0.1: requests become API Gateway v2 events, answers
 * equal the handler's, hostile requests get the handler's JSON errors, one REPORT line per request
 * (Init Duration on the first) in the shape CloudWatch prints and src/cost parses; and the
 * `tinycnn serve` CLI prints its listening line and honours --port / PORT.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReportLine } from '../../src/cost/report.js';
import { readConfig } from '../../src/lambda/config.js';
import { startServer, type LocalServer } from '../../src/server/server.js';
import { bundleCli, ROOT, serverPid, startChild } from './helpers.js';

let server: LocalServer;
const logs: string[] = [];

beforeAll(async () => {
  server = await startServer({ config: readConfig({}), port: 0, memorySizeMb: 256, log: (line) => logs.push(line) });
});
afterAll(() => server.close());

const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers });

describe('local server', () => {
  it('binds 127.0.0.1 and logs the INIT line first', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(logs[0]).toMatch(/^tinycnn INIT backend=\S+ model=kim:kim-sst2\.safetensors.* model=sm:sm-trecqa\.safetensors/);
  });

  it('answers Kim and SM exactly as the handler does for the same v2 event', async () => {
    const kim = await post('/kim', JSON.stringify({ input: 'this is a very good movie' }));
    expect(kim.status).toBe(200);
    expect(kim.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await kim.json()) as Record<string, any>;
    const direct = JSON.parse((await server.handler({ input: 'this is a very good movie' })).body) as Record<string, any>;
    expect(body.output).toEqual(direct.output);
    expect(body.label).toBe(direct.label);
    const sm = await post('/sm', JSON.stringify({ sent1: 'how are glacier caves formed', sent2: 'the ice facade is approximately 60 m high' }));
    expect(((await sm.json()) as Record<string, any>).score[0]).toHaveLength(2);
  });

  it('a binary content type travels base64-encoded and still works', async () => {
    const response = await post('/kim', JSON.stringify({ input: 'a good film' }), { 'content-type': 'application/octet-stream' });
    expect(response.status).toBe(200);
  });

  it('hostile requests get JSON errors; the server keeps serving', async () => {
    const cases: [Promise<Response>, number, string][] = [
      [post('/kim', '{"input": '), 400, 'INVALID_JSON'],
      [post('/kim', '[]'), 400, 'INVALID_BODY'],
      [post('/kim', JSON.stringify({ input: 7 })), 400, 'INVALID_FIELD'],
      [post('/kim', JSON.stringify({ input: '' })), 400, 'EMPTY_TEXT'],
      [post('/kim', JSON.stringify({ input: 'a '.repeat(600) })), 400, 'TOO_MANY_TOKENS'],
      [post('/kim', JSON.stringify({ inputs: Array(40).fill('a') })), 400, 'BATCH_TOO_LARGE'],
      [post('/kim', JSON.stringify({ input: 'x'.repeat(400_000) })), 413, 'BODY_TOO_LARGE'],
      [post('/nowhere', '{}'), 404, 'NOT_FOUND'],
      [fetch(`${server.url}/sm`), 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect((await post('/kim', JSON.stringify({ input: 'still fine' }))).status).toBe(200);
  });

  it("a body beyond Lambda's 6 MB payload limit is refused by the server itself", async () => {
    const response = await post('/kim', 'x'.repeat(6 * 1024 * 1024 + 10)).catch((error: Error) => error);
    if (response instanceof Response) expect(response.status).toBe(413);
    else expect(response.message).toMatch(/fetch failed|socket|reset/i); // the connection is closed after the 413
    expect((await post('/kim', JSON.stringify({ input: 'fine again' }))).status).toBe(200);
  });

  it('preflight, health and HEAD', async () => {
    const pre = await fetch(`${server.url}/kim`, { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const health = await fetch(`${server.url}/health`);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const head = await fetch(`${server.url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('logs one REPORT line per invocation, Init Duration on the first only, parseable by src/cost', () => {
    const reports = logs.filter((l) => l.startsWith('REPORT '));
    expect(reports.length).toBeGreaterThanOrEqual(15);
    const shape =
      /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?$/;
    reports.forEach((line, i) => {
      expect(line).toMatch(shape);
      expect(line.includes('Init Duration')).toBe(i === 0);
      const parsed = parseReportLine(line, i + 1);
      expect(parsed.kind).toBe('report');
      if (parsed.kind !== 'report') return;
      expect(parsed.record.memorySizeMb).toBe(256);
      expect(parsed.record.billedDurationMs).toBe(Math.max(1, Math.ceil(parsed.record.durationMs + (parsed.record.initDurationMs ?? 0))));
    });
  });
});

describe('tinycnn serve', () => {
  let cli: string;
  beforeAll(async () => {
    cli = await bundleCli();
  });
  afterAll(() => rmSync(cli, { force: true }));

  it('prints "listening on http://127.0.0.1:PORT", takes PORT from the environment, stops on SIGTERM', async () => {
    const probe = await startServer({ config: readConfig({ TINYCNN_MODEL: 'sm' }), port: 0, log: () => {} });
    const port = probe.port; // a port that was free a moment ago
    await probe.close();
    const child = await startChild(cli, ['--quiet'], { PORT: String(port), TINYCNN_MODEL: 'sm' });
    expect(child.url).toBe(`http://127.0.0.1:${port}`);
    expect(child.stdout[0]).toMatch(/^tinycnn INIT backend=/);
    const response = await fetch(`${child.url}/sm`, { method: 'POST', body: JSON.stringify({ sent1: 'a b', sent2: 'c d' }) });
    expect(response.status).toBe(200);
    expect(await child.stop()).toBe(0);
  });

  it("runs the server in a child with Lambda's heap flags that dies with its launcher, even on SIGKILL", async () => {
    const child = await startChild(cli, ['--port', '0', '--quiet', '--model', 'sm']);
    const worker = serverPid(child.child.pid!);
    expect(worker).not.toBe(child.child.pid);
    expect(readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0')).toEqual(
      expect.arrayContaining(['--max-semi-space-size=6', '--max-old-space-size=116']),
    );
    child.child.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (existsSync(`/proc/${worker}`) && !readFileSync(`/proc/${worker}/stat`, 'utf8').includes(') Z ') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(`/proc/${worker}`) && !readFileSync(`/proc/${worker}/stat`, 'utf8').includes(') Z ')).toBe(false);
  });

  it('--port wins over PORT and REPORT lines go to stdout', async () => {
    const child = await startChild(cli, ['--port', '0', '--model', 'kim'], { PORT: '1' });
    await fetch(`${child.url}/kim`, { method: 'POST', body: JSON.stringify({ input: 'good' }) });
    await new Promise((r) => setTimeout(r, 100));
    expect(child.stdout.some((l) => /^REPORT RequestId: .*Init Duration: /.test(l))).toBe(true);
    await child.stop();
  });
});

/** Whether a TCP port on 127.0.0.1 can be listened on now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('stopped with SIGTERM, leaves no server holding the port (npm -> sh -> tinycnn serve -> its server child)', async () => {
    if (!existsSync(join(ROOT, 'build/src/cli/bin.js'))) expect(spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' }).status).toBe(0);
    const probe = await startServer({ config: readConfig({ TINYCNN_MODEL: 'sm' }), port: 0, log: () => {} });
    const port = probe.port;
    await probe.close();
    const npm = spawn('npm', ['start', '--', '--quiet', '--model', 'sm'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      npm.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(`listening on http://127.0.0.1:${port}`)) resolve();
      });
      npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening: ${out}`)));
    });
    expect(await portFree(port)).toBe(false);
    npm.kill('SIGTERM');
    await exited;
    const deadline = Date.now() + 5000;
    while (!(await portFree(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await portFree(port)).toBe(true);
  });
});
