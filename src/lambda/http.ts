/**
 * HTTP responses in the shape API Gateway (REST v1 and HTTP API v2) and
 * Function URLs accept from a Lambda proxy integration, with JSON and CORS
 * headers on every answer, errors included, so a browser page can read an
 * error's message.
 *
 * (Object.assign rather than object spread on this path: in V8 a spread-then-add literal
 * per request made objects outlive the young generation, a steady 2 MB promoted per scavenge.)
 *
 * Errors have one body shape: {"error": {"code": "INVALID_JSON", "message": "..."}}.
 */
import { TinyCnnError } from '../errors.js';
import { corsHeaders, WILDCARD_CORS } from './cors.js';

/** What the handler returns: a proxy-integration response. */
export interface LambdaResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/**
 * The CORS headers every answer starts with: the default policy's (cors.ts). castorini's handlers
 * also sent Allow-Credentials: true, which browsers refuse next to a wildcard origin; with an
 * allow-list (TINYCNN_CORS_ORIGINS) the handler replaces these per request.
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = WILDCARD_CORS;

/**
 * A request the handler refuses, with the status and the stable code a client branches on.
 * Codes: INVALID_JSON, INVALID_BODY, MISSING_FIELD, INVALID_FIELD, EMPTY_TEXT, NO_TOKENS,
 * TOO_MANY_TOKENS, BATCH_TOO_LARGE, BODY_TOO_LARGE (413), NOT_FOUND (404),
 * METHOD_NOT_ALLOWED (405), VECTORS_UNAVAILABLE (503), VECTORS_TIMEOUT (504), INTERNAL (500);
 * BENCH_NO_TIME (400, the bench handler: too little of the function timeout left).
 */
export class HttpError extends TinyCnnError {
  /** HTTP status, 4xx or 5xx. */
  readonly status: number;
  /** Extra response headers (e.g. Allow on a 405). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }
}

/**
 * A JSON response with the JSON and default CORS headers.
 * @param status  HTTP status code
 * @param body    anything JSON.stringify accepts
 * @param headers extra headers
 */
export function jsonResponse(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): LambdaResponse {
  return {
    statusCode: status,
    headers: Object.assign({ 'Content-Type': 'application/json' }, CORS_HEADERS, headers),
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** {"error": {"code", "message"}} with the error's status; only HttpError texts reach the client. */
export function errorResponse(error: HttpError): LambdaResponse {
  return jsonResponse(error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/** 204 answer to a CORS preflight under the default policy (the handler applies an allow-list). */
export function preflightResponse(): LambdaResponse {
  return { statusCode: 204, headers: corsHeaders('*', undefined, true), body: '', isBase64Encoded: false };
}
