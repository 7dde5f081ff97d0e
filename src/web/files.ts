/**
 * What the demo page's "run in this browser" mode downloads from the local server:
 *
 *   GET /engine/tinycnn.js        the engine bundled for browsers (build/browser/tinycnn.js, `npm run build`)
 *   GET /weights/<file>           a shipped model's files (src/pipeline/defaults.ts), nothing else,
 *                                 with single-range `Range: bytes=...` answered 206, so the vector
 *                                 stores are read by page (src/vectors/http.ts)
 *
 * A real deployment serves the same files from any static host or CDN that answers Range requests.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { LambdaResponse } from '../lambda/http.js';
import { findAsset } from '../node/assets.js';
import { SHIPPED_MODELS } from '../pipeline/defaults.js';

/** The shipped files by their name under /weights/. */
const SHIPPED = new Map(
  Object.values(SHIPPED_MODELS)
    .flatMap((m) => [m.weights, m.vectors])
    .map((path) => [path.slice('weights/'.length), path]),
);

/**
 * Answers /engine/tinycnn.js and /weights/<file>, or undefined for any other path.
 * @param path    the request's path
 * @param headers the request's headers (lower-case names), for Range
 */
export function engineFile(path: string, headers: Readonly<Record<string, string | string[] | undefined>>): LambdaResponse | undefined {
  if (path === '/engine/tinycnn.js') {
    const file = findAsset('build/browser/tinycnn.js');
    const body = readOrUndefined(file);
    if (body === undefined) return text(404, 'the browser engine is not built: run npm run build');
    return answer(200, { 'Content-Type': 'text/javascript; charset=utf-8' }, body);
  }
  if (!path.startsWith('/weights/')) return undefined;
  const relative = SHIPPED.get(path.slice('/weights/'.length));
  if (relative === undefined) return text(404, `no shipped file ${JSON.stringify(path.slice('/weights/'.length))}`);
  const file = findAsset(relative);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return text(404, `${relative} is not in this install`);
  }
  const type = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  const range = parseRange(headers.range, size);
  if (range === 'unsatisfiable') return text(416, `the range is outside the ${size}-byte file`, { 'Content-Range': `bytes */${size}` });
  if (range === undefined) return answer(200, type, readFileSync(file));
  const [first, last] = range;
  return answer(206, { ...type, 'Content-Range': `bytes ${first}-${last}/${size}` }, readSlice(file, first, last - first + 1));
}

/**
 * One `bytes=first-last`, `bytes=first-` or `bytes=-suffix` range, clipped to the file; undefined
 * for none, several or a malformed one (answered 200 with the whole file, as RFC 9110 allows).
 */
export function parseRange(header: string | string[] | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (first >= size || last < first) return 'unsatisfiable';
  return [first, last];
}

function readSlice(file: string, pos: number, len: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const out = Buffer.alloc(len);
    for (let done = 0; done < len; ) {
      const n = readSync(fd, out, done, len - done, pos + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** The server sets Content-Length and leaves the body out of a HEAD answer. */
function answer(status: number, headers: Record<string, string>, body: Buffer): LambdaResponse {
  const binary = headers['Content-Type'] === 'application/octet-stream';
  return {
    statusCode: status,
    headers: { ...headers, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' },
    body: body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary,
  };
}

function text(status: number, message: string, extra: Record<string, string> = {}): LambdaResponse {
  return {
    statusCode: status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...extra },
    body: `${message}\n`,
    isBase64Encoded: false,
  };
}
