import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWebIfStale } from '../../server/cli/web-build.ts';
import { makeTestApp, type TestApp } from './app.ts';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

export interface BrowserApp {
  /** the app, listening on loopback, serving the built web app */
  t: TestApp;
  base: string;
  browser: Browser;
  close: () => Promise<void>;
}

/** The built web app served by the real server on `dataDir`, and a real headless Chromium. */
export async function startBrowserApp(dataDir: string): Promise<BrowserApp> {
  await buildWebIfStale();
  const t = await makeTestApp(dataDir, { webRoot: resolve('build') });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the test server has no port');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    t,
    base: `http://127.0.0.1:${address.port}`,
    browser,
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/** Pixels the page is wider than the viewport: anything above 0 scrolls sideways. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
