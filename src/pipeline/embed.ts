/**
 * Tokens -> sentence matrices, into regions of one buffer from the model's RunState,
 * with any vector store: the embedded one answers synchronously (`lookup`), every
 * store asynchronously (`embed`).
 */
import type { Sentence } from '../backend/backend.js';
import type { Embedding, VectorSource } from '../vectors/store.js';

/** A store that can answer without waiting (the embedded .tcv store). */
export interface SyncVectorSource extends VectorSource {
  /**
   * @param tokens the tokens (duplicates allowed)
   * @param out    (>= tokens.length * dim) where to write the vectors
   */
  lookup(tokens: readonly string[], out?: Float32Array): Embedding;
}

/** Whether the store answers synchronously. */
export function isSyncStore(store: VectorSource): store is SyncVectorSource {
  return typeof (store as Partial<SyncVectorSource>).lookup === 'function';
}

/** Floats a batch of sentences needs: sum of tokens x channels x dim. */
export function floatsFor(tokenCounts: readonly number[], channels: number, dim: number): number {
  let tokens = 0;
  for (const n of tokenCounts) tokens += n;
  return tokens * channels * dim;
}

/**
 * Splits `buffer` into one region per sentence: region i is (channels, tokenCounts[i], dim).
 * @param buffer (>= floatsFor(...)) a buffer taken from RunState.vectors
 */
export function regionsOf(buffer: Float32Array, tokenCounts: readonly number[], channels: number, dim: number): Float32Array[] {
  let offset = 0;
  return tokenCounts.map((n) => buffer.subarray(offset, (offset += n * channels * dim)));
}

/**
 * The sentence once a store has filled the first (tokens, dim) rows of its region: copies
 * the vectors in when the store returned its own array, and into every other channel (a
 * multichannel Kim CNN — channel 0 non-static, channel 1 static in castorini — gets the
 * same vectors in both: a store holds one set).
 */
export function sentenceOf(embedding: Embedding, region: Float32Array, tokens: number, channels: number, dim: number): Sentence {
  const size = tokens * dim;
  if (embedding.matrix !== region) region.set(embedding.matrix.subarray(0, size));
  for (let c = 1; c < channels; c++) region.copyWithin(c * size, 0, size);
  return { data: region, tokens };
}
