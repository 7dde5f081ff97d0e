/** Kim CNN's spec and input types (shared by its architecture and its forward pass). */
import type { Sentence } from '../../backend/backend.js';

/** Kim CNN's shape, read from its weight file. */
export interface KimSpec {
  readonly kind: 'kim';
  /** 1 = static / non-static / rand, 2 = multichannel (channel 0 non-static, 1 static). */
  readonly channels: number;
  /** Word-vector width (300 in castorini). */
  readonly dim: number;
  /** Filters per branch (100 in castorini). */
  readonly filters: number;
  /** Kernel height of conv1, conv2, conv3. */
  readonly kernelSizes: readonly number[];
  readonly classes: number;
  readonly labels: readonly string[];
}

/** Kim CNN input: one sentence, x.data (channels, tokens, dim). */
export interface KimInput {
  readonly x: Sentence;
}
