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
import { BackendError } from '../errors.js';

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

/** What the convs of one bank share and add up to in the kernels' padded output. */
export interface BankLayout {
  channels: number;
  dim: number;
  kMax: number; // the tallest filter
  width: number; // floats per sentence in the kernels' padded output: (sum of panels) * 8
  filters: number; // real filters of all convs: the features written per sentence
}

/** A BankLayout to fill, one per caller module: the forward path allocates nothing. */
export const emptyBankLayout = (): BankLayout => ({ channels: 0, dim: 0, kMax: 0, width: 0, filters: 0 });

/**
 * Checks a bank of packed convs against itself (one channels and dim) and features against it
 * (room for `batch` rows of `stride` floats from `offset`); writes its layout into `out`.
 * @param name backend name, for errors
 */
export function bankLayout(
  out: BankLayout,
  name: string,
  bank: readonly { readonly shape: ConvShape; readonly panels: number }[],
  features: Float32Array, // (batch, stride)
  batch: number,
  stride: number,
  offset: number,
): void {
  const { channels, dim } = bank[0]!.shape;
  let kMax = 0;
  let width = 0;
  let filters = 0;
  for (const conv of bank) {
    if (conv.shape.channels !== channels || conv.shape.dim !== dim) {
      throw new BackendError(
        name,
        `a conv bank must share channels and dim: (${channels}, ${dim}) vs (${conv.shape.channels}, ${conv.shape.dim})`,
        'SHAPE_MISMATCH',
      );
    }
    kMax = Math.max(kMax, conv.shape.k);
    width += conv.panels * PANEL;
    filters += conv.shape.filters;
  }
  if (features.length < (batch - 1) * stride + offset + filters) {
    throw new BackendError(name, `features holds ${features.length} floats, needs (${batch} - 1) * ${stride} + ${offset} + ${filters}`, 'SHAPE_MISMATCH');
  }
  out.channels = channels;
  out.dim = dim;
  out.kMax = kMax;
  out.width = width;
  out.filters = filters;
}
