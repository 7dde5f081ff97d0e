/**
 * Loading a pipeline: weights (a path, bytes, or a shipped model) + word vectors (a
 * .tcv path, a store, or the shipped store of the model's width) + the tokenizer the
 * weight file names + the backend. Synchronous: the embedded store opens without
 * waiting; a DynamoDB store is created by the caller and passed in as `vectors`.
 *
 *   const classify = pipeline('sentiment-analysis');          // the shipped Kim CNN
 *   classify.classify('a gripping, funny film').label;
 */
import type { Backend } from '../backend/backend.js';
import type { BackendChoice, ConvChoice } from '../backend/select.js';
import { loadModel, type Model } from '../model/model.js';
import { parseTokenizerMode, tokenize, type Tokenizer } from '../text/tokenizer.js';
import { openEmbeddedStore } from '../vectors/embedded.js';
import type { VectorSource } from '../vectors/store.js';
import { findAsset } from './assets.js';
import { SHIPPED_MODELS, TASK_DEFAULTS, type ShippedModelName, type TaskName } from './defaults.js';
import { PipelineError } from './errors.js';
import { extFeaturesFromMetadata } from './ext-features.js';
import { PairRanker } from './pair-ranker.js';
import { TextClassifier } from './text-classifier.js';

/** Largest embedded-store index (hash table, offsets, words) read whole at open; the default 10k-word stores' is 214 KB. */
const RESIDENT_INDEX_BYTES = 1 << 20;

/** How to load a pipeline; every field is optional. */
export interface PipelineOptions {
  /** A shipped model by name ('kim', 'sm'); default: the task's. Ignored when `weights` is given. */
  model?: ShippedModelName;
  /** A weight file (path or bytes), e.g. one `tinycnn convert` wrote from a castorini checkpoint. */
  weights?: string | Uint8Array;
  /** Word vectors: a .tcv path or an open store (DynamoDB, ...). Default: the shipped store of the model's width. */
  vectors?: string | VectorSource;
  /** Kernels: 'auto' (default: $TINYCNN_BACKEND, else the fastest this runtime has), a flavour, or a Backend to share. */
  backend?: BackendChoice | Backend;
  /** Convolution algorithm: 'auto' (default: $TINYCNN_CONV, else Winograd), 'direct' or 'winograd'. */
  conv?: ConvChoice;
  /** Re-run the weight file's parity certificate at load (default true). */
  verify?: boolean;
  /** A precompiled kernel module (edge runtimes that forbid compiling wasm from bytes). */
  wasmModule?: WebAssembly.Module;
  /** Most tokens per text (default 512): more is a TokenizeError 'TOO_MANY_TOKENS'. */
  maxTokens?: number;
  /** Texts (or pairs) per call to size the run state for at load (default 1). */
  batch?: number;
}

/** Loads a sentence classifier (Kim CNN): the shipped one by default. */
export function loadTextClassifier(options: PipelineOptions = {}): TextClassifier {
  const model = loadWeights(options, 'kim');
  return new TextClassifier(model, openVectors(options, model, 'kim'), tokenizerOf(model, options.maxTokens));
}

/** Loads an answer ranker (SM CNN): the shipped one by default. */
export function loadPairRanker(options: PipelineOptions = {}): PairRanker {
  const model = loadWeights(options, 'sm');
  return new PairRanker(model, openVectors(options, model, 'sm'), tokenizerOf(model, options.maxTokens), extFeaturesFromMetadata(model.metadata, model.file));
}

/**
 * The task-first entry, as transformers.js's pipeline(): the shipped model of the task,
 * or the one named, loaded with no paths.
 * @param task    'sentiment-analysis' / 'text-classification' (Kim CNN) or 'answer-selection' (SM CNN)
 * @param options a shipped model name, or weights / vectors / backend (PipelineOptions)
 */
export function pipeline(task: 'text-classification' | 'sentiment-analysis', options?: PipelineOptions | ShippedModelName): TextClassifier;
export function pipeline(task: 'answer-selection', options?: PipelineOptions | ShippedModelName): PairRanker;
export function pipeline(task: TaskName, options: PipelineOptions | ShippedModelName = {}): TextClassifier | PairRanker {
  const given = typeof options === 'string' ? { model: options } : options;
  if (!Object.hasOwn(TASK_DEFAULTS, task)) {
    throw new PipelineError('UNKNOWN_MODEL', String(task), `not a task; tasks: ${Object.keys(TASK_DEFAULTS).join(', ')}`);
  }
  const withDefault = { ...given, model: given.model ?? TASK_DEFAULTS[task] };
  return task === 'answer-selection' ? loadPairRanker(withDefault) : loadTextClassifier(withDefault);
}

/**
 * The tokenizer a model's weight file asks for (`tinycnn.tokenizer`), with a token limit.
 * @param model     a loaded model
 * @param maxTokens most tokens per text (default 512)
 */
export function tokenizerOf(model: Model, maxTokens = 512): Tokenizer {
  const mode = parseTokenizerMode(model.metadata['tinycnn.tokenizer'], model.file);
  // A literal options object per call, not createTokenizer's `{ ...options, field }`: in V8 that
  // spread made every request's garbage outlive the young generation (2 MB promoted per scavenge).
  return (text, field) => tokenize(text, { mode, maxTokens, field });
}

/**
 * Opens a store file the way the pipelines do: paged, its index resident when small.
 * @param path a .tcv file
 */
export function openVectorFile(path: string): VectorSource {
  return openEmbeddedStore(path, { residentIndexBytes: RESIDENT_INDEX_BYTES });
}

function loadWeights(options: PipelineOptions, fallback: ShippedModelName): Model {
  const weights = options.weights ?? findAsset(shipped(options.model ?? fallback).weights);
  return loadModel(weights, { backend: options.backend, conv: options.conv, verify: options.verify, wasmModule: options.wasmModule, batch: options.batch });
}

function shipped(name: string): (typeof SHIPPED_MODELS)[ShippedModelName] {
  if (!Object.hasOwn(SHIPPED_MODELS, name)) {
    throw new PipelineError('UNKNOWN_MODEL', name, `not a shipped model; shipped: ${Object.keys(SHIPPED_MODELS).join(', ')}`);
  }
  return SHIPPED_MODELS[name as ShippedModelName];
}

/** The vectors asked for, else (a shipped model) its own store, else the shipped store whose width is the model's. */
function openVectors(options: PipelineOptions, model: Model, fallback: ShippedModelName): VectorSource {
  if (typeof options.vectors === 'object') return options.vectors;
  if (typeof options.vectors === 'string') return openVectorFile(options.vectors);
  if (options.weights === undefined) return openVectorFile(findAsset(shipped(options.model ?? fallback).vectors));
  const files = [...new Set(Object.values(SHIPPED_MODELS).map((m) => m.vectors))];
  for (const file of files) {
    const store = openVectorFile(findAsset(file));
    if (store.dim === model.spec.dim) return store;
    void store.close();
  }
  throw new PipelineError('UNKNOWN_MODEL', model.file, `no shipped word vectors are ${model.spec.dim}-d (${files.join(', ')}); pass "vectors"`);
}
