// End-to-end: the Overview dashboard and the KPI detail view, built and served by the real app
// over a generated dataset, driven by real Chromium. The numbers on the page must be the API's
// numbers; a click on a chart must filter the page through the URL.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { dataPaths } from '../../server/config.ts';
import type { BreakdownReply, CatalogReply, KpiReply, Unit } from '../../server/metrics/contract.ts';
import { generateSample } from '../../server/sample/generate.ts';
import { ingest } from '../../server/snapshots/ingest.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const EXEC = DEMO_USERS.find((u) => u.role === 'executive')!;
const SHOTS = resolve('test-results');

// the tiles of the Overview, in the order the page shows them
const SALES = ['gmv', 'net_revenue', 'orders', 'aov', 'buyers', 'conversion_rate', 'repeat_purchase_rate', 'gross_margin'];
const SERVICE = ['complaint_rate', 'refund_rate', 'late_shipment_rate', 'first_response_p50', 'first_response_p90', 'response_sla_breach_rate'];
const TILES = [...SALES, ...SERVICE];
const FROM = '2026-06-01';
const TO = '2026-06-30';

/**
 * How a tile shows a value in English, written out from the page's rules: money in yuan with
 * thousands separators (cents below ¥1,000), percentages with two decimals below 10 %, complaint
 * rate in per mille, response times in seconds (minutes from 60 s), ratings with two decimals.
 */
function expectedText(value: number | null, unit: Unit): string {
  if (value === null) return '—';
  const n = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  switch (unit) {
    case 'money':
      return `${value < 0 ? '-' : ''}¥${n(Math.abs(value), Math.abs(value) >= 1000 ? 0 : 2)}`;
    case 'percent': {
      const digits = Math.abs(value) < 0.1 ? 2 : 1;
      return value.toLocaleString('en-US', { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
    }
    case 'permille':
      return `${n(value * 1000, 2)}‰`;
    case 'seconds': {
      if (value < 60) return `${value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 1 : 0 })} s`;
      const whole = Math.round(value);
      return `${Math.floor(whole / 60)} min ${whole % 60} s`;
    }
    case 'rating':
      return n(value, 2);
    default:
      return value.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 });
  }
}

async function signIn(page: Page, next: string): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', EXEC.username);
  await page.fill('#password', EXEC.password);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Waits until every section has its answer for the current URL. */
async function settled(page: Page): Promise<void> {
  await page.locator('a.tile[data-kpi="gmv"] .value').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, null, { timeout: 60_000 });
}

let base = '';

describe('Overview dashboard in Chromium', () => {
  let root: string;
  let served: BrowserApp;
  let browser: Browser;
  let catalog: CatalogReply;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    root = await tempDir('e2e-overview');
    const exports = join(root, 'exports');
    await generateSample({ out: exports, orders: 20_000, months: 14, end: TO, seed: 7 });
    const paths = dataPaths(root);
    await ingest({ input: exports, snapshotsRoot: paths.snapshots });
    served = await startBrowserApp(root);
    ({ base, browser } = served);
  });

  afterAll(async () => {
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await signIn(page, path);
    await settled(page);
    catalog ??= (await (await page.request.get(`${base}/api/kpis/catalog`)).json()) as CatalogReply;
    return { context, page, errors };
  }

  async function apiKpis(page: Page, query: string): Promise<KpiReply> {
    const res = await page.request.get(`${base}/api/kpis?${query}&kpis=${TILES.join(',')}&compare=previous,yoy`);
    expect(res.status()).toBe(200);
    return (await res.json()) as KpiReply;
  }

  /** Every tile's value equals the API's answer for the same period and filters, formatted. */
  async function expectTilesMatch(page: Page, reply: KpiReply): Promise<void> {
    for (const id of TILES) {
      const def = catalog.kpis.find((k) => k.id === id)!;
      const tile = page.locator(`a.tile[data-kpi="${id}"]`);
      const expected = reply.kpis[id];
      const raw = await tile.getAttribute('data-value');
      if (expected.value === null) expect(raw).toBe('');
      else expect(Number(raw)).toBe(expected.value);
      expect((await tile.locator('.value').textContent())?.trim(), id).toBe(expectedText(expected.value, def.unit));
    }
  }

  it('shows tiles whose numbers are the API numbers for the URL, charts, and no raw JSON', async () => {
    const { context, page, errors } = await open(`/?from=${FROM}&to=${TO}`);
    expect(page.url()).toBe(`${base}/?from=${FROM}&to=${TO}`);

    const reply = await apiKpis(page, `from=${FROM}&to=${TO}`);
    expect(reply.kpis.gmv.value).toBeGreaterThan(0);
    await expectTilesMatch(page, reply);

    // the change against the previous period, coloured by the KPI's direction
    const gmv = reply.kpis.gmv;
    const change = (gmv.value! - gmv.previous!.value!) / gmv.previous!.value!;
    const delta = page.locator('a.tile[data-kpi="gmv"] .delta[data-compare="previous"]');
    expect(await delta.getAttribute('class')).toContain(change > 0 ? 'good' : 'bad');
    const digits = Math.abs(change) < 0.1 ? 1 : 0;
    const pct = Math.abs(change).toLocaleString('en-US', { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
    expect(await delta.locator('.delta-value').textContent()).toBe(`${change > 0 ? '+' : '−'}${pct}`);

    // every chart drew something: canvases exist and no empty state shows on a full month
    for (const name of ['trend', 'platforms', 'funnel', 'categories', 'products', 'regions']) {
      expect(await page.locator(`[data-chart="${name}"] canvas`).count(), name).toBeGreaterThan(0);
    }
    // the risk cards: the open-alerts list and the inherent heat map (25 cells)
    expect(await page.locator('[data-card="open-alerts"]').count()).toBe(1);
    expect(await page.locator('[data-card="heatmap"] [data-heatmap="inherent"] button[data-cell]').count()).toBe(25);
    const body = await page.locator('body').innerText();
    expect(body).not.toMatch(/[{[]\s*"/);
    expect(body).not.toContain('NaN');
    expect(body).not.toContain('undefined');
    expect(errors).toEqual([]);

    await page.screenshot({ path: join(SHOTS, 'overview-1280.png'), fullPage: true });
    await context.close();
  });

  it('exports a chart as PNG and its data as CSV that Excel reads as UTF-8', async () => {
    const { context, page } = await open(`/?from=${FROM}&to=${TO}`);

    const [png] = await Promise.all([page.waitForEvent('download'), page.locator('[data-card="trend"] button[aria-label="Download the chart as PNG"]').click()]);
    expect(png.suggestedFilename()).toBe(`gmv-by-platform_day_${FROM}_${TO}.png`);
    const image = await readFile((await png.path())!);
    expect(image.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(image.length).toBeGreaterThan(10_000);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-card="regions"] button[aria-label="Download the data as CSV"]').click()]);
    expect(csv.suggestedFilename()).toBe(`gmv-by-region_${FROM}_${TO}.csv`);
    const text = await readFile((await csv.path())!, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Region,key,GMV,Orders');
    const api = (await (await page.request.get(`${base}/api/kpis/breakdown?from=${FROM}&to=${TO}&kpis=gmv,orders&by=region&sort=gmv&limit=100`)).json()) as BreakdownReply;
    expect(lines.length - 1).toBe(api.rows.length);
    const first = api.rows[0];
    expect(lines[1]).toBe([first.label, first.key, first.kpis.gmv.value, first.kpis.orders.value].join(','));
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    await context.close();
  });

  it('follows the chosen language, labels and numbers alike', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, `/?from=${FROM}&to=${TO}`);
    await settled(page);
    const gmv = catalog.kpis.find((k) => k.id === 'gmv')!;
    expect(await page.locator('a.tile[data-kpi="gmv"] .label').textContent()).toBe(gmv.label.zh);
    expect(await page.locator('#sales-title').textContent()).toBe('销售');
    expect(await page.locator('[data-card="trend"] h2').textContent()).toBe('各平台 GMV 趋势');
    expect(await page.locator('a.tile[data-kpi="gmv"] .delta[data-compare="yoy"] .vs').textContent()).toBe('同比');
    await context.close();
  });

  it('filters by a platform when its bar is clicked: the URL changes and so do the numbers', async () => {
    const { context, page, errors } = await open(`/?from=${FROM}&to=${TO}`);
    const before = await apiKpis(page, `from=${FROM}&to=${TO}`);

    // where the first (largest) platform's bar is drawn, from the chart itself
    const target = await page.evaluate(() => {
      const el = document.querySelector('[data-chart="platforms"]') as HTMLElement & {
        vigilChart: { getOption(): { yAxis: { data: string[] }[]; series: { data: { value: number }[] }[] }; convertToPixel(finder: object, value: number[]): number[] };
      };
      const option = el.vigilChart.getOption();
      const key = option.yAxis[0].data[0];
      const value = option.series[0].data[0].value;
      const [x, y] = el.vigilChart.convertToPixel({ seriesIndex: 0 }, [value / 2, 0]);
      const box = el.getBoundingClientRect();
      return { key, x: box.left + x, y: box.top + y };
    });
    expect(catalog.dimensions.platform.map((p) => p.key)).toContain(target.key);
    await page.mouse.click(target.x, target.y);
    await page.waitForURL((url) => url.searchParams.get('platform') === target.key);
    await settled(page);

    const after = await apiKpis(page, `from=${FROM}&to=${TO}&platform=${encodeURIComponent(target.key)}`);
    expect(after.kpis.gmv.value).toBeGreaterThan(0);
    expect(after.kpis.gmv.value).toBeLessThan(before.kpis.gmv.value!);
    await page.locator(`a.tile[data-kpi="gmv"][data-value="${after.kpis.gmv.value}"]`).waitFor();
    await expectTilesMatch(page, after);
    // the active filter is shown and can be removed
    expect(await page.locator('.chip').count()).toBe(1);

    // the browser's back button undoes the drill-down
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('platform') === null);
    await settled(page);
    await page.locator(`a.tile[data-kpi="gmv"][data-value="${before.kpis.gmv.value}"]`).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows "—" with the reason for a KPI the filter cannot answer, without breaking the page', async () => {
    const category = catalog?.dimensions.category[0]?.key ?? 'skincare';
    const { context, page, errors } = await open(`/?from=${FROM}&to=${TO}&category=${encodeURIComponent(category)}`);
    const reply = await apiKpis(page, `from=${FROM}&to=${TO}&category=${encodeURIComponent(category)}`);
    expect(reply.kpis.conversion_rate.value).toBeNull();
    await expectTilesMatch(page, reply);
    const tile = page.locator('a.tile[data-kpi="conversion_rate"]');
    expect(await tile.locator('.reason').textContent()).toBe(reply.kpis.conversion_rate.reason);
    // the funnel needs traffic, which has no category: an empty state with the reason, not a chart
    expect(await page.locator('[data-card="funnel"] [data-chart]').count()).toBe(0);
    expect(await page.locator('[data-card="funnel"]').innerText()).toContain(reply.kpis.conversion_rate.reason!);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens a KPI detail view from its tile, keeping the filters, with series and breakdowns', async () => {
    const platform = catalog.dimensions.platform[0].key;
    const { context, page, errors } = await open(`/?from=${FROM}&to=${TO}&platform=${platform}`);
    await page.click('a.tile[data-kpi="complaint_rate"]');
    await page.waitForURL((url) => url.pathname === '/kpi/complaint_rate' && url.searchParams.get('platform') === platform);
    await page.locator('.headline .big').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, null, { timeout: 60_000 });

    const reply = await apiKpis(page, `from=${FROM}&to=${TO}&platform=${platform}`);
    const rate = reply.kpis.complaint_rate;
    expect(await page.locator('.headline .big').textContent()).toBe(expectedText(rate.value, 'permille'));
    // a rate shows its numerator and denominator
    expect(await page.locator('.headline .ratio').innerText()).toContain(rate.denominator!.toLocaleString('en-US'));
    expect(await page.locator('[data-chart="series"] canvas').count()).toBeGreaterThan(0);

    const def = catalog.kpis.find((k) => k.id === 'complaint_rate')!;
    expect(await page.locator('[role=tab]').count()).toBe(def.breakdowns.length);
    await page.click('[role=tab][data-by="region"]');
    await page.waitForURL((url) => url.searchParams.get('by') === 'region');
    await page.locator('[data-table="breakdown"] tbody tr').first().waitFor();
    expect(await page.locator('[data-table="breakdown"] tbody tr').count()).toBeGreaterThan(1);

    await page.locator('[data-card="series"] button', { hasText: 'Month' }).click();
    await page.waitForURL((url) => url.searchParams.get('grain') === 'month');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone: two tiles per row, charts full width, no horizontal overflow', async () => {
    const { context, page, errors } = await open(`/?from=${FROM}&to=${TO}`, { width: 375, height: 800 });
    expect(await horizontalOverflow(page)).toBe(0);
    const boxes = await Promise.all(['gmv', 'net_revenue', 'orders'].map((id) => page.locator(`a.tile[data-kpi="${id}"]`).boundingBox()));
    expect(boxes[0]!.y).toBe(boxes[1]!.y);
    expect(boxes[2]!.y).toBeGreaterThan(boxes[0]!.y);
    const chart = await page.locator('[data-card="trend"]').boundingBox();
    expect(chart!.width).toBeGreaterThan(375 - 40);
    expect(chart!.x + chart!.width).toBeLessThanOrEqual(375);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'overview-375.png'), fullPage: true });
    await context.close();
  });
});
