/**
 * What the handler tells CloudWatch: log records in Lambda's JSON and Text formats (level filter,
 * request id, cold start, backend, timings; an error as one record with its stack in a field),
 * Embedded Metric Format documents behind TINYCNN_METRICS, and CORS headers browsers accept.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/lambda/config.js';
import { corsHeaders, parseCorsOrigins } from '../../src/lambda/cors.js';
import { createHandler, type Handler } from '../../src/lambda/handler.js';
import { createLogger, errorFields } from '../../src/lambda/log.js';
import { fakeStore, FAULT_SECRET, FAULT_TOKEN, json, testConfig, v2 } from './helpers.js';

/** A handler whose lines land in `lines`. */
async function handlerWith(env: Record<string, string>): Promise<{ handler: Handler; lines: string[] }> {
  const lines: string[] = [];
  const handler = await createHandler(testConfig({ TINYCNN_MODEL: 'kim', ...env }), {
    log: (line) => lines.push(line),
    openStore: (_m, _c, dim) => fakeStore(dim),
  });
  return { handler, lines };
}

/** An HTTP API event with an Origin header. */
function fromOrigin(method: string, path: string, origin: string, body?: unknown): Record<string, unknown> {
  const event = v2(method, path, body);
  event.headers = { ...(event.headers as Record<string, string>), Origin: origin };
  return event;
}

describe('JSON logs (AWS_LAMBDA_LOG_FORMAT=JSON)', () => {
  it('every line is one JSON record: INIT, then one per invocation with request id, cold start, backend and timings', async () => {
    const { handler, lines } = await handlerWith({ AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    await handler(v2('POST', '/kim', { inputs: ['a good film', 'zzqq bad'] }), { awsRequestId: 'req-1' });
    await handler(v2('GET', '/health'), { awsRequestId: 'req-2' });
    const records = lines.map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.level).toBe('INFO');
    }
    expect(records[0]).toMatchObject({ message: 'tinycnn INIT', backend: handler.runtime.flavour, max_batch: expect.any(Number) });
    expect(records[0].models[0]).toMatchObject({ kind: 'kim', weights: 'kim-sst2.safetensors', certificate: 'ok' });
    expect(records[1]).toMatchObject({
      requestId: 'req-1',
      message: 'tinycnn request',
      method: 'POST',
      path: '/kim',
      status: 200,
      cold_start: true,
      backend: handler.runtime.flavour,
      model: 'kim-sst2.safetensors',
      batch_size: 2,
      tokens: 5,
      unknown_tokens: 1,
    });
    for (const key of ['duration_ms', 'embed_ms', 'inference_ms', 'init_ms']) expect(records[1][key]).toBeGreaterThanOrEqual(0);
    expect(records[2]).toMatchObject({ requestId: 'req-2', path: '/health', status: 200, cold_start: false });
    expect(records[2]).not.toHaveProperty('init_ms');
    expect(records[2]).not.toHaveProperty('inference_ms');
  });

  it('AWS_LAMBDA_LOG_LEVEL=WARN drops the INFO records; an internal error is still one ERROR record, its stack in stackTrace', async () => {
    const { handler, lines } = await handlerWith({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' });
    await handler(v2('POST', '/kim', { input: 'a good film' }), { awsRequestId: 'ok' });
    expect(lines).toEqual([]);
    const response = await handler(v2('POST', '/kim', { input: `a ${FAULT_TOKEN} film` }), { awsRequestId: 'req-500' });
    expect(response.statusCode).toBe(500);
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]);
    expect(record).toMatchObject({
      level: 'ERROR',
      requestId: 'req-500',
      message: 'tinycnn internal error',
      errorType: 'Error',
      errorMessage: `cannot read ${FAULT_SECRET}`,
    });
    expect(Array.isArray(record.stackTrace)).toBe(true);
    expect(record.stackTrace[0]).toBe(`Error: cannot read ${FAULT_SECRET}`);
    expect(record.stackTrace.length).toBeGreaterThan(1);
  });
});

describe('Text logs (the default)', () => {
  it("keeps tinycnn's key=value lines; an error is one line, level first, the stack joined with \\r", async () => {
    const { handler, lines } = await handlerWith({});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tinycnn INIT backend=/);
    await handler(v2('POST', '/kim', { input: 'a good film' }), { awsRequestId: 'req-t' });
    expect(lines[1]).toMatch(
      /^tinycnn request request_id=req-t method=POST path=\/kim status=200 cold_start=true backend=\S+ model=kim-sst2\.safetensors duration_ms=/,
    );
    await handler(v2('POST', '/kim', { input: `a ${FAULT_TOKEN} film` }), { awsRequestId: 'req-e' });
    const error = lines.find((l) => l.startsWith('ERROR '))!;
    expect(error).toMatch(/^ERROR tinycnn internal error request_id=req-e errorType=Error errorMessage=cannot read/);
    expect(error).not.toContain('\n');
    expect(error.split('\r').length).toBeGreaterThan(2);
  });

  it('a logger drops records below its level and writes errors whatever they are', () => {
    const lines: string[] = [];
    const logger = createLogger('json', 'ERROR', (l) => lines.push(l));
    logger.log('WARN', 'dropped');
    logger.error('thrown', 'a string');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'thrown', errorType: 'string', errorMessage: 'a string', stackTrace: [] }),
    ]);
    expect(errorFields(Object.assign(new TypeError('x'), { code: 'E_X' }))).toMatchObject({ errorType: 'TypeError', errorCode: 'E_X' });
  });

  it('refuses a log format or level Lambda does not have', () => {
    expect(() => readConfig({ AWS_LAMBDA_LOG_FORMAT: 'xml' })).toThrow(/AWS_LAMBDA_LOG_FORMAT/);
    expect(() => readConfig({ AWS_LAMBDA_LOG_LEVEL: 'LOUD' })).toThrow(/AWS_LAMBDA_LOG_LEVEL/);
    expect(readConfig({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'debug' })).toMatchObject({ logFormat: 'json', logLevel: 'DEBUG' });
  });
});

describe('Embedded Metric Format (TINYCNN_METRICS=1)', () => {
  /** The EMF documents among the lines: those with an _aws member. */
  const documents = (lines: string[]) => lines.map((l) => JSON.parse(l)).filter((r) => r._aws !== undefined);

  it('one document per invocation: the _aws block names namespace, dimension and units; each metric is a member', async () => {
    const { handler, lines } = await handlerWith({
      TINYCNN_METRICS: '1',
      TINYCNN_METRICS_NAMESPACE: 'test-ns',
      AWS_LAMBDA_FUNCTION_NAME: 'tinycnn-kim',
      AWS_LAMBDA_LOG_LEVEL: 'ERROR',
    });
    await handler(v2('POST', '/kim', { inputs: ['a good film', 'zzqq bad'] }), { awsRequestId: 'req-1' });
    await handler(v2('GET', '/health'), { awsRequestId: 'req-2' });
    await handler(v2('POST', '/kim', { input: 'good' }), { awsRequestId: 'req-3' });
    const docs = documents(lines);
    expect(lines).toHaveLength(3); // metrics whatever the log level
    expect(docs).toHaveLength(3);
    for (const doc of docs) {
      expect(doc._aws.Timestamp).toBeGreaterThan(1.7e12);
      const [directive] = doc._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe('test-ns');
      expect(directive.Dimensions).toEqual([['FunctionName']]);
      expect(doc.FunctionName).toBe('tinycnn-kim');
      for (const metric of directive.Metrics) {
        expect(['Count', 'Milliseconds']).toContain(metric.Unit);
        expect(typeof doc[metric.Name]).toBe('number'); // every metric named has its value
      }
    }
    const names = (doc: any) => doc._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);
    expect(names(docs[0])).toEqual(['ColdStart', 'InitMs', 'InferenceMs', 'EmbedMs', 'Tokens', 'UnknownTokens', 'BatchSize']);
    expect(docs[0]).toMatchObject({
      ColdStart: 1,
      Tokens: 5,
      UnknownTokens: 1,
      BatchSize: 2,
      requestId: 'req-1',
      status: 200,
      model: 'kim-sst2.safetensors',
      backend: handler.runtime.flavour,
    });
    expect(docs[0].InitMs).toBeGreaterThan(0);
    expect(names(docs[1])).toEqual(['ColdStart']);
    expect(docs[1]).toMatchObject({ ColdStart: 0, requestId: 'req-2' });
    expect(names(docs[2])).toEqual(['ColdStart', 'InferenceMs', 'EmbedMs', 'Tokens', 'UnknownTokens', 'BatchSize']);
    expect(docs[2]).toMatchObject({ ColdStart: 0, Tokens: 1, BatchSize: 1 });
  });

  it('is off by default and refuses values other than 1 and 0', async () => {
    const { handler, lines } = await handlerWith({ AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    await handler(v2('POST', '/kim', { input: 'a good film' }));
    expect(documents(lines)).toEqual([]);
    expect(() => readConfig({ TINYCNN_METRICS: 'yes' })).toThrow(/TINYCNN_METRICS/);
  });
});

describe('CORS', () => {
  it('by default: Allow-Origin * and never Allow-Credentials (browsers refuse the pair)', async () => {
    const { handler } = await handlerWith({});
    for (const event of [v2('POST', '/kim', { input: 'good' }), v2('POST', '/kim', '{bad'), fromOrigin('OPTIONS', '/kim', 'https://a.example')]) {
      const response = await handler(event);
      expect(response.headers['Access-Control-Allow-Origin']).toBe('*');
      expect(response.headers).not.toHaveProperty('Access-Control-Allow-Credentials');
    }
    const preflight = await handler(fromOrigin('OPTIONS', '/kim', 'https://a.example'));
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['Access-Control-Allow-Methods']).toContain('POST');
  });

  it('with an allow-list: a listed origin gets itself back with credentials, any other none; Vary: Origin on both', async () => {
    const { handler } = await handlerWith({ TINYCNN_CORS_ORIGINS: 'https://app.example, http://localhost:3000' });
    const allowed = await handler(fromOrigin('POST', '/kim', 'https://app.example', { input: 'good' }));
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example', 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' });
    const preflight = await handler(fromOrigin('OPTIONS', '/kim', 'http://localhost:3000'));
    expect(preflight.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'http://localhost:3000', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS' });
    for (const event of [
      fromOrigin('POST', '/kim', 'https://evil.example', { input: 'good' }),
      fromOrigin('OPTIONS', '/kim', 'https://evil.example'),
      v2('POST', '/kim', { input: 'good' }),
    ]) {
      const response = await handler(event);
      expect(response.headers).not.toHaveProperty('Access-Control-Allow-Origin');
      expect(response.headers).not.toHaveProperty('Access-Control-Allow-Credentials');
      expect(response.headers).not.toHaveProperty('Access-Control-Allow-Methods');
      expect(response.headers.Vary).toBe('Origin');
    }
    const error = await handler(fromOrigin('POST', '/kim', 'https://app.example', '{bad'));
    expect(error.statusCode).toBe(400);
    expect(error.headers['Access-Control-Allow-Origin']).toBe('https://app.example'); // a page can read the error
  });

  it('refuses an allow-list entry that is not an origin', () => {
    expect(() => readConfig({ TINYCNN_CORS_ORIGINS: 'https://app.example/' })).toThrow(/TINYCNN_CORS_ORIGINS.*not an origin/);
    expect(() => readConfig({ TINYCNN_CORS_ORIGINS: ',' })).toThrow(/TINYCNN_CORS_ORIGINS/);
    expect(parseCorsOrigins(' * ')).toBe('*');
    expect(corsHeaders(['https://a.example'], 'https://A.example', false)).toEqual({ Vary: 'Origin' });
  });
});

describe('model-prefixed routes', () => {
  it("/kim/health is /health on a function serving kim (one HTTP API reaches each function's health)", async () => {
    const { handler } = await handlerWith({});
    const response = await handler(v2('GET', '/kim/health'));
    expect(response.statusCode).toBe(200);
    expect(json(response).models).toHaveProperty('kim');
    expect((await handler(v2('GET', '/sm/health'))).statusCode).toBe(404);
  });
});
