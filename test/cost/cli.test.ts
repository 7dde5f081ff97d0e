// `tinycnn cost` and `tinycnn plan` end to end: the --json shapes, usage errors, stdin, and the chart files.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCost } from '../../src/cli/cost.js';
import { runPlan } from '../../src/cli/plan.js';
import { CostInputError } from '../../src/cost/errors.js';
import { readReportLog } from '../../src/cost/read.js';

const dir = mkdtempSync(join(tmpdir(), 'tinycnn-cost-'));
const ID = '3604209a-e9a3-11e6-939a-754dd98c7be3';
const report = (d: number, mem: number, init?: number) =>
  `REPORT RequestId: ${ID}\tDuration: ${d.toFixed(2)} ms\tBilled Duration: ${Math.ceil(d)} ms\tMemory Size: ${mem} MB\tMax Memory Used: 70 MB\t${init === undefined ? '' : `Init Duration: ${init.toFixed(2)} ms\t`}`;

/** Runs a command and returns its exit code and what it printed on stdout and stderr. */
async function capture(run: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await run();
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('tinycnn cost', () => {
  const file = join(dir, 'kim.log');
  writeFileSync(
    file,
    [`START RequestId: ${ID} Version: $LATEST`, report(12.34, 128, 150.12), report(2.1, 128), report(2.5, 128), 'not a report', ''].join('\n'),
  );

  it('--json has the documented fields', async () => {
    const { code, stdout } = await capture(() => runCost([file, '--json', '--arch', 'arm64']));
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ requests: 3, cold_starts: 1, malformed_lines: 1, other_lines: 1, arch: 'arm64', p50_ms: 2.5, p99_ms: 12.34 });
    for (const key of ['requests', 'cold_starts', 'p50_ms', 'p99_ms', 'cost_per_million_usd', 'malformed_lines']) expect(json).toHaveProperty(key);
    // Billed: 163 (INIT added) + 3 + 3 = 169 ms at 128 MB -> 169/3/1000 x 0.125 x 0.0000133334 x 1e6 + 0.20
    expect(json.cost_per_million_usd).toBeCloseTo((169 / 3 / 1000) * 0.125 * 0.0000133334 * 1e6 + 0.2, 6);
  });

  it('prints a readable summary', async () => {
    const { code, stdout, stderr } = await capture(() => runCost([file]));
    expect(code).toBe(0);
    expect(stdout).toMatch(/p50 2\.50 ms/);
    // (163 + 3 + 3) / 3 ms x 0.125 GB x 0.0000166667 x 1e6 / 1000 + 0.20 = 0.1174 + 0.20
    expect(stdout).toMatch(/cost per 1M\s+\$0\.3174/);
    expect(stderr).toMatch(/skipped 1 malformed/);
  });

  it('reads stdin line by line', async () => {
    const log = await readReportLog('-', Readable.from([report(1, 256).slice(0, 40), `${report(1, 256).slice(40)}\n`, report(2, 256)]));
    expect(log.records.map((r) => r.durationMs)).toEqual([1, 2]);
  });

  it('exits 2 on a bad flag, and throws a typed error on a missing file', async () => {
    expect((await capture(() => runCost(['--arch', 'mips', file]))).code).toBe(2);
    expect((await capture(() => runCost(['--bogus']))).code).toBe(2);
    await expect(capture(() => runCost([join(dir, 'missing.log')]))).rejects.toBeInstanceOf(CostInputError);
  });

  it('does not crash on an empty or binary file', async () => {
    const empty = join(dir, 'empty.log');
    writeFileSync(empty, '');
    const bin = join(dir, 'bin.log');
    writeFileSync(bin, Buffer.from([0, 1, 2, 255, 10, 13, 10, 0xc3]));
    for (const f of [empty, bin]) {
      const { code, stdout } = await capture(() => runCost([f, '--json']));
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ requests: 0, cost_per_million_usd: null });
    }
  });
});

describe('tinycnn plan', () => {
  const runs = join(dir, 'runs.json');
  const grid = [];
  for (const arch of ['x86_64', 'arm64']) {
    for (const batch of [1, 8]) {
      for (const memory_mb of [128, 512, 1024, 2048]) {
        const p50 = ((0.5 + batch) * (arch === 'arm64' ? 1.1 : 1) * 1769) / Math.min(memory_mb, 1769);
        grid.push({ arch, memory_mb, batch, p50_ms: p50, p99_ms: p50 * 1.4 });
      }
    }
  }
  writeFileSync(runs, JSON.stringify(grid));

  it('--json has the recommendation, the explanation and every row', async () => {
    const { code, stdout } = await capture(() => runPlan(['--input', runs, '--slo-ms', '30', '--json']));
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.configurations).toBe(16);
    expect(json.slo_ms).toBe(30);
    expect(json.recommendation).toMatchObject({ batch: 8 });
    expect(json.recommendation.p99_ms).toBeLessThanOrEqual(30);
    for (const key of ['arch', 'memory_mb', 'batch', 'p50_ms', 'p99_ms', 'cost_per_million_inferences_usd', 'relative_cost'])
      expect(json.recommendation).toHaveProperty(key);
    expect(typeof json.explanation).toBe('string');
    expect(json.rows).toHaveLength(16);
    expect(json.memory_pays_off).toHaveLength(4);
    expect(json.charts).toEqual([]);
  });

  it('exits 2 without inputs or with a bad --slo-ms', async () => {
    expect((await capture(() => runPlan([]))).code).toBe(2);
    expect((await capture(() => runPlan([runs, '--slo-ms', 'fast']))).code).toBe(2);
  });

  it('writes SVG and PNG charts with titles, axis titles and legends', async () => {
    const out = join(dir, 'charts');
    const { code, stdout } = await capture(() => runPlan([runs, '--slo-ms', '30', '--charts', out]));
    expect(code).toBe(0);
    expect(stdout).toContain('Recommendation:');
    const names = ['plan-cost-vs-memory', 'plan-relative-cost', 'plan-p99-vs-memory', 'plan-throughput-vs-batch'];
    for (const name of names) {
      const svg = readFileSync(join(out, `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      const png = readFileSync(join(out, `${name}.png`));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.length).toBeGreaterThan(20_000);
    }
    const cost = readFileSync(join(out, 'plan-cost-vs-memory.svg'), 'utf8');
    for (const text of ['Cost per million inferences vs memory', 'Memory (MB, log scale)', 'Cost per 1M inferences (USD)', 'Architecture', 'arm64'])
      expect(cost).toContain(text);
  }, 60_000);
});
