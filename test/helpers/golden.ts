/** The golden fixtures (test/golden/*.json, written by converters/make_golden.py with PyTorch). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import type { ExtRecipe, Recipe } from './recipe.js';

export { repoRoot } from './paths.js';

export interface Fixture {
  name: string;
  /** Weight file, relative to the repo root. */
  model: string;
  /** Run all cases as one batch call. */
  batch: boolean;
  cases: Array<{ label: string; input: Record<string, Recipe | ExtRecipe>; input_sha256: Record<string, string>; logits: number[] }>;
}

/** Every fixture, in file-name order. */
export function readFixtures(): Fixture[] {
  const dir = join(repoRoot, 'test', 'golden');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture);
}
