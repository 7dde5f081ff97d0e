// `tinycnn cost` and `tinycnn plan` through the built CLI, as a user pipes logs into them.
import { describe, expect, it } from 'vitest';
import { tinycnn } from '../helpers/cli.js';

const line = (d: number, mem: number, init = '') =>
  `REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: ${d} ms\tBilled Duration: ${Math.ceil(d)} ms\tMemory Size: ${mem} MB\tMax Memory Used: 70 MB\t${init}`;

describe('built CLI', () => {
  it('tinycnn cost reads stdin and prints JSON', () => {
    const input = [line(12.34, 128, 'Init Duration: 150.12 ms\t'), line(2.1, 128), 'garbage', ''].join('\n');
    const r = tinycnn(['cost', '--json'], { input });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 2, cold_starts: 1, malformed_lines: 1, p50_ms: 2.1, p99_ms: 12.34 });
    expect(r.stderr).toContain('malformed');
  });

  it('tinycnn plan reads the example CSV and recommends within the objective', () => {
    const r = tinycnn(['plan', 'bench/data/plan-example.csv', '--slo-ms', '10', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.recommendation.p99_ms).toBeLessThanOrEqual(10);
    expect(json.explanation).toMatch(/^For a p99 objective of 10 ms, the cheapest configuration is/);
  });

  it('tinycnn cost exits 1 with one line on a missing file', () => {
    const r = tinycnn(['cost', 'no-such-file.log']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no-such-file.log');
  });
});
