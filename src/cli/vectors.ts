/**
 * `tinycnn vectors convert|lookup|upload|info ...` — word-vector files for the embedded and
 * DynamoDB stores. Progress bars go to stderr (when it is a terminal); results to stdout.
 * Errors: one line on stderr, exit 1 (2 for a bad command line or a missing package).
 *
 * The AWS SDK and cli-progress are optional packages loaded only when needed (upload / a
 * terminal), so convert, lookup and info run with neither installed; upload without the
 * SDK says which package to install. convert and upload live in vectors-convert.ts and
 * vectors-upload.ts; lookup and info, a few lines each, here.
 */
import { openEmbeddedStore } from '../node/files.js';
import { formatF32 } from '../vectors/item.js';
import { parseFlags, usageLine, withUsage } from './flags.js';
import { exitCodeOf, UsageError } from './usage.js';
import { CONVERT_USAGE, convertCommand } from './vectors-convert.js';
import { UPLOAD_USAGE, uploadCommand } from './vectors-upload.js';

const LOOKUP_USAGE = `usage: tinycnn vectors lookup --vectors FILE WORD...
  prints {"WORD": [floats] or null, ...} (JSON) for each word
  --vectors FILE           the .tcv store
  --json                   the output (the only form; accepted as from every other command)`;

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
  convert: { usage: CONVERT_USAGE, run: convertCommand },
  lookup: { usage: LOOKUP_USAGE, run: lookup },
  upload: { usage: UPLOAD_USAGE, run: uploadCommand },
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
