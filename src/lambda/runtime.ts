/**
 * INIT: everything the function does once per execution environment, through the
 * library's pipelines: weights read and packed by one backend (wasm compiled once,
 * shared by both models), each parity certificate re-run, the tokenizer the weight
 * file names, the vector store opened, the run state sized for TINYCNN_MAX_BATCH.
 * Then one log record names the backend flavour and the models, so a silent fallback
 * to slow kernels shows in CloudWatch (a fallback itself is a WARN record).
 */
import type { Backend } from '../backend/backend.js';
import { createBackend } from '../backend/select.js';
import { loadModel, type Model } from '../model/model.js';
import { PipelineError } from '../pipeline/errors.js';
import { extFeaturesFromMetadata } from '../pipeline/ext-features.js';
import { tokenizerOf } from '../pipeline/load.js';
import { PairRanker } from '../pipeline/pair-ranker.js';
import { TextClassifier } from '../pipeline/text-classifier.js';
import type { VectorSource } from '../vectors/store.js';
import type { LambdaConfig, ModelConfig, ModelKind } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { openVectorStore, type DynamoDbLoader } from './stores.js';

/** The pipeline each route serves: /kim a sentence classifier, /sm an answer ranker. */
const PIPELINES = {
  kim: (model: Model, vectors: VectorSource, maxTokens: number) => new TextClassifier(model, vectors, tokenizerOf(model, maxTokens)),
  sm: (model: Model, vectors: VectorSource, maxTokens: number) =>
    new PairRanker(model, vectors, tokenizerOf(model, maxTokens), extFeaturesFromMetadata(model.metadata, model.file)),
} satisfies Record<ModelKind, unknown>;

/** One model ready to serve. */
export interface ServedModel {
  readonly kind: ModelKind;
  /** The weight file's name, e.g. 'kim-sst2.safetensors'. */
  readonly name: string;
  readonly model: Model;
  readonly vectors: VectorSource;
}

/** The state a warm invocation uses; nothing in it is rebuilt per request. */
export interface Runtime {
  readonly config: LambdaConfig;
  /** Served models by kind, in configuration order. */
  readonly models: ReadonlyMap<ModelKind, ServedModel>;
  /** The /kim pipeline, when Kim CNN is served. */
  readonly classifier: TextClassifier | undefined;
  /** The /sm pipeline, when SM CNN is served. */
  readonly ranker: PairRanker | undefined;
  /** Kernels in use: 'js' | 'wasm-simd' | 'wasm-relaxed'. */
  readonly flavour: string;
  /** Wall time of INIT, milliseconds. */
  readonly initMs: number;
  /** Where the function's log records (and metrics documents) go. */
  readonly logger: Logger;
}

/** What a host may hand INIT instead of the configured defaults. */
export interface InitOptions {
  /** A precompiled kernel module (edge runtimes that forbid compiling wasm from bytes). */
  wasmModule?: WebAssembly.Module;
  /** A ready backend instead of one made from config.backend (tests). */
  backend?: Backend;
  /** Loads src/vectors/dynamodb.js when TINYCNN_VECTOR_STORE=dynamodb (kept out of the main bundle). */
  dynamodb?: DynamoDbLoader;
  /** Opens a model's vector store instead of the configured one (tests, custom stores). */
  openStore?: (model: ModelConfig, config: LambdaConfig, dim: number) => VectorSource | Promise<VectorSource>;
  /**
   * Where every log line goes (the INIT record, one record per invocation, errors, metrics
   * documents), formatted per config.logFormat. Default console.log (the Lambda entry passes a plain
   * write to fd 1, which Lambda ships to CloudWatch).
   */
  log?: (line: string) => void;
  /** Write one record per invocation (default true; `tinycnn serve --quiet` turns it off). Errors are written regardless. */
  requestLog?: boolean;
}

/**
 * Runs INIT.
 * @param config  from readConfig(process.env)
 * @param options precompiled wasm, custom stores, logger
 */
export async function initRuntime(config: LambdaConfig, options: InitOptions = {}): Promise<Runtime> {
  const start = performance.now();
  const logger = createLogger(config.logFormat ?? 'text', config.logLevel ?? 'INFO', options.log);
  const backend = options.backend ?? createBackend({ backend: config.backend, wasmModule: options.wasmModule, log: (line) => logger.log('WARN', line) });
  const models = new Map<ModelKind, ServedModel>();
  const pipelines: { kim?: TextClassifier; sm?: PairRanker } = {};
  for (const modelConfig of config.models) {
    const model = loadModel(config.files.readWeights(modelConfig.weights), {
      name: modelConfig.weights,
      backend,
      verify: config.verify,
      batch: config.maxBatch,
    });
    const vectors = options.openStore
      ? await options.openStore(modelConfig, config, model.spec.dim)
      : await openVectorStore(modelConfig, config, model.spec.dim, options.dynamodb);
    try {
      Object.assign(pipelines, { [modelConfig.kind]: PIPELINES[modelConfig.kind](model, vectors, config.maxTokens) });
    } catch (error) {
      if (!(error instanceof PipelineError && error.code === 'WRONG_TASK')) throw error;
      throw new ConfigError(
        `TINYCNN_${modelConfig.kind.toUpperCase()}_WEIGHTS`,
        `${modelConfig.weights} holds a ${model.architecture.title}, not the ${modelConfig.kind} model`,
      );
    }
    models.set(modelConfig.kind, { kind: modelConfig.kind, name: shortName(modelConfig.weights), model, vectors });
  }
  const initMs = performance.now() - start;
  if (logger.format === 'text') {
    const described = [...models.values()].map((m) => describeModel(m, config.verify)).join(' ');
    logger.log(
      'INFO',
      `tinycnn INIT backend=${backend.flavour} ${described} max_batch=${config.maxBatch} max_tokens=${config.maxTokens} init_ms=${initMs.toFixed(1)}`,
    );
  } else {
    logger.log('INFO', 'tinycnn INIT', {
      backend: backend.flavour,
      models: [...models.values()].map((m) => modelFields(m, config.verify)),
      max_batch: config.maxBatch,
      max_tokens: config.maxTokens,
      init_ms: Number(initMs.toFixed(3)),
    });
  }
  return { config, models, classifier: pipelines.kim, ranker: pipelines.sm, flavour: backend.flavour, initMs, logger };
}

/** A served model as the JSON INIT record lists it. */
function modelFields(served: ServedModel, verify: boolean): Record<string, unknown> {
  const { architecture, spec, certificate, metadata } = served.model;
  return {
    kind: served.kind,
    weights: served.name,
    shape: architecture.describe(spec),
    certificate: !verify ? 'skipped' : certificate === undefined ? 'none' : 'ok',
    ...(verify && certificate !== undefined ? { certificate_worst_error: certificate.worstError } : {}),
    tokenizer: metadata['tinycnn.tokenizer'] ?? 'default',
    vectors: shortName(served.vectors.name),
    dim: served.vectors.dim,
  };
}

function describeModel(served: ServedModel, verify: boolean): string {
  const { architecture, spec } = served.model;
  const shape = architecture.describe(spec);
  const certificate = !verify ? 'skipped' : served.model.certificate === undefined ? 'none' : `ok(${served.model.certificate.worstError.toExponential(1)})`;
  return `model=${served.kind}:${served.name}(${shape},certificate=${certificate},tokenizer=${served.model.metadata['tinycnn.tokenizer'] ?? 'default'}) vectors=${served.kind}:${shortName(served.vectors.name)}(${served.vectors.dim}d)`;
}

/** A store's name without its folder ('/var/task/weights/kim-sst2.tcv' -> 'kim-sst2.tcv'; 'dynamodb:T' stays). */
export function shortName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
