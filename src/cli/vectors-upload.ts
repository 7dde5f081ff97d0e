/**
 * `tinycnn vectors upload IN --table NAME`: word vectors into DynamoDB, resumable, Ctrl-C saves a
 * checkpoint. The AWS SDK is an optional package: without it this names the package to install.
 */
import { importOptional } from '../optional.js';
import type { VectorDtype } from '../vectors/format.js';
import { INPUT_FORMATS, type InputFormat } from '../vectors/input/detect.js';
import type { ItemLayout } from '../vectors/item.js';
import { choiceFlag, nonNegativeIntFlag, parseFlags } from './flags.js';
import { progressBar } from './progress.js';
import { UsageError } from './usage.js';

export const UPLOAD_USAGE = `usage: tinycnn vectors upload IN --table NAME [options]
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

/** Runs `vectors upload`; returns the exit code (130 when interrupted, with the checkpoint saved). */
export async function uploadCommand(argv: string[]): Promise<number> {
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
  const layout = choiceFlag<ItemLayout>(values.layout, '--layout', ['compact', 'list']) ?? 'compact';
  const dtype = choiceFlag<VectorDtype>(values.dtype, '--dtype', ['f16', 'f32']);
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
      concurrency: nonNegativeIntFlag(values.concurrency, '--concurrency'),
      checkpoint: values.checkpoint,
      restart: values.restart ?? false,
      format: choiceFlag(values.format, '--format', ['auto', ...INPUT_FORMATS] as const) as InputFormat | 'auto' | undefined,
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
