/**
 * The backend interface: the closed list of operations the two models need.
 * `js` (kernels/js, the reference) and `wasm-simd` / `wasm-relaxed`
 * (kernels/wasm) implement it; models call nothing else.
 *
 * Layout conventions (PyTorch's dimension order, row-major Float32Array):
 *   conv weight  (filters, channels, k, dim)   conv bias  (filters)
 *   dense weight (outFeatures, inFeatures)     dense bias (outFeatures)
 *   sentence     (channels, tokens, dim)
 */

import type { Activation, PoolActivation } from '../../kernels/activation.js';
import type { ConvShape } from '../../kernels/shapes.js';

export type { Activation, PoolActivation } from '../../kernels/activation.js';
export type { ConvShape } from '../../kernels/shapes.js';

/** Which kernels run: the plain TypeScript reference, or the wasm kernels with or without relaxed SIMD. */
export type BackendFlavour = 'js' | 'wasm-simd' | 'wasm-relaxed';

/**
 * How a backend computes its convolutions: 'direct' (a GEMM over k * dim per output), or
 * 'winograd' (Toom-Cook F(m, k) along time, kernels/js/toom-cook.ts: fewer multiplies, a
 * different rounding; filter heights without a plan still run direct).
 */
export type ConvAlgorithm = 'direct' | 'winograd';

/** A conv branch whose weights the backend has packed into its preferred layout (opaque to models). */
export interface PackedConv {
  readonly shape: ConvShape;
}

/** A dense layer packed by the backend (opaque to models). */
export interface PackedDense {
  readonly outFeatures: number;
  readonly inFeatures: number;
}

/** One sentence matrix: `data` is (channels, tokens, dim), tokens >= 1. */
export interface Sentence {
  readonly data: Float32Array;
  readonly tokens: number;
}

export interface Backend {
  /** Which kernels run: the name printed in logs and benchmark results. */
  readonly flavour: BackendFlavour;

  /** The convolution algorithm it was created with. */
  readonly conv: ConvAlgorithm;

  /** Packs one conv branch once, at load. weight: (filters, channels, k, dim), bias: (filters). */
  packConv(weight: Float32Array, bias: Float32Array, shape: ConvShape): PackedConv;

  /** Packs one dense layer once, at load. weight: (outFeatures, inFeatures), bias: (outFeatures). */
  packDense(weight: Float32Array, bias: Float32Array, outFeatures: number, inFeatures: number): PackedDense;

  /**
   * A bank of wide convolutions over the same sentences, each followed by the
   * activation and max over time, written side by side into `features`:
   *   features[b * stride + offset + (sum of earlier banks' filters) + f]
   *     = max over t in [0, tokens + k - 1) of act(bias[f] + sum_{c,j,d} w[f,c,j,d] * xpad[c, t + j, d])
   * where xpad is the sentence with k - 1 zero rows above and below.
   * All convs share channels and dim with the sentences.
   */
  convMaxPool(
    features: Float32Array, // (batch, stride)
    stride: number,
    offset: number,
    convs: readonly PackedConv[],
    sentences: readonly Sentence[],
    act: PoolActivation,
  ): void;

  /** out (batch, outFeatures) = act(x (batch, inFeatures) · weightᵀ + bias). */
  dense(out: Float32Array, layer: PackedDense, x: Float32Array, batch: number, act: Activation): void;

  /** Frees what the backend holds for these layers (wasm memory); the JS backend has nothing to free. */
  dispose?(): void;
}
