/**
 * Lambda events -> one plain request shape. Accepted:
 *   'rest-v1'       API Gateway REST API (and HTTP API payload 1.0): httpMethod, path, body, isBase64Encoded
 *   'http-v2'       API Gateway HTTP API payload 2.0: version "2.0", rawPath, requestContext.http.method
 *   'function-url'  Lambda Function URL: payload 2.0 on a *.lambda-url.* domain
 *   'direct'        `aws lambda invoke` / console tests: the event is the request body itself,
 *                   or {"body": "<json string>"} as castorini's handlers were tested
 * Bodies may be base64-encoded (isBase64Encoded); the size limit applies to the decoded bytes
 * and is checked before anything large is allocated.
 */
import { HttpError } from './http.js';

export type EventKind = 'rest-v1' | 'http-v2' | 'function-url' | 'direct';

export interface HttpRequest {
  readonly kind: EventKind;
  /** Upper-case HTTP method ('POST' for direct invocations). */
  readonly method: string;
  /** Path without the stage prefix and without a trailing slash; '/' at the root. */
  readonly path: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text ('' when there is none). */
  readonly body: string;
  /** API Gateway's request id, when the event has one. */
  readonly requestId: string | undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Normalizes one event.
 * @param event        whatever Lambda passed to the handler
 * @param maxBodyBytes bodies larger than this (decoded) -> HttpError 413 BODY_TOO_LARGE
 */
export function parseEvent(event: unknown, maxBodyBytes: number): HttpRequest {
  const e = isRecord(event) ? event : undefined;
  const context = e !== undefined && isRecord(e.requestContext) ? e.requestContext : {};
  if (e !== undefined && e.version === '2.0' && isRecord(context.http)) {
    const stage = typeof context.stage === 'string' ? context.stage : '$default';
    const domain = typeof context.domainName === 'string' ? context.domainName : '';
    return {
      kind: domain.includes('.lambda-url.') ? 'function-url' : 'http-v2',
      method: String(context.http.method ?? 'GET').toUpperCase(),
      path: normalizePath(typeof e.rawPath === 'string' ? e.rawPath : '/', stage),
      headers: lowerCase(e.headers),
      body: decodeBody(e.body, e.isBase64Encoded === true, maxBodyBytes),
      requestId: typeof context.requestId === 'string' ? context.requestId : undefined,
    };
  }
  if (e !== undefined && typeof e.httpMethod === 'string') {
    return {
      kind: 'rest-v1',
      method: e.httpMethod.toUpperCase(),
      path: normalizePath(typeof e.path === 'string' ? e.path : '/', undefined),
      headers: Object.assign(lowerCase(e.multiValueHeaders), lowerCase(e.headers)),
      body: decodeBody(e.body, e.isBase64Encoded === true, maxBodyBytes),
      requestId: typeof context.requestId === 'string' ? context.requestId : undefined,
    };
  }
  // Direct invocation: {"body": "..."} (castorini's test event) or the request object itself.
  const hasBody = e !== undefined && typeof e.body === 'string' && Object.keys(e).every((k) => k === 'body' || k === 'isBase64Encoded');
  const body = hasBody ? decodeBody(e.body, e.isBase64Encoded === true, maxBodyBytes) : stringify(event, maxBodyBytes);
  return { kind: 'direct', method: 'POST', path: '/', headers: {}, body, requestId: undefined };
}

/** Strips a named stage ('/prod/kim' -> '/kim' for stage 'prod') and trailing slashes. */
function normalizePath(raw: string, stage: string | undefined): string {
  let path = raw.startsWith('/') ? raw : `/${raw}`;
  if (stage !== undefined && stage !== '$default' && stage !== '') {
    const prefix = `/${stage}`;
    if (path === prefix || path.startsWith(`${prefix}/`)) path = path.slice(prefix.length) || '/';
  }
  path = path.replace(/\/+$/, '');
  return path === '' ? '/' : path;
}

function decodeBody(body: unknown, base64: boolean, maxBodyBytes: number): string {
  if (body === undefined || body === null) return '';
  if (typeof body !== 'string') throw new HttpError(400, 'INVALID_BODY', 'the request body must be text (JSON)');
  if (!base64) {
    // A UTF-16 string has at most 3 UTF-8 bytes per code unit: skip the exact count when clearly small.
    if (body.length * 3 > maxBodyBytes && utf8Length(body) > maxBodyBytes) throw tooLarge(maxBodyBytes);
    return body;
  }
  const compact = body.replace(/\s+/g, '');
  if (Math.floor((compact.length * 3) / 4) - 2 > maxBodyBytes) throw tooLarge(maxBodyBytes);
  if (compact.length % 4 === 1 || !BASE64.test(compact)) throw new HttpError(400, 'INVALID_BODY', 'the body is marked base64 but is not valid base64');
  const bytes = base64Bytes(compact);
  if (bytes.length > maxBodyBytes) throw tooLarge(maxBodyBytes);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, 'INVALID_BODY', 'the request body is not UTF-8 text');
  }
}

function stringify(event: unknown, maxBodyBytes: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(event);
  } catch {
    throw new HttpError(400, 'INVALID_BODY', 'the event cannot be read as JSON');
  }
  if (text === undefined) return '';
  if (utf8Length(text) > maxBodyBytes) throw tooLarge(maxBodyBytes);
  return text;
}

/** The UTF-8 length of a string (what Buffer.byteLength counts; a lone surrogate as its 3-byte replacement), with no Node API. */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Checked base64 (BASE64 matched) -> bytes: Node's Buffer where there is one, else atob (browsers, Workers). */
function base64Bytes(text: string): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer;
  if (NodeBuffer !== undefined) return NodeBuffer.from(text, 'base64');
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function tooLarge(maxBodyBytes: number): HttpError {
  return new HttpError(413, 'BODY_TOO_LARGE', `the request body is larger than ${maxBodyBytes} bytes`);
}

/** Header map with lower-case names; multi-value lists joined with ', '. */
function lowerCase(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(headers)) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.filter((v) => typeof v === 'string').join(', ');
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
