/**
 * Word vectors from DynamoDB (AWS SDK v3; the Lambda Node runtimes ship it, so it is not
 * bundled). A separate entry point: nothing else in tinycnn imports the SDK.
 *
 * Per embed() call: distinct tokens -> LRU cache -> the misses in 100-key BatchGetItem
 * chunks sent in parallel -> UnprocessedKeys and retryable errors retried with capped
 * exponential backoff + full jitter -> everything under one deadline that aborts in-flight
 * requests and throws VectorStoreError 'VECTORS_TIMEOUT' (never a hang). Items in either
 * layout (castorini's List of Numbers, or compact Binary) are validated against `dim`.
 */
import { BatchGetItemCommand, type BatchGetItemCommandOutput, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { VectorStoreError } from './errors.js';
import { UNK_WORD } from './format.js';
import { decodeItem, KEY_ATTR, VECTOR_ATTR, DTYPE_ATTR, type Item } from './item.js';
import { LruCache, type CacheStats } from './lru.js';
import { backoffDelay, describeError, isRetryable, sleep, type RetryPolicy } from './retry.js';
import { outputMatrix, type EmbedOptions, type Embedding, type VectorSource } from './store.js';

export interface DynamoDbStoreOptions {
  /** Table name, e.g. castorini's 'word2vec300d' / 'word2vec50d'. Partition key `word` (S). */
  table: string;
  /** Vector width the model needs; every item is checked against it. */
  dim: number;
  /** A configured client; otherwise one is made from region / endpoint / clientConfig with maxAttempts 1 (this store retries). */
  client?: DynamoDBClient;
  region?: string;
  /** e.g. http://127.0.0.1:4567 for dynalite / DynamoDB Local. */
  endpoint?: string;
  /** Extra client settings (credentials, requestHandler, ...). */
  clientConfig?: DynamoDBClientConfig;
  /** LRU entries (known and unknown words); 0 disables. Default 10000 (~12 MB at 300-d). */
  cacheSize?: number;
  /** Deadline for one embed() call in ms, retries included. Default 3000. */
  deadlineMs?: number;
  /** Attempts per chunk, first included. Default 8. */
  maxAttempts?: number;
  /** Backoff base / cap in ms. Defaults 20 / 1000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Chunks in flight at once. Default 16. */
  concurrency?: number;
  /** Word whose vector stands for unknown words if the table has it; null: always zeros. Default '<unk>'. */
  unkWord?: string | null;
  /** Strongly consistent reads (twice the cost). Default false. */
  consistentRead?: boolean;
  /** Uniform [0, 1) source for jitter (tests). */
  random?: () => number;
}

/** Counters for monitoring. */
export interface DynamoDbStats extends CacheStats {
  /** BatchGetItem requests sent. */
  requests: number;
  /** Requests re-sent (errors or UnprocessedKeys). */
  retries: number;
  /** Keys that came back in UnprocessedKeys. */
  unprocessedKeys: number;
  /** Errors that were retried. */
  retriedErrors: number;
}

const CHUNK = 100;
const MAX_KEY_BYTES = 2048; // DynamoDB's partition key limit: longer tokens cannot exist in the table

/**
 * A DynamoDB client from region / endpoint / clientConfig with the SDK's own retries off
 * (maxAttempts 1): the store and the uploader retry with their own policy and deadline.
 */
export function dynamoDbClient(options: { region?: string; endpoint?: string; clientConfig?: DynamoDBClientConfig }): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 1,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...options.clientConfig,
  });
}

/** Shorthand for new DynamoDbStore(options). */
export function createDynamoDbStore(options: DynamoDbStoreOptions): DynamoDbStore {
  return new DynamoDbStore(options);
}

export class DynamoDbStore implements VectorSource {
  readonly name: string;
  readonly dim: number;
  readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;
  private readonly cache: LruCache<Float32Array | null>; // null = known to be absent
  private readonly policy: RetryPolicy;
  private readonly deadlineMs: number;
  private readonly concurrency: number;
  private readonly unkWord: string | null;
  private unkVector: Float32Array | null | undefined; // undefined: not fetched yet
  private readonly opts: DynamoDbStoreOptions;
  private counters = { requests: 0, retries: 0, unprocessedKeys: 0, retriedErrors: 0 };

  constructor(options: DynamoDbStoreOptions) {
    if (!options.table) throw new VectorStoreError('VECTORS_ARGS', 'dynamodb', 'a table name is required');
    if (!Number.isInteger(options.dim) || options.dim < 1) {
      throw new VectorStoreError('VECTORS_ARGS', `dynamodb:${options.table}`, `dim must be a positive integer, got ${options.dim}`);
    }
    this.opts = options;
    this.name = `dynamodb:${options.table}`;
    this.dim = options.dim;
    this.ownsClient = !options.client;
    this.client = options.client ?? dynamoDbClient(options);
    this.cache = new LruCache(options.cacheSize ?? 10000);
    this.policy = { maxAttempts: options.maxAttempts ?? 8, baseDelayMs: options.baseDelayMs ?? 20, maxDelayMs: options.maxDelayMs ?? 1000 };
    this.deadlineMs = options.deadlineMs ?? 3000;
    this.concurrency = options.concurrency ?? 16;
    this.unkWord = options.unkWord === undefined ? UNK_WORD : options.unkWord;
  }

  /** Cache and request counters. */
  stats(): DynamoDbStats {
    return { ...this.cache.stats(), ...this.counters };
  }

  /** Forgets cached vectors (and the <unk> vector). */
  clearCache(): void {
    this.cache.clear();
    this.unkVector = undefined;
  }

  /** See VectorSource.embed. Throws VECTORS_TIMEOUT / VECTORS_UNAVAILABLE / VECTORS_CORRUPT / VECTORS_ABORTED. */
  async embed(tokens: readonly string[], options: EmbedOptions = {}): Promise<Embedding> {
    const dim = this.dim;
    const matrix = outputMatrix(options.out, tokens.length, dim, this.name);
    const found = new Map<string, Float32Array | null>();
    const need: string[] = [];
    for (const t of new Set(tokens)) {
      if (t === '' || Buffer.byteLength(t, 'utf8') > MAX_KEY_BYTES) {
        found.set(t, null);
        continue;
      }
      const hit = this.cache.get(t);
      if (hit === undefined) need.push(t);
      else found.set(t, hit);
    }
    if (this.unkWord !== null && this.unkVector === undefined && !need.includes(this.unkWord)) need.push(this.unkWord);
    if (need.length > 0) await this.fetchAll(need, found, options.signal);
    if (this.unkWord !== null && this.unkVector === undefined) this.unkVector = found.get(this.unkWord) ?? null;
    const unk = this.unkWord === null ? null : (this.unkVector ?? null);
    const unknown: string[] = [];
    const unknownPositions: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const v = found.get(tokens[i]);
      if (v) {
        matrix.set(v, i * dim);
        continue;
      }
      unknownPositions.push(i);
      if (!unknown.includes(tokens[i])) unknown.push(tokens[i]);
      if (unk) matrix.set(unk, i * dim);
      else matrix.fill(0, i * dim, (i + 1) * dim);
    }
    return { matrix, unknown, unknownPositions };
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  /** Fetches `words` (distinct) under the deadline; fills `found` (null = absent) and the cache. */
  private async fetchAll(words: string[], found: Map<string, Float32Array | null>, callerSignal?: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const timeout = new VectorStoreError(
      'VECTORS_TIMEOUT',
      this.name,
      `no complete answer within the ${this.deadlineMs} ms deadline for ${words.length} words; in-flight requests aborted`,
    );
    const aborted = new VectorStoreError('VECTORS_ABORTED', this.name, 'aborted by the caller');
    if (callerSignal?.aborted) throw aborted;
    const timer = setTimeout(() => controller.abort(timeout), this.deadlineMs);
    const onCaller = () => controller.abort(aborted);
    callerSignal?.addEventListener('abort', onCaller, { once: true });
    const chunks: string[][] = [];
    for (let i = 0; i < words.length; i += CHUNK) chunks.push(words.slice(i, i + CHUNK));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) await this.fetchChunk(chunks[next++], found, controller.signal);
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.concurrency, chunks.length) }, worker));
    } catch (e) {
      if (!controller.signal.aborted) controller.abort(e); // stop the other chunks' requests
      throw e; // fetchChunk turns an abort into its reason: VECTORS_TIMEOUT or VECTORS_ABORTED
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCaller);
    }
  }

  /** One chunk of <= 100 keys until every key is answered, retrying unprocessed ones. */
  private async fetchChunk(words: string[], found: Map<string, Float32Array | null>, signal: AbortSignal): Promise<void> {
    const table = this.opts.table;
    let pending = new Set(words);
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw signal.reason;
      let response: BatchGetItemCommandOutput;
      try {
        this.counters.requests++;
        response = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [table]: {
                Keys: [...pending].map((w) => ({ [KEY_ATTR]: { S: w } })),
                ProjectionExpression: '#k, #v, #d',
                ExpressionAttributeNames: { '#k': KEY_ATTR, '#v': VECTOR_ATTR, '#d': DTYPE_ATTR },
                ConsistentRead: this.opts.consistentRead ?? false,
              },
            },
          }),
          { abortSignal: signal as never },
        );
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (!isRetryable(e)) {
          const code = (e as { name?: string }).name === 'ResourceNotFoundException' ? 'VECTORS_NOT_FOUND' : 'VECTORS_UNAVAILABLE';
          throw new VectorStoreError(code, this.name, `BatchGetItem failed: ${describeError(e)}`, { cause: e });
        }
        if (attempt >= this.policy.maxAttempts) {
          throw new VectorStoreError('VECTORS_UNAVAILABLE', this.name, `BatchGetItem still failing after ${attempt} attempts: ${describeError(e)}`, {
            cause: e,
          });
        }
        this.counters.retriedErrors++;
        this.counters.retries++;
        await sleep(backoffDelay(attempt, this.policy, this.opts.random), signal);
        continue;
      }
      if (signal.aborted) throw signal.reason;
      const asked = pending;
      for (const item of (response.Responses?.[table] ?? []) as Item[]) {
        const word = item[KEY_ATTR]?.S;
        if (word === undefined || !asked.has(word)) {
          throw new VectorStoreError('VECTORS_CORRUPT', this.name, `response holds an item for a key that was not requested (${JSON.stringify(word)})`);
        }
        const vec = new Float32Array(this.dim);
        decodeItem(item, this.dim, vec, 0, this.name);
        found.set(word, vec);
        this.cache.set(word, vec);
        asked.delete(word);
      }
      const unprocessed = (response.UnprocessedKeys?.[table]?.Keys ?? []).map((k) => k[KEY_ATTR]?.S);
      pending = new Set();
      for (const w of unprocessed) {
        if (w === undefined || !asked.has(w)) {
          throw new VectorStoreError('VECTORS_CORRUPT', this.name, `UnprocessedKeys holds a key that was not pending (${JSON.stringify(w)})`);
        }
        pending.add(w);
        asked.delete(w);
      }
      for (const w of asked) {
        found.set(w, null); // answered: not in the table
        this.cache.set(w, null);
      }
      if (pending.size === 0) return;
      this.counters.unprocessedKeys += pending.size;
      if (attempt >= this.policy.maxAttempts) {
        throw new VectorStoreError('VECTORS_UNAVAILABLE', this.name, `${pending.size} keys still unprocessed after ${attempt} attempts (throttled)`);
      }
      this.counters.retries++;
      await sleep(backoffDelay(attempt, this.policy, this.opts.random), signal);
    }
  }
}
