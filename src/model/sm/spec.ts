/** SM CNN's spec and input types (shared by its architecture and its forward pass). */
import type { Sentence } from '../../backend/backend.js';

/** SM CNN's shape, read from its weight file. */
export interface SmSpec {
  readonly kind: 'sm';
  /** Word-vector width (50 in castorini). */
  readonly dim: number;
  /** Filters per sentence tower (100 in castorini). */
  readonly filters: number;
  /** Kernel height of both towers (5 in castorini). */
  readonly k: number;
  /** 0, or 4 when the model takes external features. */
  readonly extFeatures: number;
  /** Width of combined_feature_vector: 2 * filters + extFeatures. */
  readonly hidden: number;
  readonly classes: number;
  readonly labels: readonly string[];
}

/** SM CNN input: question q (tokens, dim), answer a (tokens, dim), ext (4) when the model has external features. */
export interface SmInput {
  readonly q: Sentence;
  readonly a: Sentence;
  readonly ext?: Float32Array;
}
