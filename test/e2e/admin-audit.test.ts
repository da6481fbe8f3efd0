// End-to-end: the Admin page's audit log in Chromium at desktop and phone width, in English and Chinese.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { dataPaths } from '../../server/config.ts';
import { generateSample } from '../../server/sample/generate.ts';
import { ingest } from '../../server/snapshots/ingest.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin')!;
const SHOTS = '/tmp/audit-shots';

describe('audit log on the Admin page', () => {
  let root: string;
  let served: BrowserApp;

  beforeAll(async () => {
    root = await tempDir('e2e-audit');
    await mkdir(SHOTS, { recursive: true });
    // a small snapshot, for an ad-hoc query to run against
    const exports = join(root, 'exports');
    await generateSample({ out: exports, orders: 1_000, months: 8, end: '2026-06-30', seed: 3 });
    await ingest({ input: exports, snapshotsRoot: dataPaths(root).snapshots });
    served = await startBrowserApp(root);
  }, 120_000);

  afterAll(async () => {
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function openAdmin(width: number, locale = 'en-US'): Promise<Page> {
    const context = await served.browser.newContext({ viewport: { width, height: 900 }, locale });
    const page = await context.newPage();
    // a failed sign-in first, so the log holds more than one kind of row
    await page.goto(`${served.base}/login?next=%2Fadmin`);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', 'wrong-password-123');
    await page.click('button[type=submit]');
    await page.locator('[role=alert]').waitFor();
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${served.base}/admin`);
    await page.locator('[data-table="audit"] tbody tr').first().waitFor();
    return page;
  }

  it('filters by kind and outcome, exports CSV with the same filters, at 1280', async () => {
    const page = await openAdmin(1280);
    await page.screenshot({ path: join(SHOTS, 'audit-1280.png'), fullPage: true });
    await page.selectOption('select[name=kind]', 'sign_in_failed');
    await page.locator('[data-table="audit"] tbody tr', { hasText: 'Failed sign-in' }).first().waitFor();
    await expect.poll(() => page.locator('[data-table="audit"] tbody tr', { hasNotText: 'Failed sign-in' }).count()).toBe(0);
    expect(await page.locator('[data-page]').textContent()).toMatch(/^1–\d+ of \d+$/);
    expect(await page.locator('[data-card="audit"] a[data-csv]').getAttribute('href')).toBe('/api/admin/audit.csv?kind=sign_in_failed');

    await page.selectOption('select[name=outcome]', 'ok');
    await page.getByText('No audit rows').waitFor();
    await page.screenshot({ path: join(SHOTS, 'audit-1280-empty.png'), fullPage: true });
    await page.context().close();
  });

  it('shows the start of a long statement in its row, and all of it in the tooltip', async () => {
    const page = await openAdmin(1280);
    const columns = Array.from({ length: 40 }, (_, k) => `order_id AS id_${k}`).join(', ');
    const sql = `SELECT ${columns} FROM orders LIMIT 1`;
    const ran = await page.request.post(`${served.base}/api/queries/run`, { headers: { 'x-vigil-csrf': '1' }, data: { sql, runId: 'audit-long-sql' } });
    expect(ran.status(), await ran.text()).toBe(200);
    await page.fill('input[name=q]', 'audit-long-sql');
    await page.press('input[name=q]', 'Enter');
    const row = page.locator('[data-table="audit"] tbody tr', { hasText: 'audit-long-sql' }).first();
    await row.waitFor();
    const cell = row.locator('td').last();
    const shown = (await cell.textContent())!.trim();
    expect(shown.endsWith('…')).toBe(true);
    expect(sql.startsWith(shown.slice(0, -1))).toBe(true);
    expect(shown.length).toBeLessThan(sql.length);
    expect(await cell.getAttribute('title')).toContain(sql);
    await page.context().close();
  });

  it('fits a phone and speaks Chinese, at 375', async () => {
    // the browser's language picks Chinese on a first visit
    const page = await openAdmin(375, 'zh-CN');
    await page.locator('h2', { hasText: '审计日志' }).waitFor();
    expect(await page.locator('select[name=kind] option').allTextContents()).toContain('登录失败');
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'audit-375-zh.png'), fullPage: true });
    await page.context().close();
  });
});
