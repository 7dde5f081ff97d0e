/**
 * The pipelines with Node file access: the shipped models load with no paths (the package
 * finds its own weights/, also when installed from npm), or from a weight path and a .tcv
 * path. The Node entry (src/node/index.ts) exports these in place of the core's forms.
 *
 *   const classifier = pipeline('sentiment-analysis');          // the shipped Kim CNN
 *   classifier.classify('a gripping, funny film').label;
 */
import { detectArchitecture } from '../model/registry.js';
import { SHIPPED_MODELS, TASK_DEFAULTS, type ShippedModelName, type TaskName } from '../pipeline/defaults.js';
import { PipelineError } from '../pipeline/errors.js';
import { checkTask, loadPairRanker as pairRankerOf, loadTextClassifier as textClassifierOf, type RunOptions } from '../pipeline/load.js';
import type { PairRanker } from '../pipeline/pair-ranker.js';
import type { TextClassifier } from '../pipeline/text-classifier.js';
import { readSafetensors } from '../safetensors/read.js';
import type { VectorSource } from '../vectors/store.js';
import { findAsset } from './assets.js';
import { openVectorFile, readWeightFile } from './files.js';

/** How to load a pipeline under Node; every field is optional. */
export interface PipelineOptions extends RunOptions {
  /** A shipped model by name ('kim', 'sm', ...); default: the task's. Ignored when `weights` is given. */
  model?: ShippedModelName;
  /** A weight file (path or bytes), e.g. one `tinycnn convert` wrote from a castorini checkpoint. */
  weights?: string | Uint8Array;
  /** Word vectors: a .tcv path or an open store (DynamoDB, ...). Default: the shipped store of the model's width. */
  vectors?: string | VectorSource;
}

/** Loads a sentence classifier (Kim CNN): the shipped one by default. */
export function loadTextClassifier(options: PipelineOptions = {}): TextClassifier {
  const { weights, name } = weightBytes(options, 'kim');
  const vectors = openVectors(options, 'kim', () => embeddingWidth(weights, name));
  return textClassifierOf({ ...options, weights, name, vectors });
}

/** Loads an answer ranker (SM CNN): the shipped one by default. */
export function loadPairRanker(options: PipelineOptions = {}): PairRanker {
  const { weights, name } = weightBytes(options, 'sm');
  const vectors = openVectors(options, 'sm', () => embeddingWidth(weights, name));
  return pairRankerOf({ ...options, weights, name, vectors });
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
  checkTask(task);
  const withDefault = { ...given, model: given.model ?? TASK_DEFAULTS[task] };
  return task === 'answer-selection' ? loadPairRanker(withDefault) : loadTextClassifier(withDefault);
}

/** The weight bytes the options name: given bytes, a path, or the shipped model's file. */
function weightBytes(options: PipelineOptions, fallback: ShippedModelName): { weights: Uint8Array; name: string } {
  const weights = options.weights ?? findAsset(shipped(options.model ?? fallback).weights);
  if (typeof weights !== 'string') return { weights, name: '<bytes>' };
  return { weights: readWeightFile(weights), name: weights };
}

function shipped(name: string): (typeof SHIPPED_MODELS)[ShippedModelName] {
  if (!Object.hasOwn(SHIPPED_MODELS, name)) {
    throw new PipelineError('UNKNOWN_MODEL', name, `not a shipped model; shipped: ${Object.keys(SHIPPED_MODELS).join(', ')}`);
  }
  return SHIPPED_MODELS[name as ShippedModelName];
}

/** The embedding width of a weight file, from its tensor shapes (zero-copy; to pick a shipped store). */
function embeddingWidth(weights: Uint8Array, name: string): number {
  return detectArchitecture(readSafetensors(weights, name)).spec.dim;
}

/** The vectors asked for, else (a shipped model) its own store, else the shipped store whose width is the model's. */
function openVectors(options: PipelineOptions, fallback: ShippedModelName, dimOf: () => number): VectorSource {
  if (typeof options.vectors === 'object') return options.vectors;
  if (typeof options.vectors === 'string') return openVectorFile(options.vectors);
  if (options.weights === undefined) return openVectorFile(findAsset(shipped(options.model ?? fallback).vectors));
  const dim = dimOf();
  const files = [...new Set(Object.values(SHIPPED_MODELS).map((m) => m.vectors))];
  for (const file of files) {
    const path = findAsset(file);
    let store: VectorSource;
    try {
      store = openVectorFile(path);
    } catch {
      continue; // a shipped store this install lacks (kim-sst1 before it ships)
    }
    if (store.dim === dim) return store;
    void store.close();
  }
  throw new PipelineError(
    'UNKNOWN_MODEL',
    options.weights instanceof Uint8Array ? '<bytes>' : options.weights,
    `no shipped word vectors are ${dim}-d (${files.join(', ')}); pass "vectors"`,
  );
}
