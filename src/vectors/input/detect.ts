/**
 * Which kind of vectors file is this? Sniffs the first 64 KiB:
 *   'tcv'            tinycnn store (magic "TCNNVEC\0")
 *   'word2vec-bin'   "COUNT DIM\n" then per word: WORD ' ' DIM x f32 little-endian ['\n']
 *                    (Mikolov's word2vec / GoogleNews-vectors-negative300.bin)
 *   'word2vec-text'  "COUNT DIM\n" then lines "WORD v1 ... vDIM"
 *   'glove'          no header; lines "WORD v1 ... vDIM" (DIM from the first lines; words may hold spaces)
 */
import { open } from 'node:fs/promises';
import { VectorStoreError } from '../errors.js';
import { MAGIC } from '../format.js';

export type InputFormat = 'tcv' | 'word2vec-bin' | 'word2vec-text' | 'glove';
export const INPUT_FORMATS: readonly InputFormat[] = ['tcv', 'word2vec-bin', 'word2vec-text', 'glove'];

export interface Sniffed {
  format: InputFormat;
  /** Vector width (for 'tcv': read from the store later, 0 here). */
  dim: number;
  /** Word count from the word2vec header, or undefined. */
  count: number | undefined;
}

const SNIFF_BYTES = 1 << 16;
const HEADER_LINE = /^\s*(\d+)\s+(\d+)\s*$/;

/** True when s is a finite decimal number as word2vec / GloVe write them. */
export function isNumberField(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s)) && !/^\s|\s$|^0x/i.test(s);
}

/**
 * Detects the format of a vectors file.
 * @param path the file
 * @param format a format to force (skips detection of the kind, still reads dim/count)
 */
export async function sniffFormat(path: string, format: InputFormat | 'auto' = 'auto'): Promise<Sniffed> {
  let head: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = new Uint8Array(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new VectorStoreError('VECTORS_NOT_FOUND', path, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  const bad = (msg: string) => new VectorStoreError('VECTORS_INPUT_INVALID', path, msg);
  if (format === 'tcv' || (format === 'auto' && MAGIC.every((b, i) => head[i] === b))) {
    return { format: 'tcv', dim: 0, count: undefined };
  }
  if (head.length === 0) throw bad('empty file');
  const nl = head.indexOf(0x0a);
  const first = new TextDecoder().decode(head.subarray(0, nl < 0 ? head.length : nl));
  const m = HEADER_LINE.exec(first);
  if (m && format !== 'glove') {
    const count = Number(m[1]);
    const dim = Number(m[2]);
    if (dim < 1 || dim > 65536) throw bad(`word2vec header says dim ${dim}; expected 1..65536`);
    if (format === 'word2vec-bin' || format === 'word2vec-text') return { format, dim, count };
    return { format: looksLikeTextRecord(head.subarray(nl + 1), dim) ? 'word2vec-text' : 'word2vec-bin', dim, count };
  }
  if (format === 'word2vec-bin' || format === 'word2vec-text') throw bad(`no "COUNT DIM" header line; not ${format}`);
  // GloVe: DIM = the most common number of fields after the word among the first lines
  // (glove.840B has words with spaces, such as ". . .", whose lines have more fields)
  const lines = new TextDecoder()
    .decode(head)
    .split('\n')
    .slice(0, 16)
    .map((l) => l.replace(/\r$/, '').trimEnd());
  if (lines.length > 1 && head.length === SNIFF_BYTES) lines.pop(); // maybe cut off
  const votes = new Map<number, number>();
  for (const l of lines) if (l !== '') votes.set(l.split(' ').length - 1, (votes.get(l.split(' ').length - 1) ?? 0) + 1);
  let dim = 0;
  for (const [d, n] of votes) if (n > (votes.get(dim) ?? 0) || (n === votes.get(dim) && d < dim)) dim = d;
  const f = fields(lines[0] ?? '');
  if (dim < 1 || f.length < dim + 1 || !f.slice(f.length - dim).every(isNumberField)) {
    throw bad('unrecognized format: not a tinycnn store, word2vec (binary or text) or GloVe text file');
  }
  return { format: 'glove', dim, count: undefined };
}

function fields(line: string): string[] {
  return line.split(' ');
}

/** True when the first record after the header is a text line "WORD v1 ... vDIM". */
function looksLikeTextRecord(rest: Uint8Array, dim: number): boolean {
  const nl = rest.indexOf(0x0a);
  if (nl < 0) return false;
  let line: string;
  try {
    line = new TextDecoder('utf-8', { fatal: true }).decode(rest.subarray(0, nl));
  } catch {
    return false;
  }
  const fields = line.replace(/\r$/, '').trimEnd().split(' ');
  return fields.length >= dim + 1 && fields.slice(fields.length - dim).every(isNumberField);
}
