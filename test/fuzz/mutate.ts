/**
 * Mutations for the fuzzers: bytes (bit flips, interesting integers at any width, truncation,
 * insertion, deletion, splices, appended bytes), JSON values (a node replaced by a value of another
 * type, removed, or one of the awkward ones: huge, deep, __proto__, unicode) and text (awkward
 * code points: lone surrogates, combining marks, format and control characters, emoji, long runs).
 * Each returns the new value and a short description of what was done, for failure reports.
 */
import type { Rng } from './random.js';

/** Byte ranges [begin, end) where most mutations should land (e.g. a file's header or index). */
export type Focus = readonly (readonly [number, number])[];

const U32S = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const BYTES = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x30, 0x39, 0x2d, 0x65];

function position(rng: Rng, length: number, focus: Focus | undefined): number {
  if (length === 0) return 0;
  if (focus !== undefined && focus.length > 0 && rng.chance(0.8)) {
    const [begin, end] = rng.pick(focus);
    const lo = Math.max(0, Math.min(begin, length - 1));
    const hi = Math.max(lo + 1, Math.min(end, length));
    return lo + rng.int(hi - lo);
  }
  return rng.int(length);
}

/**
 * 1 to `most` mutations of a copy of `input`.
 * @param rng the case's stream
 * @param input bytes to mutate (not modified)
 * @param focus ranges that get 80% of the positions
 * @param most most mutations per case (default 3)
 */
export function mutateBytes(rng: Rng, input: Uint8Array, focus?: Focus, most = 3): { bytes: Uint8Array; ops: string[] } {
  let bytes: Uint8Array = new Uint8Array(input); // a copy (Buffer.prototype.slice would be a view)
  const ops: string[] = [];
  const count = 1 + rng.int(most);
  for (let m = 0; m < count; m++) {
    const at = position(rng, bytes.length, focus);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    switch (rng.int(10)) {
      case 0:
      case 1: {
        const bit = rng.int(8);
        if (at < bytes.length) bytes[at] ^= 1 << bit;
        ops.push(`flip bit ${bit} of byte ${at}`);
        break;
      }
      case 2: {
        const value = rng.chance(0.5) ? rng.pick(BYTES) : rng.int(256);
        if (at < bytes.length) bytes[at] = value;
        ops.push(`byte ${at} = ${value}`);
        break;
      }
      case 3: {
        const aligned = at - (at % 4);
        const value = rng.chance(0.7) ? rng.pick(U32S) : rng.chance(0.5) ? bytes.length + rng.int(9) - 4 : rng.int(2 ** 32);
        if (aligned + 4 <= bytes.length) view.setUint32(aligned, value >>> 0, true);
        ops.push(`u32 at ${aligned} = ${value >>> 0}`);
        break;
      }
      case 4: {
        const aligned = at - (at % 8);
        const value = rng.pick([
          0n,
          1n,
          2n ** 31n,
          2n ** 32n,
          2n ** 53n,
          2n ** 53n + 1n,
          2n ** 63n,
          2n ** 64n - 1n,
          BigInt(bytes.length),
          BigInt(bytes.length) * 2n,
        ]);
        if (aligned + 8 <= bytes.length) view.setBigUint64(aligned, value, true);
        ops.push(`u64 at ${aligned} = ${value}`);
        break;
      }
      case 5: {
        bytes = bytes.slice(0, at);
        ops.push(`truncate to ${at}`);
        break;
      }
      case 6: {
        const n = 1 + rng.int(rng.chance(0.8) ? 8 : 4096);
        const inserted = Uint8Array.from({ length: n }, () => (rng.chance(0.5) ? rng.pick(BYTES) : rng.int(256)));
        bytes = concat(bytes.subarray(0, at), inserted, bytes.subarray(at));
        ops.push(`insert ${n} bytes at ${at}`);
        break;
      }
      case 7: {
        const n = 1 + rng.int(rng.chance(0.8) ? 8 : 4096);
        bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + n)));
        ops.push(`delete ${n} bytes at ${at}`);
        break;
      }
      case 8: {
        const from = rng.int(Math.max(1, bytes.length));
        const n = Math.min(1 + rng.int(64), bytes.length - from, bytes.length - at);
        if (n > 0) bytes.copyWithin(at, from, from + n);
        ops.push(`copy ${Math.max(0, n)} bytes from ${from} to ${at}`);
        break;
      }
      default: {
        const n = 1 + rng.int(64);
        bytes = concat(
          bytes,
          Uint8Array.from({ length: n }, () => rng.int(256)),
        );
        ops.push(`append ${n} bytes`);
      }
    }
  }
  return { bytes, ops };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Awkward code points and strings for text mutations. */
const AWKWARD = [
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u1680',
  '\u2028',
  '\u2029',
  '\u3000',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u202e',
  '\u061c',
  '\u0301',
  '\u0308',
  '\u0327',
  '\u20dd',
  'e\u0301',
  '\u00e9',
  'ﬁ',
  'ｇｏｏｄ',
  'İ',
  'ß',
  'ǅ',
  '\ud800',
  '\udfff',
  '\ud83d',
  '\ude00',
  '😀',
  '👍🏽',
  '👨‍👩‍👧',
  '🇫🇷',
  "'",
  '`',
  "n't",
  "'s",
  '(',
  ')',
  ',',
  '!',
  '?',
  '.',
  '-',
  '--',
  '...',
  '"',
  '\\',
  '/',
  '%',
  '%00',
  '%2e%2e%2f',
  '{',
  '}',
  '[',
  ']',
  ' ',
  '  ',
  'a',
  'Z',
  '0',
  '9',
  'good',
  'movie',
  '<unk>',
  '__proto__',
  'constructor',
];

/**
 * 1 to 4 edits of `text`: awkward code points inserted or replacing a character, characters deleted,
 * a slice repeated many times.
 */
export function mutateText(rng: Rng, text: string): { text: string; ops: string[] } {
  let s = text;
  const ops: string[] = [];
  const count = 1 + rng.int(4);
  for (let m = 0; m < count; m++) {
    const at = rng.int(s.length + 1);
    switch (rng.int(5)) {
      case 0:
      case 1: {
        const piece = rng.chance(0.85) ? rng.pick(AWKWARD) : String.fromCharCode(rng.int(0x10000));
        s = s.slice(0, at) + piece + s.slice(at);
        ops.push(`insert ${JSON.stringify(piece)} at ${at}`);
        break;
      }
      case 2: {
        const piece = rng.pick(AWKWARD);
        s = s.slice(0, at) + piece + s.slice(at + 1);
        ops.push(`replace char ${at} by ${JSON.stringify(piece)}`);
        break;
      }
      case 3: {
        const n = 1 + rng.int(5);
        s = s.slice(0, at) + s.slice(at + n);
        ops.push(`delete ${n} at ${at}`);
        break;
      }
      default: {
        const piece = s.slice(at, at + 1 + rng.int(6)) || rng.pick(AWKWARD);
        const times = rng.pick([2, 10, 100, 1000, 5000]);
        s = s.slice(0, at) + piece.repeat(times) + s.slice(at);
        ops.push(`repeat ${JSON.stringify(piece)} x${times} at ${at}`);
      }
    }
  }
  return { text: s, ops };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values of the wrong type or shape to put where a JSON value was. */
function awkwardValue(rng: Rng): Json {
  switch (rng.int(14)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1, 0.5, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 2, 3.4e38, 1e39, 65504, 4294967296]);
    case 3:
      return '';
    case 4:
      return rng.pick(AWKWARD).repeat(1 + rng.int(3));
    case 5:
      return 'word '.repeat(rng.pick([1, 50, 511, 512, 513, 2000]));
    case 6:
      return 'x'.repeat(rng.pick([1000, 100_000, 300_000]));
    case 7:
      return [];
    case 8:
      return {};
    case 9:
      return Array.from({ length: rng.pick([1, 2, 4, 31, 32, 33, 100]) }, () =>
        rng.pick(['good', 'a b', 1, null, ['q', 'a'], { sent1: 'q', sent2: 'a' }] as Json[]),
      );
    case 10: {
      let v: Json = 'deep';
      for (let d = rng.pick([10, 1000, 5000]); d > 0; d--) v = rng.chance(0.5) ? [v] : { k: v };
      return v;
    }
    case 11:
      return { __proto__: { input: 'polluted' }, constructor: { prototype: { x: 1 } } } as unknown as Json;
    case 12:
      return [1, 2, 3, 4].map(() => rng.pick([0.1, Number.POSITIVE_INFINITY, -1, 'x', null] as Json[]));
    default:
      return mutateText(rng, 'a good film').text;
  }
}

/**
 * 1 to 3 structural edits of a copy of `value`: a node replaced by an awkward value, a key removed,
 * or a key added (a known field name or an awkward one).
 */
export function mutateJson(rng: Rng, value: unknown, fields: readonly string[] = []): { value: unknown; ops: string[] } {
  const root = JSON.parse(JSON.stringify(value)) as Json;
  const ops: string[] = [];
  let result: Json = root;
  const count = 1 + rng.int(3);
  for (let m = 0; m < count; m++) {
    // walk to a random container (or the root)
    const path: (string | number)[] = [];
    let node: Json = result;
    let parent: Json[] | Record<string, Json> | undefined;
    while (node !== null && typeof node === 'object' && rng.chance(0.6)) {
      const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0) break;
      const key = rng.pick(keys);
      const child: Json = Array.isArray(node) ? node[key as number] : (node as Record<string, Json>)[key as string];
      if (child === null || typeof child !== 'object') break;
      path.push(key);
      parent = node;
      node = child;
    }
    if (node === null || typeof node !== 'object' || rng.chance(0.1)) {
      const replacement = awkwardValue(rng);
      if (parent === undefined) result = replacement;
      else if (Array.isArray(parent)) parent[path[path.length - 1] as number] = replacement;
      else parent[path[path.length - 1] as string] = replacement;
      ops.push(`replace ${path.join('.') || 'root'}`);
      continue;
    }
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    const op = rng.int(3);
    if (op === 0 && keys.length > 0) {
      const key = rng.pick(keys);
      if (Array.isArray(node)) node[key as number] = awkwardValue(rng);
      else (node as Record<string, Json>)[key as string] = awkwardValue(rng);
      ops.push(`set ${[...path, key].join('.')}`);
    } else if (op === 1 && keys.length > 0) {
      const key = rng.pick(keys);
      if (Array.isArray(node)) node.splice(key as number, 1);
      else delete (node as Record<string, Json>)[key as string];
      ops.push(`delete ${[...path, key].join('.')}`);
    } else if (Array.isArray(node)) {
      node.push(awkwardValue(rng));
      ops.push(`push to ${path.join('.') || 'root'}`);
    } else {
      const key = rng.chance(0.7) && fields.length > 0 ? rng.pick(fields) : rng.pick(AWKWARD);
      (node as Record<string, Json>)[key] = awkwardValue(rng);
      ops.push(`add ${[...path, key].join('.')}`);
    }
  }
  return { value: result, ops };
}
