// End-to-end: each demo role signs in through the form in real Chromium and sees exactly the
// navigation and the actions DESIGN.md "Access" gives it; what the page hides, the API refuses too.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import type { Role } from '../../server/auth/roles.ts';
import { dataPaths } from '../../server/config.ts';
import { enqueueMessage, markAttemptFailed } from '../../server/notify/outbox.ts';
import type { Alert, IndicatorSeriesReply } from '../../server/risk/contract.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';
import { ADMINS, INDICATOR, loaded, openPage, OWNED_RISK, pagesFor, RAW_TEXT, RISK_EDITORS, ROLES, SHIPPED_QUERY, type Targets, WRITERS } from '../helpers/pages.ts';
import { ingestedSample } from '../helpers/sample.ts';

const SHOTS = '/tmp/shots7/roles';
const OUTBOX_SHOTS = '/tmp/shots7/h6';
const EVERYONE_NAV = ['/', '/customers', '/staff', '/risk', '/queries', '/dashboards', '/data'];
const NAV: Record<Role, string[]> = {
  executive: EVERYONE_NAV,
  analyst: EVERYONE_NAV,
  risk_owner: EVERYONE_NAV,
  admin: [...EVERYONE_NAV, '/admin'],
};

interface Fixture extends Targets {
  base: string;
  foreignRisk: string;
  alertId: number;
  failedMessage: number;
  accountMessage: number;
}

let served: BrowserApp;
let root: string;
const fx = {} as Fixture;

async function api(role: Role, method: 'GET' | 'POST', url: string, payload?: object) {
  const cookies = await served.t.cookieFor(role);
  const res = await served.t.app.inject({ method, url, cookies, headers: { 'x-vigil-csrf': '1' }, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} as ${role}: ${res.statusCode} ${res.body}`);
  return res.json();
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await mkdir(OUTBOX_SHOTS, { recursive: true });
  root = await tempDir('e2e-roles');
  // ingestedSample ingests into `root`/snapshots, where the app reads them
  fx.snapshotId = (await ingestedSample(root, { orders: 6_000, months: 7, end: '2026-06-30', seed: 7 }, [])).manifest.id;
  expect(dataPaths(root).snapshots).toBe(join(root, 'snapshots'));
  served = await startBrowserApp(root);
  fx.base = served.base;

  // a risk the demo risk owner does not own (the seeded library is theirs)
  fx.foreignRisk = (await api('admin', 'POST', '/api/risk/risks', {
    title: 'Admin-owned risk (roles e2e)', category: 'operational', owner: 'admin', inherentLikelihood: 3, inherentImpact: 3,
  })).id;

  // an indicator set just under its current value, evaluated once: an open alert for everyone to see
  const draft = { id: 'roles_firing', name: 'Roles e2e refund rate', kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse', owner: 'analyst', recipients: ['ops@example.com'] };
  const preview = (await api('analyst', 'POST', '/api/risk/indicators/preview', { indicator: { ...draft, warning: 0.5, critical: 0.9, clear: 0.4 }, days: 7 })) as IndicatorSeriesReply;
  const value = preview.series[0].points.at(-1)!.value!;
  await api('analyst', 'POST', '/api/risk/indicators', { ...draft, warning: value / 2, critical: value * 10, clear: value / 3 });
  await api('analyst', 'POST', '/api/risk/evaluate', { indicators: [draft.id] });
  const alerts = (await api('executive', 'GET', `/api/risk/alerts?status=active&indicator=${draft.id}`)).alerts as Alert[];
  expect(alerts.length).toBeGreaterThan(0);
  fx.alertId = alerts[0].id;

  // a message the sender gave up on (marked as the sender does), and an account mail with an invite link
  const db = served.t.ctx.db;
  const mail = { recipients: ['ops@example.com'], text: 'roles e2e', html: '<p>roles e2e</p>' };
  fx.failedMessage = (await enqueueMessage(db, { ...mail, key: 'roles-e2e-failed', kind: 'test', subject: 'Roles e2e undeliverable' })).id;
  await markAttemptFailed(db, fx.failedMessage, { error: 'connect ECONNREFUSED 127.0.0.1:2525', nextAttemptAt: new Date(), failed: true });
  fx.accountMessage = (await enqueueMessage(db, { ...mail, key: 'roles-e2e-invite', kind: 'account', subject: 'Roles e2e invite' })).id;

  // an analyst's dashboard shared with everyone
  fx.dashboardId = (await api('analyst', 'POST', '/api/dashboards', {
    name: 'Roles e2e board', visibility: 'everyone', tiles: [{ queryId: SHIPPED_QUERY, x: 0, y: 0, w: 6, h: 4 }],
  })).id;
}, 300_000);

afterAll(async () => {
  await served?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

async function open(page: Page, path: string): Promise<void> {
  await page.goto(`${fx.base}${path}`);
  await loaded(page);
}

/** Status of a request made by the page itself, with its session cookie and the CSRF header. */
async function statusFromPage(page: Page, method: string, url: string, body: object | undefined): Promise<number> {
  return page.evaluate(async ({ method, url, body }) => {
    const headers: Record<string, string> = { 'x-vigil-csrf': '1' };
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, credentials: 'same-origin', headers, body: body ? JSON.stringify(body) : undefined });
    return res.status;
  }, { method, url, body });
}

async function expectAction(page: Page, selector: string, has: boolean, what: string): Promise<void> {
  const control = page.locator(selector);
  if (has) {
    await control.first().waitFor({ state: 'visible' });
    expect(await control.first().isEnabled(), `${what} enabled`).toBe(true);
  } else {
    expect(await control.count(), `${what} absent`).toBe(0);
  }
}

/** Routes behind a role check, each with a request that would pass validation, so a refusal can only come from the role. */
function guardedRoutes(): { method: string; url: string; body?: object; who: readonly Role[] }[] {
  return [
    { method: 'POST', url: '/api/queries/run', body: { sql: 'SELECT 1', runId: 'roles-e2e-run' }, who: WRITERS },
    { method: 'GET', url: '/api/queries/schema', who: WRITERS },
    { method: 'GET', url: '/api/queries/history', who: WRITERS },
    { method: 'POST', url: '/api/risk/indicators/preview', body: { indicator: { id: 'x', name: 'x', kpi: 'refund_rate', windowDays: 7, direction: 'higher_is_worse', warning: 0.5, critical: 0.9, clear: 0.4, owner: 'analyst' }, days: 7 }, who: WRITERS },
    { method: 'POST', url: `/api/risk/alerts/${fx.alertId}/acknowledge`, who: WRITERS },
    { method: 'POST', url: `/api/risk/alerts/${fx.alertId}/snooze`, body: { until: '2099-01-01T00:00:00.000Z' }, who: WRITERS },
    { method: 'POST', url: '/api/dashboards', body: { name: 'Not mine', tiles: [] }, who: WRITERS },
    { method: 'POST', url: '/api/risk/risks', body: { title: 'Not allowed', category: 'legal', owner: 'admin', inherentLikelihood: 1, inherentImpact: 1 }, who: RISK_EDITORS },
    // the owner-or-admin rule lives in the domain: a risk owner is refused on a risk they do not own
    { method: 'PATCH', url: `/api/risk/risks/${fx.foreignRisk}`, body: { title: 'Taken over' }, who: ADMINS },
    { method: 'POST', url: `/api/risk/risks/${fx.foreignRisk}/notes`, body: { note: 'Not my risk' }, who: ADMINS },
    { method: 'PUT', url: '/api/segments/rules', body: { rules: [] }, who: ADMINS },
    { method: 'PUT', url: '/api/risk/matrix', body: {}, who: ADMINS },
    { method: 'POST', url: '/api/notify/outbox/1/retry', who: ADMINS },
    { method: 'GET', url: '/api/admin/users', who: ADMINS },
    { method: 'GET', url: '/api/admin/audit', who: ADMINS },
  ];
}

for (const role of ROLES) {
  const user = DEMO_USERS.find((u) => u.role === role)!;
  const writes = WRITERS.includes(role);
  const isAdmin = ADMINS.includes(role);

  describe(`${role} in Chromium`, () => {
    let context: BrowserContext;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      context = await served.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      page = await context.newPage();
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${fx.base}/login`);
      await page.fill('#username', user.username);
      // every demo user has a password
      await page.fill('#password', user.password!);
      await page.click('button[type=submit]');
      await page.waitForURL((url) => url.pathname === '/');
    }, 60_000);

    afterAll(async () => {
      await context?.close();
    });

    it('has exactly its navigation links, and a link to the account page', async () => {
      const hrefs = await page.locator('#sidebar nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      expect(hrefs.filter((h) => h !== '/account')).toEqual(NAV[role]);
      expect(await page.locator('a[href="/account"]:visible').count()).toBeGreaterThan(0);
    });

    it('Risk page: a new indicator and alert handling only for writers', async () => {
      await open(page, '/risk');
      await page.locator(`[data-list="alerts"] li[data-alert="${fx.alertId}"]`).waitFor();
      await expectAction(page, 'main a[href="/risk/indicators/new"]', writes, 'new indicator');
      await expectAction(page, 'main [data-action="new-risk"]', RISK_EDITORS.includes(role), 'new risk');
      const alert = page.locator(`[data-list="alerts"] li[data-alert="${fx.alertId}"]`);
      await expectAction(page, `[data-list="alerts"] li[data-alert="${fx.alertId}"] button:text-is("Acknowledge")`, writes, 'acknowledge');
      await expectAction(page, `[data-list="alerts"] li[data-alert="${fx.alertId}"] button:text-is("Snooze 1 day")`, writes, 'snooze');
      if (!writes) expect(await alert.locator('button').count()).toBe(0);
    });

    it('risk detail: edit controls only on risks the role may change', async () => {
      const cases = [
        { id: OWNED_RISK, editable: RISK_EDITORS.includes(role) },
        { id: fx.foreignRisk, editable: isAdmin },
      ];
      for (const { id, editable } of cases) {
        await open(page, `/risk/${id}`);
        await page.locator('[data-card="timeline"]').waitFor();
        await expectAction(page, 'main header.card-header button:text-is("Edit")', editable, `edit ${id}`);
        // the add button waits for a title and a due date; the title field is what the role can use
        await expectAction(page, '[data-card="actions"] form.add-action input', editable, `add action on ${id}`);
        await expectAction(page, '[data-card="timeline"] form #note', editable, `note on ${id}`);
        await expectAction(page, '[data-card="actions"] select.status-select', editable && (await page.locator('[data-card="actions"] li[data-action]').count()) > 0, `action status on ${id}`);
      }
    });

    it('indicators: writers create and save, the executive reads a disabled form', async () => {
      await open(page, '/risk/indicators');
      await expectAction(page, 'main a[href="/risk/indicators/new"]', writes, 'new indicator');
      await open(page, `/risk/indicators/${INDICATOR}`);
      await page.locator('form[data-form="indicator"]').waitFor();
      await expectAction(page, 'form[data-form="indicator"] button[name=save]', writes, 'save indicator');
      await expectAction(page, 'form[data-form="indicator"] button[name=preview]', writes, 'preview indicator');
      expect(await page.locator('form[data-form="indicator"] input[name=name]').isDisabled()).toBe(!writes);
    });

    it('Queries: the SQL workbench for writers, the read-only viewer of shared queries for the executive', async () => {
      await open(page, '/queries');
      await page.locator(`[data-query-id="${SHIPPED_QUERY}"]`).click();
      await expectAction(page, '[data-testid="query-title"]', writes, 'workbench');
      await expectAction(page, 'button[name=format]', writes, 'format SQL');
      await expectAction(page, '[data-action="pin"]', writes, 'pin to dashboard');
      await expectAction(page, '[data-action="make-indicator"]', writes, 'make indicator');
      await expectAction(page, '[data-testid="saved-viewer"]', !writes, 'saved-query viewer');
      await expectAction(page, 'button[name=run]', true, 'run');
    });

    it("Dashboards: writers create, only the owner (analyst) and admins edit the analyst's board", async () => {
      await open(page, '/dashboards');
      await expectAction(page, '[data-action="new-dashboard"]', writes, 'new dashboard');
      await open(page, `/dashboards/${fx.dashboardId}`);
      const editable = role === 'analyst' || isAdmin;
      await expectAction(page, '[data-action="edit"]', editable, 'edit dashboard');
      expect(await page.locator('[data-readonly]').count()).toBe(editable ? 0 : 1);
    });

    it('Customers: only admins edit the segment rules', async () => {
      await open(page, '/customers');
      await page.locator('[data-edit-rules], .badge:text-is("Read-only here")').first().waitFor();
      await expectAction(page, '[data-edit-rules]', isAdmin, 'edit segment rules');
      expect(await page.locator('.badge:text-is("Read-only here")').count()).toBe(isAdmin ? 0 : 1);
    });

    it('Admin page: the audit log for admins, the forbidden card for everyone else', async () => {
      await open(page, '/admin');
      if (isAdmin) await page.locator('[data-table="audit"]').waitFor();
      expect(await page.locator('[data-table="audit"]').count()).toBe(isAdmin ? 1 : 0);
      const forbidden = page.locator('section.forbidden[role="alert"]');
      expect(await forbidden.count()).toBe(isAdmin ? 0 : 1);
      if (!isAdmin) {
        expect(await forbidden.innerText()).toContain('You do not have access to this page');
        await page.screenshot({ path: join(SHOTS, `${role}-admin-forbidden-1280.png`) });
      }
    });

    it('Outbox: the server folder, account mails and Retry on a failed message only for admins', async () => {
      await open(page, '/risk/outbox');
      const failedRow = `[data-table="outbox"] tr[data-message="${fx.failedMessage}"]`;
      // the admin's turn comes last, so every other role still sees the message failed
      expect(await page.locator(failedRow).getAttribute('data-status')).toBe('failed');
      await expectAction(page, `${failedRow} button[data-action="retry"]`, isAdmin, 'retry');
      if (!isAdmin) expect(await page.locator('main button', { hasText: /retry/i }).count()).toBe(0);
      expect((await page.locator('[data-transport="file"]').innerText()).includes(served.t.paths.outbox), 'folder shown').toBe(isAdmin);

      const account = page.locator(`[data-table="outbox"] tr[data-message="${fx.accountMessage}"]`);
      expect(await account.count()).toBe(isAdmin ? 1 : 0);
      if (!isAdmin) return;
      expect(await account.locator('td[data-label="Kind"]').innerText()).toBe('Account');
      for (const width of [375, 1280]) {
        // opened at each width, so the sidebar is not caught sliding away mid-resize
        await page.setViewportSize({ width, height: 800 });
        await open(page, '/risk/outbox');
        expect(await horizontalOverflow(page), `outbox at ${width}px`).toBe(0);
        await page.screenshot({ path: join(OUTBOX_SHOTS, `outbox-failed-${width}.png`), fullPage: true });
      }

      await page.locator(`${failedRow} button[data-action="retry"]`).click();
      await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-status') !== 'failed', failedRow);
      const shown = await page.locator(failedRow).getAttribute('data-status');
      expect(['pending', 'sent']).toContain(shown);
      // back in the queue on the server too (the sender may already have delivered it)
      expect(['pending', 'sent']).toContain((await api('admin', 'GET', `/api/notify/outbox/${fx.failedMessage}`)).status);
      expect(await page.locator(`${failedRow} button[data-action="retry"]`).count()).toBe(0);
    });

    it('the API refuses every action the page hides, with 403', async () => {
      for (const route of guardedRoutes()) {
        if (route.who.includes(role)) {
          if (route.method === 'GET') expect(await statusFromPage(page, route.method, route.url, route.body), `${route.method} ${route.url}`).toBe(200);
        } else {
          expect(await statusFromPage(page, route.method, route.url, route.body), `${route.method} ${route.url}`).toBe(403);
        }
      }
    });

    it('fits 1280 and 375 on every page it opens: no sideways scroll, no raw keys or broken values', async () => {
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 800 });
        for (const entry of pagesFor(role)) {
          await openPage(page, fx.base, entry, fx);
          expect(await horizontalOverflow(page), `${entry.name} at ${width}px`).toBe(0);
          expect(await page.locator('main').innerText(), `${entry.name} at ${width}px`).not.toMatch(RAW_TEXT);
          await page.screenshot({ path: join(SHOTS, `${role}-${entry.name}-${width}.png`), fullPage: true });
        }
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(errors).toEqual([]);
    }, 400_000);
  });
}
