/**
 * One HTTP POST with a hard deadline, classified: ok, an HTTP error status,
 * a timeout, a connection error, or a 2xx whose body is not JSON. Reads the
 * server-side timings (t_overall, t_sent_embedding, t_inference) from the body.
 */
import * as http from 'node:http';
import * as https from 'node:https';

/** Where and how to send. */
export interface Target {
  /** Full URL of the endpoint (e.g. http://127.0.0.1:3000/kim). */
  readonly url: URL;
  /** Keep-alive agent shared by the requests of one run (its maxSockets bounds the connections). */
  readonly agent: http.Agent;
  /** Per-request deadline, ms: past it the request is aborted and counted as a timeout. */
  readonly timeoutMs: number;
  /** Unit of the body's t_* fields: 's' (castorini's), 'ms', or 'auto' (seconds unless that exceeds the round trip). */
  readonly timingUnit: 'auto' | 's' | 'ms';
}

/** Server-side timings of one answer, ms. */
export interface ServerTimings {
  readonly overallMs: number | undefined;
  readonly embeddingMs: number | undefined;
  readonly inferenceMs: number | undefined;
  /** The body's cold_start flag, when present. */
  readonly coldStart: boolean | undefined;
}

/** What happened to one request. */
export interface Outcome {
  /** 2xx with a JSON body. */
  readonly ok: boolean;
  /** Round trip, ms (to the abort, for timeouts). */
  readonly latencyMs: number;
  /** HTTP status, or null when none arrived. */
  readonly status: number | null;
  /** Why it failed: 'timeout', 'http_503', 'ECONNREFUSED', 'bad_body', ...; undefined when ok. */
  readonly errorKind: string | undefined;
  readonly timings: ServerTimings | undefined;
}

/** A keep-alive agent for `url` allowing `sockets` parallel connections. */
export function agentFor(
  /** The endpoint. */
  url: URL,
  /** Most connections at once (the concurrency). */
  sockets: number,
  /** false for one connection per request (cold protocol). */
  keepAlive = true,
): http.Agent {
  const options = { keepAlive, maxSockets: sockets, maxFreeSockets: sockets };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/** POSTs `body` (JSON text) to the target; never rejects. */
export function send(
  /** Endpoint, agent, deadline. */
  target: Target,
  /** The request body. */
  body: string,
): Promise<Outcome> {
  const payload = Buffer.from(body, 'utf8');
  const lib = target.url.protocol === 'https:' ? https : http;
  const start = performance.now();
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<Outcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: performance.now() - start });
    };
    const req = lib.request(target.url, {
      method: 'POST',
      agent: target.agent,
      headers: { 'content-type': 'application/json', 'content-length': String(payload.length), accept: 'application/json' },
    });
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, errorKind: 'timeout', timings: undefined });
      req.destroy();
    }, target.timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => finish({ ok: false, status: res.statusCode ?? null, errorKind: 'ECONNRESET', timings: undefined }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const latencyMs = performance.now() - start;
        if (status < 200 || status >= 300) return finish({ ok: false, status, errorKind: `http_${status}`, timings: undefined });
        const timings = readTimings(Buffer.concat(chunks).toString('utf8'), latencyMs, target.timingUnit);
        if (timings === null) return finish({ ok: false, status, errorKind: 'bad_body', timings: undefined });
        finish({ ok: true, status, errorKind: undefined, timings });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, status: null, errorKind: error.code ?? 'request_error', timings: undefined }));
    req.end(payload);
  });
}

/** The t_* fields of a JSON answer in ms; null when the body is not a JSON object. */
export function readTimings(
  /** The response body. */
  text: string,
  /** The measured round trip, ms (for the 'auto' unit). */
  latencyMs: number,
  /** Unit of the t_* fields. */
  unit: Target['timingUnit'],
): ServerTimings | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const raw = (key: string) => (typeof o[key] === 'number' && Number.isFinite(o[key]) && (o[key] as number) >= 0 ? (o[key] as number) : undefined);
  const overall = raw('t_overall');
  // castorini's fields are seconds; a value that, read as seconds, exceeds the round trip must be milliseconds.
  const scale = unit === 'ms' || (unit === 'auto' && overall !== undefined && overall * 1000 > latencyMs + 1) ? 1 : 1000;
  const ms = (v: number | undefined) => (v === undefined ? undefined : v * scale);
  return {
    overallMs: ms(overall),
    embeddingMs: ms(raw('t_sent_embedding')),
    inferenceMs: ms(raw('t_inference')),
    coldStart: typeof o.cold_start === 'boolean' ? o.cold_start : undefined,
  };
}
