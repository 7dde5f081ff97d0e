/**
 * Model inputs and their validation. Inputs come from users (JSON files, HTTP
 * bodies, word-vector stores), so every shape and value is checked before a
 * kernel sees it: a bad input is an InputError that says what to fix, never a
 * wrong answer.
 */
import type { Sentence } from '../backend/backend.js';
import { InputError } from '../errors.js';
import type { KimSpec, ModelSpec, SmSpec } from './spec.js';

/** Kim CNN input: one sentence, x.data (channels, tokens, dim). */
export interface KimInput {
  readonly x: Sentence;
}

/** SM CNN input: question q (tokens, dim), answer a (tokens, dim), ext (4) when the model has external features. */
export interface SmInput {
  readonly q: Sentence;
  readonly a: Sentence;
  readonly ext?: Float32Array;
}

export type ModelInput = KimInput | SmInput;

/** Checks one input against the model; `field` prefixes error messages (e.g. 'batch[3]'). */
export function checkInput(spec: ModelSpec, input: ModelInput, field = 'input'): void {
  if (spec.kind === 'kim') {
    if (!('x' in input)) throw new InputError(field, 'a Kim CNN input needs "x"');
    checkSentence(`${field}.x`, input.x, spec.channels, spec.dim);
    return;
  }
  if (!('q' in input) || !('a' in input)) throw new InputError(field, 'an SM CNN input needs "q" and "a"');
  checkSentence(`${field}.q`, input.q, 1, spec.dim);
  checkSentence(`${field}.a`, input.a, 1, spec.dim);
  if (spec.extFeatures === 0) {
    if (input.ext !== undefined) throw new InputError(`${field}.ext`, 'this model takes no external features');
  } else {
    if (input.ext === undefined) throw new InputError(`${field}.ext`, `this model needs ${spec.extFeatures} external features`);
    if (input.ext.length !== spec.extFeatures) throw new InputError(`${field}.ext`, `has ${input.ext.length} values, expected ${spec.extFeatures}`);
    checkFinite(`${field}.ext`, input.ext, 1);
  }
}

function checkSentence(field: string, sentence: Sentence, channels: number, dim: number): void {
  const { data, tokens } = sentence;
  if (!Number.isSafeInteger(tokens) || tokens < 1) throw new InputError(field, `has ${tokens} tokens; a sentence needs at least one`);
  if (!(data instanceof Float32Array)) throw new InputError(field, 'data must be a Float32Array');
  if (data.length !== channels * tokens * dim) {
    throw new InputError(field, `holds ${data.length} values, expected channels x tokens x dim = ${channels} x ${tokens} x ${dim}`);
  }
  checkFinite(field, data, dim);
}

/** Index of the high 16-bit half of a float32 in a Uint16Array over it (sign, exponent, 7 mantissa bits). */
const HIGH_HALF = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function checkFinite(field: string, data: Float32Array, rowLength: number): void {
  // NaN and ±Infinity are the floats whose exponent bits are all ones (0x7f80 in the high half),
  // so one pass of small-integer ops over the high halves answers "all finite?": (exp + 0x80)
  // reaches bit 15 only then. Integers, not floats, because the first requests of a fresh process
  // run this in the interpreter, which boxes every float it reads; four floats per trip because
  // there the loop's own bytecodes cost as much as the work (a 20-token Kim input, cold:
  // 0.5 ms one at a time, 0.17 ms four at a time; optimised: 4 us, the float v * 0 sum took 7).
  // Only a bad input pays for the second pass that finds the culprit.
  const halves = new Uint16Array(data.buffer, data.byteOffset, data.length * 2);
  const end4 = halves.length - 6;
  let special = 0;
  let i = HIGH_HALF;
  for (; i < end4; i += 8) {
    special |= ((halves[i] & 0x7f80) + 0x80) | ((halves[i + 2] & 0x7f80) + 0x80) | ((halves[i + 4] & 0x7f80) + 0x80) | ((halves[i + 6] & 0x7f80) + 0x80);
  }
  for (; i < halves.length; i += 2) special |= (halves[i] & 0x7f80) + 0x80;
  if ((special & 0x8000) === 0) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InputError(field, `value ${data[i]} at row ${Math.floor(i / rowLength)}, column ${i % rowLength} is not a finite number`);
    }
  }
}

/**
 * Turns the JSON form into a model input. Kim static: {"x": [[dim floats], ... one row per token]};
 * Kim multichannel: {"x": [channel0 rows, channel1 rows]}; SM: {"q": rows, "a": rows, "ext": [4 floats]}.
 */
export function inputFromJson(spec: ModelSpec, json: unknown, field = 'input'): ModelInput {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError(field, 'must be a JSON object');
  const record = json as Record<string, unknown>;
  const input = spec.kind === 'kim' ? kimFromJson(spec, record, field) : smFromJson(spec, record, field);
  checkInput(spec, input, field);
  return input;
}

function kimFromJson(spec: KimSpec, json: Record<string, unknown>, field: string): KimInput {
  if (!('x' in json)) throw new InputError(field, `needs "x": ${spec.channels === 1 ? '[[dim floats], ...]' : '[channel0 rows, channel1 rows]'}`);
  if (spec.channels === 1) return { x: rowsToSentence(`${field}.x`, json.x, spec.dim) };
  const looksSingleChannel = Array.isArray(json.x) && Array.isArray(json.x[0]) && typeof json.x[0][0] === 'number';
  if (!Array.isArray(json.x) || json.x.length !== spec.channels || looksSingleChannel) {
    throw new InputError(`${field}.x`, `a multichannel model needs ${spec.channels} channels of rows: [channel0 rows, channel1 rows]`);
  }
  const channels = json.x.map((rows, c) => rowsToSentence(`${field}.x[${c}]`, rows, spec.dim));
  if (channels.some((c) => c.tokens !== channels[0].tokens)) {
    throw new InputError(`${field}.x`, `channels have different token counts (${channels.map((c) => c.tokens).join(', ')})`);
  }
  const data = new Float32Array(spec.channels * channels[0].tokens * spec.dim); // (channels, tokens, dim)
  channels.forEach((c, i) => data.set(c.data, i * c.data.length));
  return { x: { data, tokens: channels[0].tokens } };
}

function smFromJson(spec: SmSpec, json: Record<string, unknown>, field: string): SmInput {
  if (!('q' in json) || !('a' in json)) throw new InputError(field, 'needs "q" and "a": [[dim floats], ...] each');
  const q = rowsToSentence(`${field}.q`, json.q, spec.dim);
  const a = rowsToSentence(`${field}.a`, json.a, spec.dim);
  if (json.ext === undefined) return { q, a };
  if (!Array.isArray(json.ext) || !json.ext.every((v) => typeof v === 'number')) throw new InputError(`${field}.ext`, 'must be a list of numbers');
  return { q, a, ext: Float32Array.from(json.ext as number[]) };
}

/** [[dim numbers], ...] -> (tokens, dim), rejecting ragged rows, non-numbers and wrong widths. */
export function rowsToSentence(field: string, rows: unknown, dim: number): Sentence {
  if (!Array.isArray(rows)) throw new InputError(field, `must be a list of rows of ${dim} numbers`);
  if (rows.length === 0) throw new InputError(field, 'has zero tokens; a sentence needs at least one row');
  const data = new Float32Array(rows.length * dim); // (tokens, dim)
  rows.forEach((row: unknown, t) => {
    if (!Array.isArray(row)) throw new InputError(`${field}[${t}]`, `must be a list of ${dim} numbers`);
    if (row.length !== dim) throw new InputError(`${field}[${t}]`, `has ${row.length} values, the model's word vectors have ${dim}`);
    row.forEach((v: unknown, d) => {
      if (typeof v !== 'number') throw new InputError(`${field}[${t}][${d}]`, `${JSON.stringify(v)} is not a finite number`);
      // JSON.stringify(Infinity) is "null": say what the number became (1e999 parses as Infinity)
      if (!Number.isFinite(v)) throw new InputError(`${field}[${t}][${d}]`, `${v} is not a finite number (JSON numbers beyond ±1.8e308 parse as infinity)`);
      data[t * dim + d] = v;
    });
  });
  return { data, tokens: rows.length };
}
