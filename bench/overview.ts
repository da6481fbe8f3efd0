// The Overview's KPI calls (server/metrics/overviewCalls.ts) for every bench part: the HTTP bench
// asks the route, the engine bench asks the KPI engine, the floor and the PostgreSQL peer run the
// engine's base SQL.
import { kpiById } from '../server/metrics/catalog.ts';
import { overviewQuery, type KpiCall } from '../server/metrics/overviewCalls.ts';
import { comparisonPeriod, resolveRange, type NamedPeriod } from '../server/metrics/periods.ts';
import { plan } from '../server/metrics/plan.ts';
import { measureStatement, type Frame, type Statement } from '../server/metrics/query.ts';

export { askEngine, OVERVIEW_KPI_CALLS, type KpiCall } from '../server/metrics/overviewCalls.ts';

export function kpiUrl(call: KpiCall, asOf: string): string {
  return `/api/kpis${call.path}?${new URLSearchParams(overviewQuery(call, asOf)).toString().replace(/%2C/gi, ',')}`;
}

/** The statements the engine runs for the call when it reads the base tables (no rollup). */
export function baseStatements(call: KpiCall, asOf: string, tables: ReadonlySet<string>): Statement[] {
  const current = resolveRange(asOf);
  const periods: NamedPeriod[] = [{ name: 'current', ...current }, ...(call.compare ?? []).map((c) => ({ name: c, ...comparisonPeriod(current, c) }))];
  const frame: Frame = { filters: {}, periods, grain: call.grain, by: call.by };
  const { tasks } = plan(call.kpis.map((id) => kpiById(id)!), frame, { tables, rollups: [] });
  return tasks.map((t) => measureStatement(t.relation, t.source, frame, t.measures));
}
