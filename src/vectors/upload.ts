/**
 * Bulk upload of word vectors to DynamoDB: BatchWriteItem of 25 items, several batches in
 * flight, UnprocessedItems and retryable errors retried with capped exponential backoff +
 * full jitter, either table layout (item.ts), optional table creation (on-demand billing).
 *
 * Resumable: a checkpoint file (default `IN.upload-TABLE.json`) records `done`, the number
 * of input records such that every record before it is stored. It is rewritten as batches
 * complete (atomically: temp file + rename); a re-run with the same input / table / layout
 * skips those records. Puts are idempotent, so the few batches after `done` that may have
 * landed before an interruption are simply written again. Deleted on success.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { BatchWriteItemCommand, CreateTableCommand, type DynamoDBClient, waitUntilTableExists, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from './dynamodb.js';
import { VectorStoreError } from './errors.js';
import type { VectorDtype } from './format.js';
import type { InputFormat } from './input/detect.js';
import { openVectorReader } from './input/records.js';
import { encodeItem, itemBytes, KEY_ATTR, type Item, type ItemLayout } from './item.js';
import { backoffDelay, describeError, isRetryable, sleep, type RetryPolicy } from './retry.js';

export interface UploadProgress {
  /** Records stored with every earlier one (the checkpoint). */
  done: number;
  /** Records read so far. */
  read: number;
  /** Records in the input when known. */
  total: number | undefined;
  bytes: number;
  totalBytes: number;
}

export interface UploadOptions {
  table: string;
  /** 'compact' (Binary, default) or 'list' (castorini's List of Numbers). */
  layout?: ItemLayout;
  /** Compact layout element type; default 'f16' (half the bytes; relative error <= 2^-11). */
  dtype?: VectorDtype;
  client?: DynamoDBClient;
  region?: string;
  endpoint?: string;
  clientConfig?: DynamoDBClientConfig;
  /** Create the table (partition key `word` S, on-demand) if missing. */
  create?: boolean;
  /** Batches in flight. Default 8. */
  concurrency?: number;
  /** Checkpoint path; default `${input}.upload-${table}.json`. */
  checkpoint?: string;
  /** Ignore an existing checkpoint and start from record 0. */
  restart?: boolean;
  /** Attempts per batch. Default 12; backoff base / cap default 50 / 5000 ms. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  format?: InputFormat | 'auto';
  /** Stops reading; in-flight batches finish, the checkpoint is saved, the summary says completed: false. */
  signal?: AbortSignal;
  onProgress?: (p: UploadProgress) => void;
  random?: () => number;
}

export interface UploadSummary {
  table: string;
  layout: ItemLayout;
  dtype: VectorDtype | undefined;
  /** Record the run started from (checkpoint), and records done at the end. */
  resumedFrom: number;
  done: number;
  /** Items written by this run. */
  written: number;
  /** Records not uploadable as keys (empty, > 2048 bytes) or repeated within a batch. */
  skipped: number;
  /** Batch re-sends (errors or UnprocessedItems). */
  retries: number;
  /** Sum of stored item sizes (DynamoDB sizing rules). */
  itemBytes: number;
  completed: boolean;
  checkpoint: string;
}

interface Checkpoint {
  version: 1;
  inputBytes: number;
  inputMtimeMs: number;
  table: string;
  layout: ItemLayout;
  dtype: VectorDtype | null;
  done: number;
}

/**
 * Uploads a vectors file (any format openVectorReader reads) to a table.
 * @param input word2vec / GloVe / .tcv file
 * @param options table, layout, resumption, retries
 */
export async function uploadVectors(input: string, options: UploadOptions): Promise<UploadSummary> {
  const table = options.table;
  const layout = options.layout ?? 'compact';
  const dtype = layout === 'compact' ? (options.dtype ?? 'f16') : undefined;
  const source = `dynamodb:${table}`;
  const checkpointPath = options.checkpoint ?? `${input}.upload-${table}.json`;
  const policy: RetryPolicy = { maxAttempts: options.maxAttempts ?? 12, baseDelayMs: options.baseDelayMs ?? 50, maxDelayMs: options.maxDelayMs ?? 5000 };
  const st = statSync(input);
  const fresh: Checkpoint = { version: 1, inputBytes: st.size, inputMtimeMs: st.mtimeMs, table, layout, dtype: dtype ?? null, done: 0 };
  const resumedFrom = options.restart ? 0 : readCheckpoint(checkpointPath, fresh);
  const client = options.client ?? dynamoDbClient(options);
  const reader = await openVectorReader(input, options.format ?? 'auto');
  const s: UploadSummary = {
    table,
    layout,
    dtype,
    resumedFrom,
    done: resumedFrom,
    written: 0,
    skipped: 0,
    retries: 0,
    itemBytes: 0,
    completed: false,
    checkpoint: checkpointPath,
  };
  let read = 0;
  let lastSave = 0;
  const save = (force = false) => {
    if (!force && Date.now() - lastSave < 500) return;
    lastSave = Date.now();
    const tmp = `${checkpointPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ...fresh, done: s.done })}\n`);
    renameSync(tmp, checkpointPath);
  };
  const progress = () => options.onProgress?.({ done: s.done, read, total: reader.count, bytes: reader.position(), totalBytes: reader.totalBytes });
  // ordered completion: batch `seq` covers records up to end[seq]
  const ends: number[] = [];
  const finished = new Set<number>();
  let nextSeq = 0;
  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  const launch = (items: Item[], end: number) => {
    const seq = ends.push(end) - 1;
    const p = writeBatch(client, table, items, policy, s, options.random, source).then(
      () => {
        s.written += items.length;
        finished.add(seq);
        while (finished.has(nextSeq)) s.done = ends[nextSeq++];
        save();
        progress();
      },
      (e) => {
        failure ??= e;
      },
    );
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  };
  try {
    if (options.create) await ensureTable(client, table, source);
    let batch: Item[] = [];
    let keys = new Set<string>();
    for await (const rec of reader.records()) {
      if (failure !== undefined || options.signal?.aborted) break;
      read = rec.index + 1;
      if (rec.index < resumedFrom) continue;
      const w = rec.word;
      if (w === '' || Buffer.byteLength(w) > 2048 || keys.has(w)) s.skipped++;
      else {
        const item = encodeItem(w, rec.vector, layout, dtype);
        s.itemBytes += itemBytes(item);
        batch.push(item);
        keys.add(w);
      }
      if (batch.length === 25) {
        launch(batch, read);
        batch = [];
        keys = new Set();
        while (inflight.size >= (options.concurrency ?? 8)) await Promise.race(inflight);
      }
    }
    if (failure === undefined && !options.signal?.aborted) {
      launch(batch, Math.max(read, resumedFrom));
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    s.completed = !options.signal?.aborted;
    if (s.completed) rmSync(checkpointPath, { force: true });
    else save(true);
    progress();
    return s;
  } catch (e) {
    await Promise.allSettled(inflight);
    if (s.done > resumedFrom) save(true);
    throw e;
  } finally {
    await reader.close();
    if (!options.client) client.destroy();
  }
}

/** Returns the record to resume from (0 without a checkpoint). */
function readCheckpoint(path: string, want: Checkpoint): number {
  if (!existsSync(path)) return 0;
  let c: Checkpoint;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (e) {
    throw new VectorStoreError('VECTORS_ARGS', path, 'unreadable upload checkpoint; delete it or pass --restart', { cause: e });
  }
  for (const k of ['version', 'inputBytes', 'inputMtimeMs', 'table', 'layout', 'dtype'] as const) {
    if (c[k] !== want[k]) {
      throw new VectorStoreError(
        'VECTORS_ARGS',
        path,
        `checkpoint was made with ${k} = ${JSON.stringify(c[k])}, this run has ${JSON.stringify(want[k])}; pass --restart to start over`,
      );
    }
  }
  if (!Number.isInteger(c.done) || c.done < 0) throw new VectorStoreError('VECTORS_ARGS', path, `bad "done" in checkpoint: ${c.done}`);
  return c.done;
}

async function writeBatch(
  client: DynamoDBClient,
  table: string,
  items: Item[],
  policy: RetryPolicy,
  s: UploadSummary,
  random: (() => number) | undefined,
  source: string,
): Promise<void> {
  if (items.length === 0) return;
  const never = new AbortController().signal;
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; ; attempt++) {
    let why: string;
    try {
      const r = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      const left = r.UnprocessedItems?.[table] ?? [];
      if (left.length === 0) return;
      pending = left as typeof pending;
      why = `${left.length} items unprocessed`;
    } catch (e) {
      if (!isRetryable(e)) {
        const first = pending[0]?.PutRequest.Item[KEY_ATTR]?.S;
        throw new VectorStoreError(
          (e as { name?: string }).name === 'ResourceNotFoundException' ? 'VECTORS_NOT_FOUND' : 'VECTORS_UNAVAILABLE',
          source,
          `BatchWriteItem failed (batch starting at ${JSON.stringify(first)}): ${describeError(e)}`,
          { cause: e },
        );
      }
      why = describeError(e);
    }
    if (attempt >= policy.maxAttempts) {
      throw new VectorStoreError('VECTORS_UNAVAILABLE', source, `BatchWriteItem still failing after ${attempt} attempts: ${why}`);
    }
    s.retries++;
    await sleep(backoffDelay(attempt, policy, random), never);
  }
}

/** Creates the table (on-demand, key `word` S) unless it exists, and waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, table: string, source = `dynamodb:${table}`): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: KEY_ATTR, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: KEY_ATTR, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceInUseException') {
      throw new VectorStoreError('VECTORS_UNAVAILABLE', source, `CreateTable failed: ${describeError(e)}`, { cause: e });
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 300, minDelay: 1, maxDelay: 5 }, { TableName: table });
}
