// `tinycnn loadtest --local` as a user runs it: the built CLI starts the built server, small counts.
import { describe, expect, it } from 'vitest';
import { tinycnn } from '../helpers/cli.js';

describe('tinycnn loadtest --local (built CLI and server)', () => {
  it('sweeps Kim CNN: every request ok, server split and cost reported', () => {
    const r = tinycnn(['loadtest', '--local', '--requests', '30', '--concurrency', '1,3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ local: true, model: 'kim', batch: 1, memory_mb: 1769, arch: 'x86_64' });
    expect(json.machine.cores).toBeGreaterThan(0);
    for (const level of json.levels) {
      expect(level).toMatchObject({ sent: 30, ok: 30, timeouts: 0, errors: {}, cost_basis: 'server t_overall' });
      expect(level.server.t_inference_ms).toBeGreaterThan(0);
      expect(level.server.t_overall_ms).toBeLessThan(level.latency.mean_ms);
      expect(level.cost_per_million_usd).toBeGreaterThan(0.2);
    }
  }, 60_000);

  it('prints the markdown table by default, SM pairs with batches', () => {
    const r = tinycnn(['loadtest', '--local', '--model', 'sm', '--batch', '4', '--requests', '12', '--concurrency', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('| C | tput (req/s) | mean (ms) | p50 (ms) | p99 (ms) | cost ($/1M req) | cost ($/1M inferences) |');
    expect(r.stdout).toMatch(/\| 2 \| [\d.]+ \|/);
  }, 60_000);

  it('cold protocol: a fresh server process per request, INIT from its REPORT line', () => {
    const r = tinycnn(['loadtest', '--local', '--protocol', 'cold', '--cold-count', '2', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const cold = JSON.parse(r.stdout).cold;
    expect(cold).toMatchObject({ protocol: 'cold', requests: 2, ok: 2, reported_cold_starts: 2 });
    expect(cold.init_duration.count).toBe(2);
    expect(cold.startup.p50_ms).toBeGreaterThan(cold.init_duration.p50_ms);
  }, 60_000);
});
