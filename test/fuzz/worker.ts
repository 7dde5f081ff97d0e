/**
 * The fuzz worker (a worker thread, so the runner can stop a case that hangs and cap its memory):
 * runs cases [from, from + count) of one target and reports each case's start, its outcome, and any
 * failure with the input written to a file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { caseRng } from './random.js';
import { FuzzFailure, type FuzzTarget } from './target.js';
import { TARGETS } from './targets/index.js';

export interface WorkerData {
  target: string;
  seed: number;
  from: number;
  count: number;
  root: string;
  tmp: string;
  /** A case that takes longer fails (it finished, but slowly: a near-hang). */
  perCaseMs: number;
  /** Where failing inputs are written. */
  failuresDir: string;
}

export type WorkerMessage =
  | { type: 'ready'; setupMs: number }
  | { type: 'case'; index: number }
  | { type: 'failure'; index: number; message: string; ops: string[]; file: string }
  | { type: 'done'; outcomes: Record<string, number>; maxCaseMs: number; maxHeapMb: number; maxArrayBuffersMb: number; heapGrowthMb: number };

const data = workerData as WorkerData;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

/** A full garbage collection, so heap figures before and after the run compare live memory only. */
const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

async function main(): Promise<void> {
  const target = TARGETS[data.target] as FuzzTarget<unknown, unknown>;
  const t0 = performance.now();
  const context = await target.setup({ root: data.root, tmp: data.tmp });
  post({ type: 'ready', setupMs: performance.now() - t0 });
  const outcomes: Record<string, number> = {};
  let maxCaseMs = 0;
  let maxHeap = 0;
  let maxArrayBuffers = 0;
  let failures = 0;
  const warmUp = data.from + Math.min(50, Math.floor(data.count / 10)); // caches filled, code compiled
  let baseline: number | undefined;
  for (let index = data.from; index < data.from + data.count && failures < 5; index++) {
    if (index === warmUp) baseline = liveHeap();
    post({ type: 'case', index });
    let input: unknown;
    let ops: string[] = [];
    const start = performance.now();
    let problem: string | undefined;
    try {
      ({ input, ops } = target.make(context, caseRng(data.seed, index)));
      const outcome = await target.check(context, input);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      problem = error instanceof FuzzFailure ? error.message : `untyped ${(error as Error)?.stack ?? String(error)}`;
    }
    const ms = performance.now() - start;
    maxCaseMs = Math.max(maxCaseMs, ms);
    if (problem === undefined && ms > data.perCaseMs) problem = `took ${ms.toFixed(0)} ms (limit ${data.perCaseMs} ms)`;
    if (problem !== undefined) {
      failures++;
      mkdirSync(data.failuresDir, { recursive: true });
      const file = join(data.failuresDir, `${data.target}-seed${data.seed}-case${index}.bin`);
      if (input !== undefined) writeFileSync(file, target.save(input));
      post({ type: 'failure', index, message: problem, ops, file });
    }
    if (index % 16 === 0) {
      const memory = process.memoryUsage();
      maxHeap = Math.max(maxHeap, memory.heapUsed);
      maxArrayBuffers = Math.max(maxArrayBuffers, memory.arrayBuffers);
    }
  }
  const heapGrowthMb = baseline === undefined ? 0 : (liveHeap() - baseline) / 2 ** 20;
  await target.teardown?.(context);
  post({ type: 'done', outcomes, maxCaseMs, maxHeapMb: maxHeap / 2 ** 20, maxArrayBuffersMb: maxArrayBuffers / 2 ** 20, heapGrowthMb });
}

main().catch((error) => {
  post({ type: 'failure', index: -1, message: `setup or teardown failed: ${(error as Error)?.stack ?? String(error)}`, ops: [], file: '' });
  post({ type: 'done', outcomes: {}, maxCaseMs: 0, maxHeapMb: 0, maxArrayBuffersMb: 0, heapGrowthMb: 0 });
});
