/**
 * `tinycnn vectors convert|lookup|upload|info ...` — word-vector files for the embedded and
 * DynamoDB stores. Progress bars go to stderr (when it is a terminal); results to stdout.
 * Errors: one line on stderr, exit 1 (2 for a bad command line or a missing package).
 *
 * The AWS SDK and cli-progress are optional packages loaded only when needed (upload / a
 * terminal), so convert, lookup and info run with neither installed; upload without the
 * SDK says which package to install.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { importOptional } from '../optional.js';
import { cleanStrSst } from '../text/tokenizer.js';
import { convertVectors } from '../vectors/convert.js';
import { openEmbeddedStore } from '../node/files.js';
import { VectorStoreError } from '../vectors/errors.js';
import type { VectorDtype } from '../vectors/format.js';
import { INPUT_FORMATS, type InputFormat } from '../vectors/input/detect.js';
import { formatF32, type ItemLayout } from '../vectors/item.js';
import { parseFlags, usageLine, withUsage } from './flags.js';
import { exitCodeOf, UsageError } from './usage.js';

const CONVERT_USAGE = `usage: tinycnn vectors convert IN OUT.tcv [options]
  word2vec binary (GoogleNews) / text, GloVe text or a .tcv store -> a .tcv store (streamed)
  --top N                  keep the first N words of IN
  --vocab FILE             keep only the words of this text file
  --vocab-tokenizer T      how --vocab is split into words: split (default) or clean_str_sst
  --dtype f32|f16          vector element type (default f32)
  --format F               auto (default), word2vec-bin, word2vec-text, glove or tcv
  --meta KEY=VALUE         metadata to store (repeatable)
  --quiet, -q              no progress bar (there is none when stderr is not a terminal)
  --json                   the summary as one JSON object on stdout instead of a line on stderr`;

const LOOKUP_USAGE = `usage: tinycnn vectors lookup --vectors FILE WORD...
  prints {"WORD": [floats] or null, ...} (JSON) for each word
  --vectors FILE           the .tcv store
  --json                   the output (the only form; accepted as from every other command)`;

const UPLOAD_USAGE = `usage: tinycnn vectors upload IN --table NAME [options]
  BatchWriteItem of 25, parallel, resumable (checkpoint next to IN); needs @aws-sdk/client-dynamodb
  --table NAME             the DynamoDB table (partition key "word")
  --endpoint URL           DynamoDB Local, dynalite, ... (default: the AWS SDK's)
  --region R               default $AWS_REGION, else $AWS_DEFAULT_REGION
  --layout compact|list    compact Binary (default) or castorini's List of Numbers
  --dtype f16|f32          element type of the compact layout (default f16)
  --create                 create the table (on-demand billing) when it does not exist
  --concurrency N          batches in flight
  --checkpoint FILE        where progress is saved (default IN.upload-TABLE.json)
  --restart                ignore a saved checkpoint
  --format F               auto (default), word2vec-bin, word2vec-text, glove or tcv
  --quiet, -q              no progress bar
  --json                   the summary as one JSON object on stdout instead of a line on stderr`;

const INFO_USAGE = `usage: tinycnn vectors info FILE [--verify]
  header, metadata and size of a .tcv store, as JSON
  --verify                 check every byte (index pages, rows, metadata) against its checksum
  --json                   the output (the only form; accepted as from every other command)`;

const USAGE = `usage: tinycnn vectors <command> [options]      (tinycnn vectors <command> --help for its options)
  convert IN OUT [--top N] [--vocab FILE] [--dtype f32|f16] [--format F] [--meta KEY=VALUE]... [--quiet] [--json]
      word2vec binary (GoogleNews) / text, GloVe text or a .tcv store -> a .tcv store (streamed)
  lookup --vectors FILE WORD...      prints {"WORD": [floats] or null, ...}
  upload IN --table NAME [--endpoint URL] [--layout compact|list] [--create] [--quiet] [--json] ...
      BatchWriteItem of 25, parallel, resumable (checkpoint next to IN)
  info FILE [--verify]               header, metadata and size of a .tcv store`;

const COMMANDS: Record<string, { usage: string; run: (argv: string[]) => Promise<number> }> = {
  convert: { usage: CONVERT_USAGE, run: convert },
  lookup: { usage: LOOKUP_USAGE, run: lookup },
  upload: { usage: UPLOAD_USAGE, run: upload },
  info: { usage: INFO_USAGE, run: info },
};

/**
 * Runs one `tinycnn vectors` command.
 * @param argv the arguments after "vectors"
 * @returns the exit code
 */
export async function runVectors(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    (cmd === undefined ? process.stderr : process.stdout).write(`${USAGE}\n`);
    return cmd === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (command === undefined) {
    process.stderr.write(`${usageLine('vectors', new UsageError(`unknown command "${cmd}"; the commands are ${Object.keys(COMMANDS).join(', ')}`))}\n`);
    return 2;
  }
  try {
    return await withUsage(`vectors ${cmd}`, command.usage, rest, () => command.run(rest));
  } catch (error) {
    process.stderr.write(`${usageLine(`vectors ${cmd}`, error)}\n`);
    return exitCodeOf(error);
  }
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} needs a non-negative integer, not "${v}"`);
  return Number(v);
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not "${v}"`);
  return v as T;
}

async function convert(argv: string[]): Promise<number> {
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
  const tok = oneOf('--vocab-tokenizer', values['vocab-tokenizer'], ['split', 'clean_str_sst'] as const) ?? 'split';
  const vocab = values.vocab === undefined ? undefined : readVocab(values.vocab, tok);
  const bar = await progressBar(values.quiet ?? false, 'convert', 'MB');
  const t0 = performance.now();
  try {
    const s = await convertVectors(input, output, {
      dtype: oneOf('--dtype', values.dtype, ['f32', 'f16'] as const),
      top: positiveInt('--top', values.top),
      format: oneOf('--format', values.format, ['auto', ...INPUT_FORMATS] as const),
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

async function lookup(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({ args: argv, allowPositionals: true, options: { vectors: { type: 'string' }, json: { type: 'boolean' } } });
  if (!values.vectors) throw new UsageError('lookup needs --vectors FILE');
  if (positionals.length === 0) throw new UsageError('lookup needs at least one WORD');
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
  const { values, positionals } = parseFlags({ args: argv, allowPositionals: true, options: { verify: { type: 'boolean' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('info needs one FILE');
  const store = openEmbeddedStore(positionals[0]!, { cacheBytes: 0, verify: values.verify ?? false });
  const h = store.header;
  process.stdout.write(
    `${JSON.stringify(
      {
        file: positionals[0],
        words: store.size,
        dim: store.dim,
        dtype: store.dtype,
        unk: store.unkRow >= 0 ? store.wordAt(store.unkRow) : null,
        bytes: h.fileBytes,
        tableSlots: h.tableSlots,
        verified: values.verify ?? false,
        metadata: store.metadata(),
      },
      null,
      2,
    )}\n`,
  );
  store.close();
  return 0;
}

async function upload(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      layout: { type: 'string' },
      dtype: { type: 'string' },
      create: { type: 'boolean' },
      concurrency: { type: 'string' },
      checkpoint: { type: 'string' },
      restart: { type: 'boolean' },
      format: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('upload needs one input file');
  if (!values.table) throw new UsageError('upload needs --table NAME');
  const layout = oneOf<ItemLayout>('--layout', values.layout, ['compact', 'list']) ?? 'compact';
  const dtype = oneOf<VectorDtype>('--dtype', values.dtype, ['f16', 'f32']);
  if (dtype && layout === 'list') throw new UsageError('--dtype applies to --layout compact only');
  const { uploadVectors } = await importOptional('@aws-sdk/client-dynamodb', 'uploading to DynamoDB', () => import('../vectors/upload.js'));
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
      table: values.table,
      layout,
      dtype,
      endpoint: values.endpoint,
      region: values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (values.endpoint ? 'us-east-1' : undefined),
      create: values.create ?? false,
      concurrency: positiveInt('--concurrency', values.concurrency),
      checkpoint: values.checkpoint,
      restart: values.restart ?? false,
      format: oneOf('--format', values.format, ['auto', ...INPUT_FORMATS] as const) as InputFormat | 'auto' | undefined,
      signal: stop.signal,
      onProgress: (p) => (p.total ? bar.update(p.done, p.total, '') : bar.update(p.bytes / 1e6, p.totalBytes / 1e6, `${p.done} words`)),
    });
    bar.stop();
    if (values.json) {
      console.log(
        JSON.stringify({
          table: s.table,
          completed: s.completed,
          done: s.done,
          written: s.written,
          layout: s.layout,
          dtype: s.dtype ?? null,
          item_bytes: s.itemBytes,
          resumed_from: s.resumedFrom ?? null,
          skipped: s.skipped,
          retries: s.retries,
          checkpoint: s.completed ? null : s.checkpoint,
        }),
      );
      return s.completed ? 0 : 130;
    }
    process.stderr.write(
      `${s.table}: ${s.completed ? 'done' : `stopped at record ${s.done} (checkpoint ${s.checkpoint}; run again to resume)`}; ` +
        `${s.written} items written (${s.layout}${s.dtype ? ` ${s.dtype}` : ''}, ${(s.itemBytes / Math.max(1, s.written)).toFixed(0)} bytes/item)` +
        `${s.resumedFrom ? `, resumed from record ${s.resumedFrom}` : ''}, ${s.skipped} skipped, ${s.retries} retries\n`,
    );
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
  const bar = new cp.SingleBar(
    {
      stream: process.stderr,
      clearOnComplete: false,
      hideCursor: true,
      format: `${label} |{bar}| {percentage}% | {value}/{total} ${unit} | {note} | eta {eta_formatted}`,
      formatValue: (v: number, _o: unknown, type: string) =>
        type === 'value' || type === 'total' ? (unit === 'MB' ? v.toFixed(0) : String(Math.round(v))) : String(v),
    },
    cp.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(value, total, note) {
      if (stopped) return;
      if (!started) {
        bar.start(total, value, { note });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value, { note });
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
