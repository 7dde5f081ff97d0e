/**
 * The embedded vector store on mutated `.tcv` files, in both read modes (memory; paged, with the
 * index paged, resident, or uncached). Mutations land mostly in the header and the index region.
 * Two kinds of case:
 *   damaged  the bytes as mutated: the store must refuse the file with VECTORS_CORRUPT naming it,
 *            or answer every word exactly as the original does (no word silently unknown, no
 *            other vector); opened with verify, any changed byte is refused
 *   sealed   the checksums recomputed over the damage, as a hostile writer would: the checks
 *            behind them (offsets, slots, finite values) must give a typed error or answers that
 *            are sane (finite vectors, the unknown words reported) — never a hang or a RangeError
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEmbeddedStore, type StoreFileOptions } from '../../../src/node/files.js';
import { StoreWriter } from '../../../src/vectors/writer.js';
import { probeValues } from '../../../src/model/probe.js';
import { reseal } from '../../vectors/reseal.js';
import { mutateBytes, type Focus } from '../mutate.js';
import { ensure, typed, type FuzzTarget } from '../target.js';

interface Store {
  name: string;
  bytes: Uint8Array;
  words: string[];
  expected: Float32Array; // (words, dim) the original's lookup of `words`
  focus: Focus;
}

interface Context {
  stores: Store[];
  path: string;
}

interface Input {
  store: Store;
  bytes: Uint8Array;
  sealed: boolean;
}

const UNKNOWN = ['absent', 'GOOD', 'cafe\u0301', '', 'w', '<UNK>'];
const MODES: [string, StoreFileOptions][] = [
  ['paged', {}],
  ['resident index', { residentIndexBytes: 1 << 20 }],
  ['uncached', { cacheBytes: 0 }],
];

async function makeStore(tmp: string, name: string, count: number, dim: number, dtype: 'f16' | 'f32', unk: boolean): Promise<Store> {
  const path = join(tmp, name);
  const words = Array.from({ length: count }, (_, i) => (i % 13 === 0 ? `mot${i}-é` : i % 17 === 0 ? `日本${i}` : `w${i.toString(36)}`));
  if (unk) words[count >> 1] = '<unk>';
  const w = await StoreWriter.create(path, { dim, dtype, meta: { source: 'fuzz', n: String(count) } });
  for (let i = 0; i < count; i++)
    await w.add(
      words[i],
      Array.from(probeValues(1000 + i, dim), (v) => v / 4),
    );
  await w.finish();
  const bytes = new Uint8Array(readFileSync(path));
  const store = openEmbeddedStore(bytes);
  const h = store.header;
  const expected = store.lookup(words).matrix.slice();
  store.close();
  const focus: Focus = [
    [0, 128],
    [h.tableOffset, h.fileBytes],
    [h.tableOffset, h.fileBytes],
    [h.offsetsOffset, h.poolOffset],
    [h.vectorsOffset, h.tableOffset],
    [h.pageCrcOffset, h.fileBytes],
  ];
  return { name, bytes, words, expected, focus };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export const tcvTarget: FuzzTarget<Context, Input> = {
  async setup({ tmp }) {
    return {
      stores: [await makeStore(tmp, 'a.tcv', 700, 6, 'f16', true), await makeStore(tmp, 'b.tcv', 300, 5, 'f32', false)],
      path: join(tmp, 'case.tcv'),
    };
  },
  make({ stores }, rng) {
    const store = rng.pick(stores);
    const { bytes, ops } = mutateBytes(rng, store.bytes, store.focus);
    const sealed = rng.chance(0.35);
    return { input: { store, bytes: sealed ? reseal(bytes) : bytes, sealed }, ops: [`${store.name}${sealed ? ' (sealed)' : ''}:`, ...ops] };
  },
  async check({ path }, { store, bytes, sealed }) {
    writeFileSync(path, bytes);
    const tokens = [...store.words, ...UNKNOWN];
    const unchanged = sameBytes(bytes, store.bytes);
    let outcome = '';
    const opened: [string, () => ReturnType<typeof openEmbeddedStore>][] = [
      ['memory', () => openEmbeddedStore(bytes.slice(), { name: path })],
      ...MODES.map(([mode, options]) => [mode, () => openEmbeddedStore(path, options)] as [string, () => ReturnType<typeof openEmbeddedStore>]),
    ];
    for (const [mode, open] of opened) {
      const result = await typed(() => {
        const s = open();
        try {
          const found = s.lookup(tokens);
          const words = [...s.words()];
          s.metadata();
          return { found, words, dim: s.dim };
        } finally {
          s.close();
        }
      }, [path]);
      if ('code' in result) {
        ensure(result.code === 'VECTORS_CORRUPT', `${mode}: ${result.code} (${result.error.message})`);
        ensure(result.error.message.startsWith(path), `${mode}: the error does not name the file: ${result.error.message}`);
        ensure(!unchanged, `${mode}: the unchanged file was refused: ${result.error.message}`);
        outcome ||= result.code;
        continue;
      }
      const { found, words, dim } = result.value;
      ensure(found.matrix.every(Number.isFinite), `${mode}: a non-finite vector was returned`);
      for (const u of found.unknown) ensure(tokens.includes(u), `${mode}: unknown word ${JSON.stringify(u)} that was not asked`);
      if (sealed) {
        outcome ||= 'sealed-answered';
        continue;
      }
      ensure(dim === store.expected.length / store.words.length, `${mode}: dim ${dim}`);
      ensure(
        found.unknown.join('\n') === UNKNOWN.join('\n'),
        `${mode}: unknown words ${JSON.stringify(found.unknown.filter((u) => !UNKNOWN.includes(u)).slice(0, 5))} of the store's own (silently unknown)`,
      );
      const got = found.matrix.subarray(0, store.expected.length);
      ensure(
        got.every((v, i) => Object.is(v, store.expected[i])),
        `${mode}: a vector differs from the original's`,
      );
      ensure(words.join('\n') === store.words.join('\n'), `${mode}: the word list differs from the original's`);
      outcome ||= 'exact';
    }
    if (!sealed) {
      const verified = await typed(() => openEmbeddedStore(bytes.slice(), { name: path, verify: true }).close(), [path]);
      ensure('code' in verified !== unchanged, unchanged ? 'verify refused the unchanged file' : 'verify accepted a changed file');
    }
    return outcome;
  },
  save: ({ bytes }) => bytes,
};
