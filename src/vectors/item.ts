/**
 * DynamoDB item <-> vector, for both table layouts:
 *   'list'     castorini's: { word: {S}, vector: {L: [{N: "0.1"}, ...]} }
 *   'compact'  { word: {S}, vector: {B: little-endian f32 or f16 bytes}, dtype: {S: "f32"|"f16"} }
 *              (dtype optional on read: without it the byte length must be dim*4 or dim*2)
 * Detected per item on read. Anything else -> VectorStoreError 'VECTORS_CORRUPT': a malformed
 * item is never read as zeros or as a vector of the wrong width.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { VectorStoreError } from './errors.js';
import type { VectorDtype } from './format.js';
import { bitsView, decodeHalfRow, toHalfBits } from './half.js';

export type ItemLayout = 'list' | 'compact';
export type Item = Record<string, AttributeValue>;

/** Attribute names (castorini's). */
export const KEY_ATTR = 'word';
export const VECTOR_ATTR = 'vector';
export const DTYPE_ATTR = 'dtype';

/** Shortest decimal string that reads back as the same float32 (e.g. 0.1f -> "0.1"). */
export function formatF32(x: number): string {
  const f = Math.fround(x);
  if (f === 0) return '0';
  for (let p = 1; p < 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(Number(f.toPrecision(9)));
}

/**
 * Builds the item for one word.
 * @param word the key
 * @param vector (dim) values
 * @param layout 'list' or 'compact'
 * @param dtype compact only: 'f32' or 'f16'
 */
export function encodeItem(word: string, vector: ArrayLike<number>, layout: ItemLayout, dtype: VectorDtype = 'f16'): Item {
  if (layout === 'list') {
    const L: AttributeValue[] = new Array(vector.length);
    for (let j = 0; j < vector.length; j++) L[j] = { N: formatF32(vector[j]) };
    return { [KEY_ATTR]: { S: word }, [VECTOR_ATTR]: { L } };
  }
  let bytes: Uint8Array;
  if (dtype === 'f32') {
    bytes = new Uint8Array(new Float32Array(Array.from(vector)).buffer);
  } else {
    const h = new Uint16Array(vector.length);
    for (let j = 0; j < vector.length; j++) h[j] = toHalfBits(vector[j]);
    bytes = new Uint8Array(h.buffer);
  }
  return { [KEY_ATTR]: { S: word }, [VECTOR_ATTR]: { B: bytes }, [DTYPE_ATTR]: { S: dtype } };
}

/**
 * Reads the vector of an item into out[offset, offset + dim), whatever its layout.
 * @param item as returned by BatchGetItem
 * @param dim the width the caller needs
 * @param out (>= offset + dim) destination
 * @param source 'dynamodb:TABLE', for errors
 */
export function decodeItem(item: Item, dim: number, out: Float32Array, offset: number, source: string): void {
  const word = item[KEY_ATTR]?.S;
  const bad = (msg: string) => new VectorStoreError('VECTORS_CORRUPT', source, msg, word === undefined ? {} : { word });
  const v = item[VECTOR_ATTR];
  if (v === undefined) throw bad(`item has no "${VECTOR_ATTR}" attribute`);
  if (v.L !== undefined) {
    const L = v.L;
    if (L.length !== dim) throw bad(`vector list has ${L.length} numbers, expected ${dim}`);
    for (let j = 0; j < dim; j++) {
      const n = L[j]?.N;
      const x = n === undefined || n === '' ? NaN : Math.fround(Number(n));
      if (!Number.isFinite(x)) throw bad(`vector element ${j} is not a finite float32 (${JSON.stringify(n?.slice(0, 24))})`);
      out[offset + j] = x;
    }
    return;
  }
  if (v.B !== undefined) {
    const b = v.B;
    const tag = item[DTYPE_ATTR]?.S;
    if (tag !== undefined && tag !== 'f32' && tag !== 'f16') throw bad(`unknown dtype ${JSON.stringify(tag)}`);
    const dtype = tag ?? (b.length === 4 * dim ? 'f32' : b.length === 2 * dim ? 'f16' : undefined);
    const want = dtype === 'f32' ? 4 * dim : 2 * dim;
    if (dtype === undefined || b.length !== want) {
      throw bad(`binary vector of ${b.length} bytes does not hold ${dim} ${dtype ?? 'f32 or f16'} values`);
    }
    const copy = b.byteOffset % 4 === 0 ? b : b.slice(); // typed views need alignment
    let finite = 0;
    if (dtype === 'f32') {
      const f = new Float32Array(copy.buffer, copy.byteOffset, dim);
      for (let j = 0; j < dim; j++) {
        const x = f[j];
        finite |= x - x !== 0 ? 1 : 0;
        out[offset + j] = x;
      }
    } else {
      const h = new Uint16Array(copy.buffer, copy.byteOffset, dim);
      finite = decodeHalfRow(h, 0, out, bitsView(out), offset, dim) ? 0 : 1;
    }
    if (finite) throw bad('binary vector holds NaN or infinity');
    return;
  }
  throw bad(`"${VECTOR_ATTR}" is neither a List (castorini layout) nor Binary (compact layout)`);
}

/**
 * Bytes of a number as DynamoDB stores it: base-100 digits, so about 1 byte per 2
 * significant digits, plus 1, plus 1 when the digits do not pair up with the decimal
 * exponent, plus 1 for negatives (the rule dynalite reproduces; test/vectors checks ours
 * against it).
 */
function numberBytes(n: string): number {
  let s = n.trim();
  const neg = s.startsWith('-');
  s = s.replace(/^[-+]/, '');
  let exp = 0;
  const m = /[eE]([-+]?\d+)$/.exec(s);
  if (m) {
    exp = Number(m[1]);
    s = s.slice(0, m.index);
  }
  const dot = s.indexOf('.');
  const intPart = dot < 0 ? s : s.slice(0, dot);
  const all = intPart + (dot < 0 ? '' : s.slice(dot + 1));
  const lead = all.search(/[1-9]/);
  if (lead < 0) return 1; // zero
  const e = intPart.length - 1 - lead + exp; // decimal exponent of the first significant digit
  const k = all.slice(lead).replace(/0+$/, '').length;
  return 1 + Math.ceil(k / 2) + (k % 2 || e % 2 ? 0 : 1) + (neg ? 1 : 0);
}

/** Stored size of an attribute value by DynamoDB's documented rules. */
export function attributeBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) return numberBytes(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((s, x) => s + 1 + attributeBytes(x), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + attributeBytes(x), 0);
  return 0;
}

/** Stored (billed) size of an item: attribute names + values. */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k, 'utf8') + attributeBytes(v), 0);
}
