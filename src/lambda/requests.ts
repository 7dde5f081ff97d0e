/**
 * Request bodies -> checked, typed requests. castorini's API plus a batch form:
 *   Kim  {"input": "text"}                    | {"inputs": ["text", ...]}
 *   SM   {"sent1": "q", "sent2": "a"[, "ext": [4 numbers]]} ("ext" overrides the features the
 *        model computes from the texts; required only when its weight file names no way to)
 *        | {"pairs": [{"sent1", "sent2"[, "ext"]} or ["q", "a"], ...]}
 * Every refusal is an HttpError 400 with a stable code and a message naming the
 * field (a batch over TINYCNN_MAX_BATCH is 400 BATCH_TOO_LARGE, not 413: the body's
 * size was acceptable, its content is not).
 */
import type { ModelKind } from './config.js';
import { HttpError } from './http.js';

/** One SM CNN question/answer pair. */
export interface SmPair {
  readonly sent1: string;
  readonly sent2: string;
  /** The 4 external features, for models trained with them. */
  readonly ext: Float32Array | undefined;
}

export interface KimRequest {
  readonly kind: 'kim';
  readonly texts: readonly string[];
  /** true for {"inputs": [...]} (answer with "results"), false for {"input": ...}. */
  readonly batch: boolean;
}

export interface SmRequest {
  readonly kind: 'sm';
  readonly pairs: readonly SmPair[];
  /** true for {"pairs": [...]}, false for {"sent1", "sent2"}. */
  readonly batch: boolean;
}

export type ModelRequest = KimRequest | SmRequest;

/**
 * Parses a body as a JSON object.
 * @param body the request body text
 */
export function parseJsonObject(body: string): Record<string, unknown> {
  if (body.trim() === '') throw new HttpError(400, 'INVALID_BODY', 'the request body is empty; send a JSON object such as {"input": "a fine movie"}');
  let value: unknown;
  try {
    value = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body); // tolerate a UTF-8 byte-order mark
  } catch (error) {
    throw new HttpError(400, 'INVALID_JSON', `the request body is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'INVALID_BODY', `the request body must be a JSON object, not ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Which model a body is for, from its fields (for the root route when both models are served). */
export function modelOfBody(body: Record<string, unknown>): ModelKind | undefined {
  const kim = has(body, 'input') || has(body, 'inputs');
  const sm = has(body, 'sent1') || has(body, 'sent2') || has(body, 'pairs');
  return kim === sm ? undefined : kim ? 'kim' : 'sm';
}

/**
 * A Kim CNN request.
 * @param body     the parsed body
 * @param maxBatch most texts in {"inputs": [...]}
 */
export function readKimRequest(body: Record<string, unknown>, maxBatch: number): KimRequest {
  if (has(body, 'input') && has(body, 'inputs')) throw new HttpError(400, 'INVALID_BODY', 'send either "input" (one text) or "inputs" (a list), not both');
  if (has(body, 'inputs')) {
    const list = batchList(body.inputs, 'inputs', maxBatch);
    return { kind: 'kim', texts: list.map((item, i) => text(item, `inputs[${i}]`)), batch: true };
  }
  if (!has(body, 'input')) throw new HttpError(400, 'MISSING_FIELD', 'missing field "input": send {"input": "a sentence"} or {"inputs": ["...", "..."]}');
  return { kind: 'kim', texts: [text(body.input, 'input')], batch: false };
}

/** What an SM model takes beside the two texts. */
export interface ExtFeatureNeeds {
  /** External features per pair: 4 for a model trained with them, else 0 ("ext" is then refused). */
  readonly count: number;
  /** Whether the model computes them from the texts itself (then "ext" is optional). */
  readonly computed: boolean;
}

/**
 * An SM CNN request.
 * @param body     the parsed body
 * @param maxBatch most pairs in {"pairs": [...]}
 * @param needs    the model's external features
 */
export function readSmRequest(body: Record<string, unknown>, maxBatch: number, needs: ExtFeatureNeeds): SmRequest {
  if (has(body, 'pairs') && (has(body, 'sent1') || has(body, 'sent2'))) {
    throw new HttpError(400, 'INVALID_BODY', 'send either "sent1" and "sent2" (one pair) or "pairs" (a list), not both');
  }
  if (has(body, 'pairs')) {
    const list = batchList(body.pairs, 'pairs', maxBatch);
    return { kind: 'sm', pairs: list.map((item, i) => pair(item, `pairs[${i}]`, needs)), batch: true };
  }
  return { kind: 'sm', pairs: [pair(body, '', needs)], batch: false };
}

function pair(item: unknown, field: string, needs: ExtFeatureNeeds): SmPair {
  const at = (name: string) => (field === '' ? name : `${field}.${name}`);
  if (Array.isArray(item)) {
    if (item.length !== 2) throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be [question, answer] or {"sent1", "sent2"}`);
    return { sent1: text(item[0], `${field}[0]`), sent2: text(item[1], `${field}[1]`), ext: ext(undefined, at('ext'), needs) };
  }
  if (typeof item !== 'object' || item === null)
    throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be {"sent1": "...", "sent2": "..."}, not ${describe(item)}`);
  const record = item as Record<string, unknown>;
  for (const name of ['sent1', 'sent2']) {
    if (!has(record, name)) throw new HttpError(400, 'MISSING_FIELD', `missing field "${at(name)}": send {"sent1": "question", "sent2": "answer"}`);
  }
  return { sent1: text(record.sent1, at('sent1')), sent2: text(record.sent2, at('sent2')), ext: ext(record.ext, at('ext'), needs) };
}

function ext(value: unknown, field: string, needs: ExtFeatureNeeds): Float32Array | undefined {
  const extFeatures = needs.count;
  if (extFeatures === 0) {
    if (value !== undefined) throw new HttpError(400, 'INVALID_FIELD', `"${field}": this SM model takes no external features`);
    return undefined;
  }
  if (value === undefined) {
    if (needs.computed) return undefined; // the model computes them from the two texts
    throw new HttpError(400, 'MISSING_FIELD', `missing field "${field}": this SM model needs ${extFeatures} external features`);
  }
  if (!Array.isArray(value) || value.length !== extFeatures || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be a list of ${extFeatures} finite numbers`);
  }
  return Float32Array.from(value as number[]);
}

function batchList(value: unknown, field: string, maxBatch: number): unknown[] {
  if (!Array.isArray(value)) throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be a list, not ${describe(value)}`);
  if (value.length === 0) throw new HttpError(400, 'INVALID_FIELD', `"${field}" is an empty list`);
  if (value.length > maxBatch) throw new HttpError(400, 'BATCH_TOO_LARGE', `"${field}" has ${value.length} items; at most ${maxBatch} per request`);
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be a string, not ${describe(value)}`);
  if (value.trim() === '') throw new HttpError(400, 'EMPTY_TEXT', `"${field}" is empty`);
  return value;
}

function has(record: Record<string, unknown>, name: string): boolean {
  return Object.hasOwn(record, name) && record[name] !== undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
