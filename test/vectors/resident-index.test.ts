// The embedded store's resident-index option (what the Lambda handler opens its stores with):
// the index is read at open in one read, lookups then read only vector pages, and every answer
// equals the fully resident store's; over the limit, the index stays paged.
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/node/files.js';
import { StoreWriter } from '../../src/vectors/writer.js';
import { tempDir, vec } from './fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('embedded store, residentIndexBytes', () => {
  it('reads the index at open, pages only vectors, and answers as the in-memory store does', async () => {
    const words = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `mot-${i}-é` : `w${i}`));
    const w = await StoreWriter.create(tmp.path('r.tcv'), { dim: 24, dtype: 'f16' });
    for (let i = 0; i < words.length; i++) await w.add(words[i], vec(i + 1, 24));
    await w.finish();

    const resident = openEmbeddedStore(tmp.path('r.tcv'), { residentIndexBytes: 1 << 20 });
    const all = openEmbeddedStore(tmp.path('r.tcv'), { mode: 'memory' });
    expect(resident.mode).toBe('paged');
    expect(resident.pagesRead).toBe(0); // the offsets checked at open came from the resident index
    for (let i = 0; i < words.length; i += 1) expect(resident.indexOf(words[i])).toBe(i);
    expect(resident.indexOf('absent')).toBe(-1);
    expect(resident.pagesRead).toBe(0); // lookups of the index read nothing
    const tokens = [words[0], 'absent', words[2999], words[1400], words[7]];
    const got = resident.lookup(tokens);
    const want = all.lookup(tokens);
    expect(Array.from(got.matrix)).toEqual(Array.from(want.matrix));
    expect(got.unknown).toEqual(['absent']);
    expect(resident.pagesRead).toBeGreaterThan(0); // vector pages
    expect(resident.wordAt(2999)).toBe(words[2999]);
    resident.close();
    expect(() => resident.lookup([words[1]])).toThrow(/store is closed/);
  });

  it('an index over the limit stays paged', async () => {
    const w = await StoreWriter.create(tmp.path('s.tcv'), { dim: 4, dtype: 'f32' });
    for (let i = 0; i < 100; i++) await w.add(`w${i}`, vec(i + 1, 4));
    await w.finish();
    const store = openEmbeddedStore(tmp.path('s.tcv'), { residentIndexBytes: 16 });
    expect(store.pagesRead).toBe(1); // offsets[0] and offsets[count], on one 16 KiB page of this small file
    expect(store.indexOf('w42')).toBe(42);
  });
});
