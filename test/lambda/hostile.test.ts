/**
 * Bad input never hurts the function: every case gets a JSON error {"error": {"code", "message"}}
 * with the right 4xx status (CORS headers included), an internal fault a 500 without internals,
 * and the request after each one is answered exactly as before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type Handler } from '../../src/lambda/handler.js';
import { FAULT_SECRET, FAULT_TOKEN, fakeStore, fixtureEvent, json, testConfig, v2 } from './helpers.js';

let handler: Handler;
let reference: number[];
const logs: string[] = [];

beforeAll(async () => {
  handler = await createHandler(testConfig({ AWS_LAMBDA_LOG_FORMAT: 'JSON' }), { log: (line) => logs.push(line), openStore: (_m, _c, dim) => fakeStore(dim) });
  reference = json(await handler(v2('POST', '/kim', { input: 'a good film' }))).output;
});

/** The next request after a failure must be served normally, with the same answer. */
async function expectHealthy(): Promise<void> {
  const response = await handler(v2('POST', '/kim', { input: 'a good film' }));
  expect(response.statusCode).toBe(200);
  expect(json(response).output).toEqual(reference);
}

const big = 'x'.repeat(300 * 1024);
const deep = `{"input": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`;

/** [name, event, status, code] */
const CASES: [string, unknown, number, string][] = [
  ['invalid JSON', v2('POST', '/kim', '{"input": "unterminated'), 400, 'INVALID_JSON'],
  ['JSON with trailing garbage', v2('POST', '/kim', '{"input": "a"} x'), 400, 'INVALID_JSON'],
  ['empty body', v2('POST', '/kim'), 400, 'INVALID_BODY'],
  ['whitespace body', v2('POST', '/kim', '   \n'), 400, 'INVALID_BODY'],
  ['body is a list', v2('POST', '/kim', '[1, 2]'), 400, 'INVALID_BODY'],
  ['body is a string', v2('POST', '/kim', '"a good film"'), 400, 'INVALID_BODY'],
  ['body is a number', v2('POST', '/kim', '42'), 400, 'INVALID_BODY'],
  ['body is null', v2('POST', '/kim', 'null'), 400, 'INVALID_BODY'],
  ['missing "input"', v2('POST', '/kim', { text: 'a good film' }), 400, 'MISSING_FIELD'],
  ['"input" only in __proto__', v2('POST', '/kim', '{"__proto__": {"input": "a good film"}}'), 400, 'MISSING_FIELD'],
  ['"input" is a number', v2('POST', '/kim', { input: 42 }), 400, 'INVALID_FIELD'],
  ['"input" is null', v2('POST', '/kim', { input: null }), 400, 'INVALID_FIELD'],
  ['"input" is a list', v2('POST', '/kim', { input: ['a', 'b'] }), 400, 'INVALID_FIELD'],
  ['"input" is an object', v2('POST', '/kim', { input: { text: 'a' } }), 400, 'INVALID_FIELD'],
  ['"input" nested 50,000 deep', v2('POST', '/kim', deep), 400, 'INVALID_FIELD'],
  ['both "input" and "inputs"', v2('POST', '/kim', { input: 'a', inputs: ['b'] }), 400, 'INVALID_BODY'],
  ['SM without "sent2"', v2('POST', '/sm', { sent1: 'who' }), 400, 'MISSING_FIELD'],
  ['SM "sent1" is a number', v2('POST', '/sm', { sent1: 1, sent2: 'b' }), 400, 'INVALID_FIELD'],
  ['SM "ext" of the wrong length', v2('POST', '/sm', { sent1: 'a', sent2: 'b', ext: [1, 2, 3] }), 400, 'INVALID_FIELD'],
  ['SM "ext" with a non-number', v2('POST', '/sm', { sent1: 'a', sent2: 'b', ext: [1, 2, 3, 'x'] }), 400, 'INVALID_FIELD'],
  ['SM pair of three', v2('POST', '/sm', { pairs: [['a', 'b', 'c']] }), 400, 'INVALID_FIELD'],
  ['empty text', v2('POST', '/kim', { input: '' }), 400, 'EMPTY_TEXT'],
  ['blank text', v2('POST', '/kim', { input: ' \t\n ' }), 400, 'EMPTY_TEXT'],
  ['empty SM answer', v2('POST', '/sm', { sent1: 'who', sent2: '' }), 400, 'EMPTY_TEXT'],
  ['only zero-width characters (no tokens left)', v2('POST', '/kim', { input: '\u200b\u200d\u200b' }), 400, 'NO_TOKENS'],
  ['too many tokens', v2('POST', '/kim', { input: 'word '.repeat(513) }), 400, 'TOO_MANY_TOKENS'],
  ['too many tokens in a batch item', v2('POST', '/kim', { inputs: ['fine', 'word '.repeat(600)] }), 400, 'TOO_MANY_TOKENS'],
  ['too large a batch', v2('POST', '/kim', { inputs: Array.from({ length: 33 }, () => 'good') }), 400, 'BATCH_TOO_LARGE'],
  ['too many pairs', v2('POST', '/sm', { pairs: Array.from({ length: 33 }, () => ['a', 'b']) }), 400, 'BATCH_TOO_LARGE'],
  ['empty batch', v2('POST', '/kim', { inputs: [] }), 400, 'INVALID_FIELD'],
  ['"inputs" is a string', v2('POST', '/kim', { inputs: 'good' }), 400, 'INVALID_FIELD'],
  ['a batch item is not a string', v2('POST', '/kim', { inputs: ['good', 7] }), 400, 'INVALID_FIELD'],
  ['oversized body', v2('POST', '/kim', { input: big }), 413, 'BODY_TOO_LARGE'],
  ['oversized base64 body', fixtureEvent('function-url', { input: big }), 413, 'BODY_TOO_LARGE'],
  ['multi-byte characters past the byte limit', v2('POST', '/kim', { input: '€'.repeat(90_000) }), 413, 'BODY_TOO_LARGE'],
  ['body marked base64 that is not', { ...fixtureEvent('function-url'), body: '{"input": "a"}' }, 400, 'INVALID_BODY'],
  ['base64 body that is not UTF-8', { ...fixtureEvent('function-url'), body: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64') }, 400, 'INVALID_BODY'],
  ['unknown route', v2('POST', '/nope', { input: 'a' }), 404, 'NOT_FOUND'],
  ['route below a model', v2('POST', '/kim/extra', { input: 'a' }), 404, 'NOT_FOUND'],
  ['GET on a model route', v2('GET', '/kim'), 405, 'METHOD_NOT_ALLOWED'],
  ['DELETE on a model route (REST v1)', { ...fixtureEvent('rest-v1'), httpMethod: 'DELETE' }, 405, 'METHOD_NOT_ALLOWED'],
  ['POST on /health', v2('POST', '/health', {}), 405, 'METHOD_NOT_ALLOWED'],
  ["neither model's fields on /", v2('POST', '/', { hello: 'world' }), 400, 'MISSING_FIELD'],
  ['direct invocation with null', null, 400, 'INVALID_BODY'],
  ['direct invocation with a string', 'a good film', 400, 'INVALID_BODY'],
  ['direct invocation with an empty object', {}, 400, 'MISSING_FIELD'],
];

describe('bad input -> 4xx JSON error, then business as usual', () => {
  it.each(CASES)('%s', async (_name, event, status, code) => {
    const response = await handler(event);
    expect(response.statusCode).toBe(status);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.headers['Access-Control-Allow-Origin']).toBe('*');
    const body = json(response);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(body.error.message.length).toBeLessThan(400);
    await expectHealthy();
  });

  it('405 names the allowed methods', async () => {
    const response = await handler(v2('PUT', '/sm', {}));
    expect(response.headers.Allow).toBe('POST, OPTIONS');
  });
});

describe('internal faults', () => {
  it('a store that throws -> 500 without the message, stack or paths; the next request is fine', async () => {
    logs.length = 0;
    const response = await handler(fixtureEvent('rest-v1', { input: `a ${FAULT_TOKEN} film` }));
    // the details go to the log, as one record ...
    const errors = logs.map((l) => JSON.parse(l)).filter((r) => r.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('tinycnn internal error');
    expect(errors[0].stackTrace.join('\n')).toContain(FAULT_SECRET);
    expect(response.statusCode).toBe(500);
    const body = json(response);
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).toContain('c6af9ac6-7b61-11e6-9a41-93e8deadbeef'); // ... found by the request id
    for (const leak of [FAULT_SECRET, 'secret', 'Error', ' at ', '.ts', '.js']) expect(response.body).not.toContain(leak);
    await expectHealthy();
  });

  it('an event whose fields throw when read -> 500, never a thrown handler', async () => {
    const hostile = {
      get httpMethod(): string {
        throw new Error('getter exploded');
      },
    };
    const response = await handler(hostile);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('exploded');
    await expectHealthy();
  });

  it('vector store timeouts and outages -> 504 / 503 with their codes', async () => {
    const failing = (code: string) => ({
      ...fakeStore(300),
      async embed(): Promise<never> {
        throw Object.assign(new Error(`dynamodb:word2vec300d: ${code} details`), { code });
      },
    });
    for (const [code, status] of [
      ['VECTORS_TIMEOUT', 504],
      ['VECTORS_UNAVAILABLE', 503],
    ] as const) {
      const h = await createHandler(testConfig({ TINYCNN_MODEL: 'kim' }), { log: () => {}, openStore: () => failing(code) });
      const response = await h({ input: 'a good film' });
      expect(response.statusCode).toBe(status);
      expect(json(response).error.code).toBe(code);
      expect(response.body).not.toContain('word2vec300d');
    }
  });
});
