/**
 * Rebuilds golden-fixture inputs from their recipes, exactly as
 * converters/probe.py make_input() does:
 *   x = probeValues(seed, channels * tokens * dim) * scale   as (channels, tokens, dim)
 *   rows in zero_rows -> 0 in every channel; rows in negative_rows -> -|x|
 *   ext = probeValues(seed, 4) * scale
 * The fixture stores the sha256 of each input's float32 bytes, so a drift
 * between the two generators fails loudly instead of testing the wrong input.
 */
import { createHash } from 'node:crypto';
import type { ModelInput } from '../../src/model/registry.js';
import { probeValues } from '../../src/model/probe.js';

export interface Recipe {
  seed: number;
  tokens: number;
  channels: number;
  dim: number;
  scale: number;
  zero_rows: number[];
  negative_rows: number[];
}

export interface ExtRecipe {
  seed: number;
  scale: number;
}

export function sentenceFromRecipe(r: Recipe): { data: Float32Array; tokens: number } {
  const data = probeValues(r.seed, r.channels * r.tokens * r.dim); // (channels, tokens, dim)
  for (let i = 0; i < data.length; i++) data[i] *= r.scale;
  for (let c = 0; c < r.channels; c++) {
    for (const t of r.zero_rows) data.fill(0, (c * r.tokens + t) * r.dim, (c * r.tokens + t + 1) * r.dim);
    for (const t of r.negative_rows) {
      for (let d = 0; d < r.dim; d++) data[(c * r.tokens + t) * r.dim + d] = -Math.abs(data[(c * r.tokens + t) * r.dim + d]);
    }
  }
  return { data, tokens: r.tokens };
}

export function extFromRecipe(r: ExtRecipe): Float32Array {
  const ext = probeValues(r.seed, 4);
  for (let i = 0; i < 4; i++) ext[i] *= r.scale;
  return ext;
}

export function sha256(data: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

/** The model input of a fixture case, and the sha256 of each field as rebuilt here. */
export function inputFromRecipes(input: Record<string, Recipe | ExtRecipe>): { input: ModelInput; hashes: Record<string, string> } {
  if ('x' in input) {
    const x = sentenceFromRecipe(input.x as Recipe);
    return { input: { x }, hashes: { x: sha256(x.data) } };
  }
  const q = sentenceFromRecipe(input.q as Recipe);
  const a = sentenceFromRecipe(input.a as Recipe);
  const hashes: Record<string, string> = { q: sha256(q.data), a: sha256(a.data) };
  if (input.ext === undefined) return { input: { q, a }, hashes };
  const ext = extFromRecipe(input.ext as ExtRecipe);
  hashes.ext = sha256(ext);
  return { input: { q, a, ext }, hashes };
}
