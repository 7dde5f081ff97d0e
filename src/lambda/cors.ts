/**
 * Cross-origin access for browser pages (TINYCNN_CORS_ORIGINS):
 *
 *   '*' (default)   Access-Control-Allow-Origin: * on every answer; no Allow-Credentials, which
 *                   browsers refuse next to a wildcard (castorini's handlers sent both)
 *   an allow-list   "https://app.example,http://localhost:3000": a request whose Origin is listed
 *                   gets that origin back with Allow-Credentials: true; any other gets no
 *                   Allow-Origin (the browser blocks the page from reading the answer); both get
 *                   Vary: Origin, so caches keep the answers apart
 *
 * Preflights (OPTIONS) add the methods and headers a page may use, for origins that are allowed.
 */
import { TinyCnnError } from '../errors.js';

/** '*' or the exact origins allowed (scheme://host[:port], no trailing slash). */
export type CorsOrigins = '*' | readonly string[];

/** The headers every answer to an allowed origin carries (the default policy's). */
export const WILDCARD_CORS: Readonly<Record<string, string>> = { 'Access-Control-Allow-Origin': '*' };

const PREFLIGHT: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization, X-Requested-With',
  'Access-Control-Max-Age': '86400',
};

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * Parses TINYCNN_CORS_ORIGINS.
 * @param value '*' or a comma-separated list of origins (undefined: '*')
 * @throws TinyCnnError CORS_INVALID naming the entry that is not an origin
 */
export function parseCorsOrigins(value: string | undefined): CorsOrigins {
  if (value === undefined || value.trim() === '*') return '*';
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    if (!ORIGIN.test(origin))
      throw new TinyCnnError('CORS_INVALID', `"${origin}" is not an origin (scheme://host[:port], e.g. https://app.example); use * or a comma-separated list`);
  }
  if (origins.length === 0) throw new TinyCnnError('CORS_INVALID', 'is empty; use * or a comma-separated list of origins');
  return origins;
}

/**
 * The CORS headers of one answer.
 * @param allowed   the policy
 * @param origin    the request's Origin header, if any
 * @param preflight an OPTIONS preflight: add the allowed methods and headers
 */
export function corsHeaders(allowed: CorsOrigins, origin: string | undefined, preflight: boolean): Record<string, string> {
  if (allowed === '*') return Object.assign({}, WILDCARD_CORS, preflight ? PREFLIGHT : {});
  if (origin === undefined || !allowed.includes(origin)) return { Vary: 'Origin' };
  return Object.assign({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }, preflight ? PREFLIGHT : {});
}

/**
 * Puts an allow-list's CORS headers on an answer built with the default ones (a no-op under '*').
 * @param headers   the answer's headers (changed in place)
 * @param allowed   the policy
 * @param origin    the request's Origin header, if any
 * @param preflight the answer is to an OPTIONS preflight
 */
export function applyCors(headers: Record<string, string>, allowed: CorsOrigins, origin: string | undefined, preflight: boolean): void {
  if (allowed === '*') return;
  delete headers['Access-Control-Allow-Origin'];
  for (const name of Object.keys(PREFLIGHT)) delete headers[name];
  Object.assign(headers, corsHeaders(allowed, origin, preflight));
}
