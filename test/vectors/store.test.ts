import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/node/files.js';
import { VectorStoreError } from '../../src/vectors/errors.js';
import { HEADER_BYTES } from '../../src/vectors/format.js';
import { fromHalfBits, toHalfBits } from '../../src/vectors/half.js';
import { StoreWriter } from '../../src/vectors/writer.js';
import { PYTHON, requires } from '../helpers/requirements.js';
import { entries, tempDir, vec, type Entry } from './fixtures.js';
import { reseal } from './reseal.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const WORDS = ['the', 'good', 'movie', 'café', 'naïve', '日本語', "n't", ',', 'Good', 'a b', '<unk>', '😀'];

async function write(name: string, list: Entry[], dim: number, dtype: 'f32' | 'f16' = 'f32', meta?: Record<string, string>) {
  const w = await StoreWriter.create(tmp.path(name), { dim, dtype, meta });
  for (const [word, v] of list) await w.add(word, v);
  return w.finish();
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VectorStoreError);
    return (e as VectorStoreError).code;
  }
  return undefined;
}

describe('embedded store round trip', () => {
  it('f32: every word, every value, in memory, lazy and from bytes', async () => {
    const list = entries(WORDS, 7);
    const s = await write('a.tcv', list, 7, 'f32', { source: 'test' });
    expect(s.count).toBe(WORDS.length);
    expect(s.unkIndex).toBe(WORDS.indexOf('<unk>'));
    const bytes = readFileSync(tmp.path('a.tcv'));
    const opened = [
      openEmbeddedStore(tmp.path('a.tcv')),
      openEmbeddedStore(tmp.path('a.tcv'), { mode: 'memory' }),
      openEmbeddedStore(tmp.path('a.tcv'), { cacheBytes: 0 }),
      openEmbeddedStore(new Uint8Array(bytes)),
      openEmbeddedStore(new Uint8Array(Buffer.concat([Buffer.alloc(3), bytes])).subarray(3)), // unaligned: copied
    ];
    expect(opened.map((s) => s.mode)).toEqual(['paged', 'memory', 'paged', 'memory', 'memory']);
    for (const store of opened) {
      expect(store.dim).toBe(7);
      expect(store.size).toBe(WORDS.length);
      expect(store.metadata()).toEqual({ source: 'test' });
      list.forEach(([w, v], i) => {
        expect(store.indexOf(w)).toBe(i);
        expect(store.wordAt(i)).toBe(w);
        expect(Array.from(store.vectorAt(i))).toEqual(Array.from(v));
      });
      expect(store.indexOf('GOOD')).toBe(-1);
      expect(store.indexOf('cafe\u0301')).toBe(-1); // exact bytes: NFC is the tokenizer's job
      store.close();
    }
  });

  it('lookup: rows in token order, unknown words get <unk> (or zeros), reported once with positions', async () => {
    const list = entries(WORDS, 5);
    await write('b.tcv', list, 5);
    const store = openEmbeddedStore(tmp.path('b.tcv'));
    const unk = list[WORDS.indexOf('<unk>')][1];
    const r = store.lookup(['good', 'zzz', 'movie', 'zzz', 'yyy', 'good']);
    expect(r.unknown).toEqual(['zzz', 'yyy']);
    expect(r.unknownPositions).toEqual([1, 3, 4]);
    const row = (i: number) => Array.from(r.matrix.subarray(i * 5, i * 5 + 5));
    expect(row(0)).toEqual(Array.from(list[1][1]));
    expect(row(1)).toEqual(Array.from(unk));
    expect(row(2)).toEqual(Array.from(list[2][1]));
    expect(row(5)).toEqual(row(0));
    // without <unk>: zeros, also when the output buffer held garbage
    await write(
      'c.tcv',
      list.filter(([w]) => w !== '<unk>'),
      5,
    );
    const plain = openEmbeddedStore(tmp.path('c.tcv'));
    const out = new Float32Array(10).fill(9);
    const e = await plain.embed(['nope', 'the'], { out });
    expect(e.matrix).toBe(out);
    expect(Array.from(out.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(out.subarray(5))).toEqual(Array.from(list[0][1]));
    expect(codeOf(() => plain.lookup(['a', 'b', 'c'], new Float32Array(10)))).toBe('VECTORS_ARGS');
  });

  it('f16: values rounded to nearest half, exact for half-representable inputs', async () => {
    const list = entries(['x', 'y'], 64);
    const exact = new Float32Array(64).map((_, j) => (j - 32) / 128); // multiples of 2^-7: exact in f16
    list.push(['z', exact]);
    const s = await write('h.tcv', list, 64, 'f16');
    expect(s.fileBytes).toBeLessThan(3 * 64 * 2 + 1024);
    const store = openEmbeddedStore(tmp.path('h.tcv'));
    expect(store.dtype).toBe('f16');
    expect(Array.from(store.vectorAt(2))).toEqual(Array.from(exact));
    const got = store.vectorAt(0);
    list[0][1].forEach((x, j) => {
      expect(got[j]).toBe(fromHalfBits(toHalfBits(x)));
      expect(Math.abs(got[j] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25);
    });
  });

  it('duplicates keep the first vector; output is byte-reproducible', async () => {
    const list = entries(['a', 'b', 'a', 'c'], 3);
    const s1 = await write('d1.tcv', list, 3);
    const s2 = await write('d2.tcv', list, 3);
    expect(s1.duplicates).toBe(1);
    expect(readFileSync(tmp.path('d1.tcv')).equals(readFileSync(tmp.path('d2.tcv')))).toBe(true);
    const store = openEmbeddedStore(tmp.path('d1.tcv'));
    expect(store.size).toBe(3);
    expect(Array.from(store.vectorAt(store.indexOf('a')))).toEqual(Array.from(list[0][1]));
    expect(s2.count).toBe(3);
  });

  it('paged mode reads only the header at open, then pages on demand, and keeps them', async () => {
    const words = Array.from({ length: 20000 }, (_, i) => `p${i}`);
    await write(
      'paged.tcv',
      words.map((w, i) => [w, vec(i, 16)]),
      16,
      'f16',
    );
    const store = openEmbeddedStore(tmp.path('paged.tcv'));
    expect(store.pagesRead).toBe(2); // offsets[0] and offsets[count], checked at open
    store.lookup(['p1', 'p19999', 'nope']);
    const after = store.pagesRead;
    expect(after).toBeGreaterThan(2);
    expect(after).toBeLessThan(12);
    store.lookup(['p1', 'p19999', 'nope']);
    expect(store.pagesRead).toBe(after); // served from memory
    const all = openEmbeddedStore(tmp.path('paged.tcv'), { mode: 'memory' });
    for (let i = 0; i < words.length; i += 997) expect(store.vectorAt(store.indexOf(words[i]))).toEqual(all.vectorAt(i));
    store.close();
    expect(() => store.lookup(['p5000'])).toThrow(/store is closed/);
  });

  it('many words: hash table grows, every word found, absent words not', async () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}`);
    await write(
      'big.tcv',
      words.map((w, i) => [w, vec(i, 2)]),
      2,
    );
    const store = openEmbeddedStore(tmp.path('big.tcv'), { mode: 'paged' });
    words.forEach((w, i) => expect(store.indexOf(w)).toBe(i));
    for (let i = 5000; i < 6000; i++) expect(store.indexOf(`w${i}`)).toBe(-1);
    expect(store.header.tableSlots).toBe(16384);
  });

  it('rejects bad vectors at write time', async () => {
    const w = await StoreWriter.create(tmp.path('bad.tcv'), { dim: 2, dtype: 'f32' });
    await expect(w.add('x', [1])).rejects.toThrow(/1 values, expected 2/);
    await expect(w.add('x', [1, NaN])).rejects.toThrow(/value 1 is NaN/);
    await expect(w.add('', [1, 2])).rejects.toThrow(/empty word/);
    await w.abort();
  });
});

describe('half precision conversion matches numpy', () => {
  const numpy = requires('half precision against numpy', 'numpy');
  it.runIf(numpy)('round to nearest even, subnormals, overflow, signed zero', () => {
    const values = [
      0,
      1,
      -1,
      0.1,
      1 / 3,
      65504,
      65519.99,
      65520,
      1e6,
      -1e6,
      2 ** -24,
      2 ** -25,
      2 ** -25 * 1.0000001,
      3 * 2 ** -26,
      2 ** -14,
      2 ** -14 - 2 ** -25,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      1 + 2 ** -11 + 2 ** -40,
      0.25,
      -0.2499999,
      ...Array.from(vec(7, 200), (x) => x * 3),
    ];
    const py =
      'import json,sys,numpy as np; v=json.loads(sys.stdin.read()); print(json.dumps(np.array(v,dtype=np.float64).astype(np.float16).view(np.uint16).tolist()))';
    const want = JSON.parse(execFileSync(PYTHON, ['-c', py], { input: JSON.stringify(values), encoding: 'utf8' })) as number[];
    expect(values.map(toHalfBits)).toEqual(want);
  });

  it('NaN stays NaN, -0 stays -0', () => {
    expect(toHalfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
    expect(Object.is(fromHalfBits(toHalfBits(-0)), -0)).toBe(true);
  });
});

describe('corrupt and truncated files -> typed errors naming the file', () => {
  it('missing file, wrong magic, truncation at every section, trailing bytes', async () => {
    await write('ok.tcv', entries(WORDS, 4), 4);
    const good = readFileSync(tmp.path('ok.tcv'));
    expect(codeOf(() => openEmbeddedStore(tmp.path('missing.tcv')))).toBe('VECTORS_NOT_FOUND');
    const bad = tmp.write('magic.tcv', Buffer.from('hello world, not a store at all'.repeat(10)));
    expect(() => openEmbeddedStore(bad)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a tinycnn vector store`));
    for (const cut of [0, 10, HEADER_BYTES - 1, HEADER_BYTES, 200, good.length - 100, good.length - 1]) {
      const p = tmp.write(`cut${cut}.tcv`, good.subarray(0, cut));
      for (const mode of ['memory', 'paged'] as const) {
        let err: unknown;
        try {
          openEmbeddedStore(p, { mode });
        } catch (e) {
          err = e;
        }
        expect(err, `cut at ${cut}`).toBeInstanceOf(VectorStoreError);
        expect((err as VectorStoreError).code).toBe('VECTORS_CORRUPT');
        expect((err as Error).message).toContain(p);
        expect((err as Error).message).toMatch(/truncated|magic/);
      }
    }
    const longer = tmp.write('long.tcv', Buffer.concat([good, Buffer.from([0])]));
    expect(() => openEmbeddedStore(longer)).toThrow(/1 unexpected bytes after the end/);
  });

  it('header bit flips fail the header checksum; a damaged row fails its checksum; a NaN row behind good checksums fails lookup', async () => {
    await write('ok2.tcv', entries(WORDS, 4), 4);
    const good = readFileSync(tmp.path('ok2.tcv'));
    for (const at of [9, 16, 20, 24, 60, 100]) {
      const b = Buffer.from(good);
      b[at] ^= 0x01;
      expect(() => openEmbeddedStore(new Uint8Array(b), { name: `flip${at}` }), `byte ${at}`).toThrow(/^flip\d+: header checksum mismatch/);
    }
    const store = openEmbeddedStore(new Uint8Array(good));
    const vecAt = store.header.vectorsOffset;
    const b = Buffer.from(good);
    b.writeFloatLE(NaN, vecAt + 4); // row 0, element 1
    const p = tmp.write('nan.tcv', b);
    const damaged = openEmbeddedStore(p);
    expect(() => damaged.lookup([WORDS[0]])).toThrow(/\["the"\]: vector row 0 fails its checksum/);
    expect(() => openEmbeddedStore(p, { verify: true })).toThrow(/vector row 0 fails its checksum/);
    expect(() => openEmbeddedStore(p, { verify: true, mode: 'paged' })).toThrow(/vector row 0 fails its checksum/);
    expect(() => openEmbeddedStore(tmp.path('ok2.tcv'), { verify: true })).not.toThrow();
    // the same NaN written by a writer that sealed it (checksums recomputed): the finite check stands behind
    const sealed = tmp.write('nan-sealed.tcv', reseal(b));
    expect(() => openEmbeddedStore(sealed).lookup([WORDS[0]])).toThrow(/vector 0 holds NaN or infinity/);
    expect(() => openEmbeddedStore(sealed, { verify: true })).toThrow(/vector 0 holds NaN or infinity/);
    // damage that only the body checksum sees: the zero padding after the metadata
    await write('meta.tcv', entries(WORDS, 4), 4, 'f32', { source: 'test' });
    const pad = Buffer.from(readFileSync(tmp.path('meta.tcv')));
    pad[150] ^= 0x20;
    expect(openEmbeddedStore(new Uint8Array(pad)).lookup(WORDS).unknown).toEqual([]);
    expect(() => openEmbeddedStore(new Uint8Array(pad), { verify: true })).toThrow(/body checksum mismatch/);
  });

  it('a damaged hash table fails its index page checksum: at open in memory, at first read when paged', async () => {
    await write('ok4.tcv', entries(WORDS, 4), 4);
    const good = readFileSync(tmp.path('ok4.tcv'));
    const h = openEmbeddedStore(new Uint8Array(good)).header;
    const b = Buffer.from(good);
    b[h.tableOffset + 4] ^= 0x01;
    const p = tmp.write('table.tcv', b);
    expect(() => openEmbeddedStore(p, { mode: 'memory' })).toThrow(
      /table\.tcv: index page 0 \(bytes \[\d+, \d+\): hash table, word offsets, row checksums, words\) fails its checksum/,
    );
    expect(() => openEmbeddedStore(p, { residentIndexBytes: 1 << 20 })).toThrow(/index page 0 .* fails its checksum/);
    expect(() => openEmbeddedStore(p)).toThrow(/index page 0 .* fails its checksum/); // paged: the open reads offsets[0], on that page
    const c = Buffer.from(good);
    c[h.pageCrcOffset] ^= 0x01;
    expect(() => openEmbeddedStore(new Uint8Array(c), { name: 'pages' })).toThrow(/^pages: index page checksums .* fail the header's checksum/);
  });

  it('behind good checksums (a sealed file), a damaged hash table or offsets never yields a wrong vector', async () => {
    const list = entries(WORDS, 4);
    await write('ok3.tcv', list, 4);
    const good = readFileSync(tmp.path('ok3.tcv'));
    const h = openEmbeddedStore(new Uint8Array(good)).header;
    // point every slot at a word index beyond the vocabulary
    let b = Buffer.from(good);
    for (let s = 0; s < h.tableSlots; s++) if (b.readUInt32LE(h.tableOffset + 4 * s) !== 0) b.writeUInt32LE(0xfffffff0, h.tableOffset + 4 * s);
    b = Buffer.from(reseal(b));
    const damaged = openEmbeddedStore(new Uint8Array(b), { name: 'slots' });
    expect(() => damaged.lookup(['the'])).toThrow(/^slots: hash slot \d+ points at word/);
    // swap two words' slots: the byte comparison refuses the wrong word
    const c = Buffer.from(good);
    const slots = [...Array(h.tableSlots).keys()].filter((s) => c.readUInt32LE(h.tableOffset + 4 * s) !== 0);
    const [s1, s2] = slots;
    const v1 = c.readUInt32LE(h.tableOffset + 4 * s1);
    c.writeUInt32LE(c.readUInt32LE(h.tableOffset + 4 * s2), h.tableOffset + 4 * s1);
    c.writeUInt32LE(v1, h.tableOffset + 4 * s2);
    const swapped = openEmbeddedStore(reseal(c));
    expect(() => openEmbeddedStore(reseal(c), { verify: true })).toThrow(/is not where the hash table leads/);
    for (const [w, v] of list) {
      const i = swapped.indexOf(w);
      if (i >= 0) expect(Array.from(swapped.vectorAt(i))).toEqual(Array.from(v));
    }
    // offsets that do not span the pool
    const d = Buffer.from(good);
    d.writeUInt32LE(1, h.offsetsOffset);
    expect(() => openEmbeddedStore(reseal(d))).toThrow(/word offsets do not span/);
    writeFileSync(tmp.path('unused'), '');
  });
});
