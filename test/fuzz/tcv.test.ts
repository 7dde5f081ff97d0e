// Seeded mutation fuzzing of the .tcv vector store reader, memory and paged modes (issue 16).
// Budget and replay: see test/fuzz/run.ts (TINYCNN_FUZZ=long for the long run).
import { expect, it } from 'vitest';
import { fuzzTimeout, MAX_HEAP_GROWTH_MB, runFuzz } from './run.js';

const CASES = 300;

it(
  '.tcv: refused with VECTORS_CORRUPT, or every word exact (sealed: sane answers); no hang',
  async () => {
    const summary = await runFuzz('tcv', CASES);
    expect(summary.failures, summary.failures.join('\n\n')).toEqual([]);
    expect(summary.cases).toBeGreaterThan(0);
    expect(summary.heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  },
  fuzzTimeout(CASES, 10),
);
