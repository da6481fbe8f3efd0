// End-to-end: the built single-page app served by the real Fastify app, driven by real Chromium.
// Covers the shell (sign-in, redirect back, navigation by role, language, phone width, sign-out)
// and the Data page (snapshot list, quality report, rejected samples, no raw JSON).
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { listSnapshots } from '../../server/snapshots/store.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin')!;
const EXEC = DEMO_USERS.find((u) => u.role === 'executive')!;

/** A small export folder with known defects: one duplicate, one unknown enum value, one bad date. */
async function writeExports(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'platforms.csv'),
    'platform_id,name,kind,commission_rate\ntmall,Tmall,marketplace,0.05\njd,JD,marketplace,0.04\njd,JD,marketplace,0.04\ndy,Douyin,tiktok,0.06\n',
  );
  await writeFile(
    join(dir, 'products.csv'),
    'sku,name,category,unit_cost,list_price,floor_price,launched_on,status\nSKU-1,Mug,kitchen,10.00,39.00,29.00,2023-01-01,active\nSKU-2,Bottle,kitchen,12.50,49.00,45.00,2023-02-30,active\n',
  );
  await writeFile(
    join(dir, 'orders.csv'),
    'order_id,platform_id,customer_id,ordered_at,paid_at,status,items_amount,discount_amount,shipping_fee,paid_amount,promotion_id,salesperson_id,promised_ship_by,shipped_at,delivered_at,carrier,region\n' +
      'O-1,tmall,,2024-06-01 10:00:00,2024-06-01 10:01:00,paid,39.00,0,0,39.00,,,2024-06-03,,,,East\n',
  );
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

describe('web shell in Chromium', () => {
  let root: string;
  let served: BrowserApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    root = await tempDir('e2e-web');
    const exports = join(root, 'exports');
    await writeExports(exports);
    const ingest = spawnSync(process.execPath, [resolve('server/vigil.js'), 'ingest', exports, '--data', root], { encoding: 'utf8' });
    if (ingest.status !== 0) throw new Error(`ingest failed: ${ingest.stderr}${ingest.stdout}`);

    served = await startBrowserApp(root);
    ({ base, browser } = served);
  });

  afterAll(async () => {
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('asks for a sign-in, reports a failed one, and returns to the page asked for', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await page.goto(`${base}/data`);
    await page.waitForURL(/\/login\?next=%2Fdata$/);

    await signIn(page, ADMIN.username, 'wrong password');
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Sign-in failed/);
    expect(page.url()).toMatch(/\/login/);

    await signIn(page, ADMIN.username, ADMIN.password);
    await page.waitForURL(`${base}/data`);
    await page.locator('table.tables').waitFor();
    await page.close();
  });

  it('shows the snapshot list and its data-quality report, with samples and no raw JSON', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/login?next=%2Fdata`);
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.locator('table.tables').waitFor();

    const snapshots = page.locator('table.snapshots tbody tr');
    expect(await snapshots.count()).toBe(1);
    const [manifest] = await listSnapshots(join(root, 'snapshots'));
    expect(await snapshots.first().textContent()).toContain('Current');
    expect(await snapshots.first().textContent()).toContain(manifest.id);
    const total = Object.values(manifest.tables).reduce((sum, entry) => sum + entry.rows, 0);
    expect(await snapshots.first().textContent()).toContain(total.toLocaleString('en-US'));
    const ordersRow = page.locator('table.tables tbody tr', { hasText: 'Orders' }).first();
    expect(await ordersRow.textContent()).toContain(String(manifest.tables.orders!.rows));
    expect(await page.locator('.snapshot').textContent()).toMatch(/Data as of/);

    const platforms = page.locator('table.tables tbody tr', { hasText: 'Platforms' }).first();
    const text = (await platforms.textContent()) ?? '';
    expect(text).toContain('Duplicate row');
    expect(text).toContain('Unknown code value');

    await page.click('button[aria-controls="samples-platforms"]');
    const samples = page.locator('#samples-platforms table.samples tbody tr');
    expect(await samples.count()).toBe(2);
    expect(await page.locator('#samples-platforms').textContent()).toContain('tiktok');

    expect(await page.locator('text=Tables not in this snapshot').count()).toBe(1);
    const body = (await page.locator('body').innerText()) ?? '';
    expect(body).not.toMatch(/[{[]\s*"/);
    await context.close();
  });

  it('switches to Simplified Chinese and keeps the choice after a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/login?next=%2Fdata`);
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.locator('table.tables').waitFor();
    await page.selectOption('header select', 'zh');
    await page.locator('h1', { hasText: '数据' }).waitFor();
    await page.reload();
    await page.locator('h1', { hasText: '数据' }).waitFor();
    expect(await page.locator('nav').textContent()).toContain('概览');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await context.close();
  });

  it('fits a phone screen, hides Admin from an executive, and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await signIn(page, EXEC.username, EXEC.password);
    await page.waitForURL(`${base}/`);
    await page.locator('h1').waitFor();
    expect(await horizontalOverflow(page)).toBe(0);

    // the navigation is behind the menu button
    expect(await page.locator('#sidebar nav').isVisible()).toBe(false);
    await page.click('button[aria-controls=sidebar]');
    await page.locator('#sidebar nav').waitFor({ state: 'visible' });
    expect(await page.locator('#sidebar a[href="/data"]').isVisible()).toBe(true);
    expect(await page.locator('a[href="/admin"]').count()).toBe(0);

    await page.click('#sidebar a[href="/data"]');
    await page.locator('table.tables').waitFor();
    await page.click('button[aria-controls="samples-platforms"]');
    expect(await horizontalOverflow(page)).toBe(0);

    await page.click('button[aria-controls=sidebar]');
    await page.click('#sidebar .signout-wide');
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/risk`);
    await page.waitForURL(/\/login\?next=%2Frisk$/);
    await context.close();
  });
});
