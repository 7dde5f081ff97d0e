/** Seeded random test data (the shared probe generator, so failures reproduce). */
import { probeValues } from '../../src/model/probe.js';

let nextSeed = 1;

/** `count` floats uniform in [-scale, scale), from a fresh seed each call (or the one given). */
export function randomFloats(count: number, scale = 1, seed = nextSeed++): Float32Array {
  const values = probeValues(seed, count);
  for (let i = 0; i < count; i++) values[i] *= scale;
  return values;
}

/** An integer in [lo, hi], seeded. */
export function randomInt(lo: number, hi: number, seed = nextSeed++): number {
  return lo + Math.floor(((probeValues(seed, 1)[0] + 1) / 2) * (hi - lo + 1));
}
