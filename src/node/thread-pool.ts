/**
 * Batches across cores (Node): a pool of worker threads, each holding its own copy of one
 * pipeline, that splits a large batch into one contiguous slice per thread and answers in
 * input order. For offline scoring of many texts, or a Lambda function with 2+ vCPUs (≥ 3,008
 * MB of memory) handed large batches; one request of a few sentences is faster on one thread.
 *
 *   const pool = await createThreadPool('sentiment-analysis', { threads: 2 });
 *   const answers = await pool.classify(texts); // Classification[], in the order of texts
 *   await pool.close();
 *
 * Each thread loads the pipeline itself, as pipeline() does: it reads the weight and vector
 * files (the OS page cache holds one copy) and packs its own weights into its own wasm memory
 * (Kim CNN: ~3 MB per thread). The packed weights are not shared: WebAssembly memory belongs
 * to one instance unless the kernels are built for shared memory, which they are not.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../backend/select.js';
import { TinyCnnError } from '../errors.js';
import type { TaskName } from '../pipeline/defaults.js';
import type { TextPair } from '../pipeline/pair-ranker.js';
import type { Classification, PairScore } from '../pipeline/results.js';
import type { PipelineOptions } from './pipeline.js';

/** How to start a pool: the pipeline's options, and how many threads. */
export interface ThreadPoolOptions extends Omit<PipelineOptions, 'vectors' | 'backend'> {
  /** Worker threads (default: os.availableParallelism()). */
  threads?: number;
  /** A .tcv path (default: the model's shipped store). Open stores cannot cross threads. */
  vectors?: string;
  /** A backend by name; Backend objects cannot cross threads. */
  backend?: BackendChoice;
}

/**
 * A thread of the pool failed, or the pool is closed. Codes:
 *   'THREAD_FAILED'  a thread could not load its pipeline or answer (the message is its error's)
 *   'POOL_CLOSED'    a call after close()
 *   'BAD_OPTION'     threads is not a positive integer
 */
export class ThreadPoolError extends TinyCnnError {
  /** The code of the error inside the thread (e.g. 'UNKNOWN_MODEL'), when it had one. */
  readonly causeCode: string | undefined;
  constructor(code: 'THREAD_FAILED' | 'POOL_CLOSED' | 'BAD_OPTION', message: string, causeCode?: string) {
    super(code, message);
    this.causeCode = causeCode;
  }
}

/** What a thread answers: a result, or its error's name, code and message. */
type Reply = { id: number; result: unknown } | { id: number; error: { code?: string; message: string } };

/** A pool of threads serving one pipeline. */
export class ThreadPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private closed = false;

  /** Use createThreadPool(). */
  constructor(workers: Worker[]) {
    this.workers = workers;
    for (const [i, worker] of workers.entries()) {
      worker.on('message', (reply: Reply) => this.settle(reply));
      worker.on('error', (error) => this.failAll(new ThreadPoolError('THREAD_FAILED', `thread ${i}: ${error.message}`)));
      worker.on('exit', (code) => {
        if (!this.closed) this.failAll(new ThreadPoolError('THREAD_FAILED', `thread ${i} exited with code ${code}`));
      });
    }
  }

  /** Threads in the pool. */
  get threads(): number {
    return this.workers.length;
  }

  /** TextClassifier.classify over the threads: texts split into one slice per thread, answers in order. */
  classify(texts: readonly string[]): Promise<Classification[]> {
    return this.scatter('classify', texts) as Promise<Classification[]>;
  }

  /** PairRanker.scorePairs over the threads, likewise. */
  scorePairs(pairs: readonly TextPair[]): Promise<PairScore[]> {
    return this.scatter('scorePairs', pairs) as Promise<PairScore[]>;
  }

  /** Stops the threads; calls after this reject with POOL_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new ThreadPoolError('POOL_CLOSED', 'the thread pool was closed'));
  }

  private async scatter(method: 'classify' | 'scorePairs', items: readonly unknown[]): Promise<unknown[]> {
    if (this.closed) throw new ThreadPoolError('POOL_CLOSED', 'the thread pool was closed');
    const per = Math.ceil(items.length / this.workers.length);
    const slices = this.workers.map((worker, i) => {
      const slice = items.slice(i * per, (i + 1) * per);
      return slice.length === 0 ? Promise.resolve([]) : this.call(worker, method, slice);
    });
    return (await Promise.all(slices)).flat();
  }

  private call(worker: Worker, method: string, items: readonly unknown[]): Promise<unknown[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, method, items });
    });
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if ('error' in reply) waiting.reject(new ThreadPoolError('THREAD_FAILED', reply.error.message, reply.error.code));
    else waiting.resolve(reply.result);
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/**
 * Starts `threads` worker threads, each loading the pipeline of `task` (as pipeline() does),
 * and resolves when every one is ready; rejects with the first thread's load error.
 * @param task    'sentiment-analysis' / 'text-classification' (Kim CNN) or 'answer-selection' (SM CNN)
 * @param options the pipeline's options (paths and names only) and `threads`
 */
export async function createThreadPool(task: TaskName, options: ThreadPoolOptions = {}): Promise<ThreadPool> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isSafeInteger(threads) || threads < 1) throw new ThreadPoolError('BAD_OPTION', `threads must be a positive integer, not ${threads}`);
  const { threads: _, ...pipelineOptions } = options;
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL('./thread-pool-worker.js', import.meta.url), { workerData: { task, options: pipelineOptions } }),
  );
  try {
    await Promise.all(workers.map((worker, i) => ready(worker, i)));
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  return new ThreadPool(workers);
}

/** Resolves on the thread's 'ready' message; rejects on its load error or an exit before it. */
function ready(worker: Worker, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (message: string, code?: string) => reject(new ThreadPoolError('THREAD_FAILED', `thread ${index}: ${message}`, code));
    worker.once('message', (message: { ready?: true; error?: { code?: string; message: string } }) => {
      if (message.ready) resolve();
      else fail(message.error?.message ?? 'no ready message', message.error?.code);
    });
    worker.once('error', (error) => fail(error.message));
    worker.once('exit', (code) => fail(`exited with code ${code} while loading`));
  });
}
