import { spawnSync } from 'node:child_process';
import { openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runVectors } from '../../src/cli/vectors.js';
import { convertVectors } from '../../src/vectors/convert.js';
import { openEmbeddedStore } from '../../src/node/files.js';
import { sniffFormat } from '../../src/vectors/input/detect.js';
import { entries, gloveText, tempDir, vec, word2vecBinary, word2vecText, type Entry } from './fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const WORDS = ['the', ',', '.', 'of', 'and', 'café', '日本', "n't", 'The', '<unk>', 'good', 'movie'];
const DIM = 6;
const LIST = entries(WORDS, DIM);

function expectStoreHolds(path: string, list: Entry[]) {
  const store = openEmbeddedStore(path, { verify: true });
  expect(store.size).toBe(list.length);
  expect(store.dim).toBe(list[0][1].length);
  list.forEach(([w, v], i) => {
    expect(store.indexOf(w), w).toBe(i);
    expect(Array.from(store.vectorAt(i))).toEqual(Array.from(v));
  });
  return store;
}

describe('convert: formats are detected and read exactly', () => {
  const cases: [string, () => string | Uint8Array, string][] = [
    ['w2v.bin', () => word2vecBinary(LIST, DIM), 'word2vec-bin'],
    ['w2v-nonl.bin', () => word2vecBinary(LIST, DIM, { newline: false }), 'word2vec-bin'],
    ['w2v.txt', () => word2vecText(LIST, DIM), 'word2vec-text'],
    ['w2v-crlf.txt', () => word2vecText(LIST, DIM, '\r\n'), 'word2vec-text'],
    ['glove.txt', () => gloveText(LIST), 'glove'],
    ['glove-nofinal.txt', () => gloveText(LIST, '\n', false), 'glove'],
  ];
  for (const [name, make, format] of cases) {
    it(name, async () => {
      const input = tmp.write(name, make());
      expect((await sniffFormat(input)).format).toBe(format);
      const s = await convertVectors(input, tmp.path(`${name}.tcv`));
      expect(s.format).toBe(format);
      expect(s.count).toBe(WORDS.length);
      expect(s.unkIndex).toBe(WORDS.indexOf('<unk>'));
      expectStoreHolds(tmp.path(`${name}.tcv`), LIST);
    });
  }

  it('GloVe words containing spaces (as in glove.840B) keep them', async () => {
    const list = entries(['x', 'y', '. . .', 'z', 'a b c', 'w'], 3);
    const input = tmp.write('spaces.txt', gloveText(list));
    await convertVectors(input, tmp.path('spaces.tcv'));
    expectStoreHolds(tmp.path('spaces.tcv'), list);
  });

  it('a .tcv converts to a .tcv (e.g. f32 -> f16)', async () => {
    const input = tmp.write('src.bin', word2vecBinary(LIST, DIM));
    await convertVectors(input, tmp.path('src.tcv'));
    const s = await convertVectors(tmp.path('src.tcv'), tmp.path('src16.tcv'), { dtype: 'f16', top: 3 });
    expect(s.format).toBe('tcv');
    const store = openEmbeddedStore(tmp.path('src16.tcv'));
    expect(store.size).toBe(3);
    expect(store.dtype).toBe('f16');
    expect(Math.abs(store.vectorAt(1)[0] - LIST[1][1][0])).toBeLessThan(1e-3);
  });
});

describe('convert: filters', () => {
  it('--top keeps the first N records and stops reading', async () => {
    const input = tmp.write('top.bin', word2vecBinary(LIST, DIM));
    const s = await convertVectors(input, tmp.path('top.tcv'), { top: 4 });
    expect(s.read).toBe(4);
    expectStoreHolds(tmp.path('top.tcv'), LIST.slice(0, 4));
  });

  it('--vocab keeps only corpus words (and <unk>); with --top, among the first N', async () => {
    const input = tmp.write('vocab.txt', gloveText(LIST));
    const vocab = new Set(['good', 'movie', 'the', 'absent']);
    const s = await convertVectors(input, tmp.path('vocab.tcv'), { vocab });
    expect(s.count).toBe(4);
    expect(s.filtered).toBe(WORDS.length - 4);
    expectStoreHolds(
      tmp.path('vocab.tcv'),
      LIST.filter(([w]) => vocab.has(w) || w === '<unk>'),
    );
    const both = await convertVectors(input, tmp.path('vocab-top.tcv'), { vocab, top: 5 });
    expect(both.count).toBe(1);
  });

  it('duplicates keep their first vector', async () => {
    const list: Entry[] = [
      ['a', vec(1, 2)],
      ['b', vec(2, 2)],
      ['a', vec(3, 2)],
    ];
    const s = await convertVectors(tmp.write('dup.txt', gloveText(list)), tmp.path('dup.tcv'));
    expect(s.duplicates).toBe(1);
    expectStoreHolds(tmp.path('dup.tcv'), list.slice(0, 2));
  });
});

describe('convert: bad inputs are typed errors, and leave no output behind', () => {
  it('truncated word2vec binary and text', async () => {
    const bin = word2vecBinary(LIST, DIM);
    const cut = tmp.write('cut.bin', bin.subarray(0, bin.length - 10));
    await expect(convertVectors(cut, tmp.path('cut.tcv'))).rejects.toMatchObject({
      code: 'VECTORS_INPUT_INVALID',
      message: expect.stringMatching(/truncated/),
    });
    expect(() => statSync(tmp.path('cut.tcv'))).toThrow();
    const fewer = tmp.write('fewer.bin', word2vecBinary(LIST, DIM, { count: WORDS.length + 5 }));
    await expect(convertVectors(fewer, tmp.path('fewer.tcv'))).rejects.toThrow(/header promises 17 words, file ends after 12/);
    const text = word2vecText(LIST, DIM).split('\n').slice(0, 5).join('\n');
    await expect(convertVectors(tmp.write('cut.txt', text), tmp.path('cut2.tcv'))).rejects.toThrow(/truncated/);
  });

  it('bad lines name the line; unknown formats say so', async () => {
    const lines = gloveText(LIST).split('\n');
    lines[3] = lines[3].replace(/ \S+$/, ' nan?');
    await expect(convertVectors(tmp.write('badval.txt', lines.join('\n')), tmp.path('x.tcv'))).rejects.toThrow(
      /line 4: value 6 "nan\?" is not a finite number/,
    );
    lines[3] = 'short 1 2';
    await expect(convertVectors(tmp.write('short.txt', lines.join('\n')), tmp.path('x.tcv'))).rejects.toThrow(/line 4: 2 values after the word, expected 6/);
    await expect(convertVectors(tmp.write('prose.txt', 'Hello world.\nThis is prose.\n'), tmp.path('x.tcv'))).rejects.toThrow(/unrecognized format/);
    await expect(convertVectors(tmp.write('empty.txt', ''), tmp.path('x.tcv'))).rejects.toThrow(/empty file/);
    await expect(convertVectors(tmp.path('nope.bin'), tmp.path('x.tcv'))).rejects.toMatchObject({ code: 'VECTORS_NOT_FOUND' });
  });
});

describe('tinycnn vectors CLI', () => {
  function capture() {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    return { done: () => (o.mockRestore(), e.mockRestore(), { out, err }) };
  }

  it('convert + lookup prints {"WORD": [floats] or null}', async () => {
    const input = tmp.write('cli.bin', word2vecBinary(LIST, DIM));
    const vocab = tmp.write('corpus.txt', 'It is a GOOD movie .\nthe end\n');
    let c = capture();
    expect(await runVectors(['convert', input, tmp.path('cli.tcv'), '--vocab', vocab, '--vocab-tokenizer', 'clean_str_sst', '--meta', 'licence=test'])).toBe(0);
    expect(c.done().err).toMatch(/4 words x 6 f32 from word2vec-bin/); // good, movie, the, <unk>
    c = capture();
    expect(await runVectors(['lookup', '--vectors', tmp.path('cli.tcv'), 'good', 'zzz', 'the'])).toBe(0);
    const printed = JSON.parse(c.done().out) as Record<string, number[] | null>;
    expect(Object.keys(printed)).toEqual(['good', 'zzz', 'the']);
    expect(printed.zzz).toBeNull();
    expect(new Float32Array(printed.good!)).toEqual(LIST[WORDS.indexOf('good')][1]);
    c = capture();
    expect(await runVectors(['info', tmp.path('cli.tcv'), '--verify'])).toBe(0);
    expect(JSON.parse(c.done().out)).toMatchObject({ words: 4, dim: 6, metadata: { licence: 'test', source: 'cli.bin' }, verified: true });
  });

  it('errors: one line on stderr, non-zero exit', async () => {
    for (const [argv, code] of [
      [['lookup', '--vectors', tmp.path('missing.tcv'), 'x'], 1],
      [['convert', 'only-one'], 2],
      [['frobnicate'], 2],
      [['convert', 'a', 'b', '--dtype', 'f8'], 2],
    ] as const) {
      const c = capture();
      expect(await runVectors([...argv])).toBe(code);
      const { err } = c.done();
      expect(err.trim().split('\n').length === 1 || argv[0] === 'frobnicate').toBe(true);
      expect(err).toMatch(/^tinycnn vectors/);
    }
  });
});

describe('streaming: memory does not grow with the input', () => {
  let cli: string;
  beforeAll(async () => {
    await build({
      stdin: {
        contents:
          "import { runVectors } from './src/cli/vectors.ts'; process.exitCode = await runVectors(process.argv.slice(2)); process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));",
        resolveDir: process.cwd(),
        sourcefile: 'cli.ts',
        loader: 'ts',
      },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outdir: join(tmp.dir, 'cli'),
      logLevel: 'warning',
    });
    cli = join(tmp.dir, 'cli', 'stdin.js');
  });

  /** Writes an n-word, 300-d word2vec binary file; returns its path and size. */
  function word2vecFile(name: string, n: number): { path: string; size: number } {
    const dim = 300;
    const path = tmp.path(name);
    const fd = openSync(path, 'w');
    writeSync(fd, `${n} ${dim}\n`);
    const row = new Float32Array(dim); // (dim) one vector
    const bytes = Buffer.from(row.buffer);
    const batch: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      row.fill((i % 1000) / 1000);
      batch.push(Buffer.from(`w${i} `), Buffer.from(bytes), Buffer.from('\n'));
      if (batch.length >= 3000) writeSync(fd, Buffer.concat(batch.splice(0)));
    }
    writeSync(fd, Buffer.concat(batch));
    closeSync(fd);
    return { path, size: statSync(path).size };
  }

  /** Converts a file in a fresh process; returns its peak RSS in bytes. */
  function convertPeakRss(input: string, output: string): number {
    const r = spawnSync(process.execPath, [cli, 'convert', input, output, '--dtype', 'f16'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return Number(/maxrss (\d+)/.exec(r.stderr)?.[1]) * 1024;
  }

  // Against the same CLI on a 1,000-word file in the same run, so the Node runtime's own
  // footprint (which differs between Node 20, 22 and 24) cancels out.
  it('a 120 MB word2vec binary costs under a quarter of its size in RSS over a 1.2 MB one', () => {
    const small = word2vecFile('small.bin', 1_000);
    const large = word2vecFile('large.bin', 100_000);
    expect(large.size).toBeGreaterThan(120e6);
    const baseline = convertPeakRss(small.path, tmp.path('small.tcv'));
    const peak = convertPeakRss(large.path, tmp.path('large.tcv'));
    expect(peak - baseline, `peak RSS ${peak} B, baseline ${baseline} B`).toBeLessThan(0.25 * large.size);
    const store = openEmbeddedStore(tmp.path('large.tcv'), { mode: 'paged' });
    expect(store.size).toBe(100_000);
    expect(store.vectorAt(store.indexOf('w99999'))[0]).toBeCloseTo(0.999, 3);
  }, 120_000);
});
