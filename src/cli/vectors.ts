/**
 * `tinycnn vectors convert|lookup|upload|info ...` — word-vector files for the embedded and
 * DynamoDB stores. Progress bars go to stderr (when it is a terminal); results to stdout.
 * Errors: one line on stderr, exit 1 (2 for a bad command line).
 *
 * The AWS SDK and cli-progress are loaded only when needed (upload / a terminal), so
 * convert, lookup and info run with neither installed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { TinyCnnError } from '../errors.js';
import { cleanStrSst } from '../text/tokenizer.js';
import { convertVectors } from '../vectors/convert.js';
import { openEmbeddedStore } from '../node/files.js';
import { VectorStoreError } from '../vectors/errors.js';
import type { VectorDtype } from '../vectors/format.js';
import { INPUT_FORMATS, type InputFormat } from '../vectors/input/detect.js';
import { formatF32, type ItemLayout } from '../vectors/item.js';

const USAGE = `usage: tinycnn vectors <command>
  convert IN OUT [--top N] [--vocab FILE] [--vocab-tokenizer split|clean_str_sst]
                 [--dtype f32|f16] [--format auto|word2vec-bin|word2vec-text|glove|tcv] [--meta KEY=VALUE]...
      word2vec binary (GoogleNews) / text, GloVe text or a .tcv store -> a .tcv store (streamed)
  lookup --vectors FILE WORD...      prints {"WORD": [floats] or null, ...}
  upload IN --table NAME [--endpoint URL] [--region R] [--layout compact|list] [--dtype f16|f32]
            [--create] [--concurrency N] [--checkpoint FILE] [--restart] [--format F]
      BatchWriteItem of 25, parallel, resumable (checkpoint next to IN)
  info FILE [--verify]               header, metadata and size of a .tcv store`;

class Usage extends Error {}

/**
 * Runs one `tinycnn vectors` command.
 * @param argv the arguments after "vectors"
 * @returns the exit code
 */
export async function runVectors(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'convert': return await convert(rest);
      case 'lookup': return await lookup(rest);
      case 'upload': return await upload(rest);
      case 'info': return await info(rest);
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(USAGE + '\n');
        return cmd === undefined ? 2 : 0;
      default: throw new Usage(`unknown command "${cmd}"\n${USAGE}`);
    }
  } catch (e) {
    const usage = e instanceof Usage || (e instanceof VectorStoreError && e.code === 'VECTORS_ARGS') ||
      (e instanceof Error && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'));
    const msg = e instanceof TinyCnnError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`tinycnn vectors${cmd ? ` ${cmd}` : ''}: ${msg}\n`);
    return usage ? 2 : 1;
  }
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Usage(`${flag} needs a non-negative integer, not "${v}"`);
  return Number(v);
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new Usage(`${flag} must be one of ${allowed.join(', ')}, not "${v}"`);
  return v as T;
}

async function convert(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      top: { type: 'string' }, vocab: { type: 'string' }, 'vocab-tokenizer': { type: 'string' },
      dtype: { type: 'string' }, format: { type: 'string' }, meta: { type: 'string', multiple: true },
      quiet: { type: 'boolean', short: 'q' },
    },
  });
  if (positionals.length !== 2) throw new Usage('convert needs IN and OUT');
  const [input, output] = positionals;
  const meta: Record<string, string> = { source: basename(input) };
  for (const kv of values.meta ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Usage(`--meta needs KEY=VALUE, not "${kv}"`);
    meta[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const tok = oneOf('--vocab-tokenizer', values['vocab-tokenizer'], ['split', 'clean_str_sst'] as const) ?? 'split';
  const vocab = values.vocab === undefined ? undefined : readVocab(values.vocab, tok);
  const bar = await progressBar(values.quiet ?? false, 'convert', 'MB');
  const t0 = performance.now();
  try {
    const s = await convertVectors(input, output, {
      dtype: oneOf('--dtype', values.dtype, ['f32', 'f16'] as const),
      top: positiveInt('--top', values.top),
      format: oneOf('--format', values.format, ['auto', ...INPUT_FORMATS] as const),
      vocab, meta,
      onProgress: (p) => bar.update(p.bytes / 1e6, p.totalBytes / 1e6, `${p.written} words`),
    });
    bar.stop();
    process.stderr.write(
      `${output}: ${s.count} words x ${s.dim} ${s.dtype} from ${s.format} (${s.read} read, ${s.filtered} not in vocab, ` +
      `${s.duplicates} duplicates${s.unkIndex >= 0 ? ', has <unk>' : ''}), ${(s.fileBytes / 1e6).toFixed(1)} MB ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
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

async function lookup(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { vectors: { type: 'string' } } });
  if (!values.vectors) throw new Usage('lookup needs --vectors FILE');
  if (positionals.length === 0) throw new Usage('lookup needs at least one WORD');
  const store = openEmbeddedStore(values.vectors);
  try {
    const lines = positionals.map((w) => {
      const row = store.indexOf(w);
      const v = row < 0 ? 'null' : `[${Array.from(store.vectorAt(row), formatF32).join(', ')}]`;
      return `  ${JSON.stringify(w)}: ${v}`;
    });
    process.stdout.write(`{\n${[...new Map(positionals.map((w, i) => [w, lines[i]])).values()].join(',\n')}\n}\n`);
    return 0;
  } finally {
    store.close();
  }
}

async function info(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { verify: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new Usage('info needs one FILE');
  const store = openEmbeddedStore(positionals[0], { cacheBytes: 0, verify: values.verify ?? false });
  const h = store.header;
  process.stdout.write(JSON.stringify({
    file: positionals[0], words: store.size, dim: store.dim, dtype: store.dtype,
    unk: store.unkRow >= 0 ? store.wordAt(store.unkRow) : null, bytes: h.fileBytes, tableSlots: h.tableSlots,
    verified: values.verify ?? false, metadata: store.metadata(),
  }, null, 2) + '\n');
  store.close();
  return 0;
}

async function upload(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      table: { type: 'string' }, endpoint: { type: 'string' }, region: { type: 'string' },
      layout: { type: 'string' }, dtype: { type: 'string' }, create: { type: 'boolean' },
      concurrency: { type: 'string' }, checkpoint: { type: 'string' }, restart: { type: 'boolean' },
      format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' },
    },
  });
  if (positionals.length !== 1) throw new Usage('upload needs one input file');
  if (!values.table) throw new Usage('upload needs --table NAME');
  const layout = oneOf<ItemLayout>('--layout', values.layout, ['compact', 'list']) ?? 'compact';
  const dtype = oneOf<VectorDtype>('--dtype', values.dtype, ['f16', 'f32']);
  if (dtype && layout === 'list') throw new Usage('--dtype applies to --layout compact only');
  const { uploadVectors } = await import('../vectors/upload.js'); // the AWS SDK, only here
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupted: finishing in-flight batches and saving the checkpoint (Ctrl-C again to quit now)\n');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const bar = await progressBar(values.quiet ?? false, 'upload', 'words');
  try {
    const s = await uploadVectors(positionals[0], {
      table: values.table, layout, dtype, endpoint: values.endpoint,
      region: values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (values.endpoint ? 'us-east-1' : undefined),
      create: values.create ?? false, concurrency: positiveInt('--concurrency', values.concurrency),
      checkpoint: values.checkpoint, restart: values.restart ?? false,
      format: oneOf('--format', values.format, ['auto', ...INPUT_FORMATS] as const) as InputFormat | 'auto' | undefined,
      signal: stop.signal,
      onProgress: (p) => (p.total ? bar.update(p.done, p.total, '') : bar.update(p.bytes / 1e6, p.totalBytes / 1e6, `${p.done} words`)),
    });
    bar.stop();
    process.stderr.write(
      `${s.table}: ${s.completed ? 'done' : `stopped at record ${s.done} (checkpoint ${s.checkpoint}; run again to resume)`}; ` +
      `${s.written} items written (${s.layout}${s.dtype ? ` ${s.dtype}` : ''}, ${(s.itemBytes / Math.max(1, s.written)).toFixed(0)} bytes/item)` +
      `${s.resumedFrom ? `, resumed from record ${s.resumedFrom}` : ''}, ${s.skipped} skipped, ${s.retries} retries\n`);
    return s.completed ? 0 : 130;
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
}

interface Bar {
  update(value: number, total: number, note: string): void;
  stop(): void;
}

/** A cli-progress bar on stderr when it is a terminal (and cli-progress is installed); else silent. */
async function progressBar(quiet: boolean, label: string, unit: string): Promise<Bar> {
  const silent: Bar = { update() {}, stop() {} };
  if (quiet || !process.stderr.isTTY) return silent;
  const mod = await import('cli-progress').catch(() => null);
  if (!mod) return silent;
  const cp = (mod as { default?: typeof import('cli-progress') }).default ?? (mod as typeof import('cli-progress'));
  const bar = new cp.SingleBar({
    stream: process.stderr, clearOnComplete: false, hideCursor: true,
    format: `${label} |{bar}| {percentage}% | {value}/{total} ${unit} | {note} | eta {eta_formatted}`,
    formatValue: (v: number, _o: unknown, type: string) => (type === 'value' || type === 'total' ? (unit === 'MB' ? v.toFixed(0) : String(Math.round(v))) : String(v)),
  }, cp.Presets.shades_classic);
  let started = false;
  let stopped = false;
  return {
    update(value, total, note) {
      if (stopped) return;
      if (!started) { bar.start(total, value, { note }); started = true; }
      else { bar.setTotal(total); bar.update(value, { note }); }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
