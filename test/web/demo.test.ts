/**
 * The demo page at / in headless Chromium, against the local server on 127.0.0.1:
 * keyboard-only Kim CNN (Tab to the box, type, Enter) -> one bar per label as wide as
 * its probability, the label, unknown tokens marked, the timing split and backend;
 * SM CNN -> the relevance score; the API's own messages for empty and too-long text;
 * "cannot reach" when the server is down; another origin through the API base URL
 * field (CORS), castorini's logits-only API included; no horizontal scroll at 375 px;
 * no console errors; screenshots.
 */
import { rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../src/server/server.js';
import { chromiumAvailable, launch, openPage, otherThanFailedRequest, screenshotDir, startLocal, type Browser } from './browser.js';
import { emptyResults } from './fixtures.js';

const run = chromiumAvailable('test/web/demo.test.ts');

describe.skipIf(!run)('demo page in Chromium', () => {
  let browser: Browser;
  let server: LocalServer;
  let results: string;
  let labels: string[];
  let shots: string;

  beforeAll(async () => {
    results = emptyResults();
    [browser, server] = await Promise.all([launch(), startLocal(results)]);
    labels = ((await (await fetch(`${server.url}/health`)).json()) as { models: { kim: { labels: string[] } } }).models.kim.labels;
    shots = screenshotDir();
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
    rmSync(results, { recursive: true, force: true });
  });

  /** Opens / and waits until the page has read /health. */
  async function open(viewport?: { width: number; height: number }) {
    const opened = await openPage(browser, viewport);
    await opened.page.goto(`${server.url}/`);
    await opened.page.locator('#api-status.ok').waitFor();
    return opened;
  }

  /** Types into a box by keyboard (pastes long text) and presses Enter; resolves with the API's JSON answer. */
  async function submit(page: Page, selector: string, text: string, path: string): Promise<Record<string, any>> {
    await page.locator(selector).fill(text.length > 200 ? text : '');
    await page.locator(selector).focus();
    if (text.length <= 200) await page.keyboard.type(text);
    const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === path), page.keyboard.press('Enter')]);
    return (await response.json()) as Record<string, any>;
  }

  it('Kim CNN by keyboard: bars per label as wide as the probabilities, label, unknown tokens, timing, backend', async () => {
    const { page, problems } = await open();
    // keyboard only: Tab from the top reaches the sentence box after the API field and its button
    const order: string[] = [];
    for (let i = 0; i < 9 && order.at(-1) !== 'kim-input'; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate<string>("document.activeElement?.id || document.activeElement?.textContent?.trim() || ''"));
    }
    expect(order).toEqual(['Skip to content', 'tinycnn', 'Try the models', 'Measurements', 'api-base', 'Connect', 'where-server', 'kim-input']);
    expect(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    expect(await page.locator('label[for="kim-input"]').textContent()).toBe('Sentence');

    const answer = await submit(page, '#kim-input', 'a gripping , beautifully acted film zxqvw', '/kim');
    await page.locator('#kim-result:not([hidden])').waitFor();
    const bars = page.locator('#kim-result .bar');
    expect(await bars.count()).toBe(labels.length);
    expect(answer.probabilities).toHaveLength(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const bar = bars.nth(i);
      expect(await bar.locator('.bar-name').textContent()).toBe(i === answer.prediction ? `${labels[i]} (predicted)` : labels[i]);
      expect(await bar.locator('.bar-value').textContent()).toBe(`${(answer.probabilities[i] * 100).toFixed(1)}%`);
      const [fill, track] = await Promise.all([bar.locator('.bar-fill').boundingBox(), bar.locator('.bar-track').boundingBox()]);
      expect(Math.abs(fill!.width / track!.width - answer.probabilities[i])).toBeLessThan(0.01);
    }
    expect(await page.locator('#kim-label').textContent()).toBe(answer.label);
    expect(answer.label).toBe(labels[answer.prediction]);
    expect(await page.locator('#kim-result .bar.predicted .bar-name').textContent()).toContain(answer.label);

    expect(answer.unknown_tokens).toContain('zxqvw');
    const marked = await page.locator('#kim-result mark.unknown').allTextContents();
    expect(marked.map((t) => t.replace(' (unknown)', ''))).toEqual(answer.tokens.filter((t: string) => answer.unknown_tokens.includes(t)));
    expect(await page.locator('#kim-result .tok').count()).toBe(answer.tokens.length);

    const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
    expect(await page.locator('#kim-result .t-embed').textContent()).toBe(ms(answer.t_sent_embedding));
    expect(await page.locator('#kim-result .t-infer').textContent()).toBe(ms(answer.t_inference));
    expect(await page.locator('#kim-result .t-overall').textContent()).toBe(ms(answer.t_overall));
    expect(await page.locator('#kim-result .t-other').textContent()).toBe(ms(answer.t_overall - answer.t_sent_embedding - answer.t_inference));
    const [embedSeg, splitBar] = await Promise.all([page.locator('#kim-result .seg.embed').boundingBox(), page.locator('#kim-result .split').boundingBox()]);
    expect(Math.abs(embedSeg!.width / splitBar!.width - answer.t_sent_embedding / answer.t_overall)).toBeLessThan(0.01);
    expect(await page.locator('#kim-result .backend').textContent()).toBe(server.handler.runtime.flavour);
    expect(await page.locator('#api-backend').textContent()).toBe(server.handler.runtime.flavour);
    expect(await page.locator('#live').textContent()).toContain(answer.label);
    await page.screenshot({ path: join(shots, 'demo-kim-desktop.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('SM CNN: Enter in the question box scores the pair; the score is the probability of class 1', async () => {
    const { page, problems } = await open();
    await page.locator('#sm-answer').fill('a glacier cave is a cave formed within the ice of a glacier');
    const answer = await submit(page, '#sm-question', 'how are glacier caves formed ?', '/sm');
    await page.locator('#sm-result:not([hidden])').waitFor();
    expect(answer.score[0]).toHaveLength(2);
    expect(await page.locator('#sm-score').textContent()).toBe(answer.probabilities[1].toFixed(3));
    const [fill, track] = await Promise.all([page.locator('#sm-result .meter-fill').boundingBox(), page.locator('#sm-result .meter').boundingBox()]);
    expect(Math.abs(fill!.width / track!.width - answer.probabilities[1])).toBeLessThan(0.01);
    expect(await page.locator('#sm-result .backend').textContent()).toBe(server.handler.runtime.flavour);
    expect(await page.locator('#sm-result .t-overall').textContent()).toMatch(/^\d+\.\d\d ms$/);
    expect(problems).toEqual([]);
  });

  it("empty and too-long text show the API's own 400 messages", async () => {
    const { page, problems } = await open();
    const empty = await submit(page, '#kim-input', '', '/kim');
    expect(empty.error.code).toBe('EMPTY_TEXT');
    const box = page.locator('#kim-error');
    await box.waitFor();
    expect(await box.getAttribute('role')).toBe('alert');
    expect(await box.textContent()).toContain(`The API refused the request: ${empty.error.message}`);
    expect(await box.textContent()).toContain('HTTP 400 · EMPTY_TEXT');
    expect(await page.locator('#kim-result').isHidden()).toBe(true);

    const long = await submit(page, '#kim-input', 'good '.repeat(600), '/kim');
    expect(long.error.code).toBe('TOO_MANY_TOKENS');
    await expect.poll(() => box.textContent()).toContain(long.error.message);
    expect(await box.textContent()).toContain('Shorten the text.');

    // a fixed answer makes the error go away
    await submit(page, '#kim-input', 'a fine film', '/kim');
    await page.locator('#kim-result:not([hidden])').waitFor();
    expect(await box.isHidden()).toBe(true);
    await page.locator('#kim-input').fill('');
    await submit(page, '#kim-input', '', '/kim');
    await box.waitFor();
    await page.locator('section:has(#kim-form)').screenshot({ path: join(shots, 'demo-error.png') });
    expect(otherThanFailedRequest(problems, `${server.url}/kim`)).toEqual([]);
  });

  it('server down: "cannot reach" with the URL, in the API box and in the answer area', async () => {
    const down = await startLocal(results);
    const { page, problems } = await openPage(browser);
    await page.goto(`${down.url}/`);
    await page.locator('#api-status.ok').waitFor();
    await down.close();
    await page.locator('#kim-input').fill('a fine film');
    await page.locator('#kim-input').press('Enter');
    const box = page.locator('#kim-error');
    await box.waitFor();
    expect(await box.textContent()).toContain(`cannot reach ${down.url}/kim`);
    expect(await box.textContent()).toContain('npm start');

    // the same through the API base URL field, at a port where nothing listens
    const dead = await freePort();
    await page.locator('#api-base').fill(`http://127.0.0.1:${dead}`);
    await page.locator('#api-base').press('Enter');
    await expect.poll(() => page.locator('#api-status').textContent()).toContain(`cannot reach http://127.0.0.1:${dead}/health`);
    expect(await page.locator('#api-status').getAttribute('class')).toContain('bad');
    const unexpected = otherThanFailedRequest(otherThanFailedRequest(problems, `${down.url}/kim`), `http://127.0.0.1:${dead}/health`);
    expect(unexpected).toEqual([]);
  });

  it('the API base URL field points the page at another origin (CORS), as at a deployed API', async () => {
    const other = await startLocal(results);
    try {
      const { page, problems } = await open();
      await page.locator('#api-base').fill(`${other.url}/`);
      await page.locator('#api-base').press('Enter');
      await expect.poll(() => page.locator('#api-status').textContent()).toContain(`Connected to ${new URL(other.url).host}`);
      await page.locator('#kim-input').fill('what a film');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${other.url}/kim` && r.request().method() === 'POST'),
        page.locator('#kim-input').press('Enter'),
      ]);
      expect(response.status()).toBe(200);
      await page.locator('#kim-result:not([hidden])').waitFor();
      // remembered for the next visit
      const again = await browser.context.newPage();
      await again.goto(`${server.url}/`);
      expect(await again.locator('#api-base').inputValue()).toBe(`${other.url}/`);
      await again.evaluate('localStorage.clear()');
      await again.close();
      expect(problems).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("castorini's own API (logits only, no /health): probabilities by softmax, classes by number, backend not reported", async () => {
    const logits = [0.5, -1, 2];
    const stub = createHttpServer((req, res) => {
      const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Content-Type' };
      if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
      if (req.method === 'POST' && req.url === '/kim') {
        return res
          .writeHead(200, { ...cors, 'Content-Type': 'application/json' })
          .end(JSON.stringify({ input: 'x', prediction: 2, output: logits, t_overall: 0.002, t_sent_embedding: 0.0015, t_load_model: 0, t_inference: 0.0004 }));
      }
      res.writeHead(404, { ...cors, 'Content-Type': 'application/json' }).end('{"message":"Not Found"}');
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    try {
      const { page, problems } = await open();
      await page.locator('#api-base').fill(stubUrl);
      await page.locator('#api-base').press('Enter');
      await expect.poll(() => page.locator('#api-status').textContent()).toContain('has no /health route');
      await page.locator('#kim-input').fill('a fine film');
      await page.locator('#kim-input').press('Enter');
      await page.locator('#kim-result:not([hidden])').waitFor();
      const exps = logits.map(Math.exp);
      const sum = exps.reduce((a, b) => a + b);
      expect(await page.locator('#kim-result .bar-value').allTextContents()).toEqual(exps.map((e) => `${((e / sum) * 100).toFixed(1)}%`));
      expect(await page.locator('#kim-result .bar-name').allTextContents()).toEqual(['class 0', 'class 1', 'class 2 (predicted)']);
      expect(await page.locator('#kim-result .backend').textContent()).toBe('not reported by this API');
      expect(await page.locator('#kim-result .t-embed').textContent()).toBe('1.50 ms');
      expect(otherThanFailedRequest(problems, `${stubUrl}/health`)).toEqual([]);
      await page.evaluate('localStorage.clear()');
    } finally {
      await new Promise((resolve) => stub.close(resolve));
    }
  });

  it('desktop (1280x800) and phone (375x740) widths: no horizontal scroll, even with a long unbroken word', async () => {
    const { page, problems } = await open();
    await submit(page, '#kim-input', `an ${'extraordinarily'.repeat(5)} film , zxqvw`, '/kim');
    await page.locator('#kim-result:not([hidden])').waitFor();
    await page.locator('#sm-answer').fill('the ice facade is approximately 60 m high');
    await submit(page, '#sm-question', 'how are glacier caves formed ?', '/sm');
    await page.locator('#sm-result:not([hidden])').waitFor();
    const scrollWidth = () => page.evaluate<number>('document.documentElement.scrollWidth');
    expect(await scrollWidth()).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: join(shots, 'demo-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await scrollWidth()).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(shots, 'demo-phone.png'), fullPage: true });
    await page.screenshot({ path: join(shots, 'demo-phone-top.png') });
    expect(problems).toEqual([]);
  });
});

/** A port nothing listens on (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
