/**
 * CloudWatch Embedded Metric Format: one JSON document per invocation, written to stdout,
 * from which CloudWatch Logs makes metrics with no API call (TINYCNN_METRICS=1; on in
 * template.yaml). The `_aws` block names the namespace, the dimension set and each metric's
 * unit; the values are the document's top-level members of those names:
 *
 *   ColdStart      Count         1 on the first invocation of an execution environment, else 0
 *                                (Sum = cold starts, Average = their share)
 *   InitMs         Milliseconds  INIT's wall time (cold invocations only)
 *   InferenceMs    Milliseconds  forward pass and softmax       \
 *   EmbedMs        Milliseconds  tokenizing and vector lookup    |  invocations that ran a model
 *   Tokens         Count         tokens in the request           |
 *   UnknownTokens  Count         of which not in the vectors     |
 *   BatchSize      Count         texts (or pairs) in the request /
 *
 * One dimension, FunctionName (each function of the template serves one model); Model,
 * Backend, status and the request id ride along as plain members, searchable in Logs Insights.
 */

/** What one invocation measured. */
export interface InvocationMetrics {
  readonly coldStart: boolean;
  /** INIT wall time, ms (reported on cold invocations). */
  readonly initMs: number;
  /** Present when a model answered. */
  readonly inference?: {
    readonly inferenceMs: number;
    readonly embedMs: number;
    readonly tokens: number;
    readonly unknownTokens: number;
    readonly batchSize: number;
  };
}

/** Where the metrics go and what describes them. */
export interface MetricsTarget {
  /** CloudWatch namespace (TINYCNN_METRICS_NAMESPACE, default 'tinycnn'). */
  readonly namespace: string;
  /** The FunctionName dimension's value (AWS_LAMBDA_FUNCTION_NAME). */
  readonly functionName: string;
}

type Unit = 'Count' | 'Milliseconds';

/**
 * The EMF document of one invocation.
 * @param target    namespace and function name
 * @param measured  the invocation's numbers
 * @param context   plain members to carry along (model, backend, status, requestId)
 * @param timestamp milliseconds since the epoch (default now)
 */
export function metricsDocument(
  target: MetricsTarget,
  measured: InvocationMetrics,
  context: Readonly<Record<string, string | number>>,
  timestamp = Date.now(),
): Record<string, unknown> {
  const values: [string, Unit, number][] = [['ColdStart', 'Count', measured.coldStart ? 1 : 0]];
  if (measured.coldStart) values.push(['InitMs', 'Milliseconds', round(measured.initMs)]);
  const inference = measured.inference;
  if (inference !== undefined) {
    values.push(
      ['InferenceMs', 'Milliseconds', round(inference.inferenceMs)],
      ['EmbedMs', 'Milliseconds', round(inference.embedMs)],
      ['Tokens', 'Count', inference.tokens],
      ['UnknownTokens', 'Count', inference.unknownTokens],
      ['BatchSize', 'Count', inference.batchSize],
    );
  }
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: target.namespace, Dimensions: [['FunctionName']], Metrics: values.map(([Name, Unit]) => ({ Name, Unit })) }],
    },
    FunctionName: target.functionName,
  };
  for (const [name, , value] of values) document[name] = value;
  return Object.assign(document, context);
}

/** Microsecond resolution is plenty and keeps the record short. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
