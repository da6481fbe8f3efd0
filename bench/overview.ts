// The KPI calls the Overview page (web/routes/(app)/+page.svelte) makes on load with its default
// view (30 days ending at the snapshot's as-of date, compared with the previous period and a year
// earlier, no filters), in one place for every bench part: the HTTP bench asks the route, the
// engine bench asks the KPI engine, the floor and the PostgreSQL peer run the engine's base SQL.
import { kpiById } from '../server/metrics/catalog.ts';
import { BreakdownQuery, KpiQuery, SeriesQuery, type Comparison } from '../server/metrics/contract.ts';
import type { KpiEngine } from '../server/metrics/engine.ts';
import { comparisonPeriod, resolveRange, type NamedPeriod } from '../server/metrics/periods.ts';
import { plan } from '../server/metrics/plan.ts';
import { measureStatement, type Frame, type Statement } from '../server/metrics/query.ts';

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
function query(call: KpiCall, asOf: string): Record<string, string> {
  const { from, to } = resolveRange(asOf);
  const q: Record<string, string | number | undefined> = {
    from, to, kpis: call.kpis.join(','), compare: call.compare?.join(','), grain: call.grain, by: call.by, sort: call.sort, limit: call.limit,
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

export function kpiUrl(call: KpiCall, asOf: string): string {
  return `/api/kpis${call.path}?${new URLSearchParams(query(call, asOf)).toString().replace(/%2C/gi, ',')}`;
}

/** The call asked of the KPI engine directly, parsed by the route's own schema. */
export function askEngine(engine: KpiEngine, call: KpiCall, asOf: string): Promise<unknown> {
  const q = query(call, asOf);
  if (call.path === '/series') return engine.series(SeriesQuery.parse(q));
  if (call.path === '/breakdown') return engine.breakdown(BreakdownQuery.parse(q));
  return engine.kpis(KpiQuery.parse(q));
}

/** The statements the engine runs for the call when it reads the base tables (no rollup). */
export function baseStatements(call: KpiCall, asOf: string, tables: ReadonlySet<string>): Statement[] {
  const current = resolveRange(asOf);
  const periods: NamedPeriod[] = [{ name: 'current', ...current }, ...(call.compare ?? []).map((c) => ({ name: c, ...comparisonPeriod(current, c) }))];
  const frame: Frame = { filters: {}, periods, grain: call.grain, by: call.by };
  const { tasks } = plan(call.kpis.map((id) => kpiById(id)!), frame, { tables, rollups: [] });
  return tasks.map((t) => measureStatement(t.relation, t.source, frame, t.measures));
}
