/**
 * The interface every word-vector store implements (embedded file, DynamoDB), so the Lambda
 * handler can swap stores by configuration, and the unknown-word policy they share.
 *
 * Unknown words get the vector the model was trained with: zeros, or the store's explicit
 * "<unk>" vector when it has one. Never random, so the same text always gives the same
 * logits.
 */
import { VectorStoreError } from './errors.js';

/** The vectors of one token sequence. */
export interface Embedding {
  /** (n, dim) row-major: row i is the vector of tokens[i]. */
  matrix: Float32Array;
  /** Distinct tokens the store does not have, in order of first appearance. */
  unknown: string[];
  /** Positions i (ascending) whose tokens[i] is unknown; their rows hold the <unk> vector or zeros. */
  unknownPositions: number[];
}

export interface EmbedOptions {
  /** (>= n * dim) where to write the matrix; a fresh array when omitted. */
  out?: Float32Array;
  /** Aborts the lookup (DynamoDB: in-flight requests too) with VectorStoreError 'VECTORS_ABORTED'. */
  signal?: AbortSignal;
}

/** A word-vector store as the request path sees it. */
export interface VectorSource {
  /** For messages: the file, or 'dynamodb:TABLE'. */
  readonly name: string;
  /** Vector width (300 for Kim CNN, 50 for SM CNN). */
  readonly dim: number;
  /**
   * Looks up the vectors of a token sequence.
   * @param tokens the tokens, as the tokenizer produced them (duplicates allowed)
   * @param options output buffer, abort signal
   */
  embed(tokens: readonly string[], options?: EmbedOptions): Promise<Embedding>;
  /** Releases file handles / clients. */
  close(): void | Promise<void>;
}

/**
 * Checks (or allocates) the output matrix for n tokens.
 * @param out caller's buffer or undefined
 * @param n tokens
 * @param dim vector width
 * @param source store name for errors
 */
export function outputMatrix(out: Float32Array | undefined, n: number, dim: number, source: string): Float32Array {
  if (!out) return new Float32Array(n * dim);
  if (out.length < n * dim) {
    throw new VectorStoreError('VECTORS_ARGS', source, `output buffer holds ${out.length} floats, need ${n} x ${dim} = ${n * dim}`);
  }
  return out;
}

/**
 * Throws unless the store's width is what the model needs.
 * @param store the store
 * @param dim the model's embedding width
 */
export function expectDim(store: VectorSource, dim: number): void {
  if (store.dim !== dim) {
    throw new VectorStoreError('VECTORS_DIM_MISMATCH', store.name, `store has ${store.dim}-d vectors, the model needs ${dim}-d`);
  }
}
