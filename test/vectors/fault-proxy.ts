/**
 * A fault-injecting HTTP proxy in front of dynalite. For every DynamoDB call a plan decides:
 *   pass         forward unchanged
 *   throttle     answer 400 ProvisionedThroughputExceededException (not forwarded)
 *   error500     answer 500 InternalServerError
 *   validation   answer 400 ValidationException (not retryable)
 *   unprocessed  forward only `keep` of the BatchGetItem keys / BatchWriteItem items and return
 *                the rest as UnprocessedKeys / UnprocessedItems, as DynamoDB does under load
 *   delay        forward, answer after `ms`
 *   hang         never answer (the client must give up)
 *   drop         destroy the connection without an answer
 *   rewrite      forward, then pass the parsed response through `fn` (corruption)
 * Responses keep a correct x-amz-crc32. The log records each call, its keys and how many
 * calls were in flight at once.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export type Fault =
  | { kind: 'pass' }
  | { kind: 'throttle' }
  | { kind: 'error500' }
  | { kind: 'validation' }
  | { kind: 'unprocessed'; keep: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'drop' }
  | { kind: 'rewrite'; fn: (response: Json, request: Json) => Json };

export interface Call {
  /** 'BatchGetItem', 'BatchWriteItem', ... */
  op: string;
  /** 0-based number of this call among calls of the same op. */
  n: number;
  body: Json;
  /** Keys (BatchGetItem) or item words (BatchWriteItem) in the request. */
  words: string[];
  fault: Fault['kind'];
  /** Calls in flight when this one arrived (itself included). */
  concurrent: number;
  /** True when the client closed the connection before an answer. */
  aborted: boolean;
}

export type Plan = (call: { op: string; n: number; body: Json; words: string[] }) => Fault;

export interface FaultProxy {
  endpoint: string;
  calls: Call[];
  plan: Plan;
  /** Highest number of calls in flight at once. */
  maxConcurrent(op?: string): number;
  reset(): void;
  close(): Promise<void>;
}

function wordsOf(op: string, body: Json): string[] {
  const items = body?.RequestItems ?? {};
  const out: string[] = [];
  for (const t of Object.keys(items)) {
    if (op === 'BatchGetItem') for (const k of items[t].Keys ?? []) out.push(k.word?.S);
    if (op === 'BatchWriteItem') for (const r of items[t]) out.push(r.PutRequest?.Item?.word?.S);
  }
  return out;
}

function send(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amz-crc32': String(crc32(text)),
    'x-amzn-requestid': 'fault-proxy',
  });
  res.end(text);
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
}

/** Splits a batch request: the part to forward and the part to report as unprocessed. */
function split(op: string, body: Json, keep: number): { forward: Json; rest: Json } {
  const forward = structuredClone(body);
  const rest: Json = {};
  for (const t of Object.keys(body.RequestItems)) {
    if (op === 'BatchGetItem') {
      const keys = body.RequestItems[t].Keys;
      forward.RequestItems[t].Keys = keys.slice(0, keep);
      if (keys.length > keep) rest[t] = { ...body.RequestItems[t], Keys: keys.slice(keep) };
    } else {
      const reqs = body.RequestItems[t];
      forward.RequestItems[t] = reqs.slice(0, keep);
      if (reqs.length > keep) rest[t] = reqs.slice(keep);
    }
  }
  for (const t of Object.keys(forward.RequestItems)) {
    const v = forward.RequestItems[t];
    if ((Array.isArray(v) && v.length === 0) || (v.Keys && v.Keys.length === 0)) delete forward.RequestItems[t];
  }
  return { forward, rest };
}

export async function startFaultProxy(target: string, plan: Plan = () => ({ kind: 'pass' })): Promise<FaultProxy> {
  const upstream = new URL(target);
  const counts = new Map<string, number>();
  let inflight = 0;
  const proxy: FaultProxy = {
    endpoint: '',
    calls: [],
    plan,
    maxConcurrent: (op) => Math.max(0, ...proxy.calls.filter((c) => !op || c.op === op).map((c) => c.concurrent)),
    reset() {
      proxy.calls = [];
      counts.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const forward = (req: IncomingMessage, body: Json): Promise<{ status: number; headers: Record<string, string>; json: Json }> =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      headers['content-length'] = String(Buffer.byteLength(text));
      const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 500, headers: {}, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
      });
      up.on('error', reject);
      up.end(text);
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const n = counts.get(op) ?? 0;
      counts.set(op, n + 1);
      const words = wordsOf(op, body);
      const fault = proxy.plan({ op, n, body, words });
      inflight++;
      const call: Call = { op, n, body, words, fault: fault.kind, concurrent: inflight, aborted: false };
      proxy.calls.push(call);
      let answered = false;
      res.on('close', () => {
        if (!answered) call.aborted = true;
        inflight--;
      });
      const reply = (status: number, json: Json) => {
        if (res.destroyed) return;
        answered = true;
        send(res, status, json);
      };
      try {
        switch (fault.kind) {
          case 'throttle':
            answered = true;
            return error(res, 400, 'ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.');
          case 'error500':
            answered = true;
            return error(res, 500, 'InternalServerError', 'Internal server error');
          case 'validation':
            answered = true;
            return error(res, 400, 'ValidationException', 'Injected validation error');
          case 'drop':
            return req.socket.destroy();
          case 'hang':
            return;
          case 'delay': {
            const r = await forward(req, body);
            setTimeout(() => reply(r.status, r.json), fault.ms);
            return;
          }
          case 'unprocessed': {
            const { forward: part, rest } = split(op, body, fault.keep);
            const r = Object.keys(part.RequestItems).length ? await forward(req, part) : { status: 200, json: op === 'BatchGetItem' ? { Responses: {} } : {} };
            if (op === 'BatchGetItem') r.json.UnprocessedKeys = rest;
            else r.json.UnprocessedItems = rest;
            return reply(r.status, r.json);
          }
          case 'rewrite': {
            const r = await forward(req, body);
            return reply(r.status, fault.fn(r.json, body));
          }
          default: {
            const r = await forward(req, body);
            return reply(r.status, r.json);
          }
        }
      } catch (e) {
        reply(500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(e) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
