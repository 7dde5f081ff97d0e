/**
 * What the report page shows, read from the results folder (bench/results by default)
 * on every request, so new results appear without restarting the server:
 *
 *   charts/loadtest-*.svg|png   written by `tinycnn loadtest --charts`
 *   charts/plan-*.svg|png       written by `tinycnn plan --charts`
 *   loadtest*.md, plan*.md      those commands' stdout (the markdown tables), saved with `>`
 *   *.json                      `npm run bench` results ({"machine", "run", "results", ...});
 *                               <date>-<arch>.json, or <date>-<arch>.tmp.json for quick/partial runs
 *
 * The newest file of each kind wins. Dates shown come from the files' contents or names (a chart's
 * SVG stamp, a table's YYYY-MM-DD file name, a run's "date"), never from modification times: on
 * a fresh clone those are the clone's time. Nothing here throws on a missing or odd file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { svgDate } from '../charts/stamp.js';

/** One chart: its SVG and/or PNG file names in charts/, and its title. */
export interface ChartFile {
  readonly name: string;
  readonly title: string;
  readonly svg: string | undefined;
  readonly png: string | undefined;
  /** When it was drawn (the SVG's stamp); undefined for a PNG alone or an older SVG. */
  readonly date: Date | undefined;
}

/** A saved stdout (markdown tables). */
export interface TextFile {
  readonly file: string;
  readonly text: string;
  readonly mtime: Date;
  /** The YYYY-MM-DD in the file name, if any. */
  readonly date: Date | undefined;
}

/** One row of a benchmark results file (see bench/README.md). */
export interface BenchRow {
  readonly case: string;
  readonly runtime: string;
  readonly batch?: number;
  readonly p50_us: number;
  readonly min_us?: number;
  readonly max_us?: number;
  readonly us_per_sentence?: number;
  readonly gflops?: number;
  readonly peak_share?: number;
}

/** A benchmark results file. */
export interface BenchFile {
  readonly file: string;
  /** A .tmp.json file: a quick, partial or non-reference run. */
  readonly temporary: boolean;
  readonly mtime: Date;
  readonly machine: Record<string, unknown>;
  readonly run: Record<string, unknown>;
  readonly results: readonly BenchRow[];
  readonly targets: readonly Record<string, unknown>[];
}

/** Everything found for one command (loadtest or plan). */
export interface CommandResults {
  readonly table: TextFile | undefined;
  readonly charts: readonly ChartFile[];
}

export interface Results {
  readonly dir: string;
  readonly loadtest: CommandResults;
  readonly plan: CommandResults;
  readonly bench: BenchFile | undefined;
}

/** A chart file name that may be served: letters, digits, dot, dash, underscore; .svg or .png. */
export const CHART_FILE = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.(svg|png)$/;

/**
 * Reads the results folder.
 * @param dir the folder (usually <cwd>/bench/results)
 */
export function readResults(dir: string): Results {
  const files = list(dir);
  const charts = readCharts(join(dir, 'charts'));
  return {
    dir,
    loadtest: { table: newestText(dir, files, /^loadtest.*\.md$/), charts: charts.filter((c) => c.name.startsWith('loadtest-')) },
    plan: { table: newestText(dir, files, /^plan.*\.md$/), charts: charts.filter((c) => c.name.startsWith('plan-')) },
    bench: newestBench(dir, files),
  };
}

function readCharts(dir: string): ChartFile[] {
  const byName = new Map<string, { svg?: string; png?: string }>();
  for (const file of list(dir)) {
    if (!CHART_FILE.test(file) || modified(join(dir, file)) === undefined) continue;
    const name = file.replace(/\.(svg|png)$/, '');
    const entry = byName.get(name) ?? {};
    if (file.endsWith('.svg')) entry.svg = file;
    else entry.png = file;
    byName.set(name, entry);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => {
      const svg = e.svg === undefined ? undefined : read(join(dir, e.svg));
      return {
        name,
        title: (svg !== undefined && svgTitle(svg)) || titleOfName(name),
        svg: e.svg,
        png: e.png,
        date: svg === undefined ? undefined : svgDate(svg),
      };
    });
}

/** The title Vega wrote into the SVG (the last title text: facet headers come first). */
function svgTitle(svg: string): string | undefined {
  const titles = [...svg.matchAll(/role-title-text[\s\S]*?<text[^>]*>([^<]+)<\/text>/g)].map((m) => decodeEntities(m[1]));
  return titles.at(-1);
}

function titleOfName(name: string): string {
  const words = name.replace(/^(loadtest|plan)-/, '').replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function newestText(dir: string, files: string[], pattern: RegExp): TextFile | undefined {
  let best: TextFile | undefined;
  for (const file of files) {
    if (!pattern.test(file)) continue;
    const mtime = modified(join(dir, file));
    const text = read(join(dir, file));
    if (mtime === undefined || text === undefined || text.trim() === '') continue;
    if (best === undefined || mtime > best.mtime) best = { file, text, mtime, date: fileDate(file) };
  }
  return best;
}

/** The newest committed-kind results file; a .tmp.json only when there is no other. */
function newestBench(dir: string, files: string[]): BenchFile | undefined {
  const runs: BenchFile[] = [];
  for (const file of files) {
    if (!file.endsWith('.json')) continue;
    const parsed = parse(read(join(dir, file)));
    const mtime = modified(join(dir, file));
    if (parsed === undefined || mtime === undefined) continue;
    const { machine, run, results, targets } = parsed as Record<string, unknown>;
    if (!isRecord(machine) || !Array.isArray(results) || !results.every(isBenchRow)) continue;
    runs.push({
      file,
      temporary: file.endsWith('.tmp.json'),
      mtime,
      machine,
      run: isRecord(run) ? run : {},
      results,
      targets: Array.isArray(targets) ? targets.filter(isRecord) : [],
    });
  }
  const date = (b: BenchFile) => (typeof b.run.date === 'string' ? Date.parse(b.run.date) : NaN) || b.mtime.getTime();
  runs.sort((a, b) => Number(a.temporary) - Number(b.temporary) || date(b) - date(a));
  return runs[0];
}

/** The YYYY-MM-DD a file name starts with or contains (bench results, saved tables), as midnight UTC. */
export function fileDate(file: string): Date | undefined {
  const match = /(\d{4}-\d\d-\d\d)/.exec(file);
  const date = match === null ? undefined : new Date(`${match[1]}T00:00:00Z`);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

function isBenchRow(value: unknown): value is BenchRow {
  return isRecord(value) && typeof value.case === 'string' && typeof value.runtime === 'string' && typeof value.p50_us === 'number';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function modified(path: string): Date | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.mtime : undefined;
  } catch {
    return undefined;
  }
}
