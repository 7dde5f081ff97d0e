/**
 * The wasm backend's Winograd convolution (kernels/wasm/winograd.wat + winograd-gemm.wat, F(m, k) from
 * kernels/js/toom-cook.ts): packing a conv's transformed weights once at load, and one
 * convMaxPool call over a bank of such convs — stage the sentences with their zero
 * padding, describe every tile of m outputs, then per conv and per chunk of tiles the
 * input transform and the GEMMs with the output transform fused into the running max,
 * and bias + activation once at the end. Allocates nothing unless scratch grows.
 */
import type { WinogradPlan } from '../../kernels/js/toom-cook.js';
import { BackendError } from '../errors.js';
import type { Activation, ConvShape, PackedConv, Sentence } from './backend.js';
import { ACTIVATION_CODES } from '../../kernels/activation.js';
import { align, type WasmHeap } from './wasm-memory.js';
import type { KernelExports } from './wasm-module.js';
import { bankLayout, emptyBankLayout, PANEL, packBias, panelsFor } from './wasm-pack.js';

/** A conv branch packed for the Winograd kernels. */
export interface WasmWinogradConv extends PackedConv {
  readonly owner: object; // the backend whose memory holds it
  readonly plan: WinogradPlan;
  readonly u: number; // byte offset of the packed transformed weight (panels, alpha, channels * dim, 8)
  readonly bias: number; // byte offset of the packed bias (panels * 8)
  readonly panels: number;
  readonly at: number; // byte offset of A^T (m, alpha) f32
  readonly bt: number; // byte offset of B^T (alpha, alpha) f32
}

/**
 * Transformed input bytes one chunk of tiles may fill (alpha planes of channels * dim floats per
 * tile): a quarter of a 1 MB L2, as for the direct kernel's input; every panel sweeps it.
 */
export const WINOGRAD_CHUNK_BYTES = 256 * 1024;

/** Bytes past M where winograd_gemm sends the sums of a repeated last panel. */
const M_DUMMY_BYTES = 64;

const layout = emptyBankLayout(); // winogradConvBank's bank, filled per call

const TILE_INTS = 3; // a tile descriptor: [first padded row byte offset, out byte offset, valid outputs]

/**
 * Packs weight (filters, channels, k, dim) and bias (filters) for F(plan.m, k); returns the handle,
 * or undefined when the transformed weights overflow float32 (weights near ±3.4e38): an infinite U
 * would turn a zero input into NaN where direct convolution gives a finite sum, so that filter
 * height must run direct. Its heap bytes then stay allocated (a pathological file).
 */
export function packWinogradConv(
  heap: WasmHeap,
  kernels: KernelExports,
  owner: object,
  weight: Float32Array, // (filters, channels, k, dim)
  bias: Float32Array, // (filters)
  shape: ConvShape,
  plan: WinogradPlan,
): WasmWinogradConv | undefined {
  const { filters, channels, k, dim } = shape;
  const { m, alpha } = plan;
  const panels = panelsFor(filters);
  const what = `packing a (${filters}, ${channels}, ${k}, ${dim}) conv for F(${m}, ${k})`;
  const panelBytes = alpha * channels * dim * PANEL * 4;
  const u = heap.alloc(panels * panelBytes, what);
  const b = heap.alloc(panels * PANEL * 4, what);
  const at = heap.alloc(m * alpha * 4, what);
  const bt = heap.alloc(alpha * alpha * 4, what);
  // scratch, bytes: G (alpha, k) f32 | one panel's raw weight (8, channels, k, dim) f32 | groups (k, 4, 8) f32
  const rowFloats = channels * k * dim;
  const g = heap.scratch(align(alpha * k * 4) + align(PANEL * rowFloats * 4) + k * 4 * PANEL * 4, what);
  const rows = g + align(alpha * k * 4);
  const groups = rows + align(PANEL * rowFloats * 4);
  const { f32 } = heap;
  packBias(f32, b >>> 2, bias);
  f32.set(plan.at, at >>> 2);
  f32.set(plan.bt, bt >>> 2);
  f32.set(plan.g, g >>> 2);
  const transform = kernels[`winograd_weights${k as 2 | 3 | 4 | 5 | 6 | 7}`];
  let overflows = 0;
  for (let p = 0; p < panels; p++) {
    // only this panel's 8 filters enter wasm memory, zero rows past the conv's last filter
    const first = p * PANEL;
    const real = Math.min(PANEL, filters - first);
    f32.set(weight.subarray(first * rowFloats, (first + real) * rowFloats), rows >>> 2);
    if (real < PANEL) f32.fill(0, (rows >>> 2) + real * rowFloats, (rows >>> 2) + PANEL * rowFloats);
    overflows |= transform(u + p * panelBytes, rows, channels, dim, alpha, g, groups);
  }
  if (overflows) return undefined;
  return { shape: { filters, channels, k, dim }, owner, plan, u, bias: b, panels, at, bt };
}

/** Tiles of m outputs covering the tokens + k - 1 outputs of a wide conv. */
const tilesOf = (tokens: number, plan: WinogradPlan): number => Math.ceil((tokens + plan.r - 1) / plan.m);

/**
 * features[b * stride + offset + (earlier convs' filters) + f] = act(bias[f] + max_t conv(sentence b)[t, f]),
 * the contract of Backend.convMaxPool, for a bank of Winograd convs of this backend.
 */
export function winogradConvBank(
  name: string, // backend name, for errors
  heap: WasmHeap,
  kernels: KernelExports,
  features: Float32Array, // (batch, stride)
  stride: number,
  offset: number,
  bank: readonly WasmWinogradConv[],
  sentences: readonly Sentence[], // each (channels, tokens, dim)
  act: Exclude<Activation, 'none'>,
): void {
  const batch = sentences.length;
  bankLayout(layout, name, bank, features, batch, stride, offset);
  const { channels, dim, kMax, width } = layout;
  const kc = channels * dim; // the GEMMs' reduction
  let vBytes = 0; // V + M scratch of the largest chunk
  const pad = kMax - 1; // zero rows staged above each sentence
  let rows = 0; // staged rows of all sentences, per channel
  let totalTokens = 0;
  let maxTokens = 0;
  let maxTiles = 0; // tiles of the conv with the most, over the batch
  for (const conv of bank) {
    let tiles = 0;
    for (const s of sentences) tiles += tilesOf(s.tokens, conv.plan);
    maxTiles = Math.max(maxTiles, tiles);
    const chunk = chunkTiles(conv.plan, kc, tiles);
    vBytes = Math.max(vBytes, align(conv.plan.alpha * chunk * kc * 4) + align(conv.panels * conv.plan.alpha * chunk * PANEL * 4 + M_DUMMY_BYTES));
  }
  for (let s = 0; s < batch; s++) {
    const { data, tokens } = sentences[s];
    if (!(Number.isInteger(tokens) && tokens >= 1) || data.length !== channels * tokens * dim) {
      throw new BackendError(name, `sentence ${s}: ${data.length} floats for ${tokens} tokens, expected (${channels}, ${tokens}, ${dim})`, 'SHAPE_MISMATCH');
    }
    rows += stagedRows(tokens, pad, bank);
    maxTokens = Math.max(maxTokens, tokens);
    totalTokens += tokens;
  }

  // scratch, bytes: desc (tiles, 3) i32 | out (batch, width) f32 | input (channels, rows, dim) f32
  //                 | landing (channels, maxTokens, dim) f32 | V (alpha, chunk, kc) f32 | M (panels, alpha, chunk, 8) f32 + dummy
  const chanBytes = rows * dim * 4;
  const descBytes = align(maxTiles * TILE_INTS * 4);
  const outBytes = align(batch * width * 4);
  const inputBytes = align(channels * chanBytes);
  const landingBytes = align(channels > 1 ? channels * maxTokens * dim * 4 : 0);
  const desc = heap.scratch(descBytes + outBytes + inputBytes + landingBytes + vBytes, 'a batch of {a} sentence(s) with {b} tokens in all', batch, totalTokens);
  const out = desc + descBytes;
  const input = out + outBytes;
  const landing = input + inputBytes;
  const v = landing + landingBytes;
  const { f32, i32 } = heap;

  // stage: channel c of sentence s at input + c * chanBytes + (its first staged row) * dim * 4,
  // pad zero rows, the tokens, then zero rows up to the last row any conv's last tile reads
  let row = 0;
  for (let s = 0; s < batch; s++) {
    const { data, tokens } = sentences[s];
    const staged = stagedRows(tokens, pad, bank);
    const base = input + row * dim * 4;
    if (channels > 1) f32.set(data, landing >>> 2); // (channels, tokens, dim), contiguous
    for (let c = 0; c < channels; c++) {
      const top = (base + c * chanBytes) >>> 2; // float index of channel c's first staged row
      const body = top + pad * dim;
      f32.fill(0, top, body);
      if (channels === 1) f32.set(data, body);
      else f32.copyWithin(body, (landing >>> 2) + c * tokens * dim, (landing >>> 2) + (c + 1) * tokens * dim);
      f32.fill(0, body + tokens * dim, top + staged * dim);
    }
    row += staged;
  }
  f32.fill(-Infinity, out >>> 2, (out >>> 2) + batch * width); // running maxes of raw dot products

  let column = 0; // float column of this conv in the padded output
  for (const conv of bank) {
    const { m, r: k, alpha } = conv.plan;
    // tile descriptors of every sentence, in order
    let tiles = 0;
    let base = input;
    for (let s = 0; s < batch; s++) {
      const tokens = sentences[s].tokens;
      const steps = tokens + k - 1;
      const first = base + (pad - (k - 1)) * dim * 4; // padded row of output 0's window
      const outAt = out + (s * width + column) * 4;
      const n = tilesOf(tokens, conv.plan);
      for (let t = 0; t < n; t++) {
        const d = (desc >>> 2) + (tiles + t) * TILE_INTS;
        i32[d] = first + t * m * dim * 4;
        i32[d + 1] = outAt;
        i32[d + 2] = Math.min(m, steps - t * m);
      }
      tiles += n;
      base += stagedRows(tokens, pad, bank) * dim * 4;
    }
    const chunk = chunkTiles(conv.plan, kc, tiles);
    const mt = v + align(alpha * chunk * kc * 4);
    const transform = kernels[`winograd_input${alpha as 4 | 5 | 6 | 7 | 8}`];
    for (let t0 = 0; t0 < tiles; t0 += chunk) {
      const n = Math.min(chunk, tiles - t0);
      const at = desc + t0 * TILE_INTS * 4;
      transform(v, n * kc * 4, at, n, channels, dim * 4, chanBytes, conv.bt);
      kernels.winograd_gemm(conv.u, conv.panels, alpha, kc * 4, v, n, m, conv.at, at, mt);
    }
    kernels.winograd_finish(out + column * 4, width * 4, batch, conv.bias, conv.panels, ACTIVATION_CODES[act]);
    column += conv.panels * PANEL;
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
}

/** Rows staged for a sentence: pad zero rows, then enough rows that every conv's last tile reads staged zeros. */
function stagedRows(tokens: number, pad: number, bank: readonly WasmWinogradConv[]): number {
  let end = 0; // rows after the pad that some conv's tiles read: tile t reads pad - (k - 1) + t * m + [0, alpha)
  for (const conv of bank) end = Math.max(end, tilesOf(tokens, conv.plan) * conv.plan.m);
  return pad + end;
}

/** Tiles per kernel call: as many as keep V within WINOGRAD_CHUNK_BYTES (at least one 4-tile group). */
function chunkTiles(plan: WinogradPlan, kc: number, tiles: number): number {
  return Math.max(1, Math.min(tiles, Math.max(4, Math.floor(WINOGRAD_CHUNK_BYTES / (plan.alpha * kc * 4)))));
}
