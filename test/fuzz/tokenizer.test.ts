// Seeded mutation fuzzing of the tokenizer (issue 16): awkward Unicode, long runs, every mode.
// Budget and replay: see test/fuzz/run.ts (TINYCNN_FUZZ=long for the long run).
import { expect, it } from 'vitest';
import { fuzzTimeout, MAX_HEAP_GROWTH_MB, runFuzz } from './run.js';

const CASES = 3000;

it(
  "tokenizer: tokens with the mode's invariants, or a TokenizeError; no hang",
  async () => {
    const summary = await runFuzz('tokenizer', CASES);
    expect(summary.failures, summary.failures.join('\n\n')).toEqual([]);
    expect(summary.cases).toBeGreaterThan(0);
    expect(summary.heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  },
  fuzzTimeout(CASES, 2),
);
