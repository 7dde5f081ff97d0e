/**
 * Parser for Lambda's per-invocation REPORT log lines, in the two shapes
 * CloudWatch holds them:
 *
 *   text:  REPORT RequestId: <uuid>\tDuration: 12.34 ms\tBilled Duration: 13 ms\t
 *          Memory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\t
 *          (tabs or spaces; Init Duration on cold starts only; SnapStart adds
 *          Restore Duration / Billed Restore Duration; a timeout adds Status:
 *          timeout; X-Ray adds XRAY TraceId: ... SegmentId: ... Sampled: ...)
 *   JSON:  {"time":"...","type":"platform.report","record":{"requestId":"...",
 *          "metrics":{"durationMs":12.34,"billedDurationMs":13,"memorySizeMB":128,
 *          "maxMemoryUsedMB":70,"initDurationMs":150.12},"status":"success"}}
 *
 * Anything may stand before the REPORT (a timestamp and log stream, as `aws logs
 * tail` prints, a CSV column, `--output text` columns). The JSON output of `aws
 * logs filter-log-events` / `get-log-events` works too: each `"message": "..."`
 * line is decoded, the JSON around it skipped. Other Lambda lines (START, END,
 * INIT_START, XRAY, application logs) are counted as `other`; everything else is
 * `malformed`. The parser never throws.
 */

/** One invocation, as its REPORT line tells it. Durations in ms, memory in MB. */
export interface ReportRecord {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly requestId: string;
  /** Handler duration (excludes INIT). */
  readonly durationMs: number;
  /** What AWS says it billed; undefined when the line has no such field. */
  readonly billedDurationMs: number | undefined;
  /** Configured memory. */
  readonly memorySizeMb: number;
  /** Peak memory used; undefined when absent. */
  readonly maxMemoryUsedMb: number | undefined;
  /** INIT duration: present on cold starts only. */
  readonly initDurationMs: number | undefined;
  /** SnapStart restore duration (a restored cold start). */
  readonly restoreDurationMs: number | undefined;
  /** SnapStart billed restore duration. */
  readonly billedRestoreDurationMs: number | undefined;
  /** 'success' unless the line says otherwise (e.g. 'timeout', 'error'). */
  readonly status: string;
}

/** How one input line was understood. */
export type LineResult =
  | { readonly kind: 'report'; readonly record: ReportRecord }
  | { readonly kind: 'blank' }
  | { readonly kind: 'other' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Field names of the text format, longest first so 'Billed Duration' wins over 'Duration'. */
const TEXT_FIELDS = [
  'Billed Restore Duration',
  'Restore Duration',
  'Billed Duration',
  'Init Duration',
  'Max Memory Used',
  'Memory Size',
  'Duration',
  'RequestId',
  'Status',
  'Error Type',
  'XRAY TraceId',
  'SegmentId',
  'Sampled',
] as const;
const FIELD_RE = new RegExp(`(?:^|[\\s"',])(${TEXT_FIELDS.join('|')}):`, 'g');
const REPORT_RE = /(?:^|[\s"',])REPORT\s+RequestId:/;
const NUMBER_RE = /^\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)/;
const OTHER_RE =
  /(?:^|[\s"',])(?:START RequestId:|END RequestId:|INIT_START\b|INIT_REPORT\b|RESTORE_START\b|RESTORE_REPORT\b|EXTENSION\b|TELEMETRY\b|LOGS\b|XRAY TraceId:)/;
// `aws logs filter-log-events` / `get-log-events` JSON output: "message": "REPORT RequestId: ...\t..." (escaped).
const MESSAGE_RE = /"message"\s*:\s*("(?:[^"\\]|\\.)*")/;
// The rest of such a JSON document: brackets, braces and "key": value lines.
const JSON_FRAGMENT_RE = /^\s*(?:[[\]{}],?|"[^"]*"\s*:\s*(?:\[\]|\{\}|[[{]|"(?:[^"\\]|\\.)*"|-?[\d.eE+-]+|true|false|null)?,?)\s*$/;
// Node/Python runtime application lines: "2024-05-01T12:00:00.123Z\t<request id>\tINFO\t..."
const APP_LOG_RE = /^\s*\d{4}-\d\d-\d\dT[\d:.]+Z?\s+\S+\s+(?:INFO|WARN|ERROR|DEBUG|TRACE|FATAL)\b/;

/** Parses one line (without its newline). `lineNo` is recorded in the result. */
export function parseReportLine(
  /** The line's text. */
  text: string,
  /** Its 1-based line number. */
  lineNo: number,
): LineResult {
  if (text.trim() === '') return { kind: 'blank' };
  const wrapped = MESSAGE_RE.exec(text);
  if (wrapped !== null) return parseMessage(wrapped[1], lineNo);
  if (REPORT_RE.test(text)) return parseTextReport(text, lineNo);
  if (text.includes('platform.report')) return parseJsonReport(text, lineNo);
  if (OTHER_RE.test(text) || APP_LOG_RE.test(text) || isJsonObject(text) || JSON_FRAGMENT_RE.test(text)) return { kind: 'other' };
  return { kind: 'malformed', reason: 'not a REPORT line' };
}

/** A log event's message, as a JSON string literal: decoded, then its REPORT line (or first line) parsed. */
function parseMessage(literal: string, lineNo: number): LineResult {
  let message: unknown;
  try {
    message = JSON.parse(literal);
  } catch {
    return { kind: 'malformed', reason: 'a "message" field that is not a valid JSON string' };
  }
  if (typeof message !== 'string') return { kind: 'malformed', reason: 'a "message" field that is not a string' };
  const lines = message.split(/\r?\n/).filter((l) => l.trim() !== '');
  const line = lines.find((l) => REPORT_RE.test(l) || l.includes('platform.report')) ?? lines[0] ?? '';
  const isReport = REPORT_RE.test(line) || line.includes('platform.report');
  if (!isReport) return { kind: 'other' }; // a log event that is not a REPORT (START, END, application output)
  if (MESSAGE_RE.test(line)) return { kind: 'malformed', reason: 'a "message" inside a "message"' };
  return parseReportLine(line, lineNo);
}

function parseTextReport(text: string, lineNo: number): LineResult {
  const start = text.search(REPORT_RE);
  const body = text.slice(start);
  const fields = new Map<string, string>();
  const matches = [...body.matchAll(FIELD_RE)];
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i];
    const valueStart = (m.index ?? 0) + m[0].length;
    const valueEnd = i + 1 < matches.length ? (matches[i + 1].index ?? body.length) : body.length;
    if (!fields.has(m[1])) fields.set(m[1], body.slice(valueStart, valueEnd).trim());
  }
  const requestId = (fields.get('RequestId') ?? '').split(/\s/)[0].replace(/["',]+$/, '');
  if (requestId === '') return { kind: 'malformed', reason: 'REPORT line without a RequestId' };
  const duration = quantity(fields.get('Duration'), 'ms');
  if (typeof duration !== 'number') return { kind: 'malformed', reason: `Duration ${duration}` };
  const memory = quantity(fields.get('Memory Size'), 'MB');
  if (typeof memory !== 'number') return { kind: 'malformed', reason: `Memory Size ${memory}` };
  const optional: Record<string, number | undefined> = {};
  for (const [name, unit] of [
    ['Billed Duration', 'ms'],
    ['Max Memory Used', 'MB'],
    ['Init Duration', 'ms'],
    ['Restore Duration', 'ms'],
    ['Billed Restore Duration', 'ms'],
  ] as const) {
    const raw = fields.get(name);
    if (raw === undefined) continue;
    const value = quantity(raw, unit);
    if (typeof value !== 'number') return { kind: 'malformed', reason: `${name} ${value}` };
    optional[name] = value;
  }
  const status = (fields.get('Status') ?? 'success').split(/\s/)[0].toLowerCase() || 'success';
  return {
    kind: 'report',
    record: {
      line: lineNo,
      requestId,
      durationMs: duration,
      billedDurationMs: optional['Billed Duration'],
      memorySizeMb: memory,
      maxMemoryUsedMb: optional['Max Memory Used'],
      initDurationMs: optional['Init Duration'],
      restoreDurationMs: optional['Restore Duration'],
      billedRestoreDurationMs: optional['Billed Restore Duration'],
      status,
    },
  };
}

/** A field's number, or a short reason string when it is missing, not a number, negative or in the wrong unit. */
function quantity(raw: string | undefined, unit: 'ms' | 'MB'): number | string {
  if (raw === undefined) return 'is missing';
  const m = NUMBER_RE.exec(raw);
  if (m === null) return `is not a number ("${raw.slice(0, 20)}")`;
  const value = Number(m[1]);
  if (!Number.isFinite(value) || value < 0) return `is not a non-negative number ("${m[1]}")`;
  if (m[2] !== '' && m[2] !== unit) return `has unit "${m[2]}", expected ${unit}`;
  return value;
}

function parseJsonReport(text: string, lineNo: number): LineResult {
  const brace = text.indexOf('{');
  let json: unknown;
  try {
    json = JSON.parse(text.slice(brace < 0 ? 0 : brace));
  } catch {
    return { kind: 'malformed', reason: 'platform.report line is not valid JSON' };
  }
  const event = json as { type?: unknown; record?: { requestId?: unknown; metrics?: Record<string, unknown>; status?: unknown } };
  if (event.type !== 'platform.report') return { kind: 'other' };
  const metrics = event.record?.metrics;
  if (metrics === undefined || metrics === null || typeof metrics !== 'object') return { kind: 'malformed', reason: 'platform.report without record.metrics' };
  const num = (key: string): number | undefined => {
    const v = metrics[key];
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
  };
  const duration = num('durationMs');
  const memory = num('memorySizeMB');
  if (duration === undefined) return { kind: 'malformed', reason: 'platform.report without a valid metrics.durationMs' };
  if (memory === undefined) return { kind: 'malformed', reason: 'platform.report without a valid metrics.memorySizeMB' };
  const requestId = typeof event.record?.requestId === 'string' ? event.record.requestId : '';
  return {
    kind: 'report',
    record: {
      line: lineNo,
      requestId,
      durationMs: duration,
      billedDurationMs: num('billedDurationMs'),
      memorySizeMb: memory,
      maxMemoryUsedMb: num('maxMemoryUsedMB'),
      initDurationMs: num('initDurationMs'),
      restoreDurationMs: num('restoreDurationMs'),
      billedRestoreDurationMs: num('billedRestoreDurationMs'),
      status: typeof event.record?.status === 'string' ? event.record.status.toLowerCase() : 'success',
    },
  };
}

function isJsonObject(text: string): boolean {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** A malformed line kept as an example for the user. */
export interface MalformedLine {
  readonly line: number;
  readonly reason: string;
  /** The line's first 120 characters. */
  readonly text: string;
}

/** Everything read from one log: the invocations and the counts of the other lines. */
export interface ReportLog {
  readonly records: ReportRecord[];
  /** Lines that were neither REPORT, blank nor known Lambda/application lines, or broken REPORT lines. */
  malformedLines: number;
  /** The first few malformed lines, to show the user. */
  readonly malformedExamples: MalformedLine[];
  /** START/END/XRAY/application lines, skipped on purpose. */
  otherLines: number;
  /** All lines read, blank ones included. */
  totalLines: number;
}

/** How many malformed lines a {@link ReportLog} keeps as examples. */
export const MAX_EXAMPLES = 5;

/** An empty log to feed lines into with {@link addLine}. */
export function emptyLog(): ReportLog {
  return { records: [], malformedLines: 0, malformedExamples: [], otherLines: 0, totalLines: 0 };
}

/** Adds one line to a log (line numbers follow the order of the calls). */
export function addLine(
  /** The log to add to (mutated). */
  log: ReportLog,
  /** The line's text, without the newline. */
  text: string,
): void {
  log.totalLines++;
  const result = parseReportLine(text, log.totalLines);
  if (result.kind === 'report') log.records.push(result.record);
  else if (result.kind === 'other') log.otherLines++;
  else if (result.kind === 'malformed') {
    log.malformedLines++;
    if (log.malformedExamples.length < MAX_EXAMPLES) log.malformedExamples.push({ line: log.totalLines, reason: result.reason, text: text.slice(0, 120) });
  }
}

/** Parses a whole log held in a string. */
export function parseReportLog(
  /** The log's text (any line endings). */
  text: string,
): ReportLog {
  const log = emptyLog();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) addLine(log, line);
  return log;
}
