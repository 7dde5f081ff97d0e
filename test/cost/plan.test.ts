// The planner on a synthetic grid whose best answer is worked out by hand, and its input formats.
import { describe, expect, it } from 'vitest';
import { explainPlan } from '../../src/cost/explain.js';
import { plan } from '../../src/cost/plan.js';
import { type Measurement, parseRuns, tagsFromName } from '../../src/cost/runs.js';

/** A measurement with just the fields the grid needs (latency for costs = p50, billed = ceil(p50)). */
function m(arch: 'x86_64' | 'arm64', memoryMb: number, batch: number, p50Ms: number, p99Ms: number): Measurement {
  return {
    arch,
    memoryMb,
    batch,
    p50Ms,
    p99Ms,
    meanMs: undefined,
    billedMs: undefined,
    requests: undefined,
    coldStarts: undefined,
    source: `${arch}/${memoryMb}/${batch}`,
  };
}

// Costs per 1M inferences, by hand (GB = MB / 1024; request charge $0.20 per 1M requests, shared by `batch` sentences):
//   arm64 b4  256 MB: 30 ms x 0.25 GB x 0.0000133334 = 1.000005e-7 + 2e-7 = 3.000005e-7 / 4 -> $0.07500013  (p99 45: misses 25 ms)
//   arm64 b4  512 MB: 15 ms x 0.5  GB x 0.0000133334 = 1.000005e-7 + 2e-7 = 3.000005e-7 / 4 -> $0.07500013  <- the answer
//   arm64 b4 1024 MB:  8 ms x 1    GB x 0.0000133334 = 1.066672e-7 + 2e-7 = 3.066672e-7 / 4 -> $0.0766668 (+2.2%)
//   arm64 b4 2048 MB:  8 ms x 2    GB x 0.0000133334 = 2.133344e-7 + 2e-7                  / 4 -> $0.1033336
//   x86_64 b1 256/512/1024 MB: 8x0.25 = 4x0.5 = 2x1 = 0.002 GB-s x 0.0000166667 = 3.33334e-8 + 2e-7 -> $0.2333334 (tie: lowest p99 wins -> 1024 MB)
//   x86_64 b1 2048 MB: 2 ms x 2 GB -> 6.66668e-8 + 2e-7 -> $0.2666668
const GRID: Measurement[] = [
  m('x86_64', 256, 1, 8, 12),
  m('x86_64', 512, 1, 4, 6),
  m('x86_64', 1024, 1, 2, 3),
  m('x86_64', 2048, 1, 1.9, 2.8),
  m('arm64', 256, 1, 9, 13),
  m('arm64', 512, 1, 4.5, 6.5),
  m('arm64', 1024, 1, 2.3, 3.5),
  m('arm64', 2048, 1, 2.2, 3.3),
  m('arm64', 256, 4, 30, 45),
  m('arm64', 512, 4, 15, 22),
  m('arm64', 1024, 4, 8, 11),
  m('arm64', 2048, 4, 7.8, 10.5),
];

describe('plan on a synthetic grid', () => {
  const p = plan(GRID, { sloMs: 25 });

  it('recommends the cheapest configuration per inference whose p99 meets the objective', () => {
    expect(p.recommended).toMatchObject({ arch: 'arm64', memoryMb: 512, batch: 4 });
    expect(p.recommended?.costPerMillionInferencesUsd).toBeCloseTo(0.075000125, 9);
    expect(p.meeting).toBe(11); // all but arm64 256 MB batch 4
  });

  it('breaks cost ties by p99: the best x86_64 option is 1024 MB', () => {
    expect(p.bestOtherArch).toMatchObject({ arch: 'x86_64', memoryMb: 1024, batch: 1 });
    expect(p.bestOtherArch?.costPerMillionInferencesUsd).toBeCloseTo(0.2333334, 7);
  });

  it('computes the All-You-Can-Inference relative cost against 2 GB', () => {
    const row = p.rows.find((r) => r.arch === 'arm64' && r.memoryMb === 512 && r.batch === 4);
    // (512 / 2048) x 15 / 7.8 = 0.25 x 1.9230769 = 0.4807692
    expect(row?.relativeCost).toBeCloseTo(0.4807692, 6);
    expect(p.rows.filter((r) => r.memoryMb === 2048).every((r) => r.relativeCost === 1)).toBe(true);
  });

  it('finds where more memory stops paying off', () => {
    const g = p.groups.find((x) => x.arch === 'arm64' && x.batch === 4);
    expect(g?.cheapestMemoryMb).toBe(512); // 256 and 512 tie; the larger, faster one wins
    expect(g?.paysOffUpToMb).toBe(512); // 512 -> 1024 raises the cost per inference 2.2% (> 2%)
    expect(g?.stepBeyond?.toMb).toBe(1024);
    expect(g?.stepBeyond?.latencyChange).toBeCloseTo(8 / 15 - 1, 9);
    expect(g?.stepBeyond?.costChange).toBeCloseTo(0.0766668 / 0.075000125 - 1, 5);
    expect(g?.latencyFloorMemoryMb).toBe(1024); // 8 ms is within 5% of the best, 7.8 ms
  });

  it('explains the choice in one paragraph', () => {
    const text = explainPlan(p);
    expect(text).toContain('arm64 with 512 MB and batches of 4 sentences');
    expect(text).toContain('$0.0750 per million inferences');
    expect(text).toContain('The best x86_64 option (1024 MB, batch 1)');
    expect(text).toContain('more memory pays for itself up to 512 MB');
    expect(text).not.toContain('\n');
  });

  it('says so when no configuration meets the objective, and names the fastest', () => {
    const none = plan(GRID, { sloMs: 1 });
    expect(none.recommended).toBeNull();
    expect(none.fastest).toMatchObject({ arch: 'x86_64', memoryMb: 2048 });
    expect(explainPlan(none)).toMatch(/^No measured configuration meets the p99 objective of 1 ms/);
  });

  it('without an objective recommends the cheapest overall', () => {
    expect(plan(GRID).recommended).toMatchObject({ arch: 'arm64', memoryMb: 512, batch: 4 });
  });

  it('uses the measured size nearest 2 GB as reference when 2 GB is missing', () => {
    const q = plan([m('x86_64', 512, 1, 4, 5), m('x86_64', 1024, 1, 2, 3), m('x86_64', 3008, 1, 1, 2)]);
    expect(q.rows.every((r) => r.referenceMemoryMb === 3008)).toBe(true);
  });

  it('rejects a configuration measured twice', () => {
    expect(() => plan([m('x86_64', 512, 1, 4, 5), m('x86_64', 512, 1, 4, 6)])).toThrow(/again/);
  });
});

describe('planner inputs', () => {
  it('reads a JSON list and {"runs": [...]}', () => {
    const list = parseRuns('[{"arch":"arm64","memory_mb":1024,"batch":8,"p50_ms":9.1,"p99_ms":14.2,"mean_ms":9.6}]', 'runs.json');
    expect(list[0]).toMatchObject({ arch: 'arm64', memoryMb: 1024, batch: 8, p50Ms: 9.1, p99Ms: 14.2, meanMs: 9.6 });
    expect(parseRuns('{"runs":[{"arch":"x86","memory_mb":512,"p50_ms":1,"p99_ms":2}]}', 'r.json')[0]).toMatchObject({ arch: 'x86_64', batch: 1 });
  });

  it('reads a CSV with a header', () => {
    const rows = parseRuns('# local runs\narch,memory_mb,batch,p50_ms,p99_ms\nx86_64,128,1,20.5,30\narm64,256,4,11,15\n', 'runs.csv');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ arch: 'arm64', memoryMb: 256, batch: 4, p50Ms: 11, p99Ms: 15 });
  });

  it('reads REPORT logs, grouped by memory, tagged by file name or flag', () => {
    const line = (d: number, mem: number) =>
      `REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: ${d} ms\tBilled Duration: ${Math.ceil(d)} ms\tMemory Size: ${mem} MB\tMax Memory Used: 70 MB\t`;
    const log = [line(2.5, 512), line(3.5, 512), line(1.2, 1024), 'junk'].join('\n');
    const rows = parseRuns(log, 'logs/kim-arm64-b8.log');
    expect(rows.map((r) => [r.arch, r.memoryMb, r.batch, r.requests])).toEqual([
      ['arm64', 512, 8, 2],
      ['arm64', 1024, 8, 1],
    ]);
    expect(rows[0].billedMs).toBe(3.5); // mean of 3 and 4
    expect(parseRuns(log, 'kim-arm64-b8.log', { arch: 'x86_64', batch: 2 })[0]).toMatchObject({ arch: 'x86_64', batch: 2 });
  });

  it('reads tags from file names', () => {
    expect(tagsFromName('kim-x86_64-batch16.log')).toEqual({ arch: 'x86_64', batch: 16 });
    expect(tagsFromName('/tmp/sm_arm_b4.txt')).toEqual({ arch: 'arm64', batch: 4 });
    expect(tagsFromName('run-graviton2-bs-32.log')).toEqual({ arch: 'arm64', batch: 32 });
    expect(tagsFromName('lambda-1024mb.log')).toEqual({ arch: undefined, batch: undefined });
  });

  it.each([
    ['[{"arch":"x86_64","p50_ms":1,"p99_ms":2}]', /needs "memory_mb"/],
    ['[{"arch":"sparc","memory_mb":128,"p50_ms":1,"p99_ms":2}]', /"arch" must be x86_64 or arm64/],
    ['[{"memory_mb":128,"p50_ms":1,"p99_ms":2}]', /needs "arch"/],
    ['[{"arch":"arm64","memory_mb":128,"p50_ms":3,"p99_ms":2}]', /below p50_ms/],
    ['[{"arch":"arm64","memory_mb":-5,"p50_ms":1,"p99_ms":2}]', /positive number/],
    ['[1, 2', /not valid JSON/],
    ['arch,memory_mb,p50_ms,p99_ms\nx86_64,128,1', /cells/],
    ['nothing useful here', /no REPORT lines/],
  ])('rejects bad input %#', (text, message) => {
    expect(() => parseRuns(text, 'in.txt')).toThrow(message);
  });
});
