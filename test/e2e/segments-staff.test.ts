// End-to-end: the Customers and Staff pages, built and served by the real app over a generated
// dataset, driven by real Chromium. The numbers on the pages must be the API's numbers; the pages
// must fit a phone without horizontal scrolling; screenshots land in test-results/.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { dataPaths } from '../../server/config.ts';
import { generateSample } from '../../server/sample/generate.ts';
import type { CustomersReply, MovementReply, RfmReply, RulesReply, TiersReply } from '../../server/segments/contract.ts';
import type { StaffPerformanceReply, StaffPersonReply } from '../../server/staff/contract.ts';
import { ingest } from '../../server/snapshots/ingest.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const EXEC = DEMO_USERS.find((u) => u.role === 'executive')!;
const ADMIN = DEMO_USERS.find((u) => u.role === 'admin')!;
const SHOTS = resolve('test-results');
const TO = '2026-06-30';
const PERIOD = '2026-06';

/** How the pages show money and counts in English (see web/lib/kpi/format.ts). */
const money = (v: number) => `${v < 0 ? '-' : ''}¥${Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: Math.abs(v) >= 1000 ? 0 : 2, maximumFractionDigits: Math.abs(v) >= 1000 ? 0 : 2 })}`;
const count = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });

let base = '';

async function signIn(page: Page, next: string, user: { username: string; password: string } = EXEC): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

async function settled(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, null, { timeout: 60_000 });
  // let ECharts finish its first frame before a screenshot
  await page.waitForTimeout(400);
}

const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent())?.trim();

describe('Customers and Staff pages in Chromium', () => {
  let root: string;
  let served: BrowserApp;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    root = await tempDir('e2e-segments-staff');
    const exports = join(root, 'exports');
    await generateSample({ out: exports, orders: 20_000, months: 14, end: TO, seed: 11 });
    const paths = dataPaths(root);
    await ingest({ input: exports, snapshotsRoot: paths.snapshots });
    served = await startBrowserApp(root);
    ({ base, browser } = served);
  }, 600_000);

  afterAll(async () => {
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function open(
    path: string,
    ready: string,
    viewport = { width: 1280, height: 900 },
    user: { username: string; password: string } = EXEC,
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await signIn(page, path, user);
    await settled(page, ready);
    return { context, page, errors };
  }

  async function apiGet<T>(page: Page, path: string): Promise<T> {
    const res = await page.request.get(`${base}${path}`);
    expect(res.status(), path).toBe(200);
    return (await res.json()) as T;
  }

  it('Customers: segment table, totals, tiers and movement equal the API; a segment opens its customer list with a CSV export', async () => {
    const { context, page, errors } = await open('/customers', '[data-table="segments"] tr[data-segment]');
    try {
      const rfm = await apiGet<RfmReply>(page, '/api/segments/rfm');
      expect(rfm.customers).toBeGreaterThan(100);

      // totals
      expect(await text(page, '[data-total="customers"]')).toBe(count(rfm.customers));
      expect(await text(page, '[data-total="revenue"]')).toBe(money(rfm.revenue));
      expect(await text(page, '[data-total="orders"]')).toBe(count(rfm.orders));

      // every segment row: customers and revenue as the API has them
      for (const s of rfm.segments) {
        const row = page.locator(`[data-table="segments"] tr[data-segment="${s.segment}"]`);
        expect(Number(await row.locator('[data-col="customers"]').getAttribute('data-value'))).toBe(s.customers);
        expect((await row.locator('[data-col="customers"]').textContent())?.trim(), s.segment).toBe(count(s.customers));
        expect((await row.locator('[data-col="revenue"]').textContent())?.trim(), s.segment).toBe(money(s.revenue));
      }
      // the 11 segments add up to the total
      expect(rfm.segments.reduce((sum, s) => sum + s.customers, 0)).toBe(rfm.customers);

      // the rule table, in priority order
      const rules = await apiGet<RulesReply>(page, '/api/segments/rules');
      await expect.poll(() => page.locator('[data-table="rules"] tbody tr').count()).toBe(rules.rules.length);

      // member tiers
      const tiers = await apiGet<TiersReply>(page, '/api/segments/tiers');
      for (const tier of tiers.tiers) {
        const row = page.locator(`[data-table="tiers"] tr[data-tier="${tier.tier}"]`);
        expect((await row.locator('[data-col="customers"]').textContent())?.trim(), tier.tier).toBe(count(tier.customers));
        expect((await row.locator('[data-col="revenue"]').textContent())?.trim(), tier.tier).toBe(money(tier.revenue));
      }

      // segment movement: the default pair of reference dates
      const mov = await apiGet<MovementReply>(page, '/api/segments/movement');
      expect(await text(page, '[data-moved]')).toBe(count(mov.moved));
      expect(await text(page, '[data-stayed]')).toBe(count(mov.stayed));
      const biggest = [...mov.matrix].sort((a, b) => b.customers - a.customers)[0];
      expect(await text(page, `[data-table="movement"] td[data-from="${biggest.from}"][data-to="${biggest.to}"]`)).toBe(count(biggest.customers));

      // every chart drew something (a canvas with a size)
      for (const name of ['segments-treemap', 'tiers-by-platform', 'new-returning', 'cohorts', 'movement']) {
        const box = await page.locator(`[data-card="${name}"] canvas`).first().boundingBox();
        expect(box?.height ?? 0, name).toBeGreaterThan(100);
      }
      await page.screenshot({ path: join(SHOTS, 'customers-1280.png'), fullPage: true });

      // a segment opens its customer list (personal columns masked for an executive)
      const champions = rfm.segments.find((s) => s.segment === 'champions')!;
      await page.locator('[data-table="segments"] tr[data-segment="champions"] button').click();
      await page.waitForURL((url) => url.searchParams.get('segment') === 'champions');
      await settled(page, '[data-table="customers"] tr[data-customer]');
      const list = await apiGet<CustomersReply>(page, '/api/segments/customers?segment=champions&page=1&pageSize=25&sort=monetary&order=desc');
      expect(list.total).toBe(champions.customers);
      expect(Number(await page.locator('[data-list-total]').getAttribute('data-list-total'))).toBe(list.total);
      const ids = await page.locator('[data-table="customers"] tr[data-customer]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer')));
      expect(ids).toEqual(list.rows.map((r) => r.customer_id));
      expect(list.masked).toBe(true);
      expect(await page.locator('.badge-warning', { hasText: 'Personal data masked' }).count()).toBe(1);
      const first = page.locator(`[data-table="customers"] tr[data-customer="${list.rows[0].customer_id}"]`);
      expect((await first.locator('[data-col="monetary"]').textContent())?.trim()).toBe(money(list.rows[0].monetary));

      const href = await page.locator('a[data-csv]').getAttribute('href');
      expect(href).toContain('/api/segments/customers.csv?segment=champions');
      const csv = await page.request.get(`${base}${href}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect((await csv.text()).trim().split(/\r?\n/).length).toBe(list.total + 1);

      // the next page
      if (list.total > 25) {
        await page.getByRole('button', { name: 'Next page' }).click();
        await page.waitForURL((url) => url.searchParams.get('page') === '2');
        await settled(page, '[data-table="customers"] tr[data-customer]');
        const page2 = await apiGet<CustomersReply>(page, '/api/segments/customers?segment=champions&page=2&pageSize=25&sort=monetary&order=desc');
        await expect.poll(() => page.locator('[data-table="customers"] tr[data-customer]').first().getAttribute('data-customer')).toBe(page2.rows[0].customer_id);
      }
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('Customers on a phone: no horizontal overflow, in English and Chinese', async () => {
    const { context, page, errors } = await open('/customers', '[data-table="segments"] tr[data-segment]', { width: 375, height: 800 });
    try {
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, 'customers-375.png'), fullPage: true });

      // in Simplified Chinese: the same page, translated, still fitting the phone
      await page.evaluate(() => localStorage.setItem('vigil.lang', 'zh'));
      await page.reload();
      await settled(page, '[data-table="segments"] tr[data-segment]');
      expect(await text(page, 'h1')).toBe('客户');
      expect(await text(page, '[data-table="segments"] tr[data-segment="champions"] button')).toBe('重要价值客户');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, 'customers-375-zh.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('Customers rule editor: an admin edits the rules, an uncovered cell is refused by the server; an executive cannot edit', async () => {
    const admin = await open('/customers', '[data-table="rules"] tbody tr', { width: 1280, height: 900 }, ADMIN);
    try {
      const { page, errors } = admin;
      const rules = await apiGet<RulesReply>(page, '/api/segments/rules');
      await page.locator('[data-edit-rules]').click();
      const editor = page.locator('[data-rule-editor]');
      await editor.waitFor();
      await expect.poll(() => editor.locator('[data-edit-rule]').count()).toBe(rules.rules.length);
      expect(Number(await editor.locator('[data-coverage]').getAttribute('data-coverage'))).toBe(125);
      expect(await text(page, '[data-coverage]')).toBe('Cells covered: 125 / 125');
      await page.locator('[data-card="rules"]').screenshot({ path: join(SHOTS, 'customers-rules-editor-1280.png') });

      // remove the last rule, the catch-all: some cells are left without a segment
      await editor.locator(`[data-edit-rule="${rules.rules.length}"] [data-remove-rule]`).click();
      await expect.poll(() => editor.locator('[data-edit-rule]').count()).toBe(rules.rules.length - 1);
      const covered = Number(await editor.locator('[data-coverage]').getAttribute('data-coverage'));
      expect(covered).toBeLessThan(125);

      // the server refuses the table and says why
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/segments/rules') && r.request().method() === 'PUT'),
        editor.locator('[data-save-rules]').click(),
      ]);
      expect(res.status()).toBe(400);
      const banner = editor.locator('[role="alert"]');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('without a segment');
      expect(await banner.textContent()).toContain('The rules were not saved');
      await page.screenshot({ path: join(SHOTS, 'customers-rules-error-1280.png'), fullPage: true });

      // the editor fits a phone
      await page.setViewportSize({ width: 375, height: 800 });
      await page.waitForTimeout(300);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await editor.screenshot({ path: join(SHOTS, 'customers-rules-editor-375.png') });

      // cancel: back to the unchanged table
      await editor.locator('[data-cancel-rules]').click();
      await expect.poll(() => page.locator('[data-rule-editor]').count()).toBe(0);
      await expect.poll(() => page.locator('[data-table="rules"] tbody tr').count()).toBe(rules.rules.length);
      expect((await apiGet<RulesReply>(page, '/api/segments/rules')).source).toBe(rules.source);
      expect(errors).toEqual([]);
    } finally {
      await admin.context.close();
    }

    const exec = await open('/customers', '[data-table="rules"] tbody tr');
    try {
      expect(await exec.page.locator('[data-edit-rules]').count()).toBe(0);
      expect(await exec.page.getByRole('button', { name: 'Edit rules' }).count()).toBe(0);
      expect(exec.errors).toEqual([]);
    } finally {
      await exec.context.close();
    }
  }, 180_000);

  it('Staff: ranking, revenue and service figures equal the API; a person opens with their figures and definitions', async () => {
    const { context, page, errors } = await open(`/staff?period=${PERIOD}`, '[data-table="sales"] tr[data-staff]');
    try {
      const perf = await apiGet<StaffPerformanceReply>(page, `/api/staff/performance?period=${PERIOD}`);
      const sales = perf.sales ?? [];
      const service = perf.service ?? [];
      expect(sales.length).toBeGreaterThan(2);

      const rows = await page.locator('[data-table="sales"] tr[data-staff]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-staff')));
      expect(rows).toEqual(sales.map((r) => r.staff.staff_id));
      for (const r of sales.slice(0, 5)) {
        const row = page.locator(`[data-table="sales"] tr[data-staff="${r.staff.staff_id}"]`);
        expect((await row.locator('[data-col="revenue"]').textContent())?.trim(), r.staff.staff_id).toBe(money(r.figures.revenue));
        expect((await row.locator('[data-col="orders"]').textContent())?.trim(), r.staff.staff_id).toBe(count(r.figures.orders));
        expect((await row.locator('.rank').textContent())?.trim()).toBe(r.ranking.rank === null ? '—' : String(r.ranking.rank));
      }
      for (const r of service.slice(0, 5)) {
        const row = page.locator(`[data-table="service"] tr[data-staff="${r.staff.staff_id}"]`);
        expect((await row.locator('[data-col="inquiries"]').textContent())?.trim(), r.staff.staff_id).toBe(count(r.figures.inquiries));
      }
      if (perf.coverage) expect(await text(page, '[data-stat="revenue"]')).toBe(money(perf.coverage.revenue));
      // the complaint attribution is told in the page's words from the API's two numbers, not as a raw server note
      const covered = perf.complaint_coverage!;
      expect(await page.locator('main').textContent()).toContain(`${count(covered.attributed)} of the ${count(covered.resolved)} complaints resolved in this period`);
      expect(perf.notes.join(' ')).not.toMatch(/complaint/);
      const box = await page.locator('[data-card="revenue-by-person"] canvas').first().boundingBox();
      expect(box?.height ?? 0).toBeGreaterThan(100);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, 'staff-1280.png'), fullPage: true });

      // the top seller's own page
      const top = sales[0];
      await page.locator(`[data-table="sales"] tr[data-staff="${top.staff.staff_id}"] .name-cell a.person`).click();
      await page.waitForURL((url) => url.pathname === `/staff/${top.staff.staff_id}`);
      await settled(page, '[data-figure="revenue"]');
      const person = await apiGet<StaffPersonReply>(page, `/api/staff/${top.staff.staff_id}?period=${PERIOD}`);
      expect(await text(page, '[data-figure="revenue"] .fig-value')).toBe(money((person.figures as { revenue: number }).revenue));
      expect(await text(page, '[data-figure="orders"] .fig-value')).toBe(count((person.figures as { orders: number }).orders));
      expect(await page.locator('[data-definition]').count()).toBe(person.definitions.length);
      expect(await text(page, 'h1')).toBe(person.staff.name);
      const series = await page.locator('[data-card="series-revenue"] canvas').first().boundingBox();
      expect(series?.height ?? 0).toBeGreaterThan(100);
      await page.screenshot({ path: join(SHOTS, 'staff-person-1280.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('Staff on a phone: no horizontal overflow, the person page too', async () => {
    const { context, page, errors } = await open(`/staff?period=${PERIOD}`, '[data-table="sales"] tr[data-staff]', { width: 375, height: 800 });
    try {
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, 'staff-375.png'), fullPage: true });
      const id = await page.locator('[data-table="sales"] tr[data-staff]').first().getAttribute('data-staff');
      await page.goto(`${base}/staff/${id}?period=${PERIOD}`);
      await settled(page, '[data-figure="revenue"]');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, 'staff-person-375.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
