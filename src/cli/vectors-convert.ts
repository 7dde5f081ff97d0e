/** `tinycnn vectors convert IN OUT.tcv`: word2vec / GloVe / .tcv -> a .tcv store, streamed, with a progress bar. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cleanStrSst } from '../text/tokenizer.js';
import { convertVectors } from '../vectors/convert.js';
import { VectorStoreError } from '../vectors/errors.js';
import { INPUT_FORMATS } from '../vectors/input/detect.js';
import { choiceFlag, nonNegativeIntFlag, parseFlags } from './flags.js';
import { progressBar } from './progress.js';
import { UsageError } from './usage.js';

export const CONVERT_USAGE = `usage: tinycnn vectors convert IN OUT.tcv [options]
  word2vec binary (GoogleNews) / text, GloVe text or a .tcv store -> a .tcv store (streamed)
  --top N                  keep the first N words of IN
  --vocab FILE             keep only the words of this text file
  --vocab-tokenizer T      how --vocab is split into words: split (default) or clean_str_sst
  --dtype f32|f16          vector element type (default f32)
  --format F               auto (default), word2vec-bin, word2vec-text, glove or tcv
  --meta KEY=VALUE         metadata to store (repeatable)
  --quiet, -q              no progress bar (there is none when stderr is not a terminal)
  --json                   the summary as one JSON object on stdout instead of a line on stderr`;

/** Runs `vectors convert`; returns the exit code. */
export async function convertCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    options: {
      top: { type: 'string' },
      vocab: { type: 'string' },
      'vocab-tokenizer': { type: 'string' },
      dtype: { type: 'string' },
      format: { type: 'string' },
      meta: { type: 'string', multiple: true },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 2) throw new UsageError('convert needs IN and OUT');
  const [input, output] = positionals as [string, string];
  const meta: Record<string, string> = { source: basename(input) };
  for (const kv of values.meta ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta needs KEY=VALUE, not "${kv}"`);
    meta[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const tok = choiceFlag(values['vocab-tokenizer'], '--vocab-tokenizer', ['split', 'clean_str_sst'] as const) ?? 'split';
  const vocab = values.vocab === undefined ? undefined : readVocab(values.vocab, tok);
  const bar = await progressBar(values.quiet ?? false, 'convert', 'MB');
  const t0 = performance.now();
  try {
    const s = await convertVectors(input, output, {
      dtype: choiceFlag(values.dtype, '--dtype', ['f32', 'f16'] as const),
      top: nonNegativeIntFlag(values.top, '--top'),
      format: choiceFlag(values.format, '--format', ['auto', ...INPUT_FORMATS] as const),
      vocab,
      meta,
      onProgress: (p) => bar.update(p.bytes / 1e6, p.totalBytes / 1e6, `${p.written} words`),
    });
    bar.stop();
    const seconds = (performance.now() - t0) / 1000;
    if (values.json) {
      console.log(
        JSON.stringify({
          output,
          words: s.count,
          dim: s.dim,
          dtype: s.dtype,
          format: s.format,
          read: s.read,
          not_in_vocab: s.filtered,
          duplicates: s.duplicates,
          has_unk: s.unkIndex >= 0,
          bytes: s.fileBytes,
          seconds: Number(seconds.toFixed(3)),
        }),
      );
      return 0;
    }
    process.stderr.write(
      `${output}: ${s.count} words x ${s.dim} ${s.dtype} from ${s.format} (${s.read} read, ${s.filtered} not in vocab, ` +
        `${s.duplicates} duplicates${s.unkIndex >= 0 ? ', has <unk>' : ''}), ${(s.fileBytes / 1e6).toFixed(1)} MB ` +
        `in ${seconds.toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    bar.stop();
  }
}

function readVocab(path: string, tokenizer: 'split' | 'clean_str_sst'): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new VectorStoreError('VECTORS_NOT_FOUND', path, `cannot read vocabulary file: ${(e as Error).message}`);
  }
  const words = new Set<string>();
  for (const line of text.split('\n')) {
    const s = tokenizer === 'clean_str_sst' ? cleanStrSst(line) : line;
    for (const w of s.split(/\s+/)) if (w !== '') words.add(w);
  }
  return words;
}
