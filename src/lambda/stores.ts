/**
 * Opens the vector store a model is configured with (TINYCNN_VECTOR_STORE):
 *   embedded  the model's .tcv file (in the zip next to the weights), opened at INIT
 *   dynamodb  castorini's table layout or the compact one, read with parallel BatchGetItem
 *             calls, an LRU cache and a per-request deadline (src/vectors/dynamodb.ts)
 *
 * The DynamoDB store imports the AWS SDK, which the Lambda runtime provides and
 * which costs start-up time, so it is never imported up front: the host passes a
 * loader. The Lambda bundle requires a separate `dynamodb.cjs` from the zip (see
 * index.ts); the local server imports src/vectors/dynamodb.js on demand.
 */
import type { DynamoDbStoreOptions } from '../vectors/dynamodb.js';
import type { VectorSource } from '../vectors/store.js';
import type { LambdaConfig, ModelConfig } from './config.js';
import { ConfigError } from './errors.js';

/** The part of src/vectors/dynamodb.ts the handler uses. */
export interface DynamoDbModule {
  createDynamoDbStore(options: DynamoDbStoreOptions): VectorSource;
}

/** Loads the DynamoDB store module only when a model is configured to use it. */
export type DynamoDbLoader = () => DynamoDbModule | Promise<DynamoDbModule>;

/**
 * The vector store of one model.
 * @param model    the model's configuration (file path or table)
 * @param config   the whole configuration (store kind, DynamoDB endpoint, cache, deadline)
 * @param dim      the model's word-vector width (checked against every DynamoDB item)
 * @param dynamodb how to load the DynamoDB module; required when config.vectorStore is 'dynamodb'
 */
export async function openVectorStore(model: ModelConfig, config: LambdaConfig, dim: number, dynamodb?: DynamoDbLoader): Promise<VectorSource> {
  // as the pipelines open a store: the index of one up to 1 MiB (the default 10k-word ones: 214 KB)
  // is read at INIT in one read; the vectors, and a big store's index, in pages as requests touch them
  if (config.vectorStore === 'embedded') return config.files.openVectors(model.vectors);
  if (dynamodb === undefined) throw new ConfigError('TINYCNN_VECTOR_STORE', 'dynamodb: this host did not provide the DynamoDB store module');
  const { createDynamoDbStore } = await dynamodb();
  return createDynamoDbStore({
    table: model.table,
    dim,
    ...(config.dynamodbEndpoint === undefined ? {} : { endpoint: config.dynamodbEndpoint }),
    cacheSize: config.dynamodbCacheSize,
    deadlineMs: config.dynamodbDeadlineMs,
  });
}
