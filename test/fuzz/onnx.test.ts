// Seeded mutation fuzzing of the ONNX reader (issue 16).
// Budget and replay: see test/fuzz/run.ts (TINYCNN_FUZZ=long for the long run).
import { expect, it } from 'vitest';
import { fuzzTimeout, MAX_HEAP_GROWTH_MB, runFuzz } from './run.js';

const CASES = 600;

it(
  'ONNX: a ConversionError, or a weight file that loads and answers finitely; no hang',
  async () => {
    const summary = await runFuzz('onnx', CASES);
    expect(summary.failures, summary.failures.join('\n\n')).toEqual([]);
    expect(summary.cases).toBeGreaterThan(0);
    expect(summary.heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  },
  fuzzTimeout(CASES, 5),
);
