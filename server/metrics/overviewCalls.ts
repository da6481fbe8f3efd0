// The KPI calls the Overview page (web/routes/(app)/+page.svelte) makes on load with its default
// view (30 days ending at the snapshot's as-of date, compared with the previous period and a year
// earlier, no filters), in one place: the server warms their answers after a publish and the
// benchmark times them (bench/overview.ts).
import { BreakdownQuery, KpiQuery, SeriesQuery, type Comparison } from './contract.ts';
import type { KpiEngine } from './engine.ts';
import { resolveRange } from './periods.ts';

const SALES = ['gmv', 'net_revenue', 'orders', 'aov', 'buyers', 'conversion_rate', 'repeat_purchase_rate', 'gross_margin'];
const SERVICE = ['complaint_rate', 'refund_rate', 'late_shipment_rate', 'first_response_p50', 'first_response_p90', 'response_sla_breach_rate'];
const FUNNEL = ['visitors', 'product_views', 'add_to_cart', 'buyers'];
const TILES = [...SALES, ...SERVICE];
const COMPARE: Comparison[] = ['previous', 'yoy'];

export interface KpiCall {
  name: string;
  path: '' | '/series' | '/breakdown';
  kpis: string[];
  compare?: Comparison[];
  grain?: 'day';
  by?: 'platform' | 'category' | 'product' | 'region';
  sort?: string;
  limit?: number;
}

export const OVERVIEW_KPI_CALLS: KpiCall[] = [
  { name: 'tiles + funnel, previous + yoy', path: '', kpis: [...new Set([...TILES, ...FUNNEL])], compare: COMPARE },
  { name: 'sparklines: 14 tiles by day', path: '/series', kpis: TILES, grain: 'day' },
  { name: 'GMV by day, by platform', path: '/series', kpis: ['gmv'], grain: 'day', by: 'platform' },
  { name: 'by platform', path: '/breakdown', kpis: ['gmv', 'orders', 'aov'], by: 'platform', sort: 'gmv', limit: 50 },
  { name: 'by category (top 10)', path: '/breakdown', kpis: ['gmv', 'orders'], by: 'category', sort: 'gmv', limit: 10 },
  { name: 'by product (top 10)', path: '/breakdown', kpis: ['gmv', 'units'], by: 'product', sort: 'gmv', limit: 10 },
  { name: 'by region', path: '/breakdown', kpis: ['gmv', 'orders'], by: 'region', sort: 'gmv', limit: 100 },
];

/** The query string's fields, as the page sends them (lists comma-separated). */
export function overviewQuery(call: KpiCall, asOf: string): Record<string, string> {
  const { from, to } = resolveRange(asOf);
  const q: Record<string, string | number | undefined> = {
    from, to, kpis: call.kpis.join(','), compare: call.compare?.join(','), grain: call.grain, by: call.by, sort: call.sort, limit: call.limit,
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

/** The call asked of the KPI engine directly, parsed by the route's own schema (so the answer lands under the route's cache key). */
export function askEngine(engine: KpiEngine, call: KpiCall, asOf: string, opts: { scope?: string; snapshot?: string } = {}): Promise<unknown> {
  const q = { ...overviewQuery(call, asOf), ...(opts.snapshot ? { snapshot: opts.snapshot } : {}) };
  if (call.path === '/series') return engine.series(SeriesQuery.parse(q), opts.scope);
  if (call.path === '/breakdown') return engine.breakdown(BreakdownQuery.parse(q), opts.scope);
  return engine.kpis(KpiQuery.parse(q), opts.scope);
}
