/**
 * Weight packing for the wasm micro-kernels, done once at load. Like XNNPACK's
 * packed GEMM weights: output features are grouped in panels of 8 (two f32x4
 * lanes' worth, the micro-kernel's tile width), and within a panel the 8 weights
 * that one input element meets are adjacent, so each k-step of the kernel reads
 * its 32 bytes of weights with two aligned v128 loads from one moving pointer.
 * Features past the real count are zero (their results are never copied out).
 *
 * The wasm backend packs with the kernel module's own `pack` (kernels/wasm/tinycnn.wat): this
 * per-float JS loop runs in the interpreter in a fresh process and cost 9-12 ms of a cold start.
 * The functions here define the layout and are the reference test/wasm/pack.test.ts checks
 * the kernel against.
 */
import type { ConvShape } from '../../kernels/shapes.js';

/** Output features per panel: the micro-kernel's tile width. */
export const PANEL = 8;

/** Panels needed for `features` outputs. */
export function panelsFor(features: number): number {
  return Math.ceil(features / PANEL);
}

/**
 * dst[at ...] (panels, channels, k * dim, 8) <- weight (filters, channels, k, dim).
 * Lane l of panel p is filter 8p + l; the (k, dim) slice stays in PyTorch order,
 * which is the order of a window of k consecutive padded rows.
 */
export function packConvWeight(
  dst: Float32Array, // (panels, channels, k * dim, 8) starting at float `at`
  at: number,
  weight: Float32Array, // (filters, channels, k, dim)
  shape: ConvShape,
): void {
  const { filters, channels, k, dim } = shape;
  const kc = k * dim;
  let o = at;
  for (let p = 0; p < panelsFor(filters); p++) {
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < kc; i++) {
        for (let l = 0; l < PANEL; l++) {
          const f = p * PANEL + l;
          dst[o++] = f < filters ? weight[(f * channels + c) * kc + i] : 0;
        }
      }
    }
  }
}

/** dst[at ...] (panels, inFeatures, 8) <- weight (outFeatures, inFeatures). */
export function packDenseWeight(
  dst: Float32Array, // (panels, inFeatures, 8) starting at float `at`
  at: number,
  weight: Float32Array, // (outFeatures, inFeatures)
  outFeatures: number,
  inFeatures: number,
): void {
  let o = at;
  for (let p = 0; p < panelsFor(outFeatures); p++) {
    for (let i = 0; i < inFeatures; i++) {
      for (let l = 0; l < PANEL; l++) {
        const f = p * PANEL + l;
        dst[o++] = f < outFeatures ? weight[f * inFeatures + i] : 0;
      }
    }
  }
}

/** dst[at ...] (panels * 8) <- bias (features), zero-padded. */
export function packBias(dst: Float32Array, at: number, bias: Float32Array): void {
  const padded = panelsFor(bias.length) * PANEL;
  dst.set(bias, at);
  dst.fill(0, at + bias.length, at + padded);
}
