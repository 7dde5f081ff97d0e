/**
 * The local server's web routes, answered before the Lambda handler:
 *
 *   GET /                     the demo page (src/web/public/index.html)
 *   GET /assets/<file>        its script, style sheet and icon (src/web/public/<file>)
 *   GET /report               the measurements page (src/web/report.ts)
 *   GET /report/charts/<f>    a chart file from <results>/charts (.svg or .png)
 *   GET /engine/tinycnn.js    the engine for the page's "run in this browser" mode, and
 *   GET /weights/<file>       the shipped models' files, byte ranges too (src/web/files.ts)
 *
 * HEAD works wherever GET does. Anything else returns undefined and goes to the
 * handler (POST / is castorini's root route there; OPTIONS is its CORS preflight).
 * The page's files are plain HTML, JS and CSS, read once when the routes are
 * created; they are not part of the Lambda zip, only of the local server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LambdaResponse } from '../lambda/http.js';
import { engineFile } from './files.js';
import { reportPage } from './report.js';
import { CHART_FILE, readResults } from './results.js';

export interface WebOptions {
  /** The page's static files. Default: src/web/public of the tinycnn checkout this module sits in. */
  publicDir?: string;
  /** Where /report looks for results. Default: bench/results under the working directory (where the CLIs write). */
  resultsDir?: string;
}

/** Answers a request for the page, or undefined when the Lambda handler should answer it (headers: lower-case names, for Range). */
export type WebRoute = (method: string, url: string, headers?: Readonly<Record<string, string | string[] | undefined>>) => LambdaResponse | undefined;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The pages' policy: own scripts and styles only; the API may live on any origin (the "API base
 * URL" field); 'wasm-unsafe-eval' lets the browser mode compile the engine's kernels (and nothing
 * else: no eval of JavaScript).
 */
const PAGE_CSP =
  "default-src 'self'; connect-src *; img-src 'self' data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** Chart files opened on their own: no scripts. */
const FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * Reads the page's files and returns the router.
 * @param options where the page's files and the results are (see WebOptions)
 */
export function createWebRoutes(options: WebOptions = {}): WebRoute {
  const publicDir = options.publicDir ?? findPublicDir();
  const resultsDir = resolve(options.resultsDir ?? join(process.cwd(), 'bench', 'results'));
  const assets = publicDir === undefined ? new Map<string, Buffer>() : readAssets(publicDir);

  return (method, url, headers = {}) => {
    const path = pathOf(url);
    const isPage = path === '/' || path === '/report' || path === '/report/' || path.startsWith('/assets/') || path.startsWith('/report/charts/');
    const isFile = path === '/engine/tinycnn.js' || path.startsWith('/weights/');
    if (!isPage && !isFile) return undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      if (path === '/') return undefined; // POST / and OPTIONS / belong to the API
      return text(405, `${method} is not allowed on ${path}; use GET`, { Allow: 'GET, HEAD' });
    }
    if (isFile) return engineFile(path, headers);
    if (path === '/report' || path === '/report/') return file(200, '.html', Buffer.from(reportPage(readResults(resultsDir), process.cwd())), PAGE_CSP);
    if (path.startsWith('/report/charts/')) {
      const name = path.slice('/report/charts/'.length);
      const body = CHART_FILE.test(name) ? readOrUndefined(join(resultsDir, 'charts', name)) : undefined;
      // the folder stays out of the answer: a 404 must not tell a client where the server's files live
      return body === undefined ? text(404, `no chart ${JSON.stringify(name)} among the results`) : file(200, extension(name), body, FILE_CSP);
    }
    const name = path === '/' ? 'index.html' : path.slice('/assets/'.length);
    const body = assets.get(name);
    if (body === undefined) {
      if (path === '/') return text(500, "the demo page's files (src/web/public/index.html) are missing from this install");
      return text(404, `no asset ${JSON.stringify(name)}`);
    }
    return file(200, extension(name), body, name.endsWith('.html') ? PAGE_CSP : undefined);
  };
}

/** src/web/public next to this module (running from src/), else above it (running from build/src/web/). */
function findPublicDir(): string | undefined {
  const start = here();
  if (existsSync(join(start, 'public', 'index.html'))) return join(start, 'public');
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'src', 'web', 'public');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function here(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** Every file of the folder whose type we serve, by name. */
function readAssets(dir: string): Map<string, Buffer> {
  const assets = new Map<string, Buffer>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets; // no folder: / then says where it looked
  }
  for (const name of names) {
    if (TYPES[extension(name)] === undefined) continue;
    const body = readOrUndefined(join(dir, name));
    if (body !== undefined) assets.set(name, body);
  }
  return assets;
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The path of a request target ("//report" is a path, not the host "report"; dot segments resolved). */
function pathOf(url: string): string {
  try {
    return new URL(url.startsWith('/') ? `http://localhost${url}` : url).pathname;
  } catch {
    return url;
  }
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

function file(status: number, ext: string, body: Buffer, csp: string | undefined): LambdaResponse {
  const type = TYPES[ext] ?? 'application/octet-stream';
  const binary = type === 'image/png';
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  if (csp !== undefined) headers['Content-Security-Policy'] = csp;
  return { statusCode: status, headers, body: body.toString(binary ? 'base64' : 'utf8'), isBase64Encoded: binary };
}

function text(status: number, message: string, extra: Record<string, string> = {}): LambdaResponse {
  return {
    statusCode: status,
    headers: Object.assign({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, extra),
    body: `${message}\n`,
    isBase64Encoded: false,
  };
}
