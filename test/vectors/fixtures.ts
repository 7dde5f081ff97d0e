/** Small vector files written by the tests themselves: word2vec binary / text, GloVe. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A deterministic pseudo-random vector (xorshift), values in [-1, 1). */
export function vec(seed: number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let j = 0; j < dim; j++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    v[j] = (s / 2 ** 32) * 2 - 1;
  }
  return v;
}

export type Entry = [word: string, vector: Float32Array];

export function entries(words: string[], dim: number): Entry[] {
  return words.map((w, i) => [w, vec(i + 1, dim)]);
}

/** word2vec binary: "N D\n" then WORD ' ' f32[D] '\n'. */
export function word2vecBinary(list: Entry[], dim: number, opts: { newline?: boolean; count?: number } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(`${opts.count ?? list.length} ${dim}\n`)];
  for (const [w, v] of list) {
    parts.push(Buffer.from(`${w} `, 'utf8'), Buffer.from(new Float32Array(v).buffer));
    if (opts.newline ?? true) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Values printed with full float32 precision (as word2vec / gensim text writers do, roughly). */
function line(w: string, v: Float32Array, trailing: string): string {
  return `${w} ${Array.from(v, (x) => x.toPrecision(9)).join(' ')}${trailing}`;
}

export function word2vecText(list: Entry[], dim: number, eol = '\n'): string {
  return `${list.length} ${dim}${eol}${list.map(([w, v]) => line(w, v, ' ') + eol).join('')}`;
}

export function gloveText(list: Entry[], eol = '\n', finalNewline = true): string {
  const body = list.map(([w, v]) => line(w, v, '')).join(eol);
  return finalNewline ? body + eol : body;
}

/** A temp directory with a file writer; call cleanup() in afterAll. */
export function tempDir(prefix = 'tinycnn-vectors-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name: string) => join(dir, name),
    write(name: string, data: string | Uint8Array): string {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
