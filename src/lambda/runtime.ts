/**
 * INIT: everything the function does once per execution environment. Weights
 * are read and packed by the backend (wasm compiled once, shared by both
 * models), each parity certificate re-run, the tokenizer configured from the
 * weight file's metadata, the vector store opened. Then one log line names the
 * backend flavour and the models, so a silent fallback to slow kernels shows
 * in CloudWatch.
 */
import { writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { createBackend } from '../backend/select.js';
import { loadModel, type Model } from '../model/model.js';
import { parseTokenizerMode, tokenize, type Tokenizer } from '../text/tokenizer.js';
import { expectDim, type VectorSource } from '../vectors/store.js';
import { ConfigError, type LambdaConfig, type ModelConfig, type ModelKind } from './config.js';
import { ScratchPool } from './scratch.js';
import { openVectorStore, type DynamoDbLoader } from './stores.js';

/** One model ready to serve. */
export interface ServedModel {
  readonly kind: ModelKind;
  /** The weight file's name, e.g. 'kim-static-sst1.safetensors'. */
  readonly name: string;
  readonly model: Model;
  readonly tokenize: Tokenizer;
  readonly vectors: VectorSource;
  /** Reused word-vector buffers for requests. */
  readonly scratch: ScratchPool;
}

/** The state a warm invocation uses; nothing in it is rebuilt per request. */
export interface Runtime {
  readonly config: LambdaConfig;
  /** Served models by kind, in configuration order. */
  readonly models: ReadonlyMap<ModelKind, ServedModel>;
  /** Kernels in use: 'js' | 'wasm-simd' | 'wasm-relaxed'. */
  readonly flavour: string;
  /** Wall time of INIT, milliseconds. */
  readonly initMs: number;
}

export interface InitOptions {
  /** A precompiled kernel module (edge runtimes that forbid compiling wasm from bytes). */
  wasmModule?: WebAssembly.Module;
  /** A ready backend instead of one made from config.backend (tests). */
  backend?: Backend;
  /** Loads src/vectors/dynamodb.js when TINYCNN_VECTOR_STORE=dynamodb (kept out of the main bundle). */
  dynamodb?: DynamoDbLoader;
  /** Opens a model's vector store instead of the configured one (tests, custom stores). */
  openStore?: (model: ModelConfig, config: LambdaConfig, dim: number) => VectorSource | Promise<VectorSource>;
  /** Where the INIT line goes. Default: straight to stdout (fd 1), which Lambda ships to CloudWatch. */
  log?: (line: string) => void;
}

/**
 * Runs INIT.
 * @param config  from readConfig(process.env)
 * @param options precompiled wasm, custom stores, logger
 */
export async function initRuntime(config: LambdaConfig, options: InitOptions = {}): Promise<Runtime> {
  const start = performance.now();
  const log = options.log ?? writeLine;
  const backend = options.backend ?? createBackend({ backend: config.backend, wasmModule: options.wasmModule, log });
  const models = new Map<ModelKind, ServedModel>();
  for (const modelConfig of config.models) {
    const model = loadModel(modelConfig.weights, { backend, verify: config.verify });
    if (model.spec.kind !== modelConfig.kind) {
      const variable = `TINYCNN_${modelConfig.kind.toUpperCase()}_WEIGHTS`;
      throw new ConfigError(variable, `${modelConfig.weights} holds a ${model.spec.kind === 'kim' ? 'Kim' : 'SM'} CNN, not the ${modelConfig.kind} model`);
    }
    const mode = parseTokenizerMode(model.metadata['tinycnn.tokenizer'], modelConfig.weights);
    const vectors = options.openStore
      ? await options.openStore(modelConfig, config, model.spec.dim)
      : await openVectorStore(modelConfig, config, model.spec.dim, options.dynamodb);
    expectDim(vectors, model.spec.dim);
    models.set(modelConfig.kind, {
      kind: modelConfig.kind,
      name: basename(modelConfig.weights),
      model,
      // A literal options object per call, not createTokenizer's `{ ...options, field }`: in V8 that
      // spread made every request's garbage outlive the young generation (2 MB promoted per scavenge).
      tokenize: (text, field) => tokenize(text, { mode, maxTokens: config.maxTokens, field }),
      vectors,
      scratch: new ScratchPool(),
    });
  }
  const initMs = performance.now() - start;
  const described = [...models.values()].map((m) => describeModel(m, config.verify)).join(' ');
  log(`tinycnn INIT backend=${backend.flavour} ${described} max_batch=${config.maxBatch} max_tokens=${config.maxTokens} init_ms=${initMs.toFixed(1)}`);
  return { config, models, flavour: backend.flavour, initMs };
}

/**
 * One line to stdout with a plain write: in a fresh process console.log's first call builds
 * the stdout stream (~3 ms of a cold start); fs.writeSync(1) costs ~0.3 ms.
 */
function writeLine(line: string): void {
  try {
    writeSync(1, `${line}\n`);
  } catch {
    console.log(line); // stdout not writable as a file descriptor (e.g. a full non-blocking pipe)
  }
}

function describeModel(served: ServedModel, verify: boolean): string {
  const spec = served.model.spec;
  const shape = spec.kind === 'kim' ? `${spec.channels === 1 ? 'static' : 'multichannel'},${spec.classes}classes` : `ext${spec.extFeatures},${spec.classes}classes`;
  const certificate = !verify ? 'skipped' : served.model.certificate === undefined ? 'none' : `ok(${served.model.certificate.worstError.toExponential(1)})`;
  return `model=${served.kind}:${served.name}(${shape},certificate=${certificate},tokenizer=${served.model.metadata['tinycnn.tokenizer'] ?? 'default'}) vectors=${served.kind}:${shortName(served.vectors.name)}(${served.vectors.dim}d)`;
}

/** A store's name without its folder ('/var/task/weights/vectors-300d.tcv' -> 'vectors-300d.tcv'; 'dynamodb:T' stays). */
export function shortName(name: string): string {
  return name.includes('/') ? basename(name) : name;
}
