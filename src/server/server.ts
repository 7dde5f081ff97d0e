/**
 * The local server: the Lambda handler behind HTTP, like `sam local start-api`.
 * Each request becomes an API Gateway HTTP API (v2) event, the handler's answer
 * becomes the HTTP response, and a Lambda-style REPORT line is logged per
 * invocation (Init Duration on the first). Like one Lambda execution
 * environment, it runs one invocation at a time; requests queue meanwhile.
 * It binds 127.0.0.1 unless told otherwise.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaConfig } from '../lambda/config.js';
import { createHandler, type Handler, type InitOptions } from '../lambda/handler.js';
import type { LambdaResponse } from '../lambda/http.js';
import { toApiGatewayV2Event } from './event.js';
import { formatReport, maxMemoryUsedMb } from './report.js';
import { createWebRoutes, type WebOptions } from '../web/routes.js';

/** Lambda's limit on a synchronous invocation's request payload (6 MB). */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export interface ServerOptions {
  /** The handler's configuration (readConfig(process.env) for the embedded defaults). */
  config: LambdaConfig;
  /** TCP port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1' (loopback only). */
  host?: string;
  /** "Memory Size" of the REPORT lines, MB. Default 128. */
  memorySizeMb?: number;
  /** Where INIT and REPORT lines go. Default console.log. */
  log?: (line: string) => void;
  /** Passed to the handler's INIT (precompiled wasm, custom stores). */
  init?: Omit<InitOptions, 'log'>;
  /** The demo page (GET /, /assets/*) and /report (src/web), answered before the handler; false: the API only. */
  web?: WebOptions | false;
}

export interface LocalServer {
  /** e.g. 'http://127.0.0.1:3000' */
  readonly url: string;
  readonly port: number;
  readonly handler: Handler;
  /** INIT wall time, ms (the first REPORT's Init Duration). */
  readonly initMs: number;
  /** Stops listening and drops idle keep-alive connections. */
  close(): Promise<void>;
}

/**
 * Runs INIT, then listens.
 * @param options configuration, address, REPORT settings (see ServerOptions)
 */
export async function startServer(options: ServerOptions): Promise<LocalServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const memorySizeMb = options.memorySizeMb ?? 128;
  const initStart = performance.now();
  // The DynamoDB store (and the AWS SDK under it) loads only when configured.
  const dynamodb = () => import('../vectors/dynamodb.js');
  const handler = await createHandler(options.config, { dynamodb, ...options.init, log });
  const initMs = performance.now() - initStart;
  let pendingInit: number | undefined = initMs;
  let queue: Promise<unknown> = Promise.resolve();

  /** One invocation, after the previous one finished (one execution environment). */
  const invoke = (event: unknown): Promise<LambdaResponse | undefined> => {
    const run = queue.then(async () => {
      const requestId = randomUUID();
      const start = performance.now();
      let response: LambdaResponse | undefined;
      try {
        response = await handler(event, { awsRequestId: requestId });
      } catch (error) {
        log(`handler threw (request ${requestId}): ${(error as Error).stack ?? String(error)}`);
      }
      const durationMs = performance.now() - start;
      log(formatReport({ requestId, durationMs, memorySizeMb, maxMemoryUsedMb: maxMemoryUsedMb(), initDurationMs: pendingInit }));
      pendingInit = undefined;
      return response;
    });
    queue = run;
    return run;
  };

  const web = options.web === false ? undefined : createWebRoutes(options.web);
  const server = createServer((req, res) => {
    const page = web?.(req.method ?? 'GET', req.url ?? '/'); // no invocation, no REPORT line
    if (page !== undefined) return send(res, req, page);
    readBody(req, MAX_REQUEST_BYTES).then(
      async (body) => {
        if (body === undefined) return send(res, req, { statusCode: 413, headers: { 'Content-Type': 'application/json', Connection: 'close' }, body: '{"message":"Request Entity Too Large"}', isBase64Encoded: false });
        const response = await invoke(toApiGatewayV2Event(req, body));
        send(res, req, isResponse(response) ? response : { statusCode: 502, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Internal Server Error"}', isBase64Encoded: false });
      },
      () => res.destroy(),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    handler,
    initMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** The whole body, or undefined when it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, req: IncomingMessage, response: LambdaResponse & { cookies?: string[] }): void {
  const body = response.isBase64Encoded ? Buffer.from(response.body, 'base64') : Buffer.from(response.body ?? '', 'utf8');
  const headers: Record<string, string | string[]> = Object.assign({}, response.headers, { 'Content-Length': String(body.length) });
  if (Array.isArray(response.cookies) && response.cookies.length > 0) headers['Set-Cookie'] = response.cookies;
  res.writeHead(response.statusCode, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  if (headers.Connection === 'close') req.socket.destroySoon?.();
}

function isResponse(value: unknown): value is LambdaResponse {
  return typeof value === 'object' && value !== null && Number.isInteger((value as LambdaResponse).statusCode) && typeof (value as LambdaResponse).body === 'string';
}
