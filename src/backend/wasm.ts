/**
 * The WebAssembly SIMD backend: kernels/wasm/tinycnn.wat behind the Backend
 * interface. JS owns the memory layout (wasm-memory.ts), packs weights once
 * (wasm-pack.ts), stages each call's sentences into scratch with their zero
 * padding, makes one kernel call per conv of the bank (each call sweeps every
 * sentence of the batch over one weight panel at a time), and copies the
 * (batch, filters) results out. Nothing is allocated per call except when the
 * scratch has to grow.
 */
import { BackendError } from '../errors.js';
import type { Activation, Backend, ConvShape, PackedConv, PackedDense, Sentence } from './backend.js';
import { checkConvPacking, checkDensePacking } from './checks.js';
import { align, DEFAULT_MAX_MEMORY_BYTES, WasmHeap } from './wasm-memory.js';
import { instanceFlavour, KERNELS_ABI, kernelModule, type KernelExports, type WasmFlavour } from './wasm-module.js';
import { PANEL, packBias, packConvWeight, packDenseWeight, panelsFor } from './wasm-pack.js';

export interface WasmBackendOptions {
  /** Kernel flavour to instantiate from the embedded bytes (default 'wasm-simd'); ignored when `module` is given. */
  flavour?: WasmFlavour;
  /** A precompiled kernel module (e.g. an edge runtime's wasm import) used instead of the embedded bytes. */
  module?: WebAssembly.Module;
  /** Cap on linear memory in bytes: default 1 GiB, at most 4 GiB (wasm32). Past it a call throws INPUT_TOO_LARGE. */
  maxMemoryBytes?: number;
}

/** A conv branch packed into linear memory. */
interface WasmConv extends PackedConv {
  readonly owner: object; // the backend whose memory holds it
  readonly w: number; // byte offset of the packed weight (panels, channels, k * dim, 8)
  readonly bias: number; // byte offset of the packed bias (panels * 8)
  readonly panels: number;
}

/** A dense layer packed into linear memory. */
interface WasmDense extends PackedDense {
  readonly owner: object;
  readonly w: number; // byte offset of the packed weight (panels, inFeatures, 8)
  readonly bias: number; // byte offset of the packed bias (panels * 8)
  readonly panels: number;
}

const ACT: Record<Activation, number> = { none: 0, relu: 1, tanh: 2 };
/** Staged input per kernel call: a quarter of a 1 MB L2, leaving room for a weight panel (<= 96 KB for Kim). */
export const CHUNK_BYTES = 256 * 1024;

/** The wasm backend: a Backend, plus the size of its linear memory (for tests and diagnostics). */
export type WasmBackend = Backend & { readonly flavour: WasmFlavour; readonly memoryBytes: number };

/** Instantiates the kernels and returns a Backend whose packed weights live in its own linear memory. */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const requested = options.flavour ?? 'wasm-simd';
  const instance = new WebAssembly.Instance(options.module ?? kernelModule(requested), {});
  let kernels: KernelExports | undefined = instance.exports as unknown as KernelExports;
  if (kernels.abi?.value !== KERNELS_ABI || typeof kernels.conv_maxpool !== 'function') {
    throw new BackendError(
      requested,
      `the kernel module has ABI ${String(kernels.abi?.value)}, this build of tinycnn needs ${KERNELS_ABI}: rebuild it from this version's kernels`,
      'ABI_MISMATCH',
    );
  }
  const flavour = instanceFlavour(kernels);
  const heap = new WasmHeap(kernels.memory, options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES, flavour);
  const owner = {};

  const live = (): KernelExports => {
    if (!kernels) throw new BackendError(flavour, 'this backend was disposed; create a new one', 'DISPOSED');
    return kernels;
  };
  const own = <T extends { owner: object }>(layer: unknown, what: string): T => {
    if ((layer as T).owner !== owner) throw new BackendError(flavour, `${what} was not packed by this backend`, 'FOREIGN_LAYER');
    return layer as T;
  };

  return {
    flavour,

    get memoryBytes() {
      return heap.bytes;
    },

    packConv(weight: Float32Array, bias: Float32Array, shape: ConvShape): PackedConv {
      live();
      checkConvPacking(flavour, weight, bias, shape);
      const { filters, channels, k, dim } = shape;
      const panels = panelsFor(filters);
      const w = heap.alloc(panels * channels * k * dim * PANEL * 4, `packing a (${filters}, ${channels}, ${k}, ${dim}) conv`);
      packConvWeight(heap.f32, w >>> 2, weight, shape);
      const b = heap.alloc(panels * PANEL * 4, 'packing a conv bias');
      packBias(heap.f32, b >>> 2, bias);
      const packed: WasmConv = { shape: { filters, channels, k, dim }, owner, w, bias: b, panels };
      return packed;
    },

    packDense(weight: Float32Array, bias: Float32Array, outFeatures: number, inFeatures: number): PackedDense {
      live();
      checkDensePacking(flavour, weight, bias, outFeatures, inFeatures);
      const panels = panelsFor(outFeatures);
      const w = heap.alloc(panels * inFeatures * PANEL * 4, `packing a (${outFeatures}, ${inFeatures}) dense layer`);
      packDenseWeight(heap.f32, w >>> 2, weight, outFeatures, inFeatures);
      const b = heap.alloc(panels * PANEL * 4, 'packing a dense bias');
      packBias(heap.f32, b >>> 2, bias);
      const packed: WasmDense = { outFeatures, inFeatures, owner, w, bias: b, panels };
      return packed;
    },

    convMaxPool(features, stride, offset, convs, sentences: readonly Sentence[], act) {
      const run = live();
      const batch = sentences.length;
      if (batch === 0 || convs.length === 0) return;
      const bank = convs.map((conv) => own<WasmConv>(conv, 'a conv'));
      const { channels, dim } = bank[0].shape;
      let kMax = 0;
      let width = 0; // floats per sentence in the kernels' padded output, (sum of panels) * 8
      let filters = 0;
      for (const conv of bank) {
        if (conv.shape.channels !== channels || conv.shape.dim !== dim) {
          throw new BackendError(flavour, `a conv bank must share channels and dim: (${channels}, ${dim}) vs (${conv.shape.channels}, ${conv.shape.dim})`, 'SHAPE_MISMATCH');
        }
        kMax = Math.max(kMax, conv.shape.k);
        width += conv.panels * PANEL;
        filters += conv.shape.filters;
      }
      if (features.length < (batch - 1) * stride + offset + filters) {
        throw new BackendError(flavour, `features holds ${features.length} floats, needs (${batch} - 1) * ${stride} + ${offset} + ${filters}`, 'SHAPE_MISMATCH');
      }
      const pad = kMax - 1; // zero rows staged above and below each sentence
      let rows = 0; // padded rows of all sentences, per channel
      let maxTokens = 0;
      for (let s = 0; s < batch; s++) {
        const { data, tokens } = sentences[s];
        if (!(Number.isInteger(tokens) && tokens >= 1) || data.length !== channels * tokens * dim) {
          throw new BackendError(flavour, `sentence ${s}: ${data.length} floats for ${tokens} tokens, expected (${channels}, ${tokens}, ${dim})`, 'SHAPE_MISMATCH');
        }
        rows += tokens + 2 * pad;
        maxTokens = Math.max(maxTokens, tokens);
      }

      // scratch, bytes: desc (batch, 2) i32 | out (batch, width) f32 | input (channels, rows, dim) f32
      //                 | landing (channels, maxTokens, dim) f32, where a 2-channel sentence is unpacked
      const chanBytes = rows * dim * 4;
      const descBytes = align(batch * 8);
      const outBytes = align(batch * width * 4);
      const inputBytes = align(channels * chanBytes);
      const landingBytes = channels > 1 ? channels * maxTokens * dim * 4 : 0;
      const desc = heap.scratch(
        descBytes + outBytes + inputBytes + landingBytes,
        `a batch of ${batch} sentence(s) with ${rows - 2 * pad * batch} tokens in all (${channels} x ${dim})`,
      );
      const out = desc + descBytes;
      const input = out + outBytes;
      const landing = input + inputBytes;
      const { f32, i32 } = heap;

      let row = 0;
      for (let s = 0; s < batch; s++) {
        const { data, tokens } = sentences[s];
        const base = input + row * dim * 4; // byte offset of the sentence's first padded row, channel 0
        i32[(desc >>> 2) + 2 * s] = base;
        i32[(desc >>> 2) + 2 * s + 1] = tokens;
        if (channels > 1) f32.set(data, landing >>> 2); // (channels, tokens, dim), contiguous
        for (let c = 0; c < channels; c++) {
          const top = (base + c * chanBytes) >>> 2; // float index of channel c's first padded row
          const body = top + pad * dim;
          f32.fill(0, top, body);
          if (channels === 1) f32.set(data, body);
          else f32.copyWithin(body, (landing >>> 2) + c * tokens * dim, (landing >>> 2) + (c + 1) * tokens * dim);
          f32.fill(0, body + tokens * dim, body + (tokens + pad) * dim);
        }
        row += tokens + 2 * pad;
      }

      // Sentences in chunks of about CHUNK_BYTES of staged input: within a chunk every
      // weight panel is swept by all its sentences while the panel is in L1/L2, and
      // the chunk's input stays in L2 across the panels (a 32-sentence batch would not).
      for (let s0 = 0, s1 = 0; s0 < batch; s0 = s1) {
        let bytes = 0;
        do bytes += channels * (sentences[s1++].tokens + 2 * pad) * dim * 4;
        while (s1 < batch && bytes + channels * (sentences[s1].tokens + 2 * pad) * dim * 4 <= CHUNK_BYTES);
        let column = 0; // float column of this conv in the padded output
        for (const conv of bank) {
          const { k } = conv.shape;
          run.conv_maxpool(
            conv.w, conv.bias, conv.panels, channels, k * dim, dim * 4, chanBytes, (pad - (k - 1)) * dim * 4, k - 1,
            desc + 8 * s0, s1 - s0, out + (s0 * width + column) * 4, width * 4, ACT[act],
          );
          column += conv.panels * PANEL;
        }
      }

      for (let s = 0; s < batch; s++) {
        let src = (out >>> 2) + s * width;
        let dst = s * stride + offset;
        for (const conv of bank) {
          const n = conv.shape.filters;
          for (let f = 0; f < n; f++) features[dst + f] = f32[src + f];
          dst += n;
          src += conv.panels * PANEL;
        }
      }
    },

    dense(out: Float32Array, layer: PackedDense, x: Float32Array, batch: number, act: Activation) {
      const run = live();
      const { outFeatures, inFeatures, w, bias, panels } = own<WasmDense>(layer, 'a dense layer');
      if (batch === 0) return;
      if (x.length < batch * inFeatures || out.length < batch * outFeatures) {
        throw new BackendError(flavour, `dense: x holds ${x.length} floats and out ${out.length}, need ${batch} x ${inFeatures} and ${batch} x ${outFeatures}`, 'SHAPE_MISMATCH');
      }
      const width = panels * PANEL;
      // scratch, bytes: x (batch, inFeatures) f32 | out (batch, width) f32
      const xBytes = align(batch * inFeatures * 4);
      const xAt = heap.scratch(xBytes + batch * width * 4, `a dense layer over ${batch} row(s)`);
      const outAt = xAt + xBytes;
      const { f32 } = heap;
      const n = batch * inFeatures;
      if (x.length === n) f32.set(x, xAt >>> 2);
      else for (let i = 0, o = xAt >>> 2; i < n; i++) f32[o + i] = x[i]; // x is a longer reused buffer
      run.dense(w, bias, panels, inFeatures, xAt, batch, outAt, ACT[act]);
      for (let b = 0; b < batch; b++) {
        const src = (outAt >>> 2) + b * width;
        const dst = b * outFeatures;
        for (let o = 0; o < outFeatures; o++) out[dst + o] = f32[src + o];
      }
    },

    dispose() {
      kernels = undefined; // the instance and its memory (weights included) become garbage
    },
  };
}
