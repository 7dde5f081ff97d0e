// Seeded mutation fuzzing of the Lambda request parsing, through the whole handler (issue 16).
// Budget and replay: see test/fuzz/run.ts (TINYCNN_FUZZ=long for the long run).
import { expect, it } from 'vitest';
import { fuzzTimeout, MAX_HEAP_GROWTH_MB, runFuzz } from './run.js';

const CASES = 1500;

it(
  'Lambda events: a finite 2xx answer or a JSON 4xx, never a 5xx or a leak; no hang',
  async () => {
    const summary = await runFuzz('events', CASES);
    expect(summary.failures, summary.failures.join('\n\n')).toEqual([]);
    expect(summary.cases).toBeGreaterThan(0);
    expect(summary.heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  },
  fuzzTimeout(CASES, 3),
);
