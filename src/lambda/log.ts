/**
 * The function's log records, in the form Lambda's own Node runtime gives console output:
 *
 *   JSON (AWS_LAMBDA_LOG_FORMAT=JSON)  {"timestamp":"2026-12-02T05:00:00.000Z","level":"INFO","requestId":"...","message":"...", ...fields}
 *   Text (the default)                 message key=value ... (as tinycnn always wrote them; a level
 *                                      other than INFO starts the line: "WARN message ...")
 *
 * An error is one record: JSON carries errorType, errorMessage and stackTrace (the stack's lines,
 * as an array) like the runtime's; Text keeps the stack in the same line with `\r` for newlines,
 * which CloudWatch shows as one event. Records below AWS_LAMBDA_LOG_LEVEL are not written (Lambda
 * would drop them too: its filter reads the "level" field). On Lambda, lines go to stdout with a
 * plain write (index.ts), not console.log, so the runtime does not wrap a JSON record inside another;
 * no Node module is imported here, so edge hosts (src/worker) bundle it too.
 *
 * Written here, not with Powertools for AWS Lambda's Logger and Metrics: bundled, those two add
 * ~34 KB minified to a ~70 KB index.mjs and, measured on the 2-core x64 EPYC dev machine (Node
 * 20, esbuild --bundle --minify of `new Logger()` + `new Metrics()` and one record each), 15-34 ms
 * of import plus 5-13 ms for the first record, on a cold start tinycnn keeps under ~30 ms over
 * bare Node; what is needed here is ~150 lines.
 */

/** Lambda's application log levels, least severe first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** AWS_LAMBDA_LOG_FORMAT: Lambda's 'JSON' or 'Text'. */
export type LogFormat = 'json' | 'text';

/** Extra fields of a record (JSON: top-level keys; Text: key=value after the message). */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  readonly format: LogFormat;
  readonly level: LogLevel;
  /** Whether records of `level` are written. */
  enabled(level: LogLevel): boolean;
  /** Writes one record (when its level is enabled). */
  log(level: LogLevel, message: string, fields?: LogFields, requestId?: string): void;
  /** Writes one ERROR record carrying `error`'s type, message and stack. */
  error(message: string, error: unknown, fields?: LogFields, requestId?: string): void;
  /** Writes one JSON document as it is (an Embedded Metric Format record), whatever the format and level. */
  document(document: object): void;
}

/**
 * A logger writing whole lines to `write`.
 * @param format json or text
 * @param level  records below it are dropped
 * @param write  where each line goes (default console.log; the Lambda entry, index.ts, passes a plain write to fd 1)
 */
export function createLogger(format: LogFormat, level: LogLevel, write: (line: string) => void = (line) => console.log(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) >= threshold;
  const log = (l: LogLevel, message: string, fields: LogFields = {}, requestId?: string) => {
    if (enabled(l)) write(format === 'json' ? jsonRecord(l, message, fields, requestId) : textRecord(l, message, fields, requestId));
  };
  return {
    format,
    level,
    enabled,
    log,
    error: (message, error, fields = {}, requestId) => log('ERROR', message, { ...fields, ...errorFields(error) }, requestId),
    document: (document) => write(JSON.stringify(document)),
  };
}

/** The fields Lambda's runtime gives an error: errorType, errorMessage, stackTrace (lines), and a TinyCnnError's code. */
export function errorFields(error: unknown): LogFields {
  if (!(error instanceof Error)) return { errorType: typeof error, errorMessage: String(error), stackTrace: [] };
  const code = (error as { code?: unknown }).code;
  return {
    errorType: error.name || error.constructor?.name || 'Error',
    errorMessage: error.message,
    ...(typeof code === 'string' ? { errorCode: code } : {}),
    stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
  };
}

function jsonRecord(level: LogLevel, message: string, fields: LogFields, requestId: string | undefined): string {
  const record: Record<string, unknown> = { timestamp: new Date().toISOString(), level };
  if (requestId !== undefined) record.requestId = requestId;
  record.message = message;
  return JSON.stringify(Object.assign(record, fields));
}

function textRecord(level: LogLevel, message: string, fields: LogFields, requestId: string | undefined): string {
  let line = level === 'INFO' ? message : `${level} ${message}`;
  if (requestId !== undefined) line += ` request_id=${requestId}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || key === 'stackTrace') continue;
    line += ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }
  const stack = fields.stackTrace;
  if (Array.isArray(stack) && stack.length > 0) line += `\n${stack.join('\n')}`;
  return line.replace(/\r?\n/g, '\r');
}
