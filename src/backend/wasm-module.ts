/**
 * The kernel module's bytes and compiled forms. The wasm is embedded as base64
 * by kernels/build.mjs (no fetch, no fs path, no import.meta.url: it survives
 * bundling into a single Lambda file) and compiled synchronously once per flavour
 * per process — a ~4 KB module compiles in well under a millisecond.
 */
import { KERNELS_RELAXED_BASE64, KERNELS_SIMD_BASE64, PROBE_RELAXED_BASE64, PROBE_SIMD_BASE64 } from '../../kernels/wasm/generated/modules.js';

/** The two wasm flavours: plain SIMD128, and relaxed SIMD (f32x4.relaxed_madd). */
export type WasmFlavour = 'wasm-simd' | 'wasm-relaxed';

/** Must equal the `abi` global exported by kernels/wasm/tinycnn.wat (signatures and packed layouts). */
export const KERNELS_ABI = 6;

/** winograd_inputA of kernels/wasm/winograd.wat (A = alpha); desc: (tiles, 3) i32 tile descriptors. */
type WinogradInput = (v: number, planeBytes: number, desc: number, tiles: number, channels: number, rowBytes: number, chanBytes: number, bt: number) => void;

/**
 * winograd_weightsK of kernels/wasm/winograd.wat (K = k, the filter height), one 8-filter panel:
 * dst (alpha, channels * dim, 8) <- G (alpha, k) applied to rows (8, channels, k, dim); groups: k * 32
 * floats of scratch. Returns 1 when some U value overflowed float32.
 */
type WinogradWeights = (dst: number, rows: number, channels: number, dim: number, alpha: number, g: number, groups: number) => number;

/** The exports of kernels/wasm/tinycnn.wat. Pointers are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly abi: WebAssembly.Global;
  readonly flavour: WebAssembly.Global;
  conv_maxpool(
    w: number,
    bias: number,
    panels: number,
    channels: number,
    kc: number,
    rowBytes: number,
    chanBytes: number,
    shift: number,
    k1: number,
    desc: number,
    sentences: number,
    out: number,
    outStride: number,
    act: number,
  ): void;
  dense(w: number, bias: number, panels: number, inFeatures: number, x: number, batch: number, out: number, act: number): void;
  /** dst (ceil(rows / 8), cols, 8) <- src (rows, cols); src may sit in dst's tail (see the .wat); tmp: 8 * cols floats. */
  pack(dst: number, src: number, rows: number, cols: number, tmp: number): void;
  tanh(p: number, n: number): void;
  /** One panel of U = G w (see WinogradWeights); one export per k. */
  winograd_weights2: WinogradWeights;
  winograd_weights3: WinogradWeights;
  winograd_weights4: WinogradWeights;
  winograd_weights5: WinogradWeights;
  winograd_weights6: WinogradWeights;
  winograd_weights7: WinogradWeights;
  /** V (alpha, tiles, channels * dim) <- B^T (alpha, alpha) applied to each tile's alpha padded rows; one export per alpha. */
  winograd_input4: WinogradInput;
  winograd_input5: WinogradInput;
  winograd_input6: WinogradInput;
  winograd_input7: WinogradInput;
  winograd_input8: WinogradInput;
  /** Per panel: M = V · U for every plane, then out = max(out, A^T M) over each tile's valid outputs. */
  winograd_gemm(u: number, panels: number, alpha: number, kcBytes: number, v: number, tiles: number, m: number, at: number, desc: number, mt: number): void;
  /** out rows <- act(out + bias), after the last winograd_gemm of a conv. */
  winograd_finish(out: number, outStride: number, rows: number, bias: number, panels: number, act: number): void;
}

/**
 * Decodes base64: with Node's Buffer where there is one (native; the `atob` + charCodeAt loop
 * below ran in the interpreter of a fresh process, ~0.5-0.9 ms of a cold start for the 4 KB
 * kernels), else with `atob`, which browsers, Deno, Bun and edge runtimes all have.
 */
export function decodeBase64(text: string): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer;
  if (NodeBuffer !== undefined) {
    const bytes = NodeBuffer.from(text, 'base64');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded kernel bytes of one flavour. */
export function kernelBytes(flavour: WasmFlavour): Uint8Array {
  return decodeBase64(flavour === 'wasm-relaxed' ? KERNELS_RELAXED_BASE64 : KERNELS_SIMD_BASE64);
}

/** Tiny modules for feature detection: WebAssembly.validate(probe) <=> the runtime has the feature. */
export function probeBytes(feature: 'simd' | 'relaxed'): Uint8Array {
  return decodeBase64(feature === 'relaxed' ? PROBE_RELAXED_BASE64 : PROBE_SIMD_BASE64);
}

const compiled = new Map<WasmFlavour, WebAssembly.Module>();

/** The compiled kernel module of one flavour, compiled on first use and cached for the process. */
export function kernelModule(flavour: WasmFlavour): WebAssembly.Module {
  let module = compiled.get(flavour);
  if (!module) {
    module = new WebAssembly.Module(kernelBytes(flavour));
    compiled.set(flavour, module);
  }
  return module;
}

/** Which flavour an instance is (read from its `flavour` export), so a caller-supplied module is labelled right. */
export function instanceFlavour(exports: KernelExports): WasmFlavour {
  return exports.flavour.value === 1 ? 'wasm-relaxed' : 'wasm-simd';
}
