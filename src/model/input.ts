/**
 * Model inputs and their validation. Inputs come from users (JSON files, HTTP
 * bodies, word-vector stores), so every shape and value is checked before a
 * kernel sees it: a bad input is an InputError that says what to fix, never a
 * wrong answer.
 */
import type { Sentence } from '../backend/backend.js';
import { InputError } from '../errors.js';
import type { SlotInput } from './architecture.js';
import { architectureOf, type ModelInput, type ModelSpec } from './registry.js';

/**
 * Checks one input against the model: every sentence of its architecture's slots, and
 * `ext` when it takes external features. `field` prefixes error messages (e.g. 'batch[3]').
 */
export function checkInput(spec: ModelSpec, input: ModelInput, field = 'input'): void {
  const architecture = architectureOf(spec);
  const slots = architecture.slots(spec);
  const record = input as unknown as SlotInput;
  if (typeof input !== 'object' || input === null || slots.some((slot) => !(slot.field in record))) {
    throw new InputError(field, `a ${architecture.title} input needs ${slots.map((s) => `"${s.field}"`).join(' and ')}`);
  }
  for (const slot of slots) checkSentence(`${field}.${slot.field}`, record[slot.field] as Sentence, slot.channels, spec.dim);
  const extFeatures = architecture.extFeatures(spec);
  const ext = record.ext as Float32Array | undefined;
  if (extFeatures === 0) {
    if (ext !== undefined) throw new InputError(`${field}.ext`, 'this model takes no external features');
  } else {
    if (ext === undefined) throw new InputError(`${field}.ext`, `this model needs ${extFeatures} external features`);
    if (!(ext instanceof Float32Array)) throw new InputError(`${field}.ext`, 'must be a Float32Array');
    if (ext.length !== extFeatures) throw new InputError(`${field}.ext`, `has ${ext.length} values, expected ${extFeatures}`);
    checkFinite(`${field}.ext`, ext, 1);
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
 * Turns the JSON form into a model input: one key per sentence slot, rows of dim numbers
 * each (a 2-channel sentence: [channel0 rows, channel1 rows]), and "ext" when the model
 * takes external features. Kim static: {"x": [[dim floats], ... one row per token]};
 * Kim multichannel: {"x": [channel0 rows, channel1 rows]}; SM: {"q": rows, "a": rows, "ext": [4 floats]}.
 */
export function inputFromJson(spec: ModelSpec, json: unknown, field = 'input'): ModelInput {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError(field, 'must be a JSON object');
  const record = json as Record<string, unknown>;
  const architecture = architectureOf(spec);
  const slots = architecture.slots(spec);
  const sentences = slots.map((slot) => {
    if (!(slot.field in record)) {
      const rows = slot.channels === 1 ? '[[dim floats], ...]' : '[channel0 rows, channel1 rows]';
      throw new InputError(field, `needs ${slots.map((s) => `"${s.field}"`).join(' and ')}: "${slot.field}": ${rows}`);
    }
    return sentenceFromJson(`${field}.${slot.field}`, record[slot.field], slot.channels, spec.dim);
  });
  let ext: Float32Array | undefined;
  if (record.ext !== undefined) {
    if (!Array.isArray(record.ext) || !record.ext.every((v) => typeof v === 'number')) throw new InputError(`${field}.ext`, 'must be a list of numbers');
    if (architecture.extFeatures(spec) === 0) throw new InputError(`${field}.ext`, 'this model takes no external features');
    ext = Float32Array.from(record.ext as number[]);
  }
  const input = architecture.makeInput(sentences, ext);
  checkInput(spec, input, field);
  return input;
}

/** One sentence slot's JSON: rows (1 channel) or a list of `channels` row lists -> (channels, tokens, dim). */
function sentenceFromJson(field: string, json: unknown, channels: number, dim: number): Sentence {
  if (channels === 1) return rowsToSentence(field, json, dim);
  const looksSingleChannel = Array.isArray(json) && Array.isArray(json[0]) && typeof json[0][0] === 'number';
  if (!Array.isArray(json) || json.length !== channels || looksSingleChannel) {
    throw new InputError(field, `a multichannel model needs ${channels} channels of rows: [channel0 rows, channel1 rows]`);
  }
  const parts = json.map((rows, c) => rowsToSentence(`${field}[${c}]`, rows, dim));
  if (parts.some((c) => c.tokens !== parts[0].tokens)) {
    throw new InputError(field, `channels have different token counts (${parts.map((c) => c.tokens).join(', ')})`);
  }
  const data = new Float32Array(channels * parts[0].tokens * dim); // (channels, tokens, dim)
  parts.forEach((c, i) => data.set(c.data, i * c.data.length));
  return { data, tokens: parts[0].tokens };
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
