/**
 * Runs one fuzz target in a worker thread with a watchdog and a memory cap, and returns what
 * happened. Budgets (cases per target) come from the environment:
 *
 *   (unset)                 the target's small default: a few seconds, run by `npm test`
 *   TINYCNN_FUZZ=long       50 x the default (minutes per target)
 *   TINYCNN_FUZZ=N          N cases per target
 *   TINYCNN_FUZZ_SEED=S     another seed (default 16); each case has its own stream (seed, index)
 *   TINYCNN_FUZZ_ONLY=I     just case I (to replay a failure: the report prints the command)
 *
 * A case fails when it throws anything but a TinyCnnError, breaks a property of its target, takes
 * longer than perCaseMs, stops reporting progress for stallMs (the worker is then terminated: a
 * hang), or the worker runs out of its memory cap; a run fails when its live heap (after a full
 * GC) grows by more than MAX_HEAP_GROWTH_MB from the end of the warm-up to the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bundleForTest } from '../helpers/bundle.js';
import type { WorkerData, WorkerMessage } from './worker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface FuzzSummary {
  target: string;
  seed: number;
  cases: number;
  outcomes: Record<string, number>;
  failures: string[];
  ms: number;
  maxCaseMs: number;
  maxHeapMb: number;
  maxArrayBuffersMb: number;
  /** Live heap after the run minus live heap after the warm-up (both after a full GC). */
  heapGrowthMb: number;
}

/** Cases, seed and first case for this run of a target whose small budget is `defaultCases`. */
export function budget(defaultCases: number): { seed: number; from: number; count: number; long: boolean } {
  const env = process.env.TINYCNN_FUZZ ?? '';
  const seed = Number.parseInt(process.env.TINYCNN_FUZZ_SEED ?? '16', 10);
  const only = process.env.TINYCNN_FUZZ_ONLY;
  if (only !== undefined && only !== '') return { seed, from: Number.parseInt(only, 10), count: 1, long: false };
  const count = env === 'long' ? 50 * defaultCases : /^\d+$/.test(env) ? Number.parseInt(env, 10) : defaultCases;
  return { seed, from: 0, count, long: count > defaultCases };
}

/** The worker and the targets bundled into one file (inside the repo, so packages resolve); the caller removes it. */
function workerBundle(): Promise<string> {
  return bundleForTest('test/fuzz/worker.ts', `fuzz-worker-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/**
 * Runs a target's cases.
 * @param target a key of TARGETS (test/fuzz/targets/index.ts)
 * @param defaultCases the small budget
 * @param limits per-case time limit, stall limit and worker heap cap
 */
export async function runFuzz(
  target: string,
  defaultCases: number,
  limits: { perCaseMs?: number; stallMs?: number; heapMb?: number } = {},
): Promise<FuzzSummary> {
  const { seed, from, count } = budget(defaultCases);
  const tmp = mkdtempSync(join(tmpdir(), `tinycnn-fuzz-${target}-`));
  const data: WorkerData = {
    target,
    seed,
    from,
    count,
    root: ROOT,
    tmp,
    perCaseMs: limits.perCaseMs ?? 2000,
    failuresDir: join(tmpdir(), 'tinycnn-fuzz-failures'),
  };
  const start = performance.now();
  const summary: FuzzSummary = { target, seed, cases: 0, outcomes: {}, failures: [], ms: 0, maxCaseMs: 0, maxHeapMb: 0, maxArrayBuffersMb: 0, heapGrowthMb: 0 };
  const replay = (index: number) => `TINYCNN_FUZZ_SEED=${seed} TINYCNN_FUZZ_ONLY=${index} npx vitest run test/fuzz/${target}.test.ts`;
  const bundle = await workerBundle();
  try {
    const worker = new Worker(bundle, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: limits.heapMb ?? 512, maxYoungGenerationSizeMb: 64 } });
    await new Promise<void>((resolve) => {
      let current = -1;
      let finished = false;
      let lastProgress = performance.now();
      const stallMs = limits.stallMs ?? 30_000;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        resolve();
      };
      const watchdog = setInterval(() => {
        if (performance.now() - lastProgress < stallMs) return;
        summary.failures.push(`case ${current} hung (no progress for ${stallMs} ms; worker terminated): replay with ${replay(current)}`);
        void worker.terminate().then(finish);
      }, 250);
      worker.on('message', (message: WorkerMessage) => {
        lastProgress = performance.now();
        if (message.type === 'case') {
          current = message.index;
          summary.cases++;
        } else if (message.type === 'failure') {
          summary.failures.push(
            `case ${message.index}: ${message.message}\n  mutations: ${message.ops.join('; ')}\n  input: ${message.file}\n  replay: ${replay(message.index)}`,
          );
        } else if (message.type === 'done') {
          Object.assign(summary, {
            outcomes: message.outcomes,
            maxCaseMs: message.maxCaseMs,
            maxHeapMb: message.maxHeapMb,
            maxArrayBuffersMb: message.maxArrayBuffersMb,
            heapGrowthMb: message.heapGrowthMb,
          });
          void worker.terminate().then(finish);
        }
      });
      worker.on('error', (error) => {
        summary.failures.push(
          `case ${current}: the worker died (${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}): replay with ${replay(current)}`,
        );
        finish();
      });
      worker.on('exit', finish);
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(bundle, { force: true });
  }
  summary.ms = performance.now() - start;
  const outcomes = Object.entries(summary.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `fuzz ${target}: ${summary.cases} cases (seed ${seed}) in ${(summary.ms / 1000).toFixed(1)} s: ${outcomes}; ` +
      `slowest case ${summary.maxCaseMs.toFixed(0)} ms, heap <= ${summary.maxHeapMb.toFixed(0)} MB (live heap ${summary.heapGrowthMb >= 0 ? '+' : ''}${summary.heapGrowthMb.toFixed(1)} MB after warm-up), array buffers <= ${summary.maxArrayBuffersMb.toFixed(0)} MB`,
  );
  return summary;
}

/** Most live-heap growth over a run (a leak detector: caches are full after the warm-up). */
export const MAX_HEAP_GROWTH_MB = 16;

/** The vitest timeout for a run: generous, since cases are counted, not timed. */
export function fuzzTimeout(defaultCases: number, msPerCase: number): number {
  return Math.max(60_000, budget(defaultCases).count * msPerCase * 4 + 30_000);
}
