/**
 * The Lambda function's configuration, read once at INIT from environment
 * variables (documented in the README and in template.yaml):
 *
 *   TINYCNN_MODEL           kim | sm | all (default all: both models, routes /kim and /sm)
 *   TINYCNN_WEIGHTS         weight file of the one model served (when TINYCNN_MODEL is kim or sm)
 *   TINYCNN_KIM_MODEL       the shipped Kim model the route /kim serves: kim (default; SST-2) or kim-sst1;
 *                           TINYCNN_SM_MODEL likewise (sm); they set the default weights, vectors and table
 *   TINYCNN_KIM_WEIGHTS     Kim CNN weight file   (default weights/kim-sst2.safetensors)
 *   TINYCNN_SM_WEIGHTS      SM CNN weight file    (default weights/sm-trecqa.safetensors)
 *   TINYCNN_VECTOR_STORE    embedded | dynamodb   (default embedded)
 *   TINYCNN_VECTORS         embedded vector file of the one model served
 *   TINYCNN_KIM_VECTORS     Kim's embedded vectors (default weights/kim-sst2.tcv)
 *   TINYCNN_SM_VECTORS      SM's embedded vectors  (default weights/sm-trecqa.tcv)
 *   TINYCNN_DYNAMODB_TABLE  table of the one model served; per model: TINYCNN_KIM_DYNAMODB_TABLE
 *                           (default word2vec300d), TINYCNN_SM_DYNAMODB_TABLE (default word2vec50d)
 *   TINYCNN_DYNAMODB_ENDPOINT  endpoint override (DynamoDB Local, dynalite); default: the AWS SDK's
 *   TINYCNN_DYNAMODB_CACHE  words kept in the in-process LRU cache, per model (default 10000; 0 = off)
 *   TINYCNN_DYNAMODB_DEADLINE_MS  deadline of one request's lookups, retries included (default 3000)
 *   TINYCNN_MAX_BATCH       most items in one {"inputs": [...]} / {"pairs": [...]} (default 32)
 *   TINYCNN_MAX_TOKENS      most tokens per text (default 512)
 *   TINYCNN_MAX_BODY_BYTES  largest request body, after base64 decoding (default 262144)
 *   TINYCNN_BACKEND         auto | js | wasm-simd | wasm-relaxed (default auto)
 *   TINYCNN_VERIFY          1 | 0: re-run the weight files' parity certificate at INIT (default 1)
 *   TINYCNN_METRICS         1 | 0: one CloudWatch Embedded Metric Format record per invocation (default 0;
 *                           template.yaml sets 1); TINYCNN_METRICS_NAMESPACE (default tinycnn)
 *   TINYCNN_CORS_ORIGINS    * (default) or a comma-separated allow-list of browser origins (see cors.ts)
 *   AWS_LAMBDA_LOG_FORMAT   JSON | Text (default Text), AWS_LAMBDA_LOG_LEVEL (default INFO): set by
 *                           Lambda from the function's logging configuration (see log.ts)
 *   AWS_LAMBDA_FUNCTION_NAME  the metrics' FunctionName dimension (set by Lambda; default tinycnn)
 *
 * Relative paths are resolved against the working directory (on Lambda: the
 * unzipped package, /var/task); the defaults (src/pipeline/defaults.ts) against the
 * folder holding weights/.
 *
 * The in-function benchmark is another entry, bench.mjs (src/lambda/bench-entry.ts,
 * handler `bench.handler`): the serving function never loads it.
 */
import type { BackendChoice } from '../backend/select.js';
import { findAsset } from '../node/assets.js';
import { SHIPPED_MODELS, type ShippedModelName } from '../pipeline/defaults.js';
import { type CorsOrigins, parseCorsOrigins } from './cors.js';
import { ConfigError } from './errors.js';
import type { HostFiles } from './files.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import type { MetricsTarget } from './metrics.js';
import { nodeFiles } from './node-files.js';

export { ConfigError } from './errors.js';

/** The two models the package serves. */
export type ModelKind = 'kim' | 'sm';

/** Where word vectors come from. */
export type VectorStoreKind = 'embedded' | 'dynamodb';

/** Everything about one served model. */
export interface ModelConfig {
  readonly kind: ModelKind;
  /** Absolute path of the safetensors weight file. */
  readonly weights: string;
  /** Absolute path of the embedded vector file (used when vectorStore is 'embedded'). */
  readonly vectors: string;
  /** DynamoDB table (used when vectorStore is 'dynamodb'). */
  readonly table: string;
}

export interface LambdaConfig {
  /** The models to load at INIT, in route order. */
  readonly models: readonly ModelConfig[];
  readonly vectorStore: VectorStoreKind;
  /** DynamoDB endpoint override, e.g. http://127.0.0.1:8000; undefined = the SDK's default. */
  readonly dynamodbEndpoint: string | undefined;
  /** LRU cache entries per model (DynamoDB only). */
  readonly dynamodbCacheSize: number;
  /** Deadline of one request's vector lookups, ms (DynamoDB only). */
  readonly dynamodbDeadlineMs: number;
  readonly maxBatch: number;
  readonly maxTokens: number;
  readonly maxBodyBytes: number;
  readonly backend: BackendChoice;
  /** Re-run each weight file's parity certificate at INIT. */
  readonly verify: boolean;
  /** How INIT reads the weight and vector files named above (readConfig: from disk, through Node). */
  readonly files: HostFiles;
  /** Log records as Lambda's JSON or Text format (default text). */
  readonly logFormat?: LogFormat;
  /** Records below this level are not written (default INFO). */
  readonly logLevel?: LogLevel;
  /** Embedded Metric Format records: off (undefined, the default), or where they go. */
  readonly metrics?: MetricsTarget;
  /** Browser origins allowed to read the answers (default '*'). */
  readonly corsOrigins?: CorsOrigins;
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'js', 'wasm-simd', 'wasm-relaxed'];

/**
 * Reads the configuration.
 * @param env  the environment (process.env on Lambda); unknown variables are ignored
 * @param cwd  base of relative paths given in env (default process.cwd())
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): LambdaConfig {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const kinds = parseModels(get('TINYCNN_MODEL'));
  const single = kinds.length === 1;
  for (const name of ['TINYCNN_WEIGHTS', 'TINYCNN_VECTORS', 'TINYCNN_DYNAMODB_TABLE']) {
    if (!single && get(name) !== undefined) {
      throw new ConfigError(
        name,
        `applies when TINYCNN_MODEL names one model; with ${kinds.join(' and ')} use TINYCNN_KIM_${name.slice(8)} / TINYCNN_SM_${name.slice(8)}`,
      );
    }
  }
  const path = (value: string) => (value.startsWith('/') ? value : `${cwd.replace(/\/+$/, '')}/${value}`);
  const models = kinds.map((kind): ModelConfig => {
    const prefix = `TINYCNN_${kind.toUpperCase()}_`;
    const pick = (suffix: string) => get(`${prefix}${suffix}`) ?? (single ? get(`TINYCNN_${suffix}`) : undefined);
    const weights = pick('WEIGHTS');
    const vectors = pick('VECTORS');
    const shipped = SHIPPED_MODELS[shippedModel(kind, get(`${prefix}MODEL`))];
    return {
      kind,
      weights: weights === undefined ? findAsset(shipped.weights) : path(weights),
      vectors: vectors === undefined ? findAsset(shipped.vectors) : path(vectors),
      table: pick('DYNAMODB_TABLE') ?? shipped.table,
    };
  });
  const store = get('TINYCNN_VECTOR_STORE') ?? 'embedded';
  if (store !== 'embedded' && store !== 'dynamodb') throw new ConfigError('TINYCNN_VECTOR_STORE', `must be embedded or dynamodb, not "${store}"`);
  const backend = get('TINYCNN_BACKEND') ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new ConfigError('TINYCNN_BACKEND', `must be one of ${BACKENDS.join(', ')}, not "${backend}"`);
  const verify = get('TINYCNN_VERIFY') ?? '1';
  if (verify !== '1' && verify !== '0') throw new ConfigError('TINYCNN_VERIFY', `must be 1 or 0, not "${verify}"`);
  const metrics = get('TINYCNN_METRICS') ?? '0';
  if (metrics !== '1' && metrics !== '0') throw new ConfigError('TINYCNN_METRICS', `must be 1 or 0, not "${metrics}"`);
  const logFormat = (get('AWS_LAMBDA_LOG_FORMAT') ?? 'Text').toLowerCase();
  if (logFormat !== 'json' && logFormat !== 'text')
    throw new ConfigError('AWS_LAMBDA_LOG_FORMAT', `must be JSON or Text, not "${get('AWS_LAMBDA_LOG_FORMAT')}"`);
  const logLevel = (get('AWS_LAMBDA_LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError('AWS_LAMBDA_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, not "${get('AWS_LAMBDA_LOG_LEVEL')}"`);
  let corsOrigins: CorsOrigins;
  try {
    corsOrigins = parseCorsOrigins(get('TINYCNN_CORS_ORIGINS'));
  } catch (error) {
    throw new ConfigError('TINYCNN_CORS_ORIGINS', (error as Error).message);
  }
  return {
    models,
    vectorStore: store,
    dynamodbEndpoint: get('TINYCNN_DYNAMODB_ENDPOINT'),
    dynamodbCacheSize: integer(get, 'TINYCNN_DYNAMODB_CACHE', 10_000, 0, 10_000_000),
    dynamodbDeadlineMs: integer(get, 'TINYCNN_DYNAMODB_DEADLINE_MS', 3000, 10, 900_000),
    maxBatch: integer(get, 'TINYCNN_MAX_BATCH', 32, 1, 4096),
    maxTokens: integer(get, 'TINYCNN_MAX_TOKENS', 512, 1, 100_000),
    maxBodyBytes: integer(get, 'TINYCNN_MAX_BODY_BYTES', 262_144, 64, 6 * 1024 * 1024),
    backend: backend as BackendChoice,
    verify: verify === '1',
    logFormat,
    logLevel: logLevel as LogLevel,
    metrics:
      metrics === '1' ? { namespace: get('TINYCNN_METRICS_NAMESPACE') ?? 'tinycnn', functionName: get('AWS_LAMBDA_FUNCTION_NAME') ?? 'tinycnn' } : undefined,
    corsOrigins,
    files: nodeFiles,
  };
}

/** 'kim' | 'sm' | 'all' | 'kim,sm' -> the list of models. */
function parseModels(value: string | undefined): ModelKind[] {
  if (value === undefined || value === 'all') return ['kim', 'sm'];
  const names = value.split(',').map((s) => s.trim().toLowerCase());
  const kinds: ModelKind[] = [];
  for (const name of names) {
    if (name !== 'kim' && name !== 'sm') throw new ConfigError('TINYCNN_MODEL', `must be kim, sm or all, not "${value}"`);
    if (!kinds.includes(name)) kinds.push(name);
  }
  return kinds;
}

function integer(get: (name: string) => string | undefined, name: string, fallback: number, min: number, max: number): number {
  const raw = get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** The shipped model a route serves: `name` (TINYCNN_<KIND>_MODEL) if it is one of that kind's, else the kind's default. */
function shippedModel(kind: ModelKind, name: string | undefined): ShippedModelName {
  if (name === undefined) return kind;
  const ofKind = Object.keys(SHIPPED_MODELS).filter((m) => m === kind || m.startsWith(`${kind}-`));
  if (!ofKind.includes(name)) throw new ConfigError(`TINYCNN_${kind.toUpperCase()}_MODEL`, `must be one of ${ofKind.join(', ')}, not "${name}"`);
  return name as ShippedModelName;
}
