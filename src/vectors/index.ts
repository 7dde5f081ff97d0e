/**
 * Word vectors, the dependency-free part: the embedded store and its format, the common
 * store interface, the LRU cache, errors. The DynamoDB store (src/vectors/dynamodb.ts) and
 * the uploader (src/vectors/upload.ts) import the AWS SDK and are separate entry points;
 * the converter and writer use node:fs/promises (CLI side).
 */
export { openEmbeddedStore, EmbeddedStore, type EmbeddedStoreOptions } from './embedded.js';
export { outputMatrix, expectDim, type Embedding, type EmbedOptions, type VectorSource } from './store.js';
export { VectorStoreError, type VectorErrorCode } from './errors.js';
export { UNK_WORD, type VectorDtype, type StoreHeader } from './format.js';
export { LruCache, type CacheStats } from './lru.js';
export { convertVectors, type ConvertOptions, type ConvertSummary, type ConvertProgress } from './convert.js';
export { StoreWriter, type StoreWriterOptions, type WriteSummary } from './writer.js';
