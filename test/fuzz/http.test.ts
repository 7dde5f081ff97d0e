// Seeded mutation fuzzing of the local server's HTTP request handling (issue 16).
// Budget and replay: see test/fuzz/run.ts (TINYCNN_FUZZ=long for the long run).
import { expect, it } from 'vitest';
import { fuzzTimeout, MAX_HEAP_GROWTH_MB, runFuzz } from './run.js';

const CASES = 150;

it(
  'HTTP: a complete answer within 3 s, never a 500/502, JSON errors in the documented shape, no leak',
  async () => {
    const summary = await runFuzz('http', CASES, { perCaseMs: 3500 });
    expect(summary.failures, summary.failures.join('\n\n')).toEqual([]);
    expect(summary.cases).toBeGreaterThan(0);
    expect(summary.heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  },
  fuzzTimeout(CASES, 60),
);
