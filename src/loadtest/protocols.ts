/**
 * The two sequential protocols:
 *
 *   warm  one request discarded, then `count` requests one at a time, `intervalMs` apart
 *         (default 25, 1 s apart), on one kept-alive connection;
 *   cold  `count` requests, each to a fresh function instance: locally a new server
 *         process per request (spawn -> listening -> one request -> stop); against a URL,
 *         a shell command run before each request that forces a new execution environment
 *         (e.g. an environment-variable change), on a new connection each time.
 */
import { exec } from 'node:child_process';
import { billedDurationMs, costPerMillion, gbSeconds } from '../cost/bill.js';
import type { Arch } from '../cost/prices.js';
import { parseReportLine, type ReportRecord } from '../cost/report.js';
import { billedFor } from '../cost/summary.js';
import { round, spread } from '../cost/stats.js';
import { agentFor, type Outcome, send, type Target } from './client.js';
import { LoadTestError } from './errors.js';
import { type LocalServerOptions, startLocalServer } from './local.js';

/** Milliseconds statistics of a handful of samples (exact, not HDR). */
export interface SmallStats {
  readonly count: number;
  readonly mean_ms: number | null;
  readonly p50_ms: number | null;
  readonly p90_ms: number | null;
  readonly max_ms: number | null;
}

/** The result of a warm or cold run. */
export interface SequentialResult {
  readonly protocol: 'warm' | 'cold';
  readonly requests: number;
  readonly ok: number;
  readonly errors: Record<string, number>;
  /** Round trip of the successful requests. */
  readonly latency: SmallStats;
  readonly server: { readonly t_overall: SmallStats; readonly t_sent_embedding: SmallStats; readonly t_inference: SmallStats };
  /** Answers whose body said cold_start: true. */
  readonly reported_cold_starts: number;
  /** Cold, local: spawn -> `listening on` (process start, imports, INIT). */
  readonly startup: SmallStats | null;
  /** Cold, local: startup + the first request: what a caller waits for. */
  readonly cold_total: SmallStats | null;
  /** Cold, local: the server's REPORT Init Duration. */
  readonly init_duration: SmallStats | null;
  readonly billed_mean_ms: number | null;
  readonly cost_per_million_usd: number | null;
  readonly notes: string[];
}

/** Options shared by both protocols. */
export interface SequentialOptions {
  /** The endpoint (remote, or the warm local server); for cold local runs only the path is used. */
  readonly target: Omit<Target, 'agent'>;
  readonly payloads: readonly string[];
  /** Requests measured. */
  readonly count: number;
  /** Memory and architecture the durations are priced at. */
  readonly memoryMb: number;
  readonly arch: Arch;
}

function small(values: number[]): SmallStats {
  const s = spread(values);
  return { count: s.count, mean_ms: round(s.mean), p50_ms: round(s.p50), p90_ms: round(s.p90), max_ms: round(s.max) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Collects outcomes into a {@link SequentialResult}. `billed` holds billed ms per successful request. */
function summarizeRun(
  protocol: 'warm' | 'cold',
  outcomes: Outcome[],
  billed: number[],
  options: SequentialOptions,
  extra: Partial<SequentialResult>,
): SequentialResult {
  const good = outcomes.filter((o) => o.ok);
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (!o.ok) errors[o.errorKind ?? 'error'] = (errors[o.errorKind ?? 'error'] ?? 0) + 1;
  const pick = (f: (o: Outcome) => number | undefined) => good.map(f).filter((v): v is number => v !== undefined);
  const meanBilled = billed.length === 0 ? null : billed.reduce((a, b) => a + b, 0) / billed.length;
  return {
    protocol,
    requests: outcomes.length,
    ok: good.length,
    errors,
    latency: small(good.map((o) => o.latencyMs)),
    server: {
      t_overall: small(pick((o) => o.timings?.overallMs)),
      t_sent_embedding: small(pick((o) => o.timings?.embeddingMs)),
      t_inference: small(pick((o) => o.timings?.inferenceMs)),
    },
    reported_cold_starts: good.filter((o) => o.timings?.coldStart === true).length,
    startup: null,
    cold_total: null,
    init_duration: null,
    billed_mean_ms: round(meanBilled ?? NaN),
    cost_per_million_usd:
      meanBilled === null ? null : round(costPerMillion({ gbSecondsPerRequest: gbSeconds(meanBilled, options.memoryMb), arch: options.arch }).totalUsd, 6),
    notes: [],
    ...extra,
  };
}

/** Warm protocol: one discarded request, then `count` sequential ones `intervalMs` apart. */
export async function runWarm(
  /** Target, data, count, pricing. */
  options: SequentialOptions,
  /** Gap between request starts, ms (default 1000). */
  intervalMs = 1000,
): Promise<SequentialResult> {
  const agent = agentFor(options.target.url, 1);
  const target: Target = { ...options.target, agent };
  try {
    await send(target, options.payloads[0]);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < options.count; i++) {
      const started = performance.now();
      outcomes.push(await send(target, options.payloads[(i + 1) % options.payloads.length]));
      if (i + 1 < options.count) await sleep(Math.max(0, intervalMs - (performance.now() - started)));
    }
    const billed = outcomes.filter((o) => o.ok).map((o) => billedDurationMs(o.timings?.overallMs ?? o.latencyMs));
    return summarizeRun('warm', outcomes, billed, options, { notes: [`1 request discarded, then ${options.count} one at a time, ${intervalMs} ms apart`] });
  } finally {
    agent.destroy();
  }
}

/** Cold protocol, locally: a fresh server process per request. */
export async function runColdLocal(
  /** Data, count, pricing (target.url's path is used on each fresh server). */
  options: SequentialOptions,
  /** How to start the server. */
  server: LocalServerOptions,
): Promise<SequentialResult> {
  const outcomes: Outcome[] = [];
  const startups: number[] = [];
  const totals: number[] = [];
  const inits: number[] = [];
  const billed: number[] = [];
  for (let i = 0; i < options.count; i++) {
    const proc = await startLocalServer(server);
    try {
      const url = new URL(options.target.url.pathname, proc.url);
      const agent = agentFor(url, 1, false);
      const outcome = await send({ ...options.target, url, agent }, options.payloads[i % options.payloads.length]);
      agent.destroy();
      outcomes.push(outcome);
      startups.push(proc.startupMs);
      if (outcome.ok) totals.push(proc.startupMs + outcome.latencyMs);
      await sleep(20); // let the REPORT line reach us
      const report = lastReport(proc.lines);
      if (report?.initDurationMs !== undefined) inits.push(report.initDurationMs);
      if (outcome.ok) billed.push(report === undefined ? billedDurationMs(outcome.timings?.overallMs ?? outcome.latencyMs) : billedFor(report).ms);
    } finally {
      await proc.stop();
    }
  }
  return summarizeRun('cold', outcomes, billed, options, {
    startup: small(startups),
    cold_total: small(totals),
    init_duration: inits.length === 0 ? null : small(inits),
    notes: [`a new server process per request (${options.count}); billed = ceil(Duration + Init Duration) from its REPORT line (INIT is billed)`],
  });
}

function lastReport(lines: readonly string[]): ReportRecord | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const r = parseReportLine(lines[i], i + 1);
    if (r.kind === 'report') return r.record;
  }
  return undefined;
}

/** Cold protocol against a URL: `between` (a shell command forcing a new execution environment) before each request. */
export async function runColdRemote(
  /** Target, data, count, pricing. */
  options: SequentialOptions,
  /** Shell command run before each request, e.g. an `aws lambda update-function-configuration` that changes an environment variable. */
  between: string,
  /** Longest the command may take, ms. */
  commandTimeoutMs = 120_000,
): Promise<SequentialResult> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < options.count; i++) {
    await new Promise<void>((resolve, reject) =>
      exec(between, { timeout: commandTimeoutMs, env: { ...process.env, TINYCNN_COLD_RUN: String(i) } }, (error, _out, stderr) =>
        error === null ? resolve() : reject(new LoadTestError(`--between command failed (${error.message.split('\n')[0]}): ${stderr.slice(-500)}`)),
      ),
    );
    const agent = agentFor(options.target.url, 1, false);
    outcomes.push(await send({ ...options.target, agent }, options.payloads[i % options.payloads.length]));
    agent.destroy();
  }
  const billed = outcomes.filter((o) => o.ok).map((o) => billedDurationMs(o.timings?.overallMs ?? o.latencyMs));
  const result = summarizeRun('cold', outcomes, billed, options, {
    notes: [
      `"${between}" before each of ${options.count} requests, each on a new connection; the round trip includes the new environment's INIT`,
      'cost here is from t_overall only: INIT is billed too, so price cold starts from their CloudWatch REPORT lines with tinycnn cost',
    ],
  });
  if (result.reported_cold_starts < result.ok)
    result.notes.push(`only ${result.reported_cold_starts} of ${result.ok} answers said cold_start: true — the command may not force a new environment`);
  return result;
}
