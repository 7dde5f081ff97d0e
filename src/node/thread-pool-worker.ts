/**
 * One thread of a ThreadPool (thread-pool.ts): loads the pipeline named in workerData, says
 * { ready: true } (or { error }), then answers each { id, method, items } with { id, result }
 * or { id, error }, in slices of SLICE items so one call never needs a run state sized for
 * the whole batch.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { TaskName } from '../pipeline/defaults.js';
import type { PairRanker, TextPair } from '../pipeline/pair-ranker.js';
import type { TextClassifier } from '../pipeline/text-classifier.js';
import { pipeline, type PipelineOptions } from './pipeline.js';

/** Items per forward call inside a thread. */
const SLICE = 256;

const port = parentPort;
if (port === null) throw new Error('thread-pool-worker.js runs as a worker thread of createThreadPool()');
const { task, options } = workerData as { task: TaskName; options: PipelineOptions };

const describe = (error: unknown) => ({ code: (error as { code?: string }).code, message: (error as Error).message ?? String(error) });

function serve(served: TextClassifier | PairRanker, port: MessagePort): void {
  port.on('message', ({ id, method, items }: { id: number; method: 'classify' | 'scorePairs'; items: unknown[] }) => {
    try {
      const result: unknown[] = [];
      for (let i = 0; i < items.length; i += SLICE) {
        const slice = items.slice(i, i + SLICE);
        if (method === 'classify') result.push(...(served as TextClassifier).classify(slice as string[]));
        else result.push(...(served as PairRanker).scorePairs(slice as TextPair[]));
      }
      port.postMessage({ id, result });
    } catch (error) {
      port.postMessage({ id, error: describe(error) });
    }
  });
}

let served: TextClassifier | PairRanker | undefined;
try {
  served = task === 'answer-selection' ? pipeline(task, options) : pipeline(task, options); // one call per overload
} catch (error) {
  port.postMessage({ error: describe(error) }); // createThreadPool rejects and terminates every thread
}
if (served) {
  serve(served, port);
  port.postMessage({ ready: true });
}
