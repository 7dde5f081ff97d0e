/**
 * Retry helpers for the DynamoDB paths: capped exponential backoff with full jitter
 * (delay = random(0, min(cap, base * 2^attempt)), AWS Architecture Blog, "Exponential
 * Backoff And Jitter"), abortable sleeps, and which errors are worth retrying.
 */

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff base (ms). */
  baseDelayMs: number;
  /** Backoff cap (ms). */
  maxDelayMs: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry).
 * @param random uniform [0, 1) source (injectable for tests)
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * ceiling);
}

/** Resolves after ms, or rejects with signal.reason as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** True for throttling, 5xx and transient network errors; false for validation, auth, missing table. */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number }; message?: string };
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return typeof e.message === 'string' && /socket hang up|ECONNRESET|EPIPE|premature close/i.test(e.message);
}

/** A short description of an SDK / network error for messages. */
export function describeError(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? 'Error'}${e.code ? ` ${e.code}` : ''}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? ''}`.trim();
}
