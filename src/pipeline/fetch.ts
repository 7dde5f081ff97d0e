/**
 * A shipped model's pipeline over HTTP, for browsers (and any runtime with fetch): the
 * weight file is fetched whole, the word vectors are read by byte range as lookups need
 * them (src/vectors/http.ts), and the kernels are compiled asynchronously (a browser's main
 * thread may refuse to compile wasm synchronously).
 *
 *   const classifier = await fetchPipeline('sentiment-analysis', { baseUrl: '/' });
 *   (await classifier.classifyAsync('a gripping, funny film')).label;
 */
import { detectWasmFeatures, parseBackendChoice } from '../backend/select.js';
import { kernelBytes } from '../backend/wasm-module.js';
import { openHttpVectorStore, type HttpStoreOptions } from '../vectors/http.js';
import type { Fetch } from '../vectors/http-source.js';
import { SHIPPED_MODELS, TASK_DEFAULTS, type ShippedModelName, type TaskName } from './defaults.js';
import { PipelineError } from './errors.js';
import { checkTask, loadPairRanker, loadTextClassifier, type RunOptions } from './load.js';
import type { PairRanker } from './pair-ranker.js';
import type { TextClassifier } from './text-classifier.js';

/** Where the files are and how to run them. */
export interface FetchPipelineOptions extends RunOptions, Pick<HttpStoreOptions, 'pageBytes'> {
  /** The URL the package's files are under: `${baseUrl}weights/kim-sst2.safetensors` etc. */
  baseUrl: string | URL;
  /** A shipped model by name; default: the task's. */
  model?: ShippedModelName;
  /** The fetch to use (default: the global one). */
  fetch?: Fetch;
}

/**
 * Loads a shipped model's pipeline over HTTP.
 * @param task    'sentiment-analysis' / 'text-classification' (Kim CNN) or 'answer-selection' (SM CNN)
 * @param options baseUrl, model, backend, page size
 */
export async function fetchPipeline(task: 'text-classification' | 'sentiment-analysis', options: FetchPipelineOptions): Promise<TextClassifier>;
export async function fetchPipeline(task: 'answer-selection', options: FetchPipelineOptions): Promise<PairRanker>;
export async function fetchPipeline(task: TaskName, options: FetchPipelineOptions): Promise<TextClassifier | PairRanker> {
  checkTask(task);
  const name = options.model ?? TASK_DEFAULTS[task];
  if (!Object.hasOwn(SHIPPED_MODELS, name))
    throw new PipelineError('UNKNOWN_MODEL', name, `not a shipped model; shipped: ${Object.keys(SHIPPED_MODELS).join(', ')}`);
  const files = SHIPPED_MODELS[name];
  const fetcher: Fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const url = (path: string) => new URL(path, options.baseUrl).href;
  const [weights, vectors, wasmModule] = await Promise.all([
    fetchBytes(fetcher, url(files.weights)),
    openHttpVectorStore(url(files.vectors), { fetch: fetcher, pageBytes: options.pageBytes }),
    options.wasmModule ?? compileKernels(options.backend),
  ]);
  const loaded = { ...options, weights, name: url(files.weights), vectors, wasmModule };
  return task === 'answer-selection' ? loadPairRanker(loaded) : loadTextClassifier(loaded);
}

/** The kernel module the backend option calls for, compiled asynchronously; undefined for the js backend or without SIMD. */
async function compileKernels(backend: RunOptions['backend']): Promise<WebAssembly.Module | undefined> {
  if (typeof backend === 'object') return undefined; // a ready Backend: nothing to compile
  const choice = parseBackendChoice(backend ?? 'auto', 'options.backend');
  const { simd, relaxed } = detectWasmFeatures();
  if (choice === 'js' || !simd) return undefined;
  const flavour = relaxed && choice !== 'wasm-simd' ? 'wasm-relaxed' : 'wasm-simd';
  return WebAssembly.compile(kernelBytes(flavour) as Parameters<typeof WebAssembly.compile>[0]);
}

async function fetchBytes(fetcher: Fetch, url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (e) {
    throw new PipelineError('FETCH_FAILED', url, `fetch failed: ${(e as Error).message}`);
  }
  if (!response.ok) throw new PipelineError('FETCH_FAILED', url, `HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
