/**
 * The planner's input: one measurement per (architecture, memory, batch).
 * Three file formats, told apart by their content:
 *
 *   JSON  [{"arch": "arm64", "memory_mb": 1024, "batch": 8, "p50_ms": 9.1, "p99_ms": 14.2,
 *           "mean_ms": 9.6, "billed_ms": 10.2, "requests": 500}, ...]   (or {"runs": [...]})
 *   CSV   arch,memory_mb,batch,p50_ms,p99_ms[,mean_ms,billed_ms,requests]   (header row; '#' comments)
 *   REPORT logs (anything else): CloudWatch REPORT lines of one function; grouped by their
 *         Memory Size; the architecture and batch come from --arch / --batch, else from
 *         tags in the file name (x86_64, x86, arm64, arm, graviton; b8, batch8, batch-8),
 *         else x86_64 and 1.
 *
 * Required: arch (unless given by flag), memory_mb, p50_ms, p99_ms. batch defaults to 1.
 * mean_ms, when given, is the latency the cost is computed from (else p50_ms);
 * billed_ms, when given, is the mean billed ms per request (else ceil(latency)).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CostInputError } from './errors.js';
import { type Arch, LAMBDA_PRICES, type LambdaPrices, parseArch } from './prices.js';
import { parseReportLog } from './report.js';
import { mean, spread } from './stats.js';
import { billedFor } from './summary.js';

/** One measured configuration. Latencies in ms (of one request, which carries `batch` sentences). */
export interface Measurement {
  readonly arch: Arch;
  readonly memoryMb: number;
  /** Sentences (or sentence pairs) per request. */
  readonly batch: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Mean latency, when known. */
  readonly meanMs: number | undefined;
  /** Mean billed ms per request (INIT included where billed), when known. */
  readonly billedMs: number | undefined;
  /** Requests measured, when known. */
  readonly requests: number | undefined;
  /** Cold starts among them (REPORT logs only). */
  readonly coldStarts: number | undefined;
  /** Where it came from: 'file.json[3]', 'file.log (1024 MB)'. */
  readonly source: string;
}

/** Defaults for what a file does not say. */
export interface RunDefaults {
  /** --arch: wins over file-name tags and fills in missing JSON/CSV arch fields. */
  readonly arch?: Arch | undefined;
  /** --batch: wins over file-name tags and fills in missing JSON/CSV batch fields. */
  readonly batch?: number | undefined;
  /** Prices (for billed durations of REPORT lines). */
  readonly prices?: LambdaPrices | undefined;
}

/** Reads one planner input file (format sniffed from its content). */
export async function readRuns(
  /** Path of a JSON, CSV or REPORT-log file. */
  path: string,
  /** Flag defaults. */
  defaults: RunDefaults = {},
): Promise<Measurement[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CostInputError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseRuns(text, path, defaults);
}

/** Parses a planner input held in a string; `name` is used for tags and messages. */
export function parseRuns(text: string, name: string, defaults: RunDefaults = {}): Measurement[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !trimmed.includes('platform.report'))) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new CostInputError(name, `is not valid JSON (${(error as Error).message})`);
    }
    const list = Array.isArray(json) ? json : (json as { runs?: unknown }).runs;
    if (!Array.isArray(list)) throw new CostInputError(name, 'JSON input must be a list of runs or {"runs": [...]}');
    return list.map((item, i) => fromObject(item, `${name}[${i}]`, defaults));
  }
  const firstLine = trimmed.split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  if (/(^|,)\s*memory_mb\s*(,|$)/.test(firstLine)) return parseCsv(trimmed, name, defaults);
  return fromReportLog(text, name, defaults);
}

function parseCsv(text: string, name: string, defaults: RunDefaults): Measurement[] {
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ l: l.trim(), n: i + 1 }))
    .filter(({ l }) => l !== '' && !l.startsWith('#'));
  const header = lines[0].l.split(',').map((h) => h.trim());
  return lines.slice(1).map(({ l, n }) => {
    const cells = l.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new CostInputError(name, `line ${n} has ${cells.length} cells, the header has ${header.length}`);
    const obj: Record<string, string> = {};
    header.forEach((h, i) => (obj[h] = cells[i]));
    return fromObject(obj, `${name}:${n}`, defaults);
  });
}

/** Validates one JSON object / CSV row. Numbers may be given as strings (CSV). */
function fromObject(item: unknown, where: string, defaults: RunDefaults): Measurement {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new CostInputError(where, 'each run must be an object');
  const o = item as Record<string, unknown>;
  const num = (key: string, required: boolean, positive = true): number | undefined => {
    const raw = o[key];
    if (raw === undefined || raw === null || raw === '') {
      if (required) throw new CostInputError(where, `needs "${key}"`);
      return undefined;
    }
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    if (!Number.isFinite(v) || v < 0 || (positive && v === 0))
      throw new CostInputError(where, `"${key}" must be a ${positive ? 'positive' : 'non-negative'} number, not ${JSON.stringify(raw)}`);
    return v;
  };
  let arch = defaults.arch;
  if (arch === undefined) {
    if (typeof o.arch !== 'string') throw new CostInputError(where, 'needs "arch" (x86_64 or arm64), or pass --arch');
    arch = parseArch(o.arch);
    if (arch === undefined) throw new CostInputError(where, `"arch" must be x86_64 or arm64, not ${JSON.stringify(o.arch)}`);
  }
  const memoryMb = num('memory_mb', true) as number;
  const batch = defaults.batch ?? num('batch', false) ?? 1;
  if (!Number.isInteger(batch)) throw new CostInputError(where, `"batch" must be an integer, not ${batch}`);
  const p50Ms = num('p50_ms', true) as number;
  const p99Ms = num('p99_ms', true) as number;
  if (p99Ms < p50Ms) throw new CostInputError(where, `p99_ms (${p99Ms}) is below p50_ms (${p50Ms})`);
  return {
    arch,
    memoryMb,
    batch,
    p50Ms,
    p99Ms,
    meanMs: num('mean_ms', false),
    billedMs: num('billed_ms', false),
    requests: num('requests', false),
    coldStarts: num('cold_starts', false, false),
    source: where,
  };
}

/** The architecture and batch size a file name carries, e.g. 'kim-arm64-b8.log' -> arm64, 8. */
export function tagsFromName(path: string): { arch: Arch | undefined; batch: number | undefined } {
  const name = basename(path).toLowerCase();
  let arch: Arch | undefined;
  const archMatch = /(?:^|[^a-z0-9])(x86_64|x86-64|x86|amd64|x64|arm64|aarch64|arm|graviton\d?)(?=$|[^a-z0-9])/.exec(name);
  if (archMatch !== null) arch = parseArch(archMatch[1].replace(/^graviton\d$/, 'graviton'));
  const batchMatch = /(?:^|[^a-z])(?:batch|bs|b)[-_=]?(\d+)(?=$|[^0-9])/.exec(name);
  return { arch, batch: batchMatch === null ? undefined : Number(batchMatch[1]) };
}

function fromReportLog(text: string, name: string, defaults: RunDefaults): Measurement[] {
  const log = parseReportLog(text);
  if (log.records.length === 0) {
    throw new CostInputError(
      name,
      `no REPORT lines found (${log.malformedLines} malformed lines); planner inputs are REPORT logs, a JSON list of runs, or a CSV with a memory_mb column`,
    );
  }
  const tags = tagsFromName(name);
  const arch = defaults.arch ?? tags.arch ?? 'x86_64';
  const batch = defaults.batch ?? tags.batch ?? 1;
  const byMemory = new Map<number, typeof log.records>();
  for (const r of log.records) {
    const list = byMemory.get(r.memorySizeMb);
    if (list === undefined) byMemory.set(r.memorySizeMb, [r]);
    else list.push(r);
  }
  return [...byMemory.entries()]
    .sort(([a], [b]) => a - b)
    .map(([memoryMb, records]) => {
      const d = spread(records.map((r) => r.durationMs));
      return {
        arch,
        memoryMb,
        batch,
        p50Ms: d.p50,
        p99Ms: d.p99,
        meanMs: d.mean,
        billedMs: mean(records.map((r) => billedFor(r, defaults.prices ?? LAMBDA_PRICES).ms)),
        requests: records.length,
        coldStarts: records.filter((r) => r.initDurationMs !== undefined || r.restoreDurationMs !== undefined).length,
        source: `${name} (${memoryMb} MB)`,
      };
    });
}
