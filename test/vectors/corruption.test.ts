// Corrupt `.tcv` files (issue 16, defects 2 and 3), rebuilt from their reproductions:
//   - one damaged word offset made `vectors info` / `vectors convert` spin at 100% CPU (paged mode) or
//     crash with an untyped RangeError: now a typed VECTORS_CORRUPT naming the file and the word row,
//     whether the damage is caught by the index checksums or, in a file sealed over the damage, by
//     the offset checks behind them;
//   - single-byte damage to the index region made words silently unknown (zero vectors) in memory
//     mode: now every such file is refused, in every read mode, or (when the byte did not change
//     the index's meaning) answers every word exactly.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore, type StoreFileOptions } from '../../src/node/files.js';
import { VectorStoreError } from '../../src/vectors/errors.js';
import { indexPageRange, layout, PAGE_BYTES, type StoreHeader } from '../../src/vectors/format.js';
import { StoreWriter } from '../../src/vectors/writer.js';
import { probeValues } from '../../src/model/probe.js';
import { tinycnn } from '../helpers/cli.js';
import { tempDir, vec } from './fixtures.js';
import { reseal } from './reseal.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const WORDS = Array.from({ length: 3000 }, (_, i) => (i % 11 === 0 ? `mot-${i}-é` : `w${i.toString(36)}`));
const DIM = 8;
let good: Uint8Array;
let h: StoreHeader;
const MODES: [string, StoreFileOptions][] = [
  ['memory', { mode: 'memory' }],
  ['paged', {}],
  ['paged, resident index', { residentIndexBytes: 1 << 20 }],
  ['paged, no cache', { cacheBytes: 0 }],
];

beforeAll(async () => {
  const w = await StoreWriter.create(tmp.path('good.tcv'), { dim: DIM, dtype: 'f16' });
  for (let i = 0; i < WORDS.length; i++) await w.add(WORDS[i], vec(i + 1, DIM));
  await w.finish();
  good = new Uint8Array(readFileSync(tmp.path('good.tcv')));
  h = openEmbeddedStore(good).header;
});

/** Opens and looks up every word: 'refused' (a VECTORS_CORRUPT naming the file) or 'exact' (every word found, same vectors). */
function outcome(path: string, options: StoreFileOptions): 'refused' | 'exact' {
  const reference = openEmbeddedStore(good);
  try {
    const store = openEmbeddedStore(path, options);
    try {
      const found = store.lookup(WORDS);
      expect(found.unknown, `${path}: words silently unknown`).toEqual([]);
      expect(Array.from(found.matrix)).toEqual(Array.from(reference.lookup(WORDS).matrix));
      for (let row = 0; row < WORDS.length; row += 97) expect(store.wordAt(row)).toBe(WORDS[row]);
      return 'exact';
    } finally {
      store.close();
    }
  } catch (error) {
    if (!(error instanceof VectorStoreError)) throw error;
    expect(error.code).toBe('VECTORS_CORRUPT');
    expect(error.message.startsWith(path)).toBe(true);
    return 'refused';
  }
}

describe('one damaged word offset', () => {
  const offsetAt = (row: number) => h.offsetsOffset + 4 * row;

  it('is refused by the index checksum in every read mode, and by the CLI in a bounded time', () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setUint32(offsetAt(1400), 0xfffffb50, true); // the reproduction: far past the pool
    const path = tmp.write('offset.tcv', bytes);
    for (const [mode, options] of MODES) expect(outcome(path, options), mode).toBe('refused');
    for (const args of [
      ['vectors', 'info', path],
      ['vectors', 'convert', path, tmp.path('out.tcv')],
      ['vectors', 'info', '--verify', path],
    ]) {
      const run = tinycnn(args);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(/offset\.tcv: index page \d+ \(bytes \[\d+, \d+\): [^)]*word offsets[^)]*\) fails its checksum/);
      expect(run.stderr).not.toMatch(/RangeError|at .*\.js:\d+/);
    }
  });

  it('sealed over (checksums recomputed): a typed error naming the word row, never a hang or a RangeError', () => {
    for (const [row, value] of [
      [1400, 0xfffffb50],
      [1400, 7],
      [2999, 0x7fffffff],
      [3000, h.poolBytes - 1],
      [1, 0],
    ] as const) {
      const bytes = good.slice();
      new DataView(bytes.buffer).setUint32(offsetAt(row), value, true);
      const path = tmp.write(`sealed-${row}-${value}.tcv`, reseal(bytes));
      for (const [mode, options] of MODES) {
        const store = (() => {
          try {
            return openEmbeddedStore(path, options);
          } catch (error) {
            expect(error, mode).toBeInstanceOf(VectorStoreError);
            expect((error as Error).message).toMatch(/word offsets do not span/);
            return undefined;
          }
        })();
        if (store === undefined) continue;
        let error: unknown;
        try {
          for (const _ of store.words()) void _;
        } catch (e) {
          error = e;
        }
        expect(error, `${mode}, offsets[${row}] = ${value}`).toBeInstanceOf(VectorStoreError);
        expect((error as Error).message).toMatch(
          new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: word row ${row - 1} has bad offsets|word row ${row} has bad offsets`),
        );
        store.close();
      }
      const run = tinycnn(['vectors', 'convert', path, tmp.path('out2.tcv')]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/word row \d+ has bad offsets|word offsets do not span/);
      expect(run.stderr).not.toMatch(/RangeError/);
    }
  });
});

describe('single-byte damage anywhere in the index region never makes a word silently unknown', () => {
  it('115 seeded mutations x 4 read modes: refused, or every word exact', () => {
    const picks = probeValues(115016, 2 * 115);
    const counts = { refused: 0, exact: 0 };
    for (let m = 0; m < 115; m++) {
      const at = h.tableOffset + Math.floor(((picks[2 * m] + 1) / 2) * (h.fileBytes - h.tableOffset));
      const bytes = good.slice();
      bytes[at] ^= 1 + Math.floor(((picks[2 * m + 1] + 1) / 2) * 255); // never 0: the byte changes
      const path = tmp.write(`m${m}.tcv`, bytes);
      for (const [, options] of MODES) counts[outcome(path, options)]++;
    }
    // every byte of the index region is covered by a checksum: all of them are refused
    expect(counts).toEqual({ refused: 4 * 115, exact: 0 });
  });
});

describe('the index page checksums cover every byte from the hash table to the end of the file', () => {
  it('pages tile [tableOffset, pageCrcOffset) without gap or overlap, for many shapes', () => {
    for (const [count, dim, dtype, slots, meta, pool] of [
      [0, 1, 'f32', 8, 0, 0],
      [1, 3, 'f16', 8, 17, 1],
      [12, 4, 'f32', 32, 0, 57],
      [3000, 8, 'f16', 8192, 40, 15_001],
      [10_000, 300, 'f16', 32768, 300, 47_123],
    ] as const) {
      const L = layout(dtype, dim, count, slots, meta, pool);
      let at = L.tableOffset;
      for (let p = 0; p < L.indexPages; p++) {
        const { begin, end } = indexPageRange(L.tableOffset, L.pageCrcOffset, p);
        expect(begin).toBe(at);
        expect(end).toBeGreaterThan(begin);
        expect(end - begin).toBeLessThanOrEqual(PAGE_BYTES);
        at = end;
      }
      expect(at).toBe(L.pageCrcOffset);
      expect(L.fileBytes).toBe(L.pageCrcOffset + 4 * L.indexPages);
    }
  });

  it('every single-byte change from the hash table to the end of a small file is refused, memory and paged', async () => {
    const w = await StoreWriter.create(tmp.path('small.tcv'), { dim: 4, dtype: 'f32' });
    const words = ['the', 'good', 'movie', 'café', '<unk>', '😀'];
    for (let i = 0; i < words.length; i++) await w.add(words[i], vec(i + 1, 4));
    await w.finish();
    const small = new Uint8Array(readFileSync(tmp.path('small.tcv')));
    const s = openEmbeddedStore(small).header;
    const path = tmp.path('small-damaged.tcv');
    for (let at = s.tableOffset; at < s.fileBytes; at++) {
      const bytes = small.slice();
      bytes[at] ^= 0x10;
      writeFileSync(path, bytes);
      for (const options of [{ mode: 'memory' as const }, { cacheBytes: 0 }]) {
        expect(() => openEmbeddedStore(path, options).lookup(['the', 'good', 'movie', 'café', '<unk>', '😀', 'absent']), `byte ${at}`).toThrow(
          VectorStoreError,
        );
      }
    }
  });
});
