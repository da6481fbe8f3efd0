// The pages each role opens in the browser tests, and how a test reaches the detail pages, shared by
// test/e2e/roles.test.ts (what each role may do there) and test/e2e/tour.test.ts (how each one looks).
import type { Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import type { Role } from '../../server/auth/roles.ts';
import { BUILTIN_RISKS, builtinIndicators } from '../../server/risk/library.ts';

export const ROLES = ['executive', 'analyst', 'risk_owner', 'admin'] as const satisfies readonly Role[];
// the same groups as the server's access table (test/access.test.ts)
export const WRITERS: readonly Role[] = ['analyst', 'risk_owner', 'admin'];
export const RISK_EDITORS: readonly Role[] = ['risk_owner', 'admin'];
export const ADMINS: readonly Role[] = ['admin'];

export const RISK_OWNER = DEMO_USERS.find((u) => u.role === 'risk_owner')!.username;
// the seeded library belongs to the demo risk owner (server/risk/seed.ts)
export const OWNED_RISK = BUILTIN_RISKS[0].id;
export const INDICATOR = builtinIndicators(RISK_OWNER)[0].id;
// shipped with a bar chart in its header (queries/top_products.sql), readable by every role
export const SHIPPED_QUERY = 'file:top_products';

// what a page shows when a value or a translation is missing: undefined, NaN, an untranslated message key
export const RAW_TEXT = /\bundefined\b|\bNaN\b|\b(?:risk|dash|cust|nav|page|error|common|staff|kpi|top|filter|q|admin|account|data)\.[a-z]\w*\.[a-z]\w*\b/;

/** What the tests create before the tour: the detail pages that have no fixed address. */
export interface Targets {
  dashboardId: string;
  snapshotId: string;
}

export interface AppPage {
  name: string;
  /** the roles that open it; every role when absent */
  only?: readonly Role[];
  /** its address, or the first link matching `link` on the page at `from` (for ids only the page knows, like a period) */
  at: string | ((t: Targets) => string) | { from: string; link: string };
  /** what brings its content up once it is loaded: a segment's list, a query's result and chart */
  show?: (page: Page) => Promise<void>;
  /** it draws charts (ECharts canvases) on the sample data */
  charts?: true;
}

/** Every answer is in (nothing busy, no loading skeleton, spinner or running tile), scrolled to the top. */
export async function loaded(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"], .skeleton, .spinner, [data-state="running"]').length === 0, null, { timeout: 60_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
}

async function openSavedQuery(page: Page): Promise<void> {
  await page.locator(`[data-query-id="${SHIPPED_QUERY}"]`).click();
  await page.locator('main button[name=run]').waitFor();
}

async function runSavedQueryChart(page: Page): Promise<void> {
  await openSavedQuery(page);
  await page.locator('main button[name=run]').click();
  await page.locator('[data-testid="result-meta"]').waitFor();
  await page.getByRole('button', { name: 'Chart', exact: true }).click();
  await page.locator('[data-chart=query-chart] canvas').waitFor();
}

async function openFirstSegment(page: Page): Promise<void> {
  await page.locator('button.seg-link:enabled').first().click();
  await page.locator('[data-table="customers"] tr[data-customer]').first().waitFor();
}

export const PAGES: readonly AppPage[] = [
  { name: 'overview', at: '/', charts: true },
  { name: 'kpi', at: { from: '/', link: 'main a[href^="/kpi/"]' }, charts: true },
  { name: 'customers', at: '/customers', charts: true },
  { name: 'segment', at: '/customers', show: openFirstSegment, charts: true },
  { name: 'staff', at: '/staff', charts: true },
  { name: 'staff-member', at: { from: '/staff', link: 'main a.person' }, charts: true },
  { name: 'risk', at: '/risk' },
  { name: 'risk-detail', at: `/risk/${OWNED_RISK}` },
  { name: 'indicators', at: '/risk/indicators' },
  { name: 'indicator', at: `/risk/indicators/${INDICATOR}` },
  { name: 'indicator-new', only: WRITERS, at: '/risk/indicators/new' },
  { name: 'outbox', at: '/risk/outbox' },
  { name: 'queries', at: '/queries' },
  { name: 'query', at: '/queries', show: openSavedQuery },
  { name: 'query-chart', at: '/queries', show: runSavedQueryChart, charts: true },
  { name: 'dashboards', at: '/dashboards' },
  { name: 'dashboard', at: (t) => `/dashboards/${t.dashboardId}`, charts: true },
  { name: 'data', at: '/data' },
  { name: 'snapshot', at: (t) => `/data?snapshot=${encodeURIComponent(t.snapshotId)}` },
  { name: 'account', at: '/account' },
  { name: 'admin', only: ADMINS, at: '/admin' },
];

export function pagesFor(role: Role): AppPage[] {
  return PAGES.filter((p) => !p.only || p.only.includes(role));
}

/** Opens `entry` in `page` (following its link when it has one) and waits until it is loaded and shown. */
export async function openPage(page: Page, base: string, entry: AppPage, targets: Targets): Promise<void> {
  let path: string;
  if (typeof entry.at === 'string') path = entry.at;
  else if (typeof entry.at === 'function') path = entry.at(targets);
  else {
    await page.goto(`${base}${entry.at.from}`);
    await loaded(page);
    const href = await page.locator(entry.at.link).first().getAttribute('href');
    if (!href) throw new Error(`${entry.name}: no link ${entry.at.link} on ${entry.at.from}`);
    path = href;
  }
  await page.goto(`${base}${path}`);
  await loaded(page);
  if (entry.show) {
    await entry.show(page);
    await loaded(page);
  }
}
