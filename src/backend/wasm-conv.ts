/**
 * One convMaxPool call on the wasm backend: stage the sentences into scratch with
 * their zero padding, plan blocks and kernel calls so that both the weight panel
 * and the input a call sweeps stay in cache, run the kernel once per (conv, chunk),
 * and copy the (batch, filters) results out. Allocates nothing unless scratch grows.
 */
import { BackendError } from '../errors.js';
import { ACTIVATION_CODES } from '../../kernels/activation.js';
import type { PackedConv, PoolActivation, Sentence } from './backend.js';
import { align, type WasmHeap } from './wasm-memory.js';
import type { KernelExports } from './wasm-module.js';
import { bankLayout, emptyBankLayout, PANEL } from './wasm-pack.js';

/** A conv branch packed into linear memory. */
export interface WasmConv extends PackedConv {
  readonly owner: object; // the backend whose memory holds it
  readonly w: number; // byte offset of the packed weight (panels, channels, k * dim, 8)
  readonly bias: number; // byte offset of the packed bias (panels * 8)
  readonly panels: number;
}

/**
 * Input bytes one kernel call sweeps per weight panel: a quarter of a 1 MB L2, leaving
 * room for the panel (<= 96 KB for Kim). Sentences are grouped into calls up to this
 * size, and a longer sentence is split into blocks of windows of about this size.
 */
export const CHUNK_BYTES = 256 * 1024;

const layout = emptyBankLayout(); // convBank's bank, filled per call

const BLOCK_INTS = 5; // a block descriptor: [sentence base byte offset, tokens, first window, end window, out row]

/**
 * features[b * stride + offset + (earlier convs' filters) + f] = act(bias[f] + max_t conv(sentence b)[t, f]),
 * the contract of Backend.convMaxPool. `bank` is already checked to belong to this backend.
 */
export function convBank(
  name: string, // backend name, for errors
  heap: WasmHeap,
  kernels: KernelExports,
  features: Float32Array, // (batch, stride)
  stride: number,
  offset: number,
  bank: readonly WasmConv[],
  sentences: readonly Sentence[], // each (channels, tokens, dim)
  act: PoolActivation,
): void {
  const batch = sentences.length;
  bankLayout(layout, name, bank, features, batch, stride, offset);
  const { channels, dim, kMax, width } = layout;
  const pad = kMax - 1; // zero rows staged above and below each sentence
  const rowBytes = channels * dim * 4; // staged bytes per padded row, all channels
  // windows per block: a multiple of the 4-row tile, so that a block's input fits CHUNK_BYTES
  const blockWindows = Math.max(4, Math.floor((CHUNK_BYTES / rowBytes - pad) / 4) * 4);
  let rows = 0; // padded rows of all sentences, per channel
  let maxTokens = 0;
  let blocks = 0;
  for (let s = 0; s < batch; s++) {
    const { data, tokens } = sentences[s];
    if (!(Number.isInteger(tokens) && tokens >= 1) || data.length !== channels * tokens * dim) {
      throw new BackendError(name, `sentence ${s}: ${data.length} floats for ${tokens} tokens, expected (${channels}, ${tokens}, ${dim})`, 'SHAPE_MISMATCH');
    }
    rows += tokens + 2 * pad;
    maxTokens = Math.max(maxTokens, tokens);
    blocks += Math.ceil((tokens + pad) / blockWindows);
  }

  // scratch, bytes: desc (blocks, 5) i32 | out (batch, width) f32 | input (channels, rows, dim) f32
  //                 | landing (channels, maxTokens, dim) f32, where a 2-channel sentence is unpacked
  const chanBytes = rows * dim * 4;
  const descBytes = align(blocks * BLOCK_INTS * 4);
  const outBytes = align(batch * width * 4);
  const inputBytes = align(channels * chanBytes);
  const landingBytes = channels > 1 ? channels * maxTokens * dim * 4 : 0;
  const desc = heap.scratch(
    descBytes + outBytes + inputBytes + landingBytes,
    'a batch of {a} sentence(s) with {b} tokens in all',
    batch,
    rows - 2 * pad * batch,
  );
  const out = desc + descBytes;
  const input = out + outBytes;
  const landing = input + inputBytes;
  const { f32, i32 } = heap;

  // stage: channel c of sentence s at input + c * chanBytes + (its first padded row) * dim * 4
  let row = 0;
  for (let s = 0; s < batch; s++) {
    const { data, tokens } = sentences[s];
    const base = input + row * dim * 4;
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

  // per conv: block descriptors, then one kernel call per chunk of about CHUNK_BYTES of input
  let column = 0; // float column of this conv in the padded output
  for (const conv of bank) {
    const k1 = conv.shape.k - 1;
    const shift = (pad - k1) * dim * 4; // this conv's padded input starts pad - (k - 1) rows into the staged one
    let n = 0; // blocks written
    let first = 0; // first block of the pending call
    let bytes = 0; // input bytes of the pending call
    let base = input;
    for (let s = 0; s < batch; s++) {
      const tokens = sentences[s].tokens;
      const windows = tokens + k1;
      for (let t0 = 0; t0 < windows; t0 += blockWindows) {
        const t1 = Math.min(windows, t0 + blockWindows);
        const blockBytes = (t1 - t0 + k1) * rowBytes;
        if (n > first && bytes + blockBytes > CHUNK_BYTES) {
          kernels.conv_maxpool(
            conv.w,
            conv.bias,
            conv.panels,
            channels,
            (k1 + 1) * dim,
            dim * 4,
            chanBytes,
            shift,
            k1,
            desc + first * BLOCK_INTS * 4,
            n - first,
            out + column * 4,
            width * 4,
            ACTIVATION_CODES[act],
          );
          first = n;
          bytes = 0;
        }
        const d = (desc >>> 2) + n * BLOCK_INTS;
        i32[d] = base;
        i32[d + 1] = tokens;
        i32[d + 2] = t0;
        i32[d + 3] = t1;
        i32[d + 4] = s;
        n++;
        bytes += blockBytes;
      }
      base += (tokens + 2 * pad) * dim * 4;
    }
    kernels.conv_maxpool(
      conv.w,
      conv.bias,
      conv.panels,
      channels,
      (k1 + 1) * dim,
      dim * 4,
      chanBytes,
      shift,
      k1,
      desc + first * BLOCK_INTS * 4,
      n - first,
      out + column * 4,
      width * 4,
      ACTIVATION_CODES[act],
    );
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
