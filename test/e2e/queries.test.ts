// End-to-end: the Queries page (the SQL workbench) in real Chromium against the real server.
// An analyst writes a query and runs it with Ctrl-Enter (the grid shows what the API returns,
// which matches counts made here from the snapshot's Parquet file), a refused statement shows
// the sandbox's reason, a bar chart is built and saved with the query, an edit makes version 2
// with a diff, a restore makes version 3; 100,000 rows scroll in a grid that holds few of them.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { dataPaths } from '../../server/config.ts';
import { all, openDuck } from '../../server/db/duck.ts';
import type { QueriesReply, RunReply, SavedQueryVersion } from '../../server/queries/contract.ts';
import { generateSample } from '../../server/sample/generate.ts';
import { ingest } from '../../server/snapshots/ingest.ts';
import { listSnapshots, snapshotDir } from '../../server/snapshots/store.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const ANALYST = DEMO_USERS.find((u) => u.role === 'analyst')!;
const EXEC = DEMO_USERS.find((u) => u.role === 'executive')!;
const SHOTS = '/tmp/q3-shots';
const BY_PLATFORM = 'SELECT platform_id, count(*) AS orders FROM orders GROUP BY platform_id ORDER BY platform_id';
const EDITED = `${BY_PLATFORM} LIMIT 3`;
const NAME = 'Orders per platform (e2e)';
const HUNDRED_K = 'SELECT range AS n, range*2 AS m FROM range(100000)';

describe('Queries page in Chromium', () => {
  let root: string;
  let served: BrowserApp;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  /** orders per platform, counted here from the snapshot's orders.parquet */
  const counted = new Map<string, number>();
  const errors: string[] = [];

  const api = <T>(path: string, data?: unknown): Promise<T> =>
    (data === undefined ? page.request.get(`${base}${path}`) : page.request.post(`${base}${path}`, { headers: { 'x-vigil-csrf': '1' }, data })).then((r) => r.json() as Promise<T>);

  /** Replaces the editor's text by typing it (completion popups closed), as a user would. */
  async function type(sql: string): Promise<void> {
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type(sql);
    await page.keyboard.press('Escape');
  }

  async function runAndWait(): Promise<void> {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/queries/run'));
    await page.keyboard.press('Control+Enter');
    await answered;
    await page.waitForFunction(() => !document.querySelector('button[name=cancel]'));
  }

  /** The grid's cells, row by row, as text. */
  const gridRows = () =>
    page.locator('[data-testid=result-grid] .body [role=row]').evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('[role=gridcell]'), (c) => c.textContent ?? '')),
    );

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    root = await tempDir('e2e-queries');
    const exports = join(root, 'exports');
    await generateSample({ out: exports, orders: 4_000, months: 7, end: '2026-06-30', seed: 5 });
    await ingest({ input: exports, snapshotsRoot: dataPaths(root).snapshots });

    const [snapshot] = await listSnapshots(dataPaths(root).snapshots);
    const file = join(snapshotDir(dataPaths(root).snapshots, snapshot.id), snapshot.tables.orders!.file);
    const duck = await openDuck();
    const conn = await duck.connect();
    for (const row of await all(conn, `SELECT platform_id FROM read_parquet('${file}')`)) {
      const id = String(row.platform_id);
      counted.set(id, (counted.get(id) ?? 0) + 1);
    }
    conn.closeSync();
    duck.closeSync();

    served = await startBrowserApp(root);
    base = served.base;
    context = await served.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${base}/login?next=%2Fqueries`);
    await page.fill('#username', ANALYST.username);
    await page.fill('#password', ANALYST.password);
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.pathname === '/queries');
    await page.locator('.cm-content').waitFor();
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('runs a typed query with Ctrl-Enter and shows the rows the API returns', async () => {
    await type(BY_PLATFORM);
    await runAndWait();
    const reply = await api<RunReply>('/api/queries/run', { sql: BY_PLATFORM });
    // the API's answer is the platforms' order counts taken straight from the Parquet file
    expect(reply.rows.map((r) => [r[0], r[1]])).toEqual([...counted].sort(([a], [b]) => a.localeCompare(b)));
    expect(await gridRows()).toEqual(reply.rows.map((r) => r.map(String)));
    expect(await page.locator('[data-testid=result-meta]').innerText()).toContain(`${reply.rowCount} rows`);
  });

  it("downloads an unsaved query's result as Parquet written by the server", async () => {
    await type(BY_PLATFORM);
    await runAndWait();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[name=download-parquet]').click()]);
    expect(download.suggestedFilename()).toMatch(/^query-result-.*\.parquet$/);
    const bytes = await readFile((await download.path())!);
    // a Parquet file starts and ends with the magic bytes PAR1
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');
  });

  it('runs only the selection when there is one', async () => {
    await type('SELECT 7 AS picked');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('SELECT 8 AS other');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End');
    await runAndWait();
    expect(await page.locator('[data-testid=result-grid] [role=columnheader] .name').allInnerTexts()).toEqual(['picked']);
    expect(await gridRows()).toEqual([['7']]);
  });

  it('turns a $placeholder into an input whose value is bound', async () => {
    const [platform, expected] = [...counted].sort(([a], [b]) => a.localeCompare(b))[1];
    await type('SELECT count(*) AS n FROM orders WHERE platform_id = $platform');
    await page.locator('input[name=param-platform]').fill(platform);
    await page.locator('.cm-content').click();
    await runAndWait();
    expect(await gridRows()).toEqual([[String(expected)]]);
    // quotes and SQL in a value stay data: no platform has that id
    await page.locator('input[name=param-platform]').fill("x' OR '1'='1");
    await page.locator('.cm-content').click();
    await runAndWait();
    expect(await gridRows()).toEqual([['0']]);
  });

  it('shows the sandbox reason next to the editor for a refused statement', async () => {
    const refused = 'DROP TABLE orders';
    const reply = await page.request.post(`${base}/api/queries/run`, { headers: { 'x-vigil-csrf': '1' }, data: { sql: refused } });
    expect(reply.status()).toBe(400);
    const { error } = (await reply.json()) as { error: string };
    await type(refused);
    await runAndWait();
    expect(await page.locator('[data-testid=run-error]').innerText()).toContain(error);
  });

  it('builds a bar chart, saves the query with it, edits it into version 2, restores version 1 and imports its export', async () => {
    await type(BY_PLATFORM);
    await runAndWait();
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.click('button[name=add-chart]');
    expect(await page.locator('select[name=chart-type]').inputValue()).toBe('bar');
    const chart = page.locator('[data-chart=query-chart]');
    await chart.locator('canvas').waitFor();
    const drawn = await chart.evaluate((el) => {
      const option = (el as HTMLElement & { vigilChart: { getOption(): { xAxis: { data: string[] }[]; series: { type: string; data: number[] }[] } } }).vigilChart.getOption();
      return { x: option.xAxis[0].data, type: option.series[0].type, y: option.series[0].data };
    });
    const sorted = [...counted].sort(([a], [b]) => a.localeCompare(b));
    expect(drawn).toEqual({ x: sorted.map(([p]) => p), type: 'bar', y: sorted.map(([, n]) => n) });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'queries-chart-1280.png'), fullPage: true });

    await page.click('button[name=save-as]');
    await page.fill('input[name=query-name]', NAME);
    await page.fill('input[name=query-tags]', 'e2e, platforms');
    await page.click('button[name=save-submit]');
    await page.locator('[data-testid=query-title]', { hasText: NAME }).waitFor();
    const saved = (await api<QueriesReply>('/api/queries')).queries.find((q) => q.name === NAME)!;
    expect(saved).toMatchObject({ sql: BY_PLATFORM, version: 1, owner: ANALYST.username, tags: ['e2e', 'platforms'], chart: { type: 'bar', x: 'platform_id', y: ['orders'] } });

    // an edit saved again is version 2; the diff shows the changed line
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' LIMIT 3');
    await page.keyboard.press('Escape');
    await page.click('button[name=save]');
    await page.click('button[name=save-submit]');
    await page.locator('[data-testid=query-title] + .subtitle', { hasText: 'version 2' }).waitFor();
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.locator('[data-testid=version-diff]').waitFor();
    expect(await page.locator('[data-testid=versions] [data-version]').evaluateAll((els) => els.map((e) => e.getAttribute('data-version')))).toEqual(['2', '1']);
    expect(await page.locator('[data-testid=version-diff] .del').allInnerTexts()).toEqual([`−${BY_PLATFORM}`]);
    expect(await page.locator('[data-testid=version-diff] .add').allInnerTexts()).toEqual([`+${EDITED}`]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'queries-versions-1280.png'), fullPage: true });

    await page.click('[data-testid=versions] [data-version="1"]');
    await page.click('button[name=restore]');
    await page.locator('[data-testid=query-title] + .subtitle', { hasText: 'version 3' }).waitFor();
    const versions = (await api<{ versions: SavedQueryVersion[] }>(`/api/queries/${saved.id}/versions`)).versions;
    expect(versions.map((v) => [v.version, v.sql]).sort()).toEqual([[1, BY_PLATFORM], [2, EDITED], [3, BY_PLATFORM]]);
    expect(await page.locator('.cm-content').innerText()).toBe(BY_PLATFORM);

    // its .sql export, imported again under another name, opens as a new query of mine
    const exported = await page.request.get(`${base}/api/queries/${saved.id}/export`).then((r) => r.text());
    const copy = exported.replace(`-- @name: ${NAME}`, '-- @name: Imported copy (e2e)');
    expect(copy).not.toBe(exported);
    await page.setInputFiles('input[name=import]', { name: 'copy.sql', mimeType: 'text/plain', buffer: Buffer.from(copy) });
    await page.locator('[data-testid=query-title]', { hasText: 'Imported copy (e2e)' }).waitFor();
    expect(await page.locator('.cm-content').innerText()).toBe(BY_PLATFORM);
  });

  it('cancels a running query from the toolbar and shows why it stopped', async () => {
    await type('SELECT sum(a.range * b.range) FROM range(1000000000000) a, range(10) b');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/queries/run'));
    await page.keyboard.press('Control+Enter');
    await page.click('button[name=cancel]');
    const reply = await answered;
    expect(reply.status()).toBe(400);
    const { error, code } = (await reply.json()) as { error: string; code: string };
    expect(code).toBe('cancelled');
    await page.locator('[data-testid=run-error]', { hasText: error }).waitFor();
    await page.locator('button[name=run]').waitFor();
  });

  it('scrolls 100,000 rows in a grid that keeps only the visible ones in the DOM', async () => {
    await page.click('button[name=new]');
    await type(HUNDRED_K);
    await runAndWait();
    await page.getByRole('button', { name: 'Table', exact: true }).click();
    expect(await page.locator('[data-testid=result-meta]').innerText()).toContain('100,000 rows');
    const grid = page.locator('[data-testid=result-grid]');
    expect(await grid.getAttribute('aria-rowcount')).toBe('100001');
    for (const fraction of [0.5, 1]) {
      await grid.evaluate((el, f) => el.scrollTo(0, (el.scrollHeight - el.clientHeight) * f), fraction);
      await page.waitForFunction(
        (f) => {
          const el = document.querySelector('[data-testid=result-grid]')!;
          const rows = el.querySelectorAll<HTMLElement>('.body [role=row]');
          const firstShown = Number(rows[0]?.getAttribute('aria-rowindex')) - 2;
          return rows.length > 0 && firstShown >= Math.floor(100_000 * f) - 100;
        },
        fraction,
      );
      const rows = await grid.locator('.body [role=row]').evaluateAll((els) =>
        els.map((r) => [Number(r.getAttribute('aria-rowindex')) - 2, ...Array.from(r.querySelectorAll('[role=gridcell]'), (c) => Number(c.textContent))]),
      );
      expect(rows.length).toBeGreaterThan(5);
      expect(rows.length).toBeLessThan(100);
      // each rendered row is the one at its position: n = position, m = 2n
      for (const [position, n, m] of rows) expect([n, m]).toEqual([position, 2 * position]);
    }
    expect(await page.locator('[data-testid=result-grid] .body [role=row]').last().getAttribute('aria-rowindex')).toBe('100001');
  });

  it('shows executives the shared queries to run, without an editor', async () => {
    const exec = await served.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      const p = await exec.newPage();
      p.on('pageerror', (err) => errors.push(err.message));
      await p.goto(`${base}/login?next=%2Fqueries`);
      await p.fill('#username', EXEC.username);
      await p.fill('#password', EXEC.password);
      await p.click('button[type=submit]');
      await p.waitForURL((url) => url.pathname === '/queries');
      await p.locator('[data-testid=saved-list]').waitFor();
      const listed = await p.locator('[data-testid=saved-list] [data-query-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-query-id')));
      const visible = (await p.request.get(`${base}/api/queries`).then((r) => r.json()) as QueriesReply).queries;
      expect(listed).toEqual(visible.map((q) => q.id));
      // the analyst's private query is not among them
      expect(visible.every((q) => q.visibility === 'everyone')).toBe(true);
      const shipped = visible.find((q) => q.readonly && q.params.length === 0) ?? visible[0];
      await p.click(`[data-testid=saved-list] [data-query-id="${shipped.id}"]`);
      const answered = p.waitForResponse((r) => r.url().endsWith(`/api/queries/${encodeURIComponent(shipped.id)}/run`));
      await p.click('button[name=run]');
      expect((await answered).status()).toBe(200);
      await p.locator('[data-testid=result-meta]').waitFor();
      expect(await p.locator('.cm-content').count()).toBe(0);
      await p.screenshot({ path: join(SHOTS, 'queries-executive-1280.png'), fullPage: true });
    } finally {
      await exec.close();
    }
  });

  it('fits a desktop and a phone without sideways scrolling', async () => {
    await page.getByRole('button', { name: 'Saved', exact: true }).click();
    await page.locator('[data-testid=saved-list]').waitFor();
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => window.scrollTo(0, 0));
      // no loading left and no transition running (the phone menu slides away after a resize)
      await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"], .skeleton').length === 0 && document.getAnimations().every((a) => a.playState !== 'running'));
      expect(await horizontalOverflow(page), `queries at ${width}px`).toBe(0);
      await page.screenshot({ path: join(SHOTS, `queries-${width}.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
  });
});
