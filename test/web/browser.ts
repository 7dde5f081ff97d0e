/**
 * For the browser tests: Debian's Chromium driven by playwright-core (no browser
 * download), a local server per results folder on 127.0.0.1 with a free port, and
 * a page that records every console error and uncaught exception.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { readConfig } from '../../src/lambda/config.js';
import { startServer, type LocalServer } from '../../src/server/server.js';
import { CHROMIUM, requires } from '../helpers/requirements.js';

/** Whether the browser tests can run; when not, they skip with one printed line (a failure under TINYCNN_REQUIRE_ALL=1). */
export function chromiumAvailable(file: string): boolean {
  return requires(`${file} (the pages in Chromium)`, 'chromium');
}

/** One headless Chromium with a fresh profile; close() also deletes the profile. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tinycnn-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new tab whose console errors and page errors are collected into `problems`. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} [${message.location().url}]`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, problems };
}

/**
 * The console errors Chromium itself logs for a request that failed on purpose ("Failed to
 * load resource: ..." for a 4xx answer or a refused connection) are the only ones allowed:
 * returns the problems that are anything else.
 * @param problems what openPage collected
 * @param url      the URL the failing request went to
 */
export function otherThanFailedRequest(problems: readonly string[], url: string): string[] {
  return problems.filter((p) => !(p.startsWith('console error: Failed to load resource: ') && p.endsWith(`[${url}]`)));
}

/** The local server (`npm start`'s) on a free port, with /report reading `resultsDir`. */
export function startLocal(resultsDir: string): Promise<LocalServer> {
  return startServer({ config: readConfig({}), port: 0, host: '127.0.0.1', log: () => {}, web: { resultsDir } });
}

/** Where screenshots go: $TINYCNN_SCREENSHOTS, else a new temporary folder (printed once). */
export function screenshotDir(): string {
  const dir = process.env.TINYCNN_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'tinycnn-screenshots-'));
  mkdirSync(dir, { recursive: true });
  console.log(`screenshots: ${dir}`);
  return dir;
}
