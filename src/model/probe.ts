/**
 * The deterministic input generator shared with the PyTorch side
 * (converters/probe.py mirrors it bit for bit). It feeds the parity
 * certificate stored in every exported weight file and the golden fixtures.
 *
 * mulberry32 over uint32; each value is (u >>> 8) / 2^23 - 1, a float in
 * [-1, 1) that float32 represents exactly, so both languages agree to the bit.
 */
export function probeValues(seed: number, count: number): Float32Array {
  const out = new Float32Array(count); // (count)
  let state = seed | 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = (t ^ (t >>> 14)) >>> 0;
    out[i] = (u >>> 8) / 8388608 - 1;
  }
  return out;
}
