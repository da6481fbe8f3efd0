// End-to-end: the Content-Security-Policy the server sends lets every page of the app work in
// Chromium (no blocked script, style, image, frame or request, no console error), the outbox's
// email preview still renders, and another page cannot frame the app.
import { rm } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { injectAs, tempDir } from '../helpers/app.ts';
import { type BrowserApp, startBrowserApp } from '../helpers/browser.ts';
import { ingestedSample } from '../helpers/sample.ts';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin')!;
const INDICATOR = 'csp_refunds';

describe('content security policy in Chromium', () => {
  let root: string;
  let served: BrowserApp;
  let context: BrowserContext;
  let page: Page;
  let staffId: string;
  /** CSP violations and console errors, with the page they happened on */
  const problems: string[] = [];
  let where = '/login';

  beforeAll(async () => {
    root = await tempDir('e2e-csp');
    const { rows } = await ingestedSample(root, { orders: 1000, months: 7, end: '2026-06-30', seed: 21 }, ['staff']);
    staffId = String(rows.staff[0].staff_id);
    served = await startBrowserApp(root);
    const { t } = served;
    // a breached indicator and its email in the outbox, for the indicator and outbox pages
    const created = await injectAs(t, 'admin', {
      method: 'POST', url: '/api/risk/indicators',
      payload: { id: INDICATOR, name: 'CSP refunds', kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse', warning: 0.0001, critical: 0.0002, clear: 0.00005, owner: 'risk', recipients: ['ops@example.com'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await injectAs(t, 'admin', { method: 'POST', url: '/api/risk/evaluate', payload: { indicators: [INDICATOR] } })).statusCode).toBe(200);
    await t.ctx.outbox.drain();

    context = await served.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    await context.exposeFunction('vigilCspViolation', (text: string) => problems.push(`${where}: CSP ${text}`));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { vigilCspViolation: (t: string) => void }).vigilCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`${where}: console ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`${where}: page error ${err.message}`));
    await page.goto(`${served.base}/login?next=%2F`);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${served.base}/`);
    // the sign-in page's session probe answers 401 by design; only what follows counts
    problems.length = 0;
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Opens `path` and waits until its cards have loaded (some pages keep polling, so the network never idles). */
  async function visit(path: string): Promise<void> {
    where = path;
    await page.goto(`${served.base}${path}`);
    await page.locator('main').first().waitFor();
    await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  }

  it('sends the policy with the page', async () => {
    const res = await page.request.get(`${served.base}/`);
    expect(res.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  });

  it('blocks nothing on any page, charts and the editor included', async () => {
    const pages = ['/', '/kpi/gmv', '/customers', '/staff', `/staff/${staffId}`, '/risk', '/risk/indicators', `/risk/indicators/${INDICATOR}`, '/risk/indicators/new', '/dashboards', '/data', '/admin', '/account'];
    for (const path of pages) await visit(path);
    // a drawn canvas proves ECharts ran under the policy
    await visit('/kpi/gmv');
    await page.locator('canvas').first().waitFor();
    expect(problems).toEqual([]);
  });

  it('shows an email of the outbox in its sandboxed frame', async () => {
    await visit('/risk/outbox');
    const row = page.locator('[data-table="outbox"] tr[data-kind="breach"]').first();
    await row.locator('button.link').click();
    const frame = page.frameLocator('[data-card="message"] iframe');
    await expect.poll(() => frame.locator('body').innerText()).toContain('CSP refunds');
    expect(problems).toEqual([]);
  });

  it('runs a query and draws its chart in the workbench', async () => {
    await visit('/queries');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type('SELECT platform_id, count(*) AS n FROM orders GROUP BY platform_id ORDER BY platform_id');
    await page.keyboard.press('Escape');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/queries/run'));
    await page.keyboard.press('Control+Enter');
    expect((await answered).status()).toBe(200);
    await page.locator('[data-testid=result-grid] .body [role=row]').first().waitFor();
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.click('button[name=add-chart]');
    await page.locator('[data-chart=query-chart] canvas').waitFor();
    expect(problems).toEqual([]);
  });

  it('blocks an injected inline script, and the checks above would have seen it', async () => {
    await visit('/risk');
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.injected = "yes"';
      document.body.append(script);
      return document.body.dataset.injected ?? null;
    });
    expect(ran).toBeNull();
    await expect.poll(() => problems.join('\n')).toMatch(/\/risk: CSP script-src-elem blocked inline/);
  });

  it('refuses to be framed by another page', async () => {
    const framer = await context.newPage();
    await framer.setContent(`<iframe id="app" src="${served.base}/login" width="800" height="600"></iframe>`);
    await framer.locator('#app').waitFor();
    // the blocked frame shows the browser's error page, never the app
    await expect.poll(() => framer.frames().length).toBe(2);
    const child = framer.frames()[1];
    await child.waitForLoadState();
    expect(await child.locator('#vigil-root').count()).toBe(0);
    expect(child.url()).not.toBe(`${served.base}/login`);
    await framer.close();
  });
});
