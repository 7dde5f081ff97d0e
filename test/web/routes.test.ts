/**
 * The web routes without a browser: what they answer and what they leave to the
 * Lambda handler, content types and headers, paths that must not escape their
 * folders, the markdown subset, and which results file the report picks.
 */
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampSvg, svgDate } from '../../src/charts/stamp.js';
import { repoRoot as ROOT } from '../helpers/paths.js';
import { markdownToHtml } from '../../src/web/markdown.js';
import { readResults } from '../../src/web/results.js';
import { createWebRoutes, type WebRoute } from '../../src/web/routes.js';
import { BENCH, emptyResults, writeResults } from './fixtures.js';

let dir: string;
let web: WebRoute;

beforeAll(() => {
  dir = writeResults();
  web = createWebRoutes({ resultsDir: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('web routes', () => {
  it('serves the page and its assets with their types and a content security policy', () => {
    const page = web('GET', '/?api=http://x')!;
    expect(page.statusCode).toBe(200);
    expect(page.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(page.headers['Content-Security-Policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<label for="kim-input">Sentence</label>');
    expect(web('HEAD', '/')!.statusCode).toBe(200);
    for (const [name, type] of [
      ['app.js', 'text/javascript'],
      ['api.js', 'text/javascript'],
      ['render.js', 'text/javascript'],
      ['style.css', 'text/css'],
      ['favicon.svg', 'image/svg+xml'],
    ]) {
      const asset = web('GET', `/assets/${name}`)!;
      expect(asset.statusCode, name).toBe(200);
      expect(asset.headers['Content-Type']).toContain(type);
      expect(asset.headers['X-Content-Type-Options']).toBe('nosniff');
    }
  });

  it('leaves the API to the handler: POST / and OPTIONS /, /kim, /sm, /health, unknown paths', () => {
    expect(web('POST', '/')).toBeUndefined();
    expect(web('OPTIONS', '/')).toBeUndefined();
    for (const path of ['/kim', '/sm', '/health', '/nowhere', '/assetsx', '/reports']) expect(web('GET', path), path).toBeUndefined();
  });

  it('refuses other methods on its own paths and unknown assets', () => {
    const post = web('POST', '/report')!;
    expect([post.statusCode, post.headers.Allow]).toEqual([405, 'GET, HEAD']);
    expect(web('GET', '/assets/nope.js')!.statusCode).toBe(404);
  });

  it('keeps paths inside their folders', () => {
    // the URL parser resolves dot segments first: these leave /assets and /report/charts, so they are not page paths
    expect(web('GET', '/assets/../package.json')).toBeUndefined();
    expect(web('GET', '/report/charts/../../package.json')).toBeUndefined();
    for (const path of [
      '/assets/%2e%2e%2fpackage.json',
      '/assets/..%2fpackage.json',
      '/report/charts/..%2f..%2fpackage.json',
      '/report/charts/.hidden.svg',
      '/report/charts/x.json',
    ]) {
      expect(web('GET', path)!.statusCode, path).toBe(404);
    }
  });

  it('serves chart files, PNG as base64', () => {
    const png = web('GET', '/report/charts/plan-cost-vs-memory.png')!;
    expect([png.statusCode, png.headers['Content-Type'], png.isBase64Encoded]).toEqual([200, 'image/png', true]);
    expect(Buffer.from(png.body, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const svg = web('GET', '/report/charts/plan-cost-vs-memory.svg')!;
    expect([svg.headers['Content-Type'], svg.isBase64Encoded]).toEqual(['image/svg+xml', false]);
    expect(svg.headers['Content-Security-Policy']).toContain("default-src 'none'");
  });

  it('reads results on every request: a new file shows without a restart', () => {
    const empty = emptyResults();
    try {
      const routes = createWebRoutes({ resultsDir: empty });
      expect(routes('GET', '/report')!.body).toContain('id="no-results"');
      writeFileSync(join(empty, 'x.json'), JSON.stringify(BENCH));
      expect(routes('GET', '/report')!.body).not.toContain('id="no-results"');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('says where the page files are when they are missing, instead of failing to start', () => {
    const routes = createWebRoutes({ publicDir: join(dir, 'nowhere'), resultsDir: dir });
    expect(routes('GET', '/')!.statusCode).toBe(500);
  });
});

describe('markdown subset', () => {
  it('escapes everything and keeps tables, lists, lead-ins and aligned blocks', () => {
    const out = markdownToHtml(
      'Run <b>x</b> `a<b`\n\n| a | b |\n|---|---:|\n| <i> | 2 |\n\nNotes:\n  - one\n\nWarm protocol: ok\n  round trip   p50 1 ms\n\nCharts:\n  x.svg  x.png\n',
      'T',
    );
    expect(out).toContain('<p>Run &lt;b&gt;x&lt;/b&gt; <code>a&lt;b</code></p>');
    expect(out).toContain('<th scope="col">a</th><th scope="col" class="num">b</th>');
    expect(out).toContain('<td>&lt;i&gt;</td><td class="num">2</td>');
    expect(out).toContain('aria-label="T table"');
    expect(out).toContain('<p><strong>Notes:</strong></p>\n<ul><li>one</li></ul>');
    expect(out).toContain('<pre>round trip   p50 1 ms</pre>');
    expect(out).not.toContain('x.svg');
  });
});

describe('results folder', () => {
  it('prefers the newest committed-kind benchmark file over a newer .tmp.json, and takes a .tmp.json when alone', () => {
    expect(readResults(dir).bench?.file).toBe('2026-11-22-x64.json');
    const only = emptyResults();
    try {
      writeFileSync(join(only, '2026-11-23-x64.tmp.json'), JSON.stringify(BENCH));
      writeFileSync(join(only, 'broken.json'), '{');
      writeFileSync(join(only, 'loadtest.json'), JSON.stringify({ machine: {}, levels: [] }));
      mkdirSync(join(only, 'charts'));
      writeFileSync(join(only, 'charts', 'loadtest-throughput-vs-concurrency.png'), 'x');
      const found = readResults(only);
      expect([found.bench?.file, found.bench?.temporary]).toEqual(['2026-11-23-x64.tmp.json', true]);
      expect(found.loadtest.charts.map((c) => [c.name, c.title, c.svg, c.png])).toEqual([
        ['loadtest-throughput-vs-concurrency', 'Throughput vs concurrency', undefined, 'loadtest-throughput-vs-concurrency.png'],
      ]);
    } finally {
      rmSync(only, { recursive: true, force: true });
    }
  });

  it("dates charts and tables from their contents and names, never from modification times (a clone's time)", () => {
    const folder = emptyResults();
    try {
      mkdirSync(join(folder, 'charts'));
      const drawn = new Date('2026-11-20T10:11:12.000Z');
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
      writeFileSync(join(folder, 'charts', 'plan-cost-vs-memory.svg'), stampSvg(svg, drawn));
      writeFileSync(join(folder, 'charts', 'plan-relative-cost.svg'), svg); // drawn before charts were stamped
      writeFileSync(join(folder, 'plan-2026-11-19.md'), '| a |\n|---|\n| 1 |\n');
      writeFileSync(join(folder, 'loadtest.md'), '| a |\n|---|\n| 1 |\n');
      const clone = new Date('2030-01-01T00:00:00Z');
      for (const f of ['charts/plan-cost-vs-memory.svg', 'charts/plan-relative-cost.svg', 'plan-2026-11-19.md', 'loadtest.md'])
        utimesSync(join(folder, f), clone, clone);
      const found = readResults(folder);
      expect(found.plan.charts.map((c) => [c.name, c.date?.toISOString()])).toEqual([
        ['plan-cost-vs-memory', drawn.toISOString()],
        ['plan-relative-cost', undefined],
      ]);
      expect(found.plan.table?.date?.toISOString()).toBe('2026-11-19T00:00:00.000Z');
      expect(found.loadtest.table?.date).toBeUndefined();
      const page = createWebRoutes({ resultsDir: folder })('GET', '/report')!.body;
      expect(page).toContain('2026-11-20 10:11 UTC');
      expect(page).toContain('2026-11-19');
      expect(page).not.toContain('2030');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('the shipped charts carry their date; a stamp survives as an SVG comment inside the root element', () => {
    const shipped = readFileSync(join(ROOT, 'bench/results/charts/plan-cost-vs-memory.svg'), 'utf8');
    expect(svgDate(shipped)?.toISOString()).toMatch(/^2026-/);
    const stamped = stampSvg('<?xml version="1.0"?><svg a="1"><g/></svg>', new Date(0));
    expect(stamped).toBe('<?xml version="1.0"?><svg a="1"><!-- tinycnn chart, drawn 1970-01-01T00:00:00.000Z --><g/></svg>');
    expect(svgDate(stamped)?.getTime()).toBe(0);
  });
});
