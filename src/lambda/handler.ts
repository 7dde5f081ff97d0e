/**
 * The Lambda handler: routing, the request's work, and the promise that bad
 * input never hurts the function. Every failure becomes a JSON error with the
 * right status; 5xx answers say only "internal error" and the request id (the
 * details go to the log); nothing a request does changes what the next one gets.
 *
 * Routes (any stage prefix stripped):
 *   POST /kim     Kim CNN: {"input": "..."} or {"inputs": [...]}
 *   POST /sm      SM CNN:  {"sent1": "...", "sent2": "..."} or {"pairs": [...]}
 *   POST /        the configured model (TINYCNN_MODEL); with both, the body's fields decide
 *   GET  /health  backend flavour, models, limits
 *   OPTIONS       CORS preflight on any of the above
 * The request's work is the library's pipelines (runtime.ts builds them at INIT);
 * castorini.ts maps their answers onto castorini's JSON fields.
 *
 * Each invocation then writes one log record (log.ts: request id, status, cold start, backend,
 * timings, tokens) and, with TINYCNN_METRICS=1, one Embedded Metric Format document (metrics.ts);
 * CORS headers follow TINYCNN_CORS_ORIGINS (cors.ts). A route may carry the model's name in front
 * ('/kim/health' is '/health' on a function serving kim), so one HTTP API can reach each function's.
 */
import { InputError } from '../errors.js';
import { PipelineError } from '../pipeline/errors.js';
import { TokenizeError } from '../text/errors.js';
import type { LambdaConfig, ModelKind } from './config.js';
import { answerKim, answerSm, type Answer } from './castorini.js';
import { applyCors } from './cors.js';
import { parseEvent, type HttpRequest } from './events.js';
import { errorResponse, HttpError, jsonResponse, preflightResponse, type LambdaResponse } from './http.js';
import type { Logger } from './log.js';
import { metricsDocument } from './metrics.js';
import { modelOfBody, parseJsonObject, readKimRequest, readSmRequest } from './requests.js';
import { initRuntime, shortName, type InitOptions, type Runtime } from './runtime.js';

export type { InitOptions } from './runtime.js';

/** The parts of the Lambda context object the handler reads. */
export interface LambdaContext {
  readonly awsRequestId?: string;
  /** Milliseconds until the function times out (the bench handler keeps within it). */
  getRemainingTimeInMillis?(): number;
}

/** A handler for API Gateway v1/v2, Function URL and direct events; `runtime` is its INIT state. */
export interface Handler {
  (event: unknown, context?: LambdaContext): Promise<LambdaResponse>;
  readonly runtime: Runtime;
}

const ROUTES: Record<string, readonly string[]> = {
  '/kim': ['POST', 'OPTIONS'],
  '/sm': ['POST', 'OPTIONS'],
  '/': ['POST', 'OPTIONS'],
  '/health': ['GET', 'HEAD', 'OPTIONS'],
};

/**
 * Runs INIT and returns the handler.
 * @param config  the configuration, usually readConfig(process.env)
 * @param options a precompiled wasm module, custom stores, a logger (see InitOptions)
 */
export async function createHandler(config: LambdaConfig, options: InitOptions = {}): Promise<Handler> {
  const runtime = await initRuntime(config, options);
  const { logger } = runtime;
  const requestLog = options.requestLog ?? true;
  let cold = true;
  const handler = async (event: unknown, context?: LambdaContext): Promise<LambdaResponse> => {
    const start = performance.now();
    const coldStart = cold;
    cold = false;
    let request: HttpRequest | undefined;
    let answered: Answered | undefined;
    let response: LambdaResponse;
    try {
      request = parseEvent(event, config.maxBodyBytes);
      answered = await route(runtime, request, start, coldStart);
      response = answered.response;
    } catch (error) {
      response = errorResponse(toHttpError(error, request?.requestId ?? context?.awsRequestId, logger, context?.awsRequestId));
    }
    applyCors(response.headers, config.corsOrigins ?? '*', request?.headers.origin, request?.method === 'OPTIONS');
    const requestId = context?.awsRequestId ?? request?.requestId;
    const answer = answered?.answer;
    if (requestLog && logger.enabled('INFO')) {
      logger.log(
        'INFO',
        'tinycnn request',
        {
          method: request?.method,
          path: request?.path,
          status: response.statusCode,
          cold_start: coldStart,
          backend: runtime.flavour,
          model: answered?.model,
          duration_ms: round(performance.now() - start),
          ...(answer === undefined
            ? {}
            : {
                embed_ms: round(answer.embedMs),
                inference_ms: round(answer.inferenceMs),
                batch_size: answer.items.length,
                tokens: answer.tokens,
                unknown_tokens: answer.unknownTokens,
              }),
          ...(coldStart ? { init_ms: round(runtime.initMs) } : {}),
        },
        requestId,
      );
    }
    if (config.metrics !== undefined) {
      const inference =
        answer === undefined
          ? undefined
          : {
              inferenceMs: answer.inferenceMs,
              embedMs: answer.embedMs,
              tokens: answer.tokens,
              unknownTokens: answer.unknownTokens,
              batchSize: answer.items.length,
            };
      const members: Record<string, string | number> = { backend: runtime.flavour, status: response.statusCode };
      if (answered?.model !== undefined) members.model = answered.model;
      if (requestId !== undefined) members.requestId = requestId;
      logger.document(metricsDocument(config.metrics, { coldStart, initMs: runtime.initMs, inference }, members));
    }
    return response;
  };
  return Object.assign(handler, { runtime });
}

/** A route's answer, and for a model's answer what the log record and metrics report. */
interface Answered {
  readonly response: LambdaResponse;
  readonly answer?: Answer;
  /** The weight file that answered. */
  readonly model?: string;
}

async function route(runtime: Runtime, request: HttpRequest, start: number, coldStart: boolean): Promise<Answered> {
  const path = withoutModelPrefix(runtime, request.path);
  const methods = ROUTES[path];
  if (methods === undefined) throw new HttpError(404, 'NOT_FOUND', `no route ${request.path}; POST /kim, POST /sm, POST / or GET /health`);
  if (!methods.includes(request.method)) {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${request.path}; use ${methods.join(', ')}`, {
      Allow: methods.join(', '),
    });
  }
  if (request.method === 'OPTIONS') return { response: preflightResponse() };
  if (path === '/health') return { response: jsonResponse(200, health(runtime)) };

  const body = parseJsonObject(request.body);
  const kind = modelFor(runtime, path, body);
  const served = runtime.models.get(kind)!;
  const { classifier, ranker } = runtime;
  const answer: Answer =
    classifier !== undefined && kind === 'kim'
      ? await answerKim(classifier, readKimRequest(body, runtime.config.maxBatch))
      : await answerSm(ranker!, readSmRequest(body, runtime.config.maxBatch, { count: ranker!.extFeatures, computed: ranker!.computesExtFeatures }));
  const timings = {
    t_overall: (performance.now() - start) / 1000,
    t_sent_embedding: answer.embedMs / 1000,
    t_load_model: 0, // loaded once at INIT; see cold_start and the REPORT line's Init Duration
    t_inference: answer.inferenceMs / 1000,
    backend: runtime.flavour,
    model: served.name,
    cold_start: coldStart,
  };
  return { response: jsonResponse(200, Object.assign(answer.batch ? { results: answer.items } : answer.items[0], timings)), answer, model: served.name };
}

/** '/kim/health' -> '/health' and '/kim/' -> '/' on a function serving kim (likewise sm); other paths as they are. */
function withoutModelPrefix(runtime: Runtime, path: string): string {
  for (const kind of runtime.models.keys()) {
    if (path.startsWith(`/${kind}/`)) return path.slice(kind.length + 1);
  }
  return path;
}

/** Milliseconds to the microsecond, for log records. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The model a POST is for: the route's, or on '/' the only one served, or the one the body's fields name. */
function modelFor(runtime: Runtime, path: string, body: Record<string, unknown>): ModelKind {
  const served = [...runtime.models.keys()];
  if (path === '/kim' || path === '/sm') {
    const kind = path.slice(1) as ModelKind;
    if (!runtime.models.has(kind)) throw new HttpError(404, 'NOT_FOUND', `this function serves ${served.join(' and ')}, not ${kind} (TINYCNN_MODEL)`);
    return kind;
  }
  if (served.length === 1) return served[0];
  const kind = modelOfBody(body);
  if (kind === undefined) {
    throw new HttpError(400, 'MISSING_FIELD', 'send {"input": "..."} for Kim CNN or {"sent1": "...", "sent2": "..."} for SM CNN (or POST /kim, /sm)');
  }
  return kind;
}

function health(runtime: Runtime): Record<string, unknown> {
  const models: Record<string, unknown> = {};
  for (const [kind, served] of runtime.models) {
    const spec = served.model.spec;
    models[kind] = {
      file: served.name,
      title: served.model.architecture.title,
      labels: spec.labels,
      dim: spec.dim,
      vectors: shortName(served.vectors.name),
      tokenizer: served.model.metadata['tinycnn.tokenizer'] ?? 'clean_str_sst',
    };
  }
  const { maxBatch, maxTokens, maxBodyBytes } = runtime.config;
  return { status: 'ok', backend: runtime.flavour, models, limits: { max_batch: maxBatch, max_tokens: maxTokens, max_body_bytes: maxBodyBytes } };
}

/** Any failure -> the HttpError to answer with; unexpected ones are logged here (one ERROR record, stack included) and answered 500. */
function toHttpError(error: unknown, requestId: string | undefined, logger: Logger, awsRequestId: string | undefined): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof TokenizeError) return new HttpError(400, error.code, error.message);
  if (error instanceof InputError) return new HttpError(400, error.code, error.message);
  if (error instanceof PipelineError && error.code === 'EXT_FEATURES_UNAVAILABLE') return new HttpError(400, error.code, error.message);
  const id = requestId === undefined ? '' : ` (request ${requestId})`;
  // By code, not class: the DynamoDB store is bundled apart (dynamodb.cjs) with its own copy of the class.
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (code === 'VECTORS_TIMEOUT' || code === 'VECTORS_UNAVAILABLE') {
    logger.error('tinycnn vectors', error, {}, awsRequestId ?? requestId);
    const timeout = code === 'VECTORS_TIMEOUT';
    return new HttpError(timeout ? 504 : 503, code, `word vectors are ${timeout ? 'taking too long' : 'unavailable'}; try again${id}`);
  }
  logger.error('tinycnn internal error', error, {}, awsRequestId ?? requestId);
  return new HttpError(500, 'INTERNAL', `internal error${id}`);
}
