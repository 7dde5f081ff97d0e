/**
 * The closed loop: C workers, each sending its next request as soon as its
 * last one finished, so at most C requests are in flight. One level runs for
 * a request count or a duration; the sweep runs the levels one after another.
 */
import { billedDurationMs, costPerMillion, gbSeconds } from '../cost/bill.js';
import type { Arch } from '../cost/prices.js';
import { agentFor, type Outcome, send, type Target } from './client.js';
import { LatencyHistogram, loadHistogramLibrary, type LatencyStats } from './histogram.js';

/** How one level runs and is priced. */
export interface LevelOptions {
  /** The endpoint (the agent is replaced per level). */
  readonly target: Omit<Target, 'agent'>;
  /** JSON bodies, sent round-robin. */
  readonly payloads: readonly string[];
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** Stop after this many requests (default 200 when no duration is given). */
  readonly requests?: number | undefined;
  /** Or stop starting requests after this many seconds (in-flight ones finish or time out). */
  readonly durationS?: number | undefined;
  /** Sentences per request, for the cost per 1M inferences. */
  readonly batch: number;
  /** Memory size the durations are priced at, MB. */
  readonly memoryMb: number;
  /** Architecture they are priced at. */
  readonly arch: Arch;
}

/** Means of the server-side split, ms (null when the answers carry no timings). */
export interface ServerSplit {
  readonly t_overall_ms: number | null;
  readonly t_sent_embedding_ms: number | null;
  readonly t_inference_ms: number | null;
}

/** The result of one concurrency level. Latencies in ms are of successful requests. */
export interface LevelResult {
  readonly concurrency: number;
  readonly sent: number;
  readonly ok: number;
  /** Failures by kind: 'timeout', 'http_500', 'ECONNREFUSED', 'bad_body', ... */
  readonly errors: Record<string, number>;
  readonly timeouts: number;
  readonly elapsed_s: number;
  /** Successful requests per second. */
  readonly throughput_rps: number;
  /** Sentences (pairs) per second: throughput x batch. */
  readonly inferences_per_s: number;
  readonly latency: LatencyStats;
  readonly server: ServerSplit;
  /** Mean billed ms per request: ceil(server t_overall) when the answers carry it, else ceil(round trip). */
  readonly billed_mean_ms: number | null;
  readonly cost_basis: 'server t_overall' | 'client round trip' | 'none';
  readonly cost_per_million_usd: number | null;
  readonly cost_per_million_inferences_usd: number | null;
}

/** Runs one concurrency level to completion. */
export async function runLevel(options: LevelOptions): Promise<LevelResult> {
  await loadHistogramLibrary();
  const { concurrency, payloads } = options;
  const limit = options.durationS === undefined ? (options.requests ?? 200) : Infinity;
  const deadline = options.durationS === undefined ? Infinity : performance.now() + options.durationS * 1000;
  const agent = agentFor(options.target.url, concurrency);
  const target: Target = { ...options.target, agent };
  const latency = new LatencyHistogram();
  const errors: Record<string, number> = {};
  const split = { overall: new Mean(), embedding: new Mean(), inference: new Mean() };
  const billed = new Mean();
  let serverTimed = 0;
  let issued = 0;
  let ok = 0;

  const record = (o: Outcome) => {
    if (!o.ok) {
      const kind = o.errorKind ?? 'error';
      errors[kind] = (errors[kind] ?? 0) + 1;
      return;
    }
    ok++;
    latency.record(o.latencyMs);
    const t = o.timings;
    if (t?.overallMs !== undefined) serverTimed++;
    split.overall.add(t?.overallMs);
    split.embedding.add(t?.embeddingMs);
    split.inference.add(t?.inferenceMs);
    billed.add(billedDurationMs(t?.overallMs ?? o.latencyMs));
  };
  const worker = async () => {
    while (issued < limit && performance.now() < deadline) {
      const body = payloads[issued % payloads.length];
      issued++;
      record(await send(target, body));
    }
  };

  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();

  const meanBilled = billed.value();
  const perRequest = meanBilled === null ? null : costPerMillion({ gbSecondsPerRequest: gbSeconds(meanBilled, options.memoryMb), arch: options.arch }).totalUsd;
  const round = (v: number | null, d = 3) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);
  return {
    concurrency,
    sent: issued,
    ok,
    errors,
    timeouts: errors.timeout ?? 0,
    elapsed_s: round(elapsedS) ?? 0,
    throughput_rps: round(ok / elapsedS, 2) ?? 0,
    inferences_per_s: round((ok * options.batch) / elapsedS, 2) ?? 0,
    latency: latency.stats(),
    server: { t_overall_ms: round(split.overall.value()), t_sent_embedding_ms: round(split.embedding.value()), t_inference_ms: round(split.inference.value()) },
    billed_mean_ms: round(meanBilled),
    cost_basis: ok === 0 ? 'none' : serverTimed === ok ? 'server t_overall' : 'client round trip',
    cost_per_million_usd: round(perRequest, 6),
    cost_per_million_inferences_usd: perRequest === null ? null : round(perRequest / options.batch, 6),
  };
}

/** Runs the levels one after another. */
export async function runSweep(
  /** Everything but the concurrency. */
  options: Omit<LevelOptions, 'concurrency'>,
  /** The concurrency levels, e.g. [5, 10, 20, 30]. */
  levels: readonly number[],
  /** Called after each level (progress on stderr). */
  onLevel: (result: LevelResult) => void = () => {},
): Promise<LevelResult[]> {
  const results: LevelResult[] = [];
  for (const concurrency of levels) {
    const result = await runLevel({ ...options, concurrency });
    onLevel(result);
    results.push(result);
  }
  return results;
}

/** A running mean that ignores undefined values. */
class Mean {
  private sum = 0;
  private n = 0;
  add(v: number | undefined): void {
    if (v === undefined || !Number.isFinite(v)) return;
    this.sum += v;
    this.n++;
  }
  value(): number | null {
    return this.n === 0 ? null : this.sum / this.n;
  }
}
