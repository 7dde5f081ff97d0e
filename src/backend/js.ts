/**
 * The plain TypeScript backend: the reference the wasm kernels are checked
 * against, and the fallback where WebAssembly SIMD is unavailable. Packing is
 * free here — the kernels read the weight file's own (zero-copy) arrays.
 */
import { convMaxPool } from '../../kernels/js/conv.js';
import { dense } from '../../kernels/js/dense.js';
import type { Activation, Backend, ConvShape, PackedConv, PackedDense, Sentence } from './backend.js';
import { checkConvPacking, checkDensePacking } from './checks.js';

interface JsConv extends PackedConv {
  readonly weight: Float32Array; // (filters, channels, k, dim)
  readonly bias: Float32Array; // (filters)
}

interface JsDense extends PackedDense {
  readonly weight: Float32Array; // (outFeatures, inFeatures)
  readonly bias: Float32Array; // (outFeatures)
}

export function createJsBackend(): Backend {
  let xpad = new Float32Array(0); // (channels, tokens + 2 * pad, dim), grown for longer sentences

  return {
    flavour: 'js',

    packConv(weight: Float32Array, bias: Float32Array, shape: ConvShape): PackedConv {
      checkConvPacking('js', weight, bias, shape);
      const packed: JsConv = { shape, weight, bias };
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
        for (const conv of convs as readonly JsConv[]) {
          convMaxPool(features, at, xpad, rows, pad, tokens, conv.weight, conv.bias, conv.shape, act);
          at += conv.shape.filters;
        }
      }
    },

    dense(out: Float32Array, layer: PackedDense, x: Float32Array, batch: number, act: Activation) {
      const { weight, bias, outFeatures, inFeatures } = layer as JsDense;
      dense(out, x, batch, weight, bias, outFeatures, inFeatures, act);
    },
  };
}
