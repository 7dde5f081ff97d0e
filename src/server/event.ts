/**
 * An incoming HTTP request -> the API Gateway HTTP API (payload format 2.0)
 * event Lambda would receive for it, as `sam local start-api` builds it:
 * lower-cased headers (repeated ones joined by commas), cookies split out,
 * query parameters decoded, and the body as text when it is textual, else
 * base64 with isBase64Encoded set.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

/** The v2 event, with the fields the handler and most user code read. */
export interface ApiGatewayV2Event {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

const TEXTUAL = /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|javascript))/i;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Builds the event for one request.
 * @param req  the Node request (method, url, headers)
 * @param body the whole request body
 * @param now  the time of arrival (ms since the epoch)
 */
export function toApiGatewayV2Event(req: IncomingMessage, body: Buffer, now = Date.now()): ApiGatewayV2Event {
  const url = requestUrl(req.url ?? '/');
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    headers[name] = headers[name] === undefined ? req.rawHeaders[i + 1] : `${headers[name]},${req.rawHeaders[i + 1]}`;
  }
  const cookies = headers.cookie?.split(/;\s*/).filter((c) => c !== '');
  delete headers.cookie;
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  const method = (req.method ?? 'GET').toUpperCase();
  const textual = body.length === 0 || TEXTUAL.test(headers['content-type'] ?? 'application/json');
  const requestId = randomUUID();
  const event: ApiGatewayV2Event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'tinycnn-local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now,
    },
    isBase64Encoded: !textual,
  };
  if (cookies !== undefined && cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (body.length > 0) event.body = textual ? body.toString('utf8') : body.toString('base64');
  return event;
}

/**
 * The path and query of a request target: "//sm" is the path "//sm", not the host "sm" that
 * `new URL("//sm", base)` reads in it (dot segments are still resolved, as before).
 * @param target the request line's target: "/path?query", or an absolute URL (proxies send those)
 */
export function requestUrl(target: string): URL {
  if (target.startsWith('/')) return new URL(`http://localhost${target}`);
  try {
    return new URL(target);
  } catch {
    return new URL(`http://localhost/${target}`);
  }
}

/** API Gateway's requestContext.time format: 12/Mar/2020:19:03:58 +0000. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}
