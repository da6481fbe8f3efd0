// Dashboard bench: every API call the Overview, Customers, Staff and Risk pages make on load with
// their default view, asked of the real Fastify app (in-process inject, as an admin) on the
// bench's snapshot. Cold: a fresh app (new query and KPI engines, empty caches) per run, the
// page's calls fired together as the browser does; warm: each call repeated on one app, then the
// page's calls together. The app layout's own calls (who am I, snapshots, health) are a group of
// their own since every page makes them. The list follows web/routes/(app)/…/+page.svelte.
import type { TestApp } from '../test/helpers/app.ts';
import { makeTestApp } from '../test/helpers/app.ts';
import { fmt, repeatWithin, saveResult, stats, time, verdict, type Stats } from './common.ts';
import { kpiUrl, OVERVIEW_KPI_CALLS } from './overview.ts';

export const OVERVIEW_KPIS = 'Overview, KPI calls only';
/** Warm repeats of a slow call (seconds each at 10M orders) stop after this long, with at least 5 samples. */
const WARM_BUDGET_MS = 20_000;

export interface PageCall {
  name: string;
  url: string;
}

export interface Page {
  page: string;
  calls: PageCall[];
  /** a part of another page's calls, timed together only (its calls are in that page's rows) */
  subset?: boolean;
}

/** The pages' calls for a snapshot as of `asOf` (the Staff page shows the as-of month). */
export function pageCalls(asOf: string): Page[] {
  const overviewKpis = OVERVIEW_KPI_CALLS.map((c) => ({ name: c.name, url: kpiUrl(c, asOf) }));
  return [
    { page: 'layout (every page)', calls: [
      { name: 'who am I', url: '/api/auth/me' },
      { name: 'snapshots', url: '/api/snapshots' },
      { name: 'health', url: '/api/health' },
    ] },
    { page: 'Overview', calls: [
      { name: 'KPI catalog', url: '/api/kpis/catalog' },
      ...overviewKpis,
      { name: 'active alerts', url: '/api/risk/alerts?status=active' },
      { name: 'risk heat map', url: '/api/risk/heatmap' },
    ] },
    { page: OVERVIEW_KPIS, calls: overviewKpis, subset: true },
    { page: 'Customers', calls: [
      { name: 'KPI catalog', url: '/api/kpis/catalog' },
      { name: 'RFM segments', url: '/api/segments/rfm' },
      { name: 'segment rules', url: '/api/segments/rules' },
      { name: 'member tiers', url: '/api/segments/tiers' },
      { name: 'new vs returning', url: '/api/segments/new-returning' },
      { name: 'cohorts', url: '/api/segments/cohorts' },
      { name: 'segment movement', url: '/api/segments/movement' },
    ] },
    { page: 'Staff', calls: [{ name: 'staff performance', url: `/api/staff/performance?period=${asOf.slice(0, 7)}` }] },
    { page: 'Risk', calls: [
      { name: 'risk register', url: '/api/risk/risks' },
      { name: 'risk heat map', url: '/api/risk/heatmap' },
      { name: 'active alerts', url: '/api/risk/alerts?status=active' },
      { name: 'indicators', url: '/api/risk/indicators' },
    ] },
  ];
}

export interface CallFigures {
  page: string;
  call: string;
  url: string;
  cold: Stats;
  warm: Stats;
}

export interface PageFigures {
  page: string;
  cold: Stats;
  warm: Stats;
}

export interface PagesBench {
  runs: number;
  coldRuns: number;
  calls: CallFigures[];
  pages: PageFigures[];
}

type Get = (url: string) => Promise<unknown>;

async function session(dataDir: string): Promise<{ app: TestApp; get: Get }> {
  const app = await makeTestApp(dataDir);
  const cookies = await app.cookieFor('admin');
  const get: Get = async (url) => {
    const res = await app.app.inject({ method: 'GET', url, cookies });
    // a failing call would be timed as a fast one: the bench stops instead
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    return res.body;
  };
  return { app, get };
}

/** Each call's time and the page's wall time, its calls fired together. */
async function together(get: Get, page: Page): Promise<{ each: number[]; wall: number }> {
  const each: number[] = [];
  const wall = await time(() => Promise.all(page.calls.map(async (c, i) => {
    each[i] = await time(() => get(c.url));
  })));
  return { each, wall };
}

export async function benchPages(dataDir: string, asOf: string, runs: number, coldRuns: number): Promise<PagesBench> {
  const pages = pageCalls(asOf);
  const cold = pages.map((p) => ({ each: p.calls.map(() => [] as number[]), wall: [] as number[] }));
  for (let run = 0; run < coldRuns; run++) {
    for (const [i, page] of pages.entries()) {
      const { app, get } = await session(dataDir);
      try {
        const { each, wall } = await together(get, page);
        each.forEach((ms, j) => cold[i].each[j].push(ms));
        cold[i].wall.push(wall);
      } finally {
        await app.close();
      }
    }
  }
  const { app, get } = await session(dataDir);
  try {
    const calls: CallFigures[] = [];
    const pageFigures: PageFigures[] = [];
    for (const [i, page] of pages.entries()) {
      for (const [j, call] of page.subset ? [] : page.calls.entries()) {
        await get(call.url);
        calls.push({ page: page.page, call: call.name, url: call.url, cold: stats(cold[i].each[j]), warm: stats(await repeatWithin(runs, WARM_BUDGET_MS, () => get(call.url))) });
      }
      const wall = await repeatWithin(runs, WARM_BUDGET_MS, () => together(get, page));
      pageFigures.push({ page: page.page, cold: stats(cold[i].wall), warm: stats(wall) });
    }
    return { runs, coldRuns, calls, pages: pageFigures };
  } finally {
    await app.close();
  }
}

/** Target (issue 8): the Overview's calls together, warm p95 ≤ 50 ms; judged on its KPI calls, the whole page shown beside. */
export const OVERVIEW_WARM_P95_MS = 50;

export function printPagesBench(orders: number, bench: PagesBench): void {
  console.log(`\nDashboards over HTTP (real app, inject, admin): ${orders.toLocaleString('en')} orders, ms p50 / p95 / p99 (warm up to ${bench.runs} runs or ${WARM_BUDGET_MS / 1000} s per call, at least 5; cold ${bench.coldRuns} fresh apps)`);
  console.table(bench.calls.map((c) => ({ page: c.page, call: c.call, cold: fmt(c.cold), warm: fmt(c.warm), 'warm runs': c.warm.n })));
  console.table(bench.pages.map((p) => ({ 'page, calls together': p.page, cold: fmt(p.cold), warm: fmt(p.warm), 'warm runs': p.warm.n })));
  const kpis = bench.pages.find((p) => p.page === OVERVIEW_KPIS)!;
  const page = bench.pages.find((p) => p.page === 'Overview')!;
  console.log(`target: Overview KPI calls together warm p95 ≤ ${OVERVIEW_WARM_P95_MS} ms: ${kpis.warm.p95.toFixed(1)} ms, ${verdict(kpis.warm.p95 <= OVERVIEW_WARM_P95_MS)} (the whole page with its alert calls: ${page.warm.p95.toFixed(1)} ms)`);
}

export async function savePagesBench(orders: number, bench: PagesBench): Promise<void> {
  const kpis = bench.pages.find((p) => p.page === OVERVIEW_KPIS)!;
  await saveResult('pages', orders, {
    note: 'ms; HTTP through the real Fastify app (inject) as an admin; cold = a fresh app (new engines, empty caches) per run with the page calls fired together; warm = the same app, each call repeated, then the page calls together',
    target: { what: `Overview KPI calls together, warm p95 <= ${OVERVIEW_WARM_P95_MS} ms`, value: kpis.warm.p95, met: kpis.warm.p95 <= OVERVIEW_WARM_P95_MS },
    ...bench,
  });
}
