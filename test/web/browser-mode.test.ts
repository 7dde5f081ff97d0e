/**
 * The demo page's "run in this browser" mode in headless Chromium: the page loads the engine
 * bundle, the shipped weights and the word vectors (by Range request) from the local server and
 * answers with no call to /kim or /sm; it says who answered; its answers equal the server's for
 * the same kernel flavour (logits bit for bit; probabilities to Math.exp's last bit), on
 * wasm-simd against the server and on Chromium's own pick (relaxed SIMD) against Node's
 * wasm-relaxed handler; it reports what it downloaded, which the test checks against the bytes
 * Chromium actually received.
 */
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: before anything compiles the relaxed flavour
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backend/select.js';
import { readConfig } from '../../src/lambda/config.js';
import { createHandler, type Handler } from '../../src/lambda/handler.js';
import { startServer, type LocalServer } from '../../src/server/server.js';
import { comparable, kimSentences, probabilityGap, smPairs } from '../worker/cases.js';
import { chromiumAvailable, launch, openPage, type Browser } from './browser.js';
import { emptyResults } from './fixtures.js';

const run = chromiumAvailable('test/web/browser-mode.test.ts');

describe.skipIf(!run)('the demo page runs the models in the browser', () => {
  let browser: Browser;
  let server: LocalServer;
  let relaxed: Handler;
  let results: string;

  beforeAll(async () => {
    results = emptyResults();
    [browser, server] = await Promise.all([
      launch(),
      startServer({ config: readConfig({ TINYCNN_BACKEND: 'wasm-simd' }), port: 0, host: '127.0.0.1', log: () => {}, web: { resultsDir: results } }),
    ]);
    relaxed = await createHandler(readConfig({}), { backend: createBackend({ backend: 'wasm-relaxed' }), log: () => {} });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
    rmSync(results, { recursive: true, force: true });
  });

  /** Bytes of every response Chromium received, by path (bodies as sent). */
  function countBytes(page: Page): Map<string, { requests: number; bytes: number }> {
    const seen = new Map<string, { requests: number; bytes: number }>();
    page.on('response', (response) => {
      void response.body().then(
        (body) => {
          const path = new URL(response.url()).pathname;
          const entry = seen.get(path) ?? { requests: 0, bytes: 0 };
          entry.requests++;
          entry.bytes += body.length;
          seen.set(path, entry);
        },
        () => {},
      );
    });
    return seen;
  }

  /** Types into a box, presses Enter, waits for the answer; returns the answer the page shows (data-answer). */
  async function ask(page: Page, kind: 'kim' | 'sm', fill: Record<string, string>): Promise<Record<string, unknown>> {
    const before = await page.locator(`#${kind}-result`).getAttribute('data-answer');
    for (const [selector, text] of Object.entries(fill)) await page.locator(selector).fill(text);
    await page.locator(Object.keys(fill).at(-1)!).press('Enter');
    // runs in Chromium (a function, not a string: the page's CSP forbids eval); no DOM types in this project's TypeScript
    await page.waitForFunction(
      ([id, old]) => {
        const el = (
          globalThis as unknown as { document: { getElementById(id: string): { hidden: boolean; dataset: Record<string, string | undefined> } | null } }
        ).document.getElementById(id);
        return el !== null && !el.hidden && el.dataset.answer !== undefined && el.dataset.answer !== old;
      },
      [`${kind}-result`, before] as const,
      { timeout: 60_000 },
    );
    return JSON.parse((await page.locator(`#${kind}-result`).getAttribute('data-answer'))!) as Record<string, unknown>;
  }

  /** The server's (or Node's relaxed handler's) answer to the same request, and the browser's, made comparable. */
  async function againstNode(answer: Record<string, unknown>, path: string, body: unknown, handler?: Handler) {
    const text = handler
      ? (
          await handler({
            version: '2.0',
            rawPath: path,
            requestContext: { http: { method: 'POST', path }, stage: '$default' },
            headers: {},
            body: JSON.stringify(body),
            isBase64Encoded: false,
          })
        ).body
      : await (await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) })).text();
    const { labels: _labels, loadMs: _loadMs, ...fields } = answer;
    return { here: comparable(JSON.stringify(fields)), node: comparable(text) };
  }

  for (const flavour of ['wasm-simd', 'auto'] as const) {
    it(`${flavour}: answers in the page equal Node's on the same flavour, with no call to /kim or /sm; reports its downloads`, async () => {
      const { page, problems } = await openPage(browser);
      const bytes = countBytes(page);
      const apiCalls: string[] = [];
      page.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (request.method() === 'POST' || path === '/kim' || path === '/sm') apiCalls.push(`${request.method()} ${path}`);
      });
      await page.goto(`${server.url}/?run=browser${flavour === 'auto' ? '' : `&backend=${flavour}`}`);
      expect(await page.locator('#where-browser').isChecked()).toBe(true);

      const sentences = kimSentences(16);
      let logits = 0;
      let worst = 0;
      let backend = '';
      for (const input of sentences) {
        const answer = await ask(page, 'kim', { '#kim-input': input });
        backend = String(answer.backend);
        const expected = flavour === 'auto' ? 'wasm-relaxed' : flavour; // Chromium has relaxed SIMD: auto picks it
        expect(backend).toBe(expected);
        const { here, node } = await againstNode(answer, '/kim', { input }, flavour === 'auto' ? relaxed : undefined);
        expect(here.answer).toEqual(node.answer);
        worst = Math.max(worst, probabilityGap(here.probabilities, node.probabilities));
        logits += (answer.output as number[]).length;
      }
      expect(await page.locator('#kim-by').textContent()).toBe(`Answered by this browser (${backend})`);
      expect(await page.locator('#kim-result .bar').count()).toBe(2);
      expect(await page.locator('#kim-label').textContent()).toMatch(/^(negative|positive)$/);
      for (const [sent1, sent2] of smPairs(24)) {
        const answer = await ask(page, 'sm', { '#sm-question': sent1, '#sm-answer': sent2 });
        const { here, node } = await againstNode(answer, '/sm', { sent1, sent2 }, flavour === 'auto' ? relaxed : undefined);
        expect(here.answer).toEqual(node.answer);
        worst = Math.max(worst, probabilityGap(here.probabilities, node.probabilities));
        logits += 2;
      }
      expect(worst).toBeLessThan(1e-15);
      expect(apiCalls).toEqual([]);
      expect(problems).toEqual([]);

      // what the page says it downloaded against what Chromium received
      const said = JSON.parse((await page.locator('#browser-status').getAttribute('data-downloaded'))!) as Record<string, number>;
      await page.waitForTimeout(200); // the last response bodies are read asynchronously
      const got = (test: (path: string) => boolean) => [...bytes].filter(([p]) => test(p)).reduce((n, [, e]) => n + e.bytes, 0);
      const vectorBytes = got((p) => p.endsWith('.tcv'));
      expect(said.vectors).toBe(vectorBytes);
      expect(said.engine).toBe(got((p) => p === '/engine/tinycnn.js'));
      expect(said.weights).toBe(got((p) => p.endsWith('.safetensors')));
      expect(vectorBytes).toBeLessThan(said.vectorFileBytes / 4); // the stores were never downloaded whole
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      const page_ = got((p) => p === '/' || p.startsWith('/assets/'));
      console.log(
        `browser mode (${backend}), ${sentences.length} sentences + ${smPairs(24).length} pairs, ${logits} logits equal to Node's (probabilities within ${worst.toExponential(1)}): ` +
          `downloaded page ${kb(page_)}, engine ${kb(said.engine)}, weights ${kb(said.weights)}, vectors ${kb(vectorBytes)} (index ${kb(said.vectorIndex)}, rows ${kb(vectorBytes - said.vectorIndex)}) in ${said.vectorRequests} requests ` +
          `(of ${kb(said.vectorFileBytes)}); total ${kb(page_ + said.engine + said.weights + vectorBytes)}`,
      );
    }, 180_000);
  }
});
