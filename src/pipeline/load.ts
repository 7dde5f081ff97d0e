/**
 * Loading a pipeline from what the caller holds: the weight file's bytes, a word-vector
 * store, the tokenizer the weight file names, the backend. Synchronous and free of file
 * access, so it runs wherever JavaScript and WebAssembly do. The hosts bring the files:
 * under Node `pipeline('sentiment-analysis')` finds the shipped ones (src/node/pipeline.ts);
 * a browser fetches them (fetchPipeline, src/pipeline/fetch.ts); a Worker bundles them.
 *
 *   const classifier = loadTextClassifier({ weights: bytes, vectors: store });
 *   classifier.classify('a gripping, funny film').label;
 */
import type { Backend } from '../backend/backend.js';
import type { BackendChoice, ConvChoice } from '../backend/select.js';
import { loadModel, type Model } from '../model/model.js';
import { parseTokenizerMode, tokenize, type Tokenizer } from '../text/tokenizer.js';
import type { VectorSource } from '../vectors/store.js';
import { TASK_DEFAULTS, type TaskName } from './defaults.js';
import { PipelineError } from './errors.js';
import { extFeaturesFromMetadata } from './ext-features.js';
import { PairRanker } from './pair-ranker.js';
import { TextClassifier } from './text-classifier.js';

/** How the model is run; every field is optional. */
export interface RunOptions {
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

/** A pipeline from files the caller holds. */
export interface PipelineFiles extends RunOptions {
  /** The weight file's bytes, e.g. one `tinycnn convert` wrote from a castorini checkpoint. */
  weights: Uint8Array;
  /** The word vectors: an open store of the model's width (embedded .tcv bytes, HTTP, DynamoDB, ...). */
  vectors: VectorSource;
  /** The weight file's name for messages (default '<bytes>'). */
  name?: string;
}

/** Loads a sentence classifier (Kim CNN) from its weight bytes and vector store. */
export function loadTextClassifier(files: PipelineFiles): TextClassifier {
  const model = loadWeights(files);
  return new TextClassifier(model, files.vectors, tokenizerOf(model, files.maxTokens));
}

/** Loads an answer ranker (SM CNN) from its weight bytes and vector store. */
export function loadPairRanker(files: PipelineFiles): PairRanker {
  const model = loadWeights(files);
  return new PairRanker(model, files.vectors, tokenizerOf(model, files.maxTokens), extFeaturesFromMetadata(model.metadata, model.file));
}

/**
 * The task-first entry from files the caller holds (the Node entry's pipeline() also finds
 * the shipped ones; a browser's fetchPipeline() fetches them).
 * @param task  'sentiment-analysis' / 'text-classification' (Kim CNN) or 'answer-selection' (SM CNN)
 * @param files the weight bytes and vector store, and how to run them
 */
export function pipeline(task: 'text-classification' | 'sentiment-analysis', files: PipelineFiles): TextClassifier;
export function pipeline(task: 'answer-selection', files: PipelineFiles): PairRanker;
export function pipeline(task: TaskName, files: PipelineFiles): TextClassifier | PairRanker {
  checkTask(task);
  if (!(files?.weights instanceof Uint8Array) || typeof files.vectors !== 'object') {
    throw new PipelineError(
      'ASSETS_REQUIRED',
      String(task),
      'this runtime reads no files: pass { weights: <bytes>, vectors: <store> }, or use fetchPipeline() (over HTTP) or the Node entry (finds the shipped files)',
    );
  }
  return task === 'answer-selection' ? loadPairRanker(files) : loadTextClassifier(files);
}

/** Throws unless `task` is one pipeline() answers. */
export function checkTask(task: string): asserts task is TaskName {
  if (!Object.hasOwn(TASK_DEFAULTS, task)) {
    throw new PipelineError('UNKNOWN_MODEL', String(task), `not a task; tasks: ${Object.keys(TASK_DEFAULTS).join(', ')}`);
  }
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

function loadWeights(files: PipelineFiles): Model {
  const { backend, conv, verify, wasmModule, batch, name } = files;
  return loadModel(files.weights, { backend, conv, verify, wasmModule, batch, name });
}
