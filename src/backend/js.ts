/**
 * The plain TypeScript backend: the reference the wasm kernels are checked
 * against, and the fallback where WebAssembly SIMD is unavailable. Packing is
 * free here for direct convolution — the kernels read the weight file's own
 * (zero-copy) arrays; Winograd transforms the conv weights once (U = G w).
 */
import { convMaxPool } from '../../kernels/js/conv.js';
import { dense } from '../../kernels/js/dense.js';
import { transformWeights, winogradPlanFor, type WinogradPlan } from '../../kernels/js/toom-cook.js';
import { winogradConvMaxPool, winogradScratchLength } from '../../kernels/js/winograd.js';
import type { Activation, Backend, ConvAlgorithm, ConvShape, PackedConv, PackedDense, Sentence } from './backend.js';
import { checkConvPacking, checkDensePacking } from './checks.js';

interface JsConv extends PackedConv {
  readonly weight: Float32Array; // (filters, channels, k, dim); for Winograd U: (filters, alpha, channels, dim)
  readonly bias: Float32Array; // (filters)
  readonly plan?: WinogradPlan; // set: run F(plan.m, k) on U
}

export interface JsBackendOptions {
  /** Convolution algorithm (default 'direct'); 'winograd' runs every filter height with a plan as F(m, k). */
  conv?: ConvAlgorithm;
  /** The F(m, k) that runs filter height k, undefined: direct (default winogradPlanFor: DEFAULT_TILE); for measurements. */
  winogradPlan?: (k: number) => WinogradPlan | undefined;
}

interface JsDense extends PackedDense {
  readonly weight: Float32Array; // (outFeatures, inFeatures)
  readonly bias: Float32Array; // (outFeatures)
}

export function createJsBackend(options: JsBackendOptions = {}): Backend {
  const conv = options.conv ?? 'direct';
  let xpad = new Float32Array(0); // (channels, tokens + 2 * pad, dim), grown for longer sentences
  let scratch = new Float64Array(0); // Winograd: winogradScratchLength floats, grown for wider convs

  return {
    flavour: 'js',
    conv,

    packConv(weight: Float32Array, bias: Float32Array, shape: ConvShape): PackedConv {
      checkConvPacking('js', weight, bias, shape);
      const plan = conv === 'winograd' ? (options.winogradPlan ?? winogradPlanFor)(shape.k) : undefined;
      if (!plan) {
        const packed: JsConv = { shape, weight, bias };
        return packed;
      }
      const u = new Float32Array(shape.filters * plan.alpha * shape.channels * shape.dim); // (filters, alpha, channels, dim)
      // U overflowing float32 (weights near ±3.4e38) would turn a zero input into NaN where direct gives a finite sum
      const overflows = transformWeights(u, weight, shape, plan);
      const packed: JsConv = overflows ? { shape, weight, bias } : { shape, weight: u, bias, plan };
      return packed;
    },

    packDense(weight: Float32Array, bias: Float32Array, outFeatures: number, inFeatures: number): PackedDense {
      checkDensePacking('js', weight, bias, outFeatures, inFeatures);
      const packed: JsDense = { outFeatures, inFeatures, weight, bias };
      return packed;
    },

    convMaxPool(features, stride, offset, convs, sentences: readonly Sentence[], act) {
      const { channels, dim } = convs[0].shape;
      const pad = Math.max(...convs.map((conv) => conv.shape.k)) - 1;
      for (let b = 0; b < sentences.length; b++) {
        const { data, tokens } = sentences[b];
        const rows = tokens + 2 * pad;
        if (xpad.length < channels * rows * dim) xpad = new Float32Array(channels * rows * dim);
        for (let c = 0; c < channels; c++) {
          const top = c * rows * dim; // first float of channel c in xpad
          xpad.fill(0, top, top + pad * dim);
          xpad.set(data.subarray(c * tokens * dim, (c + 1) * tokens * dim), top + pad * dim);
          xpad.fill(0, top + (pad + tokens) * dim, top + rows * dim);
        }
        let at = b * stride + offset;
        for (const packed of convs as readonly JsConv[]) {
          if (packed.plan) {
            const need = winogradScratchLength(packed.plan, packed.shape);
            if (scratch.length < need) scratch = new Float64Array(need);
            winogradConvMaxPool(features, at, xpad, rows, pad, tokens, packed.weight, packed.bias, packed.shape, packed.plan, act, scratch);
          } else {
            convMaxPool(features, at, xpad, rows, pad, tokens, packed.weight, packed.bias, packed.shape, act);
          }
          at += packed.shape.filters;
        }
      }
    },

    dense(out: Float32Array, layer: PackedDense, x: Float32Array, batch: number, act: Activation) {
      const { weight, bias, outFeatures, inFeatures } = layer as JsDense;
      dense(out, x, batch, weight, bias, outFeatures, inFeatures, act);
    },
  };
}
