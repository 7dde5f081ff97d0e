/**
 * The WebAssembly SIMD backend: kernels/wasm/tinycnn.wat behind the Backend
 * interface. JS owns the memory layout (wasm-memory.ts), packs weights once
 * (the kernel module's `pack`; wasm-pack.ts holds the layout and its JS reference)
 * and runs each op with a few kernel calls: convMaxPool stages
 * and plans in wasm-conv.ts, dense copies its rows in and out here. Nothing is
 * allocated per call except when the scratch has to grow.
 */
import { BackendError } from '../errors.js';
import { winogradPlanFor, type WinogradPlan } from '../../kernels/js/toom-cook.js';
import type { Activation, Backend, ConvAlgorithm, ConvShape, PackedConv, PackedDense, Sentence } from './backend.js';
import { checkConvPacking, checkDensePacking } from './checks.js';
import { ACTIVATION_CODES } from '../../kernels/activation.js';
import { convBank, type WasmConv } from './wasm-conv.js';
import { align, DEFAULT_MAX_MEMORY_BYTES, WasmHeap } from './wasm-memory.js';
import { instanceFlavour, KERNELS_ABI, kernelModule, type KernelExports, type WasmFlavour } from './wasm-module.js';
import { PANEL, packBias, panelsFor } from './wasm-pack.js';
import { packWinogradConv, winogradConvBank, type WasmWinogradConv } from './wasm-winograd.js';

export interface WasmBackendOptions {
  /** Kernel flavour to instantiate from the embedded bytes (default 'wasm-simd'); ignored when `module` is given. */
  flavour?: WasmFlavour;
  /** A precompiled kernel module (e.g. an edge runtime's wasm import) used instead of the embedded bytes. */
  module?: WebAssembly.Module;
  /** Cap on linear memory in bytes: default 1 GiB, at most 4 GiB (wasm32). Past it a call throws INPUT_TOO_LARGE. */
  maxMemoryBytes?: number;
  /** Convolution algorithm (default 'direct'); 'winograd' runs every filter height with a plan as F(m, k). */
  conv?: ConvAlgorithm;
  /** The F(m, k) that runs filter height k, undefined: direct (default winogradPlanFor: DEFAULT_TILE); for measurements. */
  winogradPlan?: (k: number) => WinogradPlan | undefined;
}

/** A dense layer packed into linear memory. */
interface WasmDense extends PackedDense {
  readonly owner: object;
  readonly w: number; // byte offset of the packed weight (panels, inFeatures, 8)
  readonly bias: number; // byte offset of the packed bias (panels * 8)
  readonly panels: number;
}

/** The wasm backend: a Backend, plus the size of its linear memory (for tests and diagnostics). */
export type WasmBackend = Backend & { readonly flavour: WasmFlavour; readonly memoryBytes: number };

/** Instantiates the kernels and returns a Backend whose packed weights live in its own linear memory. */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const requested = options.flavour ?? 'wasm-simd';
  const instance = new WebAssembly.Instance(options.module ?? kernelModule(requested), {});
  let kernels: KernelExports | undefined = instance.exports as unknown as KernelExports;
  if (kernels.abi?.value !== KERNELS_ABI || typeof kernels.conv_maxpool !== 'function' || typeof kernels.pack !== 'function') {
    throw new BackendError(
      requested,
      `the kernel module has ABI ${String(kernels.abi?.value)}, this build of tinycnn needs ${KERNELS_ABI}: rebuild it from this version's kernels`,
      'ABI_MISMATCH',
    );
  }
  const flavour = instanceFlavour(kernels);
  const conv = options.conv ?? 'direct';
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

  /**
   * Reserves and fills a packed weight (ceil(rows / 8), cols, 8) from weight (rows, cols): the raw
   * floats are copied (one bulk set) into the tail of the reserved region and the kernel module's
   * `pack` rearranges them in place through an 8-row scratch panel. Returns the byte offset.
   */
  const packWeight = (run: KernelExports, weight: Float32Array, rows: number, cols: number, what: string): number => {
    const panels = panelsFor(rows);
    const w = heap.alloc(panels * PANEL * cols * 4, what);
    const tmp = heap.scratch(PANEL * cols * 4, what);
    const src = w + (panels * PANEL - rows) * cols * 4; // the tail of the region: see `pack` in the .wat
    heap.f32.set(weight, src >>> 2);
    run.pack(w, src, rows, cols, tmp);
    return w;
  };

  return {
    flavour,
    conv,

    get memoryBytes() {
      return heap.bytes;
    },

    packConv(weight: Float32Array, bias: Float32Array, shape: ConvShape): PackedConv {
      const run = live();
      checkConvPacking(flavour, weight, bias, shape);
      const { filters, channels, k, dim } = shape;
      // Winograd where k has a plan and a row holds at least one f32x4 (the input transform's step)
      const plan = conv === 'winograd' && dim >= 4 ? (options.winogradPlan ?? winogradPlanFor)(k) : undefined;
      if (plan) {
        const packed = packWinogradConv(heap, run, owner, weight, bias, shape, plan);
        if (packed) return packed; // else U overflowed float32: this filter height runs direct
      }
      const panels = panelsFor(filters);
      // (filters, channels, k, dim) packs as (filters, channels * k * dim) rows: (panels, channels, k * dim, 8)
      const w = packWeight(run, weight, filters, channels * k * dim, `packing a (${filters}, ${channels}, ${k}, ${dim}) conv`);
      const b = heap.alloc(panels * PANEL * 4, 'packing a conv bias');
      packBias(heap.f32, b >>> 2, bias);
      const packed: WasmConv = { shape: { filters, channels, k, dim }, owner, w, bias: b, panels };
      return packed;
    },

    packDense(weight: Float32Array, bias: Float32Array, outFeatures: number, inFeatures: number): PackedDense {
      const run = live();
      checkDensePacking(flavour, weight, bias, outFeatures, inFeatures);
      const panels = panelsFor(outFeatures);
      const w = packWeight(run, weight, outFeatures, inFeatures, `packing a (${outFeatures}, ${inFeatures}) dense layer`);
      const b = heap.alloc(panels * PANEL * 4, 'packing a dense bias');
      packBias(heap.f32, b >>> 2, bias);
      const packed: WasmDense = { outFeatures, inFeatures, owner, w, bias: b, panels };
      return packed;
    },

    convMaxPool(features, stride, offset, convs, sentences: readonly Sentence[], act) {
      const run = live();
      if (sentences.length === 0 || convs.length === 0) return;
      let winograd = 0;
      for (const packed of convs) winograd += 'plan' in own<WasmConv | WasmWinogradConv>(packed, 'a conv') ? 1 : 0;
      if (winograd === 0) return convBank(flavour, heap, run, features, stride, offset, convs as readonly WasmConv[], sentences, act);
      if (winograd === convs.length) {
        return winogradConvBank(flavour, heap, run, features, stride, offset, convs as readonly WasmWinogradConv[], sentences, act);
      }
      // a mixed bank (a filter height without a Winograd plan): runs of one kind, each at its own columns
      for (let start = 0, at = offset; start < convs.length; ) {
        const kind = 'plan' in convs[start];
        let end = start;
        let filters = 0;
        while (end < convs.length && 'plan' in convs[end] === kind) filters += convs[end++].shape.filters;
        if (kind) winogradConvBank(flavour, heap, run, features, stride, at, convs.slice(start, end) as WasmWinogradConv[], sentences, act);
        else convBank(flavour, heap, run, features, stride, at, convs.slice(start, end) as WasmConv[], sentences, act);
        start = end;
        at += filters;
      }
    },

    dense(out: Float32Array, layer: PackedDense, x: Float32Array, batch: number, act: Activation) {
      const run = live();
      const { outFeatures, inFeatures, w, bias, panels } = own<WasmDense>(layer, 'a dense layer');
      if (batch === 0) return;
      if (x.length < batch * inFeatures || out.length < batch * outFeatures) {
        throw new BackendError(
          flavour,
          `dense: x holds ${x.length} floats and out ${out.length}, need ${batch} x ${inFeatures} and ${batch} x ${outFeatures}`,
          'SHAPE_MISMATCH',
        );
      }
      const width = panels * PANEL;
      // scratch, bytes: x (batch, inFeatures) f32 | out (batch, width) f32
      const xBytes = align(batch * inFeatures * 4);
      const xAt = heap.scratch(xBytes + batch * width * 4, 'a dense layer over {a} row(s)', batch);
      const outAt = xAt + xBytes;
      const { f32 } = heap;
      const n = batch * inFeatures;
      if (x.length === n) f32.set(x, xAt >>> 2);
      else for (let i = 0, o = xAt >>> 2; i < n; i++) f32[o + i] = x[i]; // x is a longer reused buffer
      run.dense(w, bias, panels, inFeatures, xAt, batch, outAt, ACTIVATION_CODES[act]);
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
