/**
 * The benchmark handler (bench.mjs, handler `bench.handler`, a second entry of the same
 * zip, so the serving index.mjs never parses any of this): a direct invocation
 *
 *   {"bench": true}                       the full suite, ~7 s
 *   {"bench": true, "quick": true}        a smoke run, ~1.5 s (its numbers mean little)
 *   {"bench": true, "budget_ms": 20000}   another time budget (the function's Timeout must allow it)
 *
 * runs tinycnn's benchmark suite (src/bench/suite.ts) inside the function, on the
 * weights it serves, on every backend flavour this runtime supports, and answers
 * with the machine-tagged JSON of bench/results/*.json: `machine.lambda` holds the
 * memory size and vCPU share, so `npm run bench:compare -- x86.json arm64.json`
 * compares two functions' answers. Only direct invocations: through API Gateway or a
 * Function URL the body {"bench": true} is an ordinary (refused) request, so even a
 * bench function given a route never becomes a CPU-burning public URL. Every other
 * invocation is served by the ordinary handler.
 *
 * The run ends by the earlier of its budget and the function's timeout less
 * SAFETY_MS (from the context's getRemainingTimeInMillis). The first bench call
 * also loads a model per flavour (tens of ms), inside that budget; later calls
 * reuse them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { basename } from 'node:path';
import { createBackend, detectWasmFeatures } from '../backend/select.js';
import { machineTag } from '../bench/machine.js';
import { MAX_SAMPLES, MIN_SAMPLES, runSuite, WARMUP_MS, type FlavourModels } from '../bench/suite.js';
import { loadPairRanker, loadTextClassifier } from '../node/pipeline.js';
import type { LambdaConfig, ModelKind } from './config.js';
import { parseEvent } from './events.js';
import { createHandler, type Handler } from './handler.js';
import { errorResponse, HttpError, jsonResponse } from './http.js';
import { parseJsonObject } from './requests.js';
import type { InitOptions, Runtime } from './runtime.js';

/** How each served model is loaded again per flavour: through the same pipelines the function serves. */
const LOADERS = { kim: loadTextClassifier, sm: loadPairRanker } satisfies Record<ModelKind, unknown>;

/**
 * The bench function's handler: {"bench": ...} direct invocations run the benchmark, the rest is served.
 * @param config  the configuration, usually readConfig(process.env)
 * @param options as for createHandler
 */
export async function createBenchHandler(config: LambdaConfig, options: InitOptions = {}): Promise<Handler> {
  const serve = await createHandler(config, options);
  const bench = createBench(serve.runtime, options.wasmModule);
  const handler = async (event: unknown, context?: Parameters<Handler>[1]) => {
    const start = performance.now();
    let body: Record<string, unknown>;
    try {
      const request = parseEvent(event, config.maxBodyBytes);
      if (request.kind !== 'direct' || request.method !== 'POST') return serve(event, context);
      body = parseJsonObject(request.body);
    } catch {
      return serve(event, context); // the serving handler answers a malformed event as it always does
    }
    if (!isBenchBody(body)) return serve(event, context);
    try {
      return jsonResponse(200, bench.run(readBenchRequest(body), start, context?.getRemainingTimeInMillis?.()));
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      throw error;
    }
  };
  return Object.assign(handler, { runtime: serve.runtime });
}

/** A checked {"bench": true, ...} body. */
export interface BenchRequest {
  readonly quick: boolean;
  /** The time budget asked for, ms; undefined = the default. */
  readonly budgetMs: number | undefined;
}

/** Default time budget of one bench invocation, ms: fits the template's 10 s Timeout with room to spare. */
export const DEFAULT_BUDGET_MS = { full: 7000, quick: 1500 } as const;
/** Kept free before the function's timeout: the answer, a slow last call, the runtime's own work. */
export const SAFETY_MS = 1000;
/** Below this there is no point starting. */
const MIN_BUDGET_MS = 250;
const MAX_BUDGET_MS = 900_000;
const FIELDS = ['bench', 'quick', 'budget_ms'];

/** Whether a parsed body asks for the benchmark (it has a "bench" field). */
export function isBenchBody(body: Record<string, unknown>): boolean {
  return Object.hasOwn(body, 'bench');
}

/**
 * Checks a bench body; anything unexpected is a 400 naming the field.
 * @param body the parsed request body, with a "bench" field
 */
export function readBenchRequest(body: Record<string, unknown>): BenchRequest {
  if (body.bench !== true) throw new HttpError(400, 'INVALID_FIELD', '"bench" must be true');
  const unknown = Object.keys(body).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) throw new HttpError(400, 'INVALID_FIELD', `unknown field "${unknown[0]}" in a bench request; fields: ${FIELDS.join(', ')}`);
  if (body.quick !== undefined && typeof body.quick !== 'boolean') throw new HttpError(400, 'INVALID_FIELD', '"quick" must be true or false');
  const budget = body.budget_ms;
  if (budget !== undefined && (typeof budget !== 'number' || !Number.isInteger(budget) || budget < MIN_BUDGET_MS || budget > MAX_BUDGET_MS)) {
    throw new HttpError(400, 'INVALID_FIELD', `"budget_ms" must be a whole number of milliseconds from ${MIN_BUDGET_MS} to ${MAX_BUDGET_MS}`);
  }
  return { quick: body.quick === true, budgetMs: budget as number | undefined };
}

/** Runs the benchmark for one invocation; the models per flavour are loaded on first use and kept. */
export interface BenchRunner {
  /**
   * @param request     the checked body
   * @param start       performance.now() when the invocation began
   * @param remainingMs the context's getRemainingTimeInMillis() at that moment, when known
   */
  run(request: BenchRequest, start: number, remainingMs: number | undefined): Record<string, unknown>;
}

const FLAVOURS = ['js', 'wasm-simd', 'wasm-relaxed'] as const;

/**
 * The bench runner of a handler.
 * @param runtime    the handler's INIT state (which models, which weight files)
 * @param wasmModule the precompiled kernel module the handler was given, if any
 */
export function createBench(runtime: Runtime, wasmModule?: WebAssembly.Module): BenchRunner {
  let loaded: ReturnType<typeof loadFlavours> | undefined;
  let weights: Record<string, { file: string; sha256: string }> | undefined;
  return {
    run(request, start, remainingMs) {
      const mode = request.quick ? 'quick' : 'full';
      let budgetMs = request.budgetMs ?? DEFAULT_BUDGET_MS[mode];
      let source = request.budgetMs === undefined ? 'default' : 'request';
      if (remainingMs !== undefined && remainingMs - SAFETY_MS < budgetMs) {
        budgetMs = remainingMs - SAFETY_MS;
        source = `the function's timeout (${remainingMs} ms left, ${SAFETY_MS} ms kept free)`;
      }
      if (budgetMs < MIN_BUDGET_MS) {
        throw new HttpError(400, 'BENCH_NO_TIME', `only ${Math.max(0, Math.round(budgetMs))} ms left for the benchmark; raise the function's Timeout`);
      }
      const loadAtStart = loadavg()[0];
      const loadStart = performance.now();
      loaded ??= loadFlavours(runtime, wasmModule);
      weights ??= weightFiles(runtime);
      const loadSeconds = (performance.now() - loadStart) / 1e3;
      const suite = runSuite(loaded.models, { quick: request.quick, deadline: start + budgetMs });
      const flavours = [...loaded.models.keys()];
      const { relaxed } = detectWasmFeatures();
      return {
        machine: machineTag({
          flavours,
          // What backend 'auto' picks: the fastest flavour this runtime runs.
          auto_flavour: [...FLAVOURS].reverse().find((f) => loaded!.models.has(f)),
          relaxed_simd: !relaxed ? 'unsupported' : Number(process.versions.node.split('.')[0]) >= 22 ? 'on by default' : 'enabled by a V8 flag',
        }),
        run: {
          date: new Date().toISOString(),
          where: 'inside the function: the Lambda bench handler (src/lambda/bench.ts), one process, no peers',
          quick: request.quick,
          rounds: suite.rounds,
          rounds_completed: suite.rounds_completed,
          budget: { budget_ms: Math.round(budgetMs), source, min_samples: MIN_SAMPLES[mode], max_samples: MAX_SAMPLES[mode], warmup_ms: WARMUP_MS[mode] },
          seconds_loading_models: Number(loadSeconds.toFixed(3)), // 0 after the first bench call: kept
          seconds_timing: suite.seconds_timing,
          seconds_total: Number(((performance.now() - start) / 1e3).toFixed(3)),
          load_avg_1m: { start: Number(loadAtStart.toFixed(2)), end: Number(loadavg()[0].toFixed(2)) },
          served_flavour: runtime.flavour,
          weights,
          processes: { function: flavours.map((f) => `tinycnn-${f}`) },
          peers: {},
          unavailable: loaded.unavailable,
          skipped: suite.skipped,
          plan: suite.plan,
          flops: suite.flops,
          simd_peak_gflops: { loops: {}, note: 'not measured inside Lambda' },
          parity: suite.parity,
        },
        results: suite.results,
        ratios: suite.ratios,
        targets: [],
      };
    },
  };
}

/** One backend and one model per served kind for every flavour this runtime runs; why each other flavour is missing. */
function loadFlavours(runtime: Runtime, wasmModule: WebAssembly.Module | undefined) {
  const { simd, relaxed } = detectWasmFeatures();
  const models = new Map<string, FlavourModels>();
  const unavailable: Record<string, string> = {};
  for (const flavour of FLAVOURS) {
    const runtimeName = `tinycnn-${flavour}`;
    if (flavour === 'wasm-simd' && !simd) unavailable[runtimeName] = 'this runtime has no WebAssembly SIMD';
    else if (flavour === 'wasm-relaxed' && !relaxed) unavailable[runtimeName] = 'this runtime has no relaxed SIMD; Node 22 and later have it by default';
    if (unavailable[runtimeName] !== undefined) continue;
    try {
      const notices: string[] = [];
      const backend = createBackend({ backend: flavour, wasmModule, log: (line) => notices.push(line) });
      if (backend.flavour !== flavour) {
        unavailable[runtimeName] = `createBackend('${flavour}') ran ${backend.flavour}${notices.length ? `: ${notices[0]}` : ''}`;
        continue;
      }
      const byKind: FlavourModels = {};
      // verify: true re-runs each file's parity certificate on this flavour's kernels.
      for (const [kind, served] of runtime.models) {
        const pipeline = LOADERS[kind]({ weights: served.model.file, vectors: served.vectors, backend, verify: true });
        Object.assign(byKind, { [kind]: pipeline.model });
      }
      models.set(flavour, byKind);
    } catch (error) {
      unavailable[runtimeName] = String(error instanceof Error ? error.message : error).split('\n')[0];
    }
  }
  return { models, unavailable };
}

/** The served weight files by kind: name and SHA-256, so two runs can be checked to have used the same weights. */
function weightFiles(runtime: Runtime): Record<string, { file: string; sha256: string }> {
  // node:crypto is required here, not imported at the top: loading it costs every cold start ~3 ms.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const out: Record<string, { file: string; sha256: string }> = {};
  for (const [kind, served] of runtime.models) {
    out[kind] = { file: basename(served.model.file), sha256: createHash('sha256').update(readFileSync(served.model.file)).digest('hex') };
  }
  return out;
}
