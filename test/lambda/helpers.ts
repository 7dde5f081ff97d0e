/** Shared by the handler tests: a deterministic in-memory vector store, a config on the reference weights, event builders. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfig, type LambdaConfig } from '../../src/lambda/config.js';
import type { LambdaResponse } from '../../src/lambda/http.js';
import { probeValues } from '../../src/model/probe.js';
import type { EmbedOptions, Embedding, VectorSource } from '../../src/vectors/store.js';

const EVENTS = fileURLToPath(new URL('./events/', import.meta.url));

/** Words this store does not know: they get zero rows and are reported unknown. */
export const UNKNOWN_PREFIX = 'zz';
/** A token that makes embed() throw a plain Error carrying fake internals (fault injection). */
export const FAULT_TOKEN = 'explode';
export const FAULT_SECRET = '/var/task/secret-internals.js:42';

/** Vector of a known word: probeValues seeded by the word's FNV-1a hash, scaled to [-0.25, 0.25). */
export function vectorOf(word: string, dim: number): Float32Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return probeValues(h | 0, dim).map((v) => v / 4);
}

/** An in-memory VectorSource of any width: every word known except UNKNOWN_PREFIX ones. */
export function fakeStore(dim: number, name = `fake-${dim}d`): VectorSource & { calls: number } {
  const store = {
    name,
    dim,
    calls: 0,
    async embed(tokens: readonly string[], options: EmbedOptions = {}): Promise<Embedding> {
      store.calls++;
      if (tokens.includes(FAULT_TOKEN)) throw new Error(`cannot read ${FAULT_SECRET}`);
      const matrix = options.out ?? new Float32Array(tokens.length * dim);
      matrix.fill(0, 0, tokens.length * dim);
      const unknown: string[] = [];
      const unknownPositions: number[] = [];
      tokens.forEach((t, i) => {
        if (t.startsWith(UNKNOWN_PREFIX)) {
          unknownPositions.push(i);
          if (!unknown.includes(t)) unknown.push(t);
        } else matrix.set(vectorOf(t, dim), i * dim);
      });
      return { matrix, unknown, unknownPositions };
    },
    close() {},
  };
  return store;
}

/** The reference weights, both models, fake vectors; overrides are TINYCNN_* variables. */
export function testConfig(env: Record<string, string> = {}): LambdaConfig {
  return readConfig({ TINYCNN_VERIFY: '1', ...env });
}

/** An event fixture from test/lambda/events/, with its body replaced. */
export function fixtureEvent(name: string, body?: unknown, base64?: boolean): Record<string, unknown> {
  const event = JSON.parse(readFileSync(join(EVENTS, `${name}.json`), 'utf8')) as Record<string, unknown>;
  if (body !== undefined) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const encode = base64 ?? event.isBase64Encoded === true;
    event.body = encode ? Buffer.from(text, 'utf8').toString('base64') : text;
    event.isBase64Encoded = encode;
  }
  return event;
}

/** A minimal HTTP API v2 event for a method, path and body. */
export function v2(method: string, path: string, body?: unknown): Record<string, unknown> {
  const event = fixtureEvent('http-api-v2', body);
  const context = event.requestContext as Record<string, Record<string, unknown>>;
  event.rawPath = path;
  context.http.method = method;
  context.http.path = path;
  if (body === undefined) delete event.body;
  return event;
}

/** The response body as JSON. */
export function json(response: LambdaResponse): Record<string, any> {
  return JSON.parse(response.body) as Record<string, any>;
}
