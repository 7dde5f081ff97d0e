/**
 * tinycnn's public API. Start from the task: text in, answer out.
 *
 *   import { pipeline } from 'tinycnn';
 *   const classifier = pipeline('sentiment-analysis');          // Node: the shipped Kim CNN, no paths
 *   classifier.classify('a gripping, funny film').label;
 *   const ranker = pipeline('answer-selection');                // the shipped SM CNN
 *   ranker.rank('who wrote hamlet ?', ['shakespeare wrote it .', 'it rained .'])[0].answer;
 *
 *   const classifier = await fetchPipeline('sentiment-analysis', { baseUrl }); // a browser: over HTTP
 *
 * This module is the isomorphic engine: it imports no `node:` module and reads no files, so it
 * bundles for browsers, Workers and any runtime with WebAssembly (the `browser`, `workerd` and
 * `default` conditions of package.json). Under Node the package's entry is src/node/index.ts:
 * the same API, with pipeline(), loadTextClassifier(), loadPairRanker() and loadModel() also
 * taking paths and finding the shipped files.
 *
 * The data path of a request, in the order it runs:
 *   src/pipeline/   text -> tokens (src/text) -> word vectors (src/vectors) -> model -> answer
 *   src/model/      the model contract, the registry, one folder per model kind, the run state
 *   src/backend/    the kernels behind one interface: js (kernels/js) or wasm SIMD (kernels/wasm)
 *   kernels/        the ground floor: activation enumeration, shapes, TypeScript and WAT kernels
 * Hosts are thin shells over the pipelines: src/lambda (the AWS Lambda handler), src/server
 * (the local HTTP server, around the Lambda handler) and src/cli (`tinycnn`).
 */

// --- pipelines: text in, answer out
/** The one-line entry (pipeline), the two loaders and the files and options they take (bytes and an open store). */
export { pipeline, loadTextClassifier, loadPairRanker, type PipelineFiles, type RunOptions } from './pipeline/load.js';
/** The shipped model of a task over HTTP: the weights fetched, the vectors read by byte range (browsers, any fetch). */
export { fetchPipeline, type FetchPipelineOptions } from './pipeline/fetch.js';
/** Kim CNN as a sentence classifier: classify(text | texts), classifyAsync for any vector store, logitsInto. */
export { TextClassifier, type ClassifyOptions } from './pipeline/text-classifier.js';
/** SM CNN as an answer ranker: score, scorePairs, rank (sorted), and their *Async forms. */
export { PairRanker, type RankOptions, type TextPair } from './pipeline/pair-ranker.js';
/** What the pipelines answer. */
export type { Classification, PairScore, RankedAnswer, PhaseTimings } from './pipeline/results.js';
/** The seam for SM CNN's external features: a weight file's `tinycnn.ext_features` names a registered function. */
export { registerExtFeatures, type ExtFeatureFunction, type ExtFeatureFactory } from './pipeline/ext-features.js';
/** The models the package ships, by name, and each task's default. */
export { SHIPPED_MODELS, TASK_DEFAULTS, type ShippedModel, type ShippedModelName, type TaskName } from './pipeline/defaults.js';

// --- models on sentence matrices (the raw path under the pipelines)
/** Load a weight file and run it on word-vector matrices: logits, probabilities, labels. */
export { loadModel, Model, type LoadOptions, type Prediction } from './model/model.js';
/** The JSON form of a model input ({"x": rows} / {"q", "a"[, "ext"]}) -> a checked input. */
export { inputFromJson } from './model/input.js';
/** Inputs and specs of the two model kinds, and their unions. */
export type { KimInput, KimSpec } from './model/kim/architecture.js';
export type { SmInput, SmSpec } from './model/sm/architecture.js';
export type { ModelInput, ModelSpec } from './model/registry.js';
/** The kernels a model runs on, chosen at load (or shared between models). */
export type { Backend, BackendFlavour, ConvAlgorithm, Sentence } from './backend/backend.js';
export { createBackend, type BackendChoice, type ConvChoice } from './backend/select.js';

// --- building blocks
/** Text -> tokens, castorini-compatible (the mode a weight file names under `tinycnn.tokenizer`). */
export { tokenize, type TokenizerMode, type TokenizerOptions } from './text/tokenizer.js';
/** The interface a word-vector store implements (pass your own as `vectors`). */
export type { VectorSource, Embedding, EmbedOptions } from './vectors/store.js';
/** The embedded .tcv store over bytes in memory or a RandomAccessSource a host opened. */
export { openEmbeddedStore, type EmbeddedStore, type EmbeddedStoreOptions } from './vectors/embedded.js';
export type { RandomAccessSource } from './vectors/source.js';
/** A .tcv store read over HTTP Range requests: the index once, then only the rows lookups touch. */
export { openHttpVectorStore, type HttpVectorStore, type HttpStoreOptions } from './vectors/http.js';
/** Zero-copy reader of safetensors files. */
export { readSafetensors, type SafetensorsFile, type TensorView } from './safetensors/read.js';
/** Numerically stable softmax over logits. */
export { softmax } from '../kernels/js/softmax.js';

// --- errors: every error tinycnn throws on purpose is a TinyCnnError with a stable `code`
export { TinyCnnError, WeightFileError, UnsupportedModelError, CertificateError, InputError, OutputError, BackendError } from './errors.js';
export { PipelineError } from './pipeline/errors.js';
export { TokenizeError } from './text/errors.js';
export { VectorStoreError } from './vectors/errors.js';
