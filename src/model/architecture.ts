/**
 * What a weight file describes, as read from its metadata and tensor shapes.
 * Metadata keys written by converters/export.py (all values are strings, as
 * safetensors requires):
 *   tinycnn.architecture  "KimCNN" | "SMModel"
 *   tinycnn.config        JSON: Kim {"mode","channels","filters","dim","kernel_sizes","classes"}
 *                               SM  {"filters","dim","k","ext_feats","classes"}
 *   tinycnn.labels        JSON array of class names, index = class id
 *   tinycnn.tokenizer     "clean_str_sst" | "split"
 *   tinycnn.source        the checkpoint's file name;  tinycnn.source_sha256  its hash
 *   tinycnn.probe         JSON parity certificate, see model/certificate.ts
 */

/** Kim CNN: conv1..3 (k = 3, 4, 5 in castorini) over (channels, n, dim), ReLU, max over time, fc1. */
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

/** SM CNN: conv_q, conv_a (tanh, max over time), [+ 4 ext feats], combined_feature_vector (tanh), hidden. */
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

export type ModelSpec = KimSpec | SmSpec;
