// End-to-end: the Risk pages in real Chromium against the real server. An analyst creates an
// indicator in the editor (previewing it first), a new snapshot is published, the server's
// publish watcher evaluates it, and the breach shows up everywhere it should: the alert list,
// the outbox (file transport: no SMTP configured) and the linked risk's timeline.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { dataPaths } from '../../server/config.ts';
import type { AlertsReply, IndicatorSeriesReply, IndicatorWithState, OutboxDetail, OutboxReply, RiskDetail, RisksReply } from '../../server/risk/contract.ts';
import { LAST_EVALUATED_SETTING, startRiskMonitor, type RiskMonitor } from '../../server/risk/monitor.ts';
import { generateSample } from '../../server/sample/generate.ts';
import { ingest } from '../../server/snapshots/ingest.ts';
import { listSnapshots } from '../../server/snapshots/store.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const ANALYST = DEMO_USERS.find((u) => u.role === 'analyst')!;
const RISK_OWNER = DEMO_USERS.find((u) => u.role === 'risk_owner')!;
const NEW_RISK_SHOTS = '/tmp/shots7/h6';
const SHOTS = '/tmp/h5-shots';
const INDICATOR = { id: 'refund_rate_e2e', name: 'Refund rate per platform (e2e)', recipient: 'ops@example.com', risk: 'R-006' };
// typed in percent, as the editor shows refund rates; stored as fractions
const TYPED = { warning: '0.5', critical: '1', clear: '0.2' };
const STORED = { warning: 0.005, critical: 0.01, clear: 0.002 };

let base = '';

/** Polls `check` (each try a real request or page read) until it returns a value; no fixed sleeps. */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, null, { timeout: 60_000 });
}

/** Every answer is in (no loading skeleton left), scrolled to the top: ready for a screenshot. */
async function loaded(page: Page): Promise<void> {
  await settled(page);
  await page.waitForFunction(() => document.querySelectorAll('.skeleton').length === 0, null, { timeout: 60_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
}

describe('Risk pages in Chromium', () => {
  let root: string;
  let exports: string;
  let served: BrowserApp;
  let browser: Browser;
  let monitor: RiskMonitor;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    root = await tempDir('e2e-risk');
    exports = join(root, 'exports');
    await generateSample({ out: exports, orders: 20_000, months: 14, end: '2026-06-30', seed: 11 });
    await ingest({ input: exports, snapshotsRoot: dataPaths(root).snapshots });
    served = await startBrowserApp(root);
    ({ base, browser } = served);
    // what startServer runs beside the app: the sender loop and the publish watcher
    served.t.ctx.outbox.start();
    monitor = startRiskMonitor(served.t.ctx.evaluator, served.t.ctx.db, { snapshotsRoot: served.t.paths.snapshots, pollMs: 250, log: () => {} });
    served.t.ctx.riskMonitor = monitor;
    // the snapshot that is there now is evaluated before the indicator exists
    await monitor.checkPublished();

    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${base}/login?next=%2Frisk`);
    await page.fill('#username', ANALYST.username);
    await page.fill('#password', ANALYST.password);
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.pathname === '/risk');
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await monitor?.stop();
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('creates an indicator in the editor after previewing it against its thresholds', async () => {
    await page.goto(`${base}/risk/indicators/new`);
    await page.locator('select[name=kpi] option[value=refund_rate]').waitFor({ state: 'attached' });
    await page.fill('input[name=id]', INDICATOR.id);
    await page.selectOption('select[name=kpi]', 'refund_rate');
    await page.fill('input[name=name]', INDICATOR.name);
    await page.selectOption('select[name=splitBy]', 'platform');
    await page.fill('input[name=windowDays]', '7');
    await page.fill('input[name=warning]', TYPED.warning);
    await page.fill('input[name=critical]', TYPED.critical);
    await page.fill('input[name=clear]', TYPED.clear);
    await page.fill('input[name=recipients]', INDICATOR.recipient);
    await page.locator(`select[name=riskId] option[value="${INDICATOR.risk}"]`).waitFor({ state: 'attached' });
    await page.selectOption('select[name=riskId]', INDICATOR.risk);
    // the threshold fields show the unit they are typed in
    expect(await page.locator('.with-unit').first().innerText()).toContain('%');

    await page.click('button[name=preview]');
    const preview = page.locator('[data-card="preview"]');
    await preview.locator('canvas').first().waitFor();
    await loaded(page);
    // the preview lists the transitions the server replayed for this draft, before anything is saved
    const draft = (await page.request.post(`${base}/api/risk/indicators/preview`, {
      headers: { 'x-vigil-csrf': '1' },
      data: {
        indicator: { id: INDICATOR.id, name: INDICATOR.name, kpi: 'refund_rate', splitBy: 'platform', windowDays: 7, direction: 'higher_is_worse', ...STORED, owner: ANALYST.username },
        days: 90,
      },
    }).then((r) => r.json())) as IndicatorSeriesReply;
    expect(draft.transitions.some((x) => x.kind === 'breach')).toBe(true);
    expect(await preview.locator('[data-list="transitions"] li').count()).toBe(draft.transitions.length);
    expect(await preview.locator('[data-list="transitions"] li[data-kind="breach"]').count()).toBe(draft.transitions.filter((x) => x.kind === 'breach').length);
    expect((await page.request.get(`${base}/api/risk/indicators/${INDICATOR.id}`)).status()).toBe(404);
    await page.screenshot({ path: join(SHOTS, 'indicator-editor-preview-1280.png'), fullPage: true });

    await page.click('button[name=save]');
    await page.waitForURL((url) => url.pathname === `/risk/indicators/${INDICATOR.id}`);
    const saved = (await (await page.request.get(`${base}/api/risk/indicators/${INDICATOR.id}`)).json()) as IndicatorWithState;
    expect({ warning: saved.warning, critical: saved.critical, clear: saved.clear }).toEqual(STORED);
    expect(saved).toMatchObject({ kpi: 'refund_rate', splitBy: 'platform', windowDays: 7, recipients: [INDICATOR.recipient], riskId: INDICATOR.risk, owner: ANALYST.username, builtin: false });
    // the editor of the saved indicator shows the thresholds in percent again
    expect(await page.inputValue('input[name=warning]')).toBe(TYPED.warning);
    expect(await page.inputValue('input[name=critical]')).toBe(TYPED.critical);
  });

  it('shows the alert of a newly published snapshot, its email in the outbox and the entry on the risk', async () => {
    const before = await served.t.ctx.db.getSetting(LAST_EVALUATED_SETTING);
    await ingest({ input: exports, snapshotsRoot: dataPaths(root).snapshots });
    const newest = (await listSnapshots(served.t.paths.snapshots))[0].id;
    expect(newest).not.toBe(before);

    // the Risk page, refreshed until the watcher has evaluated the new snapshot
    await page.goto(`${base}/risk`);
    const alertItems = page.locator(`[data-list="alerts"] li[data-indicator="${INDICATOR.id}"]`);
    await until('the alert on the Risk page', async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await settled(page);
      return (await alertItems.count()) > 0;
    });
    // it was the publish watcher: once its run is over, the new snapshot is marked evaluated
    await monitor.checkPublished();
    expect(await served.t.ctx.db.getSetting(LAST_EVALUATED_SETTING)).toBe(newest);
    const alerts = ((await (await page.request.get(`${base}/api/risk/alerts?status=active&indicator=${INDICATOR.id}`)).json()) as AlertsReply).alerts;
    expect(alerts.length).toBeGreaterThan(0);
    expect(await alertItems.count()).toBe(alerts.length);
    const worst = alerts.find((a) => a.level === 'critical') ?? alerts[0];
    const item = page.locator(`[data-list="alerts"] li[data-alert="${worst.id}"]`);
    expect(await item.getAttribute('data-level')).toBe(worst.level);
    expect(await item.innerText()).toContain(worst.scopeLabel);
    expect(await item.locator('[data-value]').innerText()).toMatch(/%$/);
    // an analyst acts on alerts
    expect(await item.getByRole('button', { name: 'Acknowledge' }).count()).toBe(1);
    await loaded(page);
    await page.screenshot({ path: join(SHOTS, 'risk-alert-1280.png'), fullPage: true });

    // one breach email per alerting scope, delivered into data/outbox as .eml
    await page.goto(`${base}/risk/outbox`);
    const breachRows = page.locator('[data-table="outbox"] tr[data-kind="breach"][data-status="sent"]');
    const outbox = await until('the breach emails sent', async () => {
      const reply = (await (await page.request.get(`${base}/api/notify/outbox?limit=1000`)).json()) as OutboxReply;
      const mine = reply.messages.filter((m) => m.kind === 'breach' && m.indicatorId === INDICATOR.id);
      return mine.length === alerts.length && mine.every((m) => m.status === 'sent') ? mine : null;
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await settled(page);
    expect(await page.locator('[data-transport="file"]').count()).toBe(1);
    expect(await breachRows.count()).toBeGreaterThanOrEqual(outbox.length);
    const message = outbox.find((m) => m.alertId === worst.id)!;
    expect(message.recipients).toEqual([INDICATOR.recipient]);
    const row = page.locator(`[data-table="outbox"] tr[data-message="${message.id}"]`);
    expect(await row.innerText()).toContain(INDICATOR.recipient);
    await row.locator('button.link').click();
    const frame = page.locator('[data-card="message"] iframe');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    const detail = (await (await page.request.get(`${base}/api/notify/outbox/${message.id}`)).json()) as OutboxDetail;
    expect(await frame.getAttribute('srcdoc')).toBe(detail.html);
    expect(await page.frameLocator('[data-card="message"] iframe').locator('body').innerText()).toContain(INDICATOR.name);
    await page.getByRole('button', { name: 'Plain text' }).click();
    expect(await page.locator('[data-card="message"] pre').innerText()).toContain(detail.text.trim().split('\n')[0]);
    const files = await readdir(served.t.paths.outbox);
    const eml = files.find((f) => f === detail.file || join(served.t.paths.outbox, f) === detail.file);
    expect(eml, `${detail.file} in ${files.join(', ')}`).toBeTruthy();
    expect(await readFile(join(served.t.paths.outbox, eml!), 'utf8')).toContain(`To: ${INDICATOR.recipient}`);
    await page.screenshot({ path: join(SHOTS, 'outbox-message-1280.png'), fullPage: true });

    // the email's links lead into the app: the alert marked on the Risk page, the linked risk's page
    const links = [...detail.text.matchAll(/https?:\/\/[^/\s>]+(\/risk[^\s>]*)/g)].map((m) => m[1]);
    const alertLink = links.find((l) => l.includes(`alert=${worst.id}`));
    expect(alertLink, links.join(' ')).toBeTruthy();
    await page.goto(`${base}${alertLink}`);
    await page.locator(`[data-list="alerts"] li.highlight[data-alert="${worst.id}"]`).waitFor();
    const riskLink = links.find((l) => l === `/risk/${INDICATOR.risk}`);
    expect(riskLink, links.join(' ')).toBeTruthy();

    // the linked risk: an 'alert' timeline entry naming the indicator, and a review flag
    await page.goto(`${base}${riskLink}`);
    await page.waitForURL((url) => url.pathname === `/risk/${INDICATOR.risk}`);
    await page.locator('[data-card="timeline"] li').first().waitFor();
    await settled(page);
    const risk = (await (await page.request.get(`${base}/api/risk/risks/${INDICATOR.risk}`)).json()) as RiskDetail;
    const alertEntries = risk.timeline.filter((e) => e.kind === 'alert' && e.indicatorId === INDICATOR.id);
    expect(alertEntries.length).toBeGreaterThan(0);
    const shown = page.locator('[data-card="timeline"] li[data-kind="alert"]');
    expect(await shown.count()).toBe(risk.timeline.filter((e) => e.kind === 'alert').length);
    expect(await shown.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining(alertEntries[0].text)]));
    expect(risk.reviewFlagged).toBe(true);
    expect(await page.locator('[data-flag="review"]').innerText()).toContain(risk.reviewReason ?? '');
    // the indicator is listed with its live state and a history chart
    const linked = page.locator(`.indicator[data-indicator="${INDICATOR.id}"]`);
    expect(await linked.locator('[data-state="critical"], [data-state="warning"]').count()).toBeGreaterThan(0);
    await linked.locator('canvas').first().waitFor();
    await loaded(page);
    await page.screenshot({ path: join(SHOTS, 'risk-detail-alert-1280.png'), fullPage: true });
  });

  it('filters the register by a heat-map cell and exports the same filter as CSV', async () => {
    await page.goto(`${base}/risk`);
    await settled(page);
    const cell = page.locator('[data-heatmap="inherent"] button[data-cell]:not([data-count="0"])').first();
    const key = (await cell.getAttribute('data-cell'))!;
    const count = Number(await cell.getAttribute('data-count'));
    await cell.click();
    await page.waitForURL((url) => url.searchParams.get('cell') === key);
    await settled(page);
    expect(await page.locator('[data-table="register"] tbody tr').count()).toBe(count);
    const href = (await page.locator('[data-card="register"] a[data-csv]').getAttribute('href'))!;
    expect(new URL(href, base).searchParams.get('cell')).toBe(key);
    const csv = await (await page.request.get(new URL(href, base).toString())).text();
    expect(csv.trim().split(/\r?\n/).length - 1).toBe(count);
  });

  it('lets a risk owner create a risk in the New risk dialog, showing the server refusal first', async () => {
    await mkdir(NEW_RISK_SHOTS, { recursive: true });
    const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      const owner = await ownerContext.newPage();
      owner.on('pageerror', (err) => errors.push(err.message));
      await owner.goto(`${base}/login?next=%2Frisk`);
      await owner.fill('#username', RISK_OWNER.username);
      await owner.fill('#password', RISK_OWNER.password);
      await owner.click('button[type=submit]');
      await owner.waitForURL((url) => url.pathname === '/risk');
      const newRisk = owner.locator('[data-action="new-risk"]');
      for (const width of [375, 1280]) {
        // opened at each width, so the sidebar is not caught sliding away mid-resize
        await owner.setViewportSize({ width, height: 900 });
        await owner.goto(`${base}/risk`);
        await owner.locator('main h1').first().waitFor();
        await loaded(owner);
        expect(await horizontalOverflow(owner), `risk page at ${width}px`).toBe(0);
        expect(await newRisk.isVisible(), `New risk at ${width}px`).toBe(true);
        await owner.screenshot({ path: join(NEW_RISK_SHOTS, `risk-new-control-${width}.png`) });
      }

      await newRisk.click();
      const form = owner.locator('[data-dialog="new-risk"] form[data-form="new-risk"]');
      await form.waitFor();
      // owned by whoever creates it unless they choose someone else
      expect(await form.locator('input[name=owner]').inputValue()).toBe(RISK_OWNER.username);
      const typed = { title: 'Carrier strike delays deliveries (e2e)', description: 'Two carriers announced strikes for next month.', category: 'operational', likelihood: 4, impact: 5, status: 'assessed' };
      await form.locator('input[name=title]').fill(typed.title);
      await form.locator('textarea[name=description]').fill(typed.description);
      await form.locator('select[name=category]').selectOption(typed.category);
      await form.locator('select[name=inherentLikelihood]').selectOption(String(typed.likelihood));
      await form.locator('select[name=inherentImpact]').selectOption(String(typed.impact));
      await form.locator('select[name=status]').selectOption(typed.status);

      // a risk owner may not give a new risk to someone else: the dialog shows what the server said
      await form.locator('input[name=owner]').fill(ANALYST.username);
      await form.locator('button[name=save]').click();
      const refusal = await owner.request.post(`${base}/api/risk/risks`, {
        headers: { 'x-vigil-csrf': '1' },
        data: { title: typed.title, category: typed.category, owner: ANALYST.username, inherentLikelihood: typed.likelihood, inherentImpact: typed.impact },
      });
      expect(refusal.status()).toBe(403);
      const banner = form.locator('[role="alert"]');
      await banner.waitFor();
      expect(await banner.innerText()).toContain(((await refusal.json()) as { error: string }).error);
      await owner.locator('[data-dialog="new-risk"]').screenshot({ path: join(NEW_RISK_SHOTS, 'risk-new-dialog-refused-1280.png') });

      await form.locator('input[name=owner]').fill(RISK_OWNER.username);
      await form.locator('button[name=save]').click();
      await owner.waitForURL((url) => /^\/risk\/R-\d+$/.test(url.pathname));
      const id = decodeURIComponent(new URL(owner.url()).pathname.split('/').pop()!);
      await owner.locator('main h1', { hasText: typed.title }).waitFor();

      const listed = ((await (await owner.request.get(`${base}/api/risk/risks?owner=${RISK_OWNER.username}`)).json()) as RisksReply).risks;
      const created = listed.filter((r) => r.title === typed.title);
      expect(created.map((r) => r.id)).toEqual([id]);
      expect(created[0]).toMatchObject({ category: typed.category, owner: RISK_OWNER.username, status: typed.status, inherent: { likelihood: typed.likelihood, impact: typed.impact } });
      const detail = (await (await owner.request.get(`${base}/api/risk/risks/${id}`)).json()) as RiskDetail;
      expect(detail).toMatchObject({ description: typed.description, createdBy: RISK_OWNER.username, canEdit: true });
    } finally {
      await ownerContext.close();
    }
  });

  it('fits a phone and a desktop: no horizontal overflow, screenshots of every page', async () => {
    const pages = [
      ['risk', '/risk'],
      ['risk-detail', `/risk/${INDICATOR.risk}`],
      ['indicator-editor', `/risk/indicators/${INDICATOR.id}`],
      ['indicators', '/risk/indicators'],
      ['outbox', '/risk/outbox'],
      ['overview', '/'],
    ];
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, path] of pages) {
        await page.goto(`${base}${path}`);
        await page.locator('main h1').first().waitFor();
        await loaded(page);
        if (name === 'indicator-editor') {
          await page.click('button[name=preview]');
          await page.locator('[data-card="preview"] canvas').first().waitFor();
          await loaded(page);
        }
        expect(await horizontalOverflow(page), `${name} at ${width}px`).toBe(0);
        const body = await page.locator('main').innerText();
        expect(body, name).not.toMatch(/[{[]\s*"|\bundefined\b|NaN|risk\.[a-z]+\.[a-z]/);
        await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
      }
      await page.locator('section[aria-labelledby="risk-title"]').screenshot({ path: join(SHOTS, `overview-risk-cards-${width}.png`) });
    }
    // the Overview's risk cards: the open alerts and the inherent heat map
    expect(await page.locator('[data-card="open-alerts"] [data-list="alerts"] li').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-card="heatmap"] button[data-cell]').count()).toBe(25);
    expect(errors).toEqual([]);
  });
});
