/**
 * /report in headless Chromium: with results (the load-test and planner tables and
 * charts, the benchmark table), without any (the commands that produce them), and on
 * the repo's own bench/results; no horizontal scroll at 375 px; no console errors.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../src/server/server.js';
import { PRODUCE } from '../../src/web/report.js';
import { chromiumAvailable, launch, openPage, screenshotDir, startLocal, type Browser } from './browser.js';
import { emptyResults, writeResults } from './fixtures.js';

const run = chromiumAvailable('test/web/report.test.ts');
const REPO_RESULTS = fileURLToPath(new URL('../../bench/results', import.meta.url));

describe.skipIf(!run)('/report in Chromium', () => {
  let browser: Browser;
  let withResults: LocalServer;
  let without: LocalServer;
  const dirs = { full: '', empty: '' };
  let shots: string;

  beforeAll(async () => {
    dirs.full = writeResults();
    dirs.empty = emptyResults();
    [browser, withResults, without] = await Promise.all([launch(), startLocal(dirs.full), startLocal(dirs.empty)]);
    shots = screenshotDir();
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), withResults?.close(), without?.close()]);
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the load-test and planner tables and charts and the benchmark table', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(`${withResults.url}/report`);
    expect(await page.locator('#no-results').count()).toBe(0);

    const loadtest = page.locator('#loadtest');
    expect(await loadtest.locator('thead th').allTextContents()).toContain('p99 (ms)');
    expect(await loadtest.locator('tbody tr').count()).toBe(2);
    expect(await loadtest.locator('tbody tr').first().locator('td').allTextContents()).toEqual([
      '1',
      '157.1',
      '6.20',
      '5.93',
      '17.60',
      '$0.2485',
      '60/60',
      '0',
      '0',
      '0.365',
      '0.881',
    ]);
    expect(await loadtest.textContent()).toContain('note: <script>this must stay text</script>');
    expect(await loadtest.locator('pre').first().textContent()).toContain('round trip        p50 5.10 ms');
    expect(await loadtest.textContent()).not.toContain('bench/results/charts/loadtest-latency-vs-concurrency.png'); // the "Charts:" paths
    expect(await loadtest.locator('.source').textContent()).toContain('loadtest.md');

    const plan = page.locator('#plan');
    expect(await plan.locator('tbody tr').count()).toBe(2);
    expect(await plan.locator('tbody tr').nth(1).locator('td').first().textContent()).toBe('arm64 ★ (recommended)'); // the planner's ⭐, without an emoji font
    expect(await plan.textContent()).toContain(
      'Recommendation: For a p99 objective of 50 ms, the cheapest configuration is arm64 with 1769 MB and batches of 16 sentences',
    );
    expect(await plan.locator('li').allTextContents()).toEqual(['x86_64, batch 1: cheapest per inference at 128 MB']);

    // charts: one per file pair, titled from the SVG, actually decoded by the browser
    for (const [section, title] of [
      ['#loadtest', 'Latency vs concurrency'],
      ['#plan', 'Cost per million inferences vs memory'],
    ]) {
      const img = page.locator(`${section} figure img`);
      expect(await img.count()).toBe(1);
      expect(await img.getAttribute('alt')).toBe(`Chart: ${title}`);
      await img.scrollIntoViewIfNeeded();
      await expect.poll(() => naturalWidth(img)).toBe(600);
      const png = page.locator(`${section} figcaption a`, { hasText: 'PNG' });
      const response = await page.request.get(new URL((await png.getAttribute('href'))!, withResults.url).href);
      expect(response.headers()['content-type']).toBe('image/png');
      expect((await response.body()).subarray(1, 4).toString()).toBe('PNG');
    }

    const bench = page.locator('#bench');
    expect(await bench.locator('.source').textContent()).toContain('2026-11-22-x64.json'); // not the newer .tmp.json
    const first = bench.locator('table').first();
    expect(await first.locator('thead th').allTextContents()).toEqual(['runtime', 'kim-20', 'sm-20+20']);
    expect(await first.locator('tbody th').allTextContents()).toEqual(['tinycnn-wasm-simd', 'ort-node']); // ours first
    const cell = first.locator('tbody tr').first().locator('td').first();
    expect(await cell.evaluate((td) => td.firstChild?.textContent)).toBe('334');
    expect(await cell.locator('.sub').allTextContents()).toEqual(['330–577', '50.0 GFLOP/s']);
    const throughput = bench.locator('table').nth(1);
    expect(await throughput.locator('thead th').allTextContents()).toEqual(['runtime', 'batch 1', 'batch 4']);
    expect(await throughput.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['334', '357']);
    expect(await bench.locator('.targets summary').textContent()).toBe('Targets: 1 pass, 1 fail, 0 skipped');

    await page.screenshot({ path: join(shots, 'report-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(shots, 'report-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('without results: says so and gives the commands that produce each part', async () => {
    const { page, problems } = await openPage(browser, { width: 375, height: 740 });
    await page.goto(`${without.url}/report`);
    await page.locator('#no-results').waitFor();
    for (const [id, commands] of [
      ['#loadtest', PRODUCE.loadtest],
      ['#plan', PRODUCE.plan],
      ['#bench', PRODUCE.bench],
    ] as const) {
      const text = await page.locator(`${id} .howto`).textContent();
      expect(text).toMatch(/^No .* results yet\./);
      for (const command of commands) expect(text).toContain(command);
      expect(await page.locator(`${id} table, ${id} img`).count()).toBe(0);
    }
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(shots, 'report-empty-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it.skipIf(!existsSync(REPO_RESULTS))("renders the repo's own bench/results without errors", async () => {
    const repo = await startLocal(REPO_RESULTS);
    try {
      const { page, problems } = await openPage(browser);
      await page.goto(`${repo.url}/report`);
      const images = page.locator('figure img');
      for (let i = 0; i < (await images.count()); i++) {
        await images.nth(i).scrollIntoViewIfNeeded();
        await expect.poll(() => naturalWidth(images.nth(i))).toBeGreaterThan(0);
      }
      await page.setViewportSize({ width: 375, height: 740 });
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      expect(problems).toEqual([]);
    } finally {
      await repo.close();
    }
  });
});

/** The decoded width of an <img>, 0 until it has loaded (or when it failed to). */
function naturalWidth(img: Locator): Promise<number> {
  return img.evaluate((el) => {
    const image = el as unknown as { complete: boolean; naturalWidth: number };
    return image.complete ? image.naturalWidth : 0;
  });
}
