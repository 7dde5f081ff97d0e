/**
 * tinycnn on Cloudflare Workers (`workerd`): castorini's API (`POST /kim`, `POST /sm`, `POST /`,
 * `GET /health`) from the same handler the Lambda function runs (src/lambda/handler.ts), with
 * the files handed over as bytes (Workers bundle them as Data modules) and the kernels as a
 * precompiled WebAssembly.Module (Workers refuse to compile wasm from bytes at run time; they
 * import `.wasm` files as CompiledWasm modules). A thin adapter: Request -> an HTTP API
 * (payload 2.0) event -> the handler -> Response.
 *
 *   import { createWorker } from 'tinycnn/worker';
 *   import kimWeights from 'tinycnn/weights/kim-sst2.safetensors';  // Data modules (wrangler rules)
 *   ...
 *   export default createWorker({ models: { kim: { weights: kimWeights, vectors: kimVectors } }, kernels: { simd, relaxed } });
 *
 * INIT (weights packed, certificates re-run, stores opened) starts when createWorker() is
 * called, at the Worker's global scope, so it counts against the startup limit, not the
 * first request's CPU time.
 */
import { createBackend, detectWasmFeatures, parseBackendChoice, type BackendChoice } from '../backend/select.js';
import type { LambdaConfig, ModelConfig, ModelKind } from '../lambda/config.js';
import type { HostFiles } from '../lambda/files.js';
import { createHandler, type Handler } from '../lambda/handler.js';
import type { LambdaResponse } from '../lambda/http.js';
import { openEmbeddedStore } from '../vectors/embedded.js';
import { WorkerError } from './errors.js';

/** A model's two files, as the Worker's Data modules give them. */
export interface WorkerModelFiles {
  /** The safetensors weight file. */
  weights: ArrayBuffer | Uint8Array;
  /** The embedded word-vector store (.tcv) of the model's width. */
  vectors: ArrayBuffer | Uint8Array;
  /** The files' names, for answers, /health and messages (default `${kind}.safetensors`, `${kind}.tcv`). */
  names?: { weights?: string; vectors?: string };
}

/** What the Worker serves and how. */
export interface WorkerOptions {
  /** The models to serve; /kim and /sm answer for the ones given. */
  models: Partial<Record<ModelKind, WorkerModelFiles>>;
  /** The precompiled kernel modules (tinycnn/kernels/simd.wasm, relaxed.wasm); without one, the js backend. */
  kernels: { simd?: WebAssembly.Module; relaxed?: WebAssembly.Module };
  /** 'auto' (default: relaxed SIMD when the runtime validates it and the module is given), or a flavour. */
  backend?: BackendChoice;
  /** Re-run each weight file's parity certificate at INIT (default true). */
  verify?: boolean;
  /** Request limits, as the Lambda function's TINYCNN_MAX_* (defaults 32 items, 512 tokens, 256 KiB). */
  maxBatch?: number;
  maxTokens?: number;
  maxBodyBytes?: number;
  /** Where the INIT line goes (default console.log, which Workers send to their logs). */
  log?: (line: string) => void;
}

/** A module Worker's default export. */
export interface TinyCnnWorker {
  fetch(request: Request): Promise<Response>;
  /** INIT, run once: resolves with the handler (its `runtime` names the backend and models). */
  readonly ready: Promise<Handler>;
}

/**
 * Builds the Worker and starts its INIT.
 * @param options models (bytes), kernel modules, backend, limits
 */
export function createWorker(options: WorkerOptions): TinyCnnWorker {
  const ready = init(options);
  ready.catch(() => {}); // reported by every request's 500 and by `ready`, never as an unhandled rejection
  let requests = 0;
  return {
    ready,
    async fetch(request: Request): Promise<Response> {
      const handler = await ready;
      const url = new URL(request.url);
      const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
      const event = {
        version: '2.0',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: Object.fromEntries(request.headers),
        requestContext: { http: { method: request.method, path: url.pathname }, requestId: `worker-${++requests}`, stage: '$default' },
        body,
        isBase64Encoded: false,
      };
      return toResponse(await handler(event, { awsRequestId: event.requestContext.requestId }), request.method === 'HEAD');
    },
  };
}

async function init(options: WorkerOptions): Promise<Handler> {
  const kinds = (['kim', 'sm'] as const).filter((kind) => options.models[kind] !== undefined);
  if (kinds.length === 0) throw new WorkerError('WORKER_NO_MODELS', 'createWorker needs models.kim and/or models.sm (weights and vectors bytes)');
  const bytes = new Map<string, Uint8Array>();
  const models = kinds.map((kind): ModelConfig => {
    const files = options.models[kind]!;
    const model = { kind, weights: files.names?.weights ?? `${kind}.safetensors`, vectors: files.names?.vectors ?? `${kind}.tcv`, table: '' };
    bytes.set(model.weights, asBytes(files.weights, `models.${kind}.weights`));
    bytes.set(model.vectors, asBytes(files.vectors, `models.${kind}.vectors`));
    return model;
  });
  const files: HostFiles = {
    readWeights: (name) => bytes.get(name)!,
    openVectors: (name) => openEmbeddedStore(bytes.get(name)!, { name }),
  };
  const config: LambdaConfig = {
    models,
    vectorStore: 'embedded',
    dynamodbEndpoint: undefined,
    dynamodbCacheSize: 0,
    dynamodbDeadlineMs: 3000,
    maxBatch: options.maxBatch ?? 32,
    maxTokens: options.maxTokens ?? 512,
    maxBodyBytes: options.maxBodyBytes ?? 262_144,
    backend: options.backend ?? 'auto',
    verify: options.verify ?? true,
    files,
  };
  const log = options.log ?? ((line: string) => console.log(line));
  const backend = createBackend({ backend: config.backend, wasmModule: pickKernels(options), log });
  return createHandler(config, { backend, log });
}

/** The kernel module the backend option calls for, among those given (the one createBackend would compile, had it the right to). */
function pickKernels(options: WorkerOptions): WebAssembly.Module | undefined {
  const choice = parseBackendChoice(options.backend ?? 'auto', 'backend');
  if (choice === 'js') return undefined;
  const { simd, relaxed } = detectWasmFeatures();
  if (!simd) return undefined;
  if (relaxed && choice !== 'wasm-simd' && options.kernels.relaxed) return options.kernels.relaxed;
  return options.kernels.simd ?? (relaxed ? options.kernels.relaxed : undefined);
}

function asBytes(data: ArrayBuffer | Uint8Array, what: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new WorkerError('WORKER_BAD_FILE', `${what} must be an ArrayBuffer (a Data module) or a Uint8Array, not ${typeof data}`);
}

function toResponse(answer: LambdaResponse, head: boolean): Response {
  const body = head || answer.statusCode === 204 ? null : answer.isBase64Encoded ? Uint8Array.from(atob(answer.body), (c) => c.charCodeAt(0)) : answer.body;
  return new Response(body, { status: answer.statusCode, headers: answer.headers });
}
