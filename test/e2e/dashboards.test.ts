// End-to-end: dashboards of pinned queries in real Chromium against the real server. An analyst
// saves a query (orders per platform since a `$from` date, drawn as bars), builds a dashboard of
// it in the UI (its chart and its table, a shared `from` input, shared with everyone); the
// executive opens it read-only, the tiles' numbers equal orders counted here from the Parquet
// rows, and changing the shared date re-runs the tiles.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { dataPaths } from '../../server/config.ts';
import { all, literal, openDuck } from '../../server/db/duck.ts';
import type { Dashboard, RunReply, SavedQuery, SavedQueryInput } from '../../server/queries/contract.ts';
import { generateSample } from '../../server/sample/generate.ts';
import { ingest } from '../../server/snapshots/ingest.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const SHOTS = '/tmp/q4-shots';
const ANALYST = DEMO_USERS.find((u) => u.role === 'analyst')!;
const EXEC = DEMO_USERS.find((u) => u.role === 'executive')!;
const FIRST_FROM = '2026-03-01';
const SECOND_FROM = '2026-05-15';

const QUERY: SavedQueryInput = {
  name: 'Orders per platform since a date (e2e)',
  description: 'Orders placed on or after $from, per platform.',
  tags: ['e2e'],
  visibility: 'everyone',
  sql: `SELECT p.name AS platform, count(*) AS orders
FROM orders o JOIN platforms p ON p.platform_id = o.platform_id
WHERE o.ordered_at >= CAST($from AS DATE)
GROUP BY p.name
ORDER BY p.name`,
  params: [{ name: 'from', label: 'From', type: 'date', default: '2026-01-01' }],
  chart: { type: 'bar', x: 'platform', y: ['orders'], series: null, stack: false },
};

let base = '';

/** Orders per platform name placed on or after `from`, counted here from the snapshot's Parquet rows. */
async function expectedCounts(snapshotDir: string, from: string): Promise<Map<string, number>> {
  const db = await openDuck();
  const conn = await db.connect();
  try {
    const platforms = await all(conn, `SELECT platform_id, name FROM read_parquet(${literal(join(snapshotDir, 'platforms.parquet'))})`);
    const orders = await all(conn, `SELECT platform_id, strftime(ordered_at, '%Y-%m-%d') AS day FROM read_parquet(${literal(join(snapshotDir, 'orders.parquet'))})`);
    const names = new Map(platforms.map((p) => [String(p.platform_id), String(p.name)]));
    const counts = new Map<string, number>();
    for (const o of orders) {
      if (String(o.day) < from) continue;
      const name = names.get(String(o.platform_id))!;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function signIn(browser: Browser, user: { username: string; password: string }, width: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${base}/login?next=%2Fdashboards`);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname === '/dashboards');
  return { context, page };
}

/** Every tile has its answer (none running, none failed). */
async function tilesReady(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const tiles = [...document.querySelectorAll('[data-tile]')];
      return tiles.length === n && tiles.every((t) => t.getAttribute('data-state') === 'ready');
    },
    count,
    { timeout: 60_000 },
  );
  expect(await page.locator('[data-tile][data-state="error"]').count()).toBe(0);
}

/** What the chart tile draws: its categories and the bars' values, from the ECharts instance. */
async function chartData(page: Page): Promise<Map<string, number>> {
  const pairs = await page.evaluate(() => {
    const el = document.querySelector('[data-view="chart"] [data-chart]') as HTMLElement & { vigilChart?: { getOption(): { xAxis: { data: string[] }[]; series: { data: number[] }[] } } };
    const option = el.vigilChart!.getOption();
    return option.xAxis[0].data.map((x, i) => [x, option.series[0].data[i]] as const);
  });
  return new Map(pairs);
}

/** What the table tile shows: platform → orders, from the cells' raw values. */
async function tableData(page: Page): Promise<Map<string, number>> {
  const rows = await page.locator('[data-view="table"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-raw') ?? '')));
  return new Map(rows.map(([platform, orders]) => [platform, Number(orders)]));
}

/** The canvas has pixels drawn on it (not a blank chart). */
async function canvasInked(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const canvas = document.querySelector('[data-view="chart"] canvas') as HTMLCanvasElement | null;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
    return inked > 500;
  });
}

describe('Dashboards in Chromium', () => {
  let root: string;
  let served: BrowserApp;
  let browser: Browser;
  let snapshotDir: string;
  let query: SavedQuery;
  let dashboardId: string;
  const errors: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    root = await tempDir('e2e-dashboards');
    const exports = join(root, 'exports');
    await generateSample({ out: exports, orders: 6_000, months: 8, end: '2026-06-30', seed: 5 });
    const result = await ingest({ input: exports, snapshotsRoot: dataPaths(root).snapshots });
    snapshotDir = join(dataPaths(root).snapshots, result.manifest.id);
    served = await startBrowserApp(root);
    ({ base, browser } = served);
  }, 240_000);

  afterAll(async () => {
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('an analyst builds a dashboard of a saved query, with a shared date input, shared with everyone', async () => {
    const { context, page } = await signIn(browser, ANALYST, 1280);
    page.on('pageerror', (err) => errors.push(err.message));
    const created = await page.request.post(`${base}/api/queries`, { headers: { 'x-vigil-csrf': '1' }, data: QUERY });
    expect(created.status(), await created.text()).toBe(200);
    query = (await created.json()) as SavedQuery;

    // pinned from the workbench to a new dashboard (PinToDashboard in the Queries toolbar)
    await page.goto(`${base}/queries?id=${encodeURIComponent(query.id)}`);
    await page.click('[data-action="pin"]');
    await page.fill('#pin-new', 'Orders by platform (e2e)');
    await page.click('[role="dialog"] button[type=submit]');
    const opened = page.locator('[role="dialog"] [role="status"] a');
    await opened.waitFor();
    await page.screenshot({ path: join(SHOTS, 'analyst-pin-1280.png') });
    await opened.click();
    await page.waitForURL((url) => /^\/dashboards\/[^/]+$/.test(url.pathname));
    dashboardId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await tilesReady(page, 1);

    // the owner edits it: the same query again, as a table under the chart
    await page.click('[data-action="edit"]');
    await page.locator('[data-edit-panel]').waitFor();
    await page.locator(`#dash-add-query option[value="${query.id}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#dash-add-query', query.id);
    await page.selectOption('#dash-add-view', 'table');
    await page.click('[data-edit-panel] form button[type=submit]');
    await tilesReady(page, 2);

    // the tiles' query declares `from`: offered as a shared input; the date set becomes its default
    await page.click('[data-add-param="from"]');
    await page.fill('#dash-param-from', FIRST_FROM);
    await page.locator('#dash-param-from').dispatchEvent('change');
    await page.waitForFunction((from) => [...document.querySelectorAll('[data-tile]')].every((t) => t.getAttribute('data-values') === JSON.stringify({ from })), FIRST_FROM);
    await page.selectOption('#dash-visibility', 'everyone');
    await tilesReady(page, 2);
    await page.screenshot({ path: join(SHOTS, 'analyst-edit-1280.png'), fullPage: true });
    await page.click('[data-action="save"]');
    await page.locator('p.saved').waitFor();

    const saved = (await (await page.request.get(`${base}/api/dashboards/${encodeURIComponent(dashboardId)}`)).json()) as Dashboard;
    expect(saved).toMatchObject({ name: 'Orders by platform (e2e)', visibility: 'everyone', owner: ANALYST.username });
    expect(saved.params).toEqual([expect.objectContaining({ name: 'from', type: 'date', default: FIRST_FROM })]);
    expect(saved.tiles.map((t) => [t.queryId, t.view])).toEqual([[query.id, 'chart'], [query.id, 'table']]);
    // the chart tile sits above the table tile, which spans the full width under it
    expect(saved.tiles[1].y).toBeGreaterThanOrEqual(saved.tiles[0].y + saved.tiles[0].h);
    expect(saved.tiles[1].w).toBe(12);
    expect(await page.locator('[data-edit-panel]').count()).toBe(0);

    // listed among the analyst's own dashboards, where a new one can be started too
    await page.goto(`${base}/dashboards`);
    await page.locator(`[data-section="mine"] [data-dashboard="${dashboardId}"]`).waitFor();
    expect(await page.locator('[data-action="new-dashboard"]').count()).toBe(1);
    await context.close();
  });

  it('the executive sees it read-only; the tiles equal the counts and re-run when the shared date changes', async () => {
    const { context, page } = await signIn(browser, EXEC, 1280);
    page.on('pageerror', (err) => errors.push(err.message));
    const card = page.locator(`[data-section="shared"] [data-dashboard="${dashboardId}"]`);
    await card.waitFor();
    expect(await page.locator('[data-action="new-dashboard"]').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'exec-list-1280.png'), fullPage: true });
    await card.locator('a').click();
    await page.waitForURL((url) => url.pathname === `/dashboards/${dashboardId}`);
    await tilesReady(page, 2);

    // no edit controls for the executive
    expect(await page.locator('[data-action="edit"], [data-action="save"], [data-edit-panel], .tools').count()).toBe(0);
    expect(await page.locator('[data-readonly]').innerText()).toContain(ANALYST.username);
    expect(await page.inputValue('#dash-param-from')).toBe(FIRST_FROM);

    for (const from of [FIRST_FROM, SECOND_FROM]) {
      if (from !== FIRST_FROM) {
        await page.fill('#dash-param-from', from);
        await page.locator('#dash-param-from').dispatchEvent('change');
        await page.waitForFunction((f) => [...document.querySelectorAll('[data-tile]')].every((t) => t.getAttribute('data-values') === JSON.stringify({ from: f })), from);
        await tilesReady(page, 2);
      }
      const expected = await expectedCounts(snapshotDir, from);
      expect(expected.size).toBeGreaterThan(1);
      await page.waitForFunction(() => document.querySelector('[data-view="chart"] canvas') !== null);
      expect(await canvasInked(page)).toBe(true);
      expect(await chartData(page)).toEqual(expected);
      expect(await tableData(page)).toEqual(expected);
      // and the same as the API's run of the query with that value, for this executive
      const run = (await (
        await page.request.post(`${base}/api/queries/${encodeURIComponent(query.id)}/run`, { headers: { 'x-vigil-csrf': '1' }, data: { values: { from } } })
      ).json()) as RunReply;
      expect(new Map(run.rows.map((r) => [String(r[0]), Number(r[1])]))).toEqual(expected);
    }
    const later = await expectedCounts(snapshotDir, SECOND_FROM);
    const earlier = await expectedCounts(snapshotDir, FIRST_FROM);
    expect([...later.values()].reduce((a, b) => a + b, 0)).toBeLessThan([...earlier.values()].reduce((a, b) => a + b, 0));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'exec-dashboard-1280.png'), fullPage: true });

    // the executive's change is not saved: the dashboard still opens with the owner's default
    const reread = (await (await page.request.get(`${base}/api/dashboards/${encodeURIComponent(dashboardId)}`)).json()) as Dashboard;
    expect(reread.params[0].default).toBe(FIRST_FROM);
    expect(reread.canEdit).toBe(false);
    await context.close();
  });

  it('stacks the tiles in one column at phone width', async () => {
    const { context, page } = await signIn(browser, EXEC, 375);
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${base}/dashboards/${encodeURIComponent(dashboardId)}`);
    await tilesReady(page, 2);
    expect(await canvasInked(page)).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    const boxes = await page.locator('[data-tile]').evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })));
    expect(boxes[0].x).toBe(boxes[1].x);
    expect(boxes[0].w).toBe(boxes[1].w);
    expect(boxes[1].y).toBeGreaterThanOrEqual(boxes[0].y + boxes[0].h);
    expect(boxes[0].w).toBeGreaterThan(300);
    await page.screenshot({ path: join(SHOTS, 'exec-dashboard-375.png'), fullPage: true });
    await page.goto(`${base}/dashboards`);
    await page.locator(`[data-dashboard="${dashboardId}"]`).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'exec-list-375.png'), fullPage: true });
    await context.close();
    expect(errors).toEqual([]);
  });
});
