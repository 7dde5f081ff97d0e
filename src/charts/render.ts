/**
 * Renders Vega-Lite chart specifications to SVG (vega, headless: no browser,
 * no canvas) and PNG (@resvg/resvg-js). These are optional packages (peers of
 * tinycnn): they are loaded with dynamic imports so the engine, the Lambda
 * bundle and the cost commands without --charts never load them.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { TinyCnnError } from '../errors.js';
import { importOptional } from '../optional.js';
import { stampSvg } from './stamp.js';

/** A chart could not be written (a missing charting package is a MissingPackageError instead). */
export class ChartError extends TinyCnnError {
  /** The chart's file name without extension. */
  readonly chart: string;
  constructor(chart: string, message: string) {
    super('CHART_FAILED', `chart ${chart}: ${message}`);
    this.chart = chart;
  }
}

/** The font the charts ask for, and TTF files to hand to the PNG renderer when they exist. */
const FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

/** Shared look: white background, readable sizes, one font for SVG and PNG alike. */
export const CHART_CONFIG = {
  background: 'white',
  padding: 16,
  font: FONT_FAMILY,
  view: { stroke: '#dddddd' },
  title: { fontSize: 17, subtitleFontSize: 12, subtitleColor: '#555555', anchor: 'start', offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#eeeeee' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'right' },
  range: { category: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'] },
} as const;

/** The two files written for one chart. */
export interface ChartFiles {
  readonly svg: string;
  readonly png: string;
}

/** Renders a Vega-Lite spec to an SVG string. */
export async function toSvg(
  /** The chart (its config is merged over {@link CHART_CONFIG}). */
  spec: TopLevelSpec,
  /** Name for error messages (unused: vega's errors name the spec). */
  _name = 'chart',
): Promise<string> {
  const [vega, vegaLite] = await Promise.all([
    load('vega', 'drawing charts', () => import('vega')),
    load('vega-lite', 'drawing charts', () => import('vega-lite')),
  ]);
  const full = { ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  // Vega-Lite and Vega warn on stderr about harmless things (dropped empty channels); keep the CLI output clean.
  const compiled = vegaLite.compile(full, { logger: quietLogger(vega) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A vega logger that drops warnings and info (errors still throw where they happen). */
function quietLogger(vega: typeof import('vega')) {
  return vega.logger(vega.Error);
}

/** Rasterizes an SVG string to PNG bytes at `scale` x its size. */
export async function toPng(
  /** The SVG document. */
  svg: string,
  /** Name for error messages (unused: resvg's errors name the input). */
  _name = 'chart',
  /** Zoom factor (2 = sharp on high-density screens). */
  scale = 2,
): Promise<Uint8Array> {
  const { Resvg } = await load('@resvg/resvg-js', 'drawing charts', () => import('@resvg/resvg-js'));
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, fontFiles, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}

/** Writes `<dir>/<name>.svg` and `<dir>/<name>.png` for a Vega-Lite spec. */
export async function writeChart(
  /** The chart. */
  spec: TopLevelSpec,
  /** Output directory (created if missing). */
  dir: string,
  /** File name without extension. */
  name: string,
  /** When the chart's data was measured (kept in the SVG for the /report page; default now). */
  date = new Date(),
): Promise<ChartFiles> {
  const svg = stampSvg(await toSvg(spec, name), date);
  const png = await toPng(svg, name);
  const files = { svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) };
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(files.svg, svg);
    await writeFile(files.png, png);
  } catch (error) {
    throw new ChartError(name, `cannot write to ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return files;
}

/** The packages --charts needs (optional peers of tinycnn). */
const CHART_PACKAGES = ['vega', 'vega-lite', '@resvg/resvg-js'] as const;

/**
 * Checks that the charting packages are installed, before a command spends time on the work
 * whose charts it would then fail to draw.
 * @param purpose what wants them, for the message (e.g. 'drawing charts')
 * @throws MissingPackageError naming the npm install command
 */
export async function ensureChartPackages(purpose: string): Promise<void> {
  await load('vega', purpose, () => import('vega'));
  await load('vega-lite', purpose, () => import('vega-lite'));
  await load('@resvg/resvg-js', purpose, () => import('@resvg/resvg-js'));
}

/** Dynamic import of a charting package; a missing one is a MissingPackageError naming all three. */
function load<T>(pkg: (typeof CHART_PACKAGES)[number], purpose: string, importer: () => Promise<T>): Promise<T> {
  return importOptional(pkg, purpose, importer, CHART_PACKAGES);
}
