/**
 * The Lambda handler on mutated events (the request parser end to end: event kinds, base64 bodies,
 * routes, body JSON, fields), with the real default weights and embedded vector stores. Starts from
 * valid API Gateway REST v1, HTTP API v2, Function URL and direct events with Kim and SM bodies (one
 * item and batches); mutates the body's JSON structure, its text, or the event's structure. A case
 * passes when the answer is a proxy response with castorini's CORS header and either a 2xx whose
 * numbers are all finite (logits, probabilities summing to 1, scores) or a 4xx in the
 * {"error": {"code", "message"}} shape with no stack or path in it. A 5xx fails the case (the
 * embedded store cannot be unavailable), and after the run the same request gets the same answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from '../../../src/lambda/config.js';
import { createHandler, type Handler } from '../../../src/lambda/handler.js';
import { mutateJson, mutateText } from '../mutate.js';
import { ensure, ensureNoLeak, type FuzzTarget } from '../target.js';

interface Context {
  handler: Handler;
  fixtures: Record<string, Record<string, unknown>>;
  reference: string;
}

const BODIES: [string, unknown][] = [
  ['/kim', { input: 'a gripping , funny and heartfelt film' }],
  ['/kim', { inputs: ['so good', "it 's not bad", 'café naïve'] }],
  ['/sm', { sent1: 'who wrote the book', sent2: 'the book was written by a young author' }],
  ['/sm', { pairs: [['how are glacier caves formed', 'the ice facade is 60 m high'], { sent1: 'a', sent2: 'b c' }] }],
  ['/', { input: 'this is a very good movie' }],
  ['/', { sent1: 'q', sent2: 'a' }],
  ['/health', undefined],
];
const FIELDS = ['input', 'inputs', 'sent1', 'sent2', 'pairs', 'ext', 'bench', 'body', 'quick'];
const EVENT_FIELDS = ['body', 'isBase64Encoded', 'httpMethod', 'rawPath', 'path', 'version', 'requestContext', 'headers', 'multiValueHeaders', 'routeKey'];

function eventFor(context: Context, kind: string, path: string, body: string | undefined, base64: boolean): Record<string, unknown> {
  if (kind === 'direct') return body === undefined ? {} : base64 ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true } : { body };
  const event = structuredClone(context.fixtures[kind]);
  const method = path === '/health' ? 'GET' : 'POST';
  if (kind === 'rest-v1') Object.assign(event, { path, resource: path, httpMethod: method });
  else {
    event.rawPath = path;
    const http = (event.requestContext as Record<string, Record<string, unknown>>).http;
    Object.assign(http, { method, path });
  }
  if (body === undefined) delete event.body;
  else Object.assign(event, { body: base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: base64 });
  return event;
}

function checkItem(item: Record<string, unknown>): void {
  const numbers = (v: unknown, what: string) => {
    ensure(
      Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x)),
      `${what} is not a list of finite numbers: ${JSON.stringify(v)}`,
    );
    return v as number[];
  };
  if ('output' in item) numbers(item.output, 'output');
  if ('score' in item) numbers((item.score as unknown[])[0], 'score[0]');
  const p = numbers(item.probabilities, 'probabilities');
  ensure(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'probabilities do not sum to 1');
  ensure(typeof item.label === 'string' && Number.isInteger(item.prediction), 'no label / prediction');
}

export const eventsTarget: FuzzTarget<Context, unknown> = {
  async setup({ root }) {
    const handler = await createHandler(readConfig({ TINYCNN_VERIFY: '1' }), { log: () => {} });
    const fixtures: Record<string, Record<string, unknown>> = {};
    for (const kind of ['rest-v1', 'http-api-v2', 'function-url']) {
      fixtures[kind] = JSON.parse(readFileSync(join(root, 'test', 'lambda', 'events', `${kind}.json`), 'utf8')) as Record<string, unknown>;
    }
    const context: Context = { handler, fixtures, reference: '' };
    context.reference = (await handler(eventFor(context, 'http-api-v2', '/kim', JSON.stringify(BODIES[0][1]), false))).body;
    return context;
  },
  make(context, rng) {
    const kind = rng.pick(['rest-v1', 'http-api-v2', 'function-url', 'direct', 'direct-object']);
    const [path, value] = rng.pick(BODIES);
    const ops = [`${kind} ${path}`];
    let body = value;
    if (body !== undefined && rng.chance(0.6)) {
      const mutated = mutateJson(rng, body, FIELDS);
      body = mutated.value;
      ops.push(...mutated.ops);
    }
    if (kind === 'direct-object') return { input: body ?? {}, ops };
    let text = body === undefined ? undefined : JSON.stringify(body);
    if (text !== undefined && rng.chance(0.25)) {
      const mutated = mutateText(rng, text);
      text = mutated.text;
      ops.push(...mutated.ops.map((o) => `body text: ${o}`));
    }
    let event: unknown = eventFor(context, kind, path, text, rng.chance(0.2));
    if (rng.chance(0.25)) {
      const mutated = mutateJson(rng, event, EVENT_FIELDS);
      event = mutated.value;
      ops.push(...mutated.ops.map((o) => `event: ${o}`));
    }
    return { input: event, ops };
  },
  async check({ handler }, event) {
    const response = await handler(event, { awsRequestId: 'fuzz' });
    ensure(Number.isInteger(response.statusCode) && typeof response.body === 'string', 'not a proxy response');
    ensure(response.headers['Access-Control-Allow-Origin'] === '*', 'no CORS header');
    ensure(response.statusCode < 500, `answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    if (response.statusCode === 204) return '204';
    ensureNoLeak(response.body, 'the body');
    const body = JSON.parse(response.body) as Record<string, unknown>;
    if (response.statusCode >= 400) {
      const error = body.error as { code?: unknown; message?: unknown } | undefined;
      ensure(typeof error?.code === 'string' && typeof error.message === 'string', `a ${response.statusCode} without {"error": {"code", "message"}}`);
      return `${response.statusCode} ${error.code}`;
    }
    if (body.status === 'ok') return '200 health';
    const items = Array.isArray(body.results) ? (body.results as Record<string, unknown>[]) : [body];
    items.forEach(checkItem);
    return '200';
  },
  async teardown(context) {
    const again = await context.handler(eventFor(context, 'http-api-v2', '/kim', JSON.stringify(BODIES[0][1]), false));
    const output = (text: string) => (JSON.parse(text) as { output: number[] }).output;
    ensure(JSON.stringify(output(again.body)) === JSON.stringify(output(context.reference)), 'after the run, the same request got a different answer');
  },
  save: (event) => JSON.stringify(event),
};
