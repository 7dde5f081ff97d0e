// Seeded mutation fuzzing of the safetensors reader and the model loader (issue 16).
// Budget and replay: see test/fuzz/run.ts (TINYCNN_FUZZ=long for the long run).
import { expect, it } from 'vitest';
import { fuzzTimeout, MAX_HEAP_GROWTH_MB, runFuzz } from './run.js';

const CASES = 600;

it(
  'safetensors: a typed refusal, or tensors inside the file and a finite, certified answer; no hang',
  async () => {
    const summary = await runFuzz('safetensors', CASES);
    expect(summary.failures, summary.failures.join('\n\n')).toEqual([]);
    expect(summary.cases).toBeGreaterThan(0);
    expect(summary.heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  },
  fuzzTimeout(CASES, 5),
);
