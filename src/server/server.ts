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
import type { Duplex } from 'node:stream';
import type { LambdaConfig } from '../lambda/config.js';
import { createHandler, type Handler, type InitOptions } from '../lambda/handler.js';
import { CORS_HEADERS, errorResponse, HttpError, type LambdaResponse } from '../lambda/http.js';
import { importOptional } from '../optional.js';
import { toApiGatewayV2Event } from './event.js';
import { formatReport, maxMemoryUsedMb } from './report.js';
import { createWebRoutes, type WebOptions } from '../web/routes.js';

/** Lambda's limit on a synchronous invocation's request payload (6 MB). */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/**
 * How long a client may take, as a function behind API Gateway would allow (template.yaml gives
 * the function 10 s): the request line and headers within 5 s, the whole request within 10 s
 * (a 6 MB body at 1 MB/s fits). Node's defaults (60 s, 300 s) let a client sending a byte a
 * second hold a connection for minutes. Timed-out requests get a JSON 408.
 */
export const HEADERS_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 10_000;

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
  /** Most ms from connection (or the previous request) to the end of the headers. Default HEADERS_TIMEOUT_MS. */
  headersTimeoutMs?: number;
  /** Most ms to receive a whole request, body included. Default REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
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
  // The DynamoDB store (and the AWS SDK under it, an optional package) loads only when configured.
  const dynamodb = () =>
    importOptional('@aws-sdk/client-dynamodb', 'the DynamoDB vector store (TINYCNN_VECTOR_STORE=dynamodb)', () => import('../vectors/dynamodb.js'));
  // A record per request only in Lambda's JSON log format: in Text, the REPORT line says enough.
  const handler = await createHandler(options.config, { dynamodb, requestLog: options.config.logFormat === 'json', ...options.init, log });
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
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS, requestTimeout);
  // connections are checked for those timeouts this often (Node's default, 30 s, would let them run long)
  const connectionsCheckingInterval = Math.max(50, Math.min(1000, headersTimeout / 4));
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval }, (req, res) => {
    const page = web?.(req.method ?? 'GET', req.url ?? '/', req.headers); // no invocation, no REPORT line
    if (page !== undefined) return send(res, req, page);
    readBody(req, MAX_REQUEST_BYTES).then(
      async (body) => {
        if (body === undefined) {
          return send(
            res,
            req,
            errorResponse(
              new HttpError(413, 'BODY_TOO_LARGE', `the request body is larger than ${MAX_REQUEST_BYTES} bytes (Lambda's limit)`, { Connection: 'close' }),
            ),
          );
        }
        send(res, req, toHttpResponse(await invoke(toApiGatewayV2Event(req, body))));
      },
      () => res.destroy(),
    );
  });
  server.on('clientError', answerClientError);
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

/**
 * What the server answers for an invocation's result: the handler's response, or, as API Gateway
 * does for a function that failed or returned something that is not a response, a 502 in the
 * same JSON error shape as every other answer.
 * @param result what the handler returned (undefined when it threw)
 */
export function toHttpResponse(result: unknown): LambdaResponse {
  return isResponse(result) ? result : errorResponse(new HttpError(502, 'INTERNAL', 'the function failed or returned a malformed response'));
}

/** The whole body, or undefined when it passes `limit` bytes (the rest is not read; a Content-Length over it is refused at once). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length']) > limit) {
    req.pause();
    return Promise.resolve(undefined);
  }
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

/**
 * Requests Node refuses before the handler sees them (too slow, malformed, headers too large) get
 * the same JSON error shape as everything else, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && error.code?.startsWith('HPE_') !== true)) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are too large']
        : [400, 'Bad Request', 'BAD_REQUEST', 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ error: { code, message } });
  const headers = Object.entries(
    Object.assign({ 'Content-Type': 'application/json' }, CORS_HEADERS, { 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' }),
  );
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
}

function isResponse(value: unknown): value is LambdaResponse {
  return (
    typeof value === 'object' && value !== null && Number.isInteger((value as LambdaResponse).statusCode) && typeof (value as LambdaResponse).body === 'string'
  );
}
