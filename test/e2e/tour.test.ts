// The browser tour: each demo role walks every page it can open on the sample data in real Chromium,
// at desktop and phone width. On each page: no console error, no page error, no failed request, every
// chart drawn, nothing wider than the screen; a full-page screenshot of each goes to screenshots/<role>/
// (`npm run screenshots` regenerates them; CI keeps the folder).
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import type { Role } from '../../server/auth/roles.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';
import { type AppPage, openPage, pagesFor, RAW_TEXT, ROLES, SHIPPED_QUERY, type Targets } from '../helpers/pages.ts';
import { ingestedSample } from '../helpers/sample.ts';

const SHOTS = resolve('screenshots');
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];
// the only responses of 400 and above the app's pages get on purpose (a role walks only the pages it may open):
// the login page asks who is signed in before anyone is
const EXPECTED_ERRORS: readonly { status: number; path: RegExp }[] = [
  { status: 401, path: /^\/api\/auth\/me$/ },
];

let served: BrowserApp;
let root: string;
const targets = {} as Targets;

async function post(role: Role, url: string, payload: object): Promise<{ id: string }> {
  const res = await served.t.app.inject({ method: 'POST', url, cookies: await served.t.cookieFor(role), headers: { 'x-vigil-csrf': '1' }, payload });
  expect(res.statusCode, `POST ${url}: ${res.body}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  root = await tempDir('e2e-tour');
  const { manifest } = await ingestedSample(root, { orders: 6_000, months: 7, end: '2026-06-30', seed: 7 }, []);
  targets.snapshotId = manifest.id;
  served = await startBrowserApp(root);
  // the built-in indicators evaluated once, so the register, the indicators and the alerts show their states
  await post('risk_owner', '/api/risk/evaluate', {});
  // a dashboard everyone can open, with a chart tile and a table tile
  targets.dashboardId = (await post('analyst', '/api/dashboards', { name: 'Tour board', visibility: 'everyone', tiles: [
    { queryId: SHIPPED_QUERY, view: 'chart', x: 0, y: 0, w: 6, h: 4 },
    { queryId: SHIPPED_QUERY, view: 'table', x: 6, y: 0, w: 6, h: 4 },
  ] })).id;
}, 300_000);

afterAll(async () => {
  await served?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** What went wrong in `page` since the last call: console errors, page errors, failed or refused requests of the app. */
function watch(page: Page, base: string): () => string[] {
  let seen: string[] = [];
  const expected = (url: string, status?: number) => {
    const path = new URL(url, base).pathname;
    return url.startsWith(base) && EXPECTED_ERRORS.some((e) => (status === undefined || e.status === status) && e.path.test(path));
  };
  page.on('pageerror', (err) => seen.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // the browser logs every refused response as an error too; an expected refusal is not one
    if (msg.type() === 'error' && !(msg.text().startsWith('Failed to load resource') && expected(msg.location().url))) seen.push(`console: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    // ERR_ABORTED is the app (or leaving the page) cancelling a request it no longer needs, not a failure
    if (req.url().startsWith(base) && req.failure()?.errorText !== 'net::ERR_ABORTED') seen.push(`failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (!res.url().startsWith(base) || res.status() < 400) return;
    if (!expected(res.url(), res.status())) seen.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  return () => {
    const out = seen;
    seen = [];
    return out;
  };
}

/** The canvases on the page, and the charts (by their data-chart name) whose canvas has no pixel other than its background, the colour of its corner. */
async function blankCharts(page: Page): Promise<{ canvases: number; blank: string[] }> {
  return page.evaluate(() => {
    const blank: string[] = [];
    const canvases = document.querySelectorAll('main canvas');
    canvases.forEach((el, i) => {
      const canvas = el as HTMLCanvasElement;
      const name = canvas.closest('[data-chart]')?.getAttribute('data-chart') ?? `canvas ${i}`;
      if (canvas.width === 0 || canvas.height === 0) return void blank.push(`${name} (0×0)`);
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let p = 0; p < px.length && inked < 100; p += 4) {
        if (Math.abs(px[p] - px[0]) + Math.abs(px[p + 1] - px[1]) + Math.abs(px[p + 2] - px[2]) + Math.abs(px[p + 3] - px[3]) > 24) inked++;
      }
      if (inked < 100) blank.push(name);
    });
    return { canvases: canvases.length, blank };
  });
}

/** Waits for the charts to finish their entry animation, then names the ones still blank. */
async function chartsDrawn(page: Page): Promise<{ canvases: number; blank: string[] }> {
  const deadline = Date.now() + 10_000;
  let charts = await blankCharts(page);
  while (charts.blank.length > 0 && Date.now() < deadline) {
    await page.waitForTimeout(250);
    charts = await blankCharts(page);
  }
  return charts;
}

async function visit(page: Page, role: Role, entry: AppPage, width: number, problems: () => string[]): Promise<string[]> {
  const where = `${entry.name} at ${width}px`;
  const found: string[] = [];
  try {
    await openPage(page, served.base, entry, targets);
  } catch (err) {
    found.push(`${where}: did not load: ${(err as Error).message.split('\n')[0]}`);
  }
  const overflow = await horizontalOverflow(page);
  if (overflow > 0) found.push(`${where}: ${overflow}px wider than the screen`);
  const charts = await chartsDrawn(page);
  if (entry.charts && charts.canvases === 0) found.push(`${where}: no chart drawn`);
  for (const chart of charts.blank) found.push(`${where}: blank chart ${chart}`);
  const raw = (await page.locator('main').innerText()).match(RAW_TEXT);
  if (raw) found.push(`${where}: shows "${raw[0]}"`);
  await page.screenshot({ path: join(SHOTS, role, `${entry.name}-${width}.png`), fullPage: true });
  for (const problem of problems()) found.push(`${where}: ${problem}`);
  return found;
}

describe('browser tour', () => {
  for (const role of ROLES) {
    it(`${role} walks every page it can open at 1280 and 390 px`, async () => {
      const user = DEMO_USERS.find((u) => u.role === role)!;
      await mkdir(join(SHOTS, role), { recursive: true });
      const context = await served.browser.newContext({ viewport: WIDTHS[0], locale: 'en-US' });
      try {
        const page = await context.newPage();
        const problems = watch(page, served.base);
        await page.goto(`${served.base}/login`);
        await page.fill('#username', user.username);
        // every demo user has a password
        await page.fill('#password', user.password!);
        await page.click('button[type=submit]');
        await page.waitForURL((url) => url.pathname === '/');
        expect(problems(), 'signing in').toEqual([]);

        const found: string[] = [];
        const pages = pagesFor(role);
        for (const size of WIDTHS) {
          await page.setViewportSize(size);
          for (const entry of pages) found.push(...(await visit(page, role, entry, size.width, problems)));
        }
        expect(found).toEqual([]);
      } finally {
        await context.close();
      }
    }, 400_000);
  }
});
