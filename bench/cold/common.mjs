// Shared by the Node contenders of the cold-start benchmark.
import { readFileSync, writeSync } from 'node:fs';

/** 20 tokens, all in the default 10k-word vocabulary: tinycnn's request path runs in full. */
export const SENTENCE = 'the movie is a good story about a family and the music is so good that i will see it';

/** Kim CNN input for the peers: (1, 1, 20, 300) values in [-0.25, 0.25), deterministic. */
export function kimInput(tokens = 20, dim = 300) {
  const x = new Float32Array(tokens * dim);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s / 2 ** 32 - 0.5) / 2;
  }
  return x;
}

/** The tensors of a safetensors file as { name: { shape, data: Float32Array } } (F32 only). */
export function readSafetensors(path) {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const tensors = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = t.data_offsets;
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 8 + n + begin, bytes.byteOffset + 8 + n + end));
    tensors[name] = { shape: t.shape, data };
  }
  return tensors;
}

/**
 * Prints the contender's one JSON line: ms from spawn (COLD_T0) to "model ready", the first
 * inference's ms, and this process's peak resident set (getrusage, KiB). Written straight to
 * fd 1: console.log's first call builds the stdout stream, ~3 ms of every contender's wall
 * time that belongs to the harness, not to the runtime measured.
 */
export function report(initDone, extra = {}) {
  const end = performance.timeOrigin + performance.now();
  const t0 = Number(process.env.COLD_T0);
  writeSync(1, `${JSON.stringify({ init_ms: initDone - t0, invoke_ms: end - initDone, max_rss_kib: process.resourceUsage().maxRSS, ...extra })}\n`);
}
