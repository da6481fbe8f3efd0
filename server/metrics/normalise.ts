// Checks a parsed query against the catalog and the snapshot and puts it in one canonical form:
// resolved dates, known KPIs, sorted and de-duplicated filter values. The canonical form is what
// the engine computes from and what the cache is keyed on, so equivalent queries share answers.
import { KPIS, kpiById, type KpiDefinition } from './catalog.ts';
import { COMPARISONS, FILTER_DIMENSIONS, type BreakdownDimension, type BreakdownQuery, type Comparison, type Grain, type KpiQuery, type SeriesQuery } from './contract.ts';
import { KpiQueryError } from './errors.ts';
import { MAX_DAYS, dayCount, resolveRange } from './periods.ts';
import type { Filters } from './query.ts';

export interface NormalQuery {
  from: string;
  to: string;
  kpis: KpiDefinition[];
  filters: Filters;
  compare: Comparison[];
}

export interface NormalSeries extends NormalQuery {
  grain: Grain;
  by?: BreakdownDimension;
}

export interface NormalBreakdown extends NormalQuery {
  by: BreakdownDimension;
  sort: KpiDefinition;
  limit: number;
}

const sortedUnique = <T extends string>(values: readonly T[] | undefined): T[] => [...new Set(values ?? [])].sort();

function kpiList(ids: readonly string[] | undefined): KpiDefinition[] {
  if (!ids?.length) return [...KPIS];
  return [...new Set(ids)].map((id) => {
    const kpi = kpiById(id);
    if (!kpi) throw new KpiQueryError('kpis', `unknown KPI '${id}'`);
    return kpi;
  });
}

export function normaliseQuery(q: KpiQuery, asOf: string): NormalQuery {
  const { from, to } = resolveRange(asOf, q.from, q.to);
  if (from > to) throw new KpiQueryError('from', `${from} is after 'to' (${to})`);
  const days = dayCount({ from, to });
  if (days > MAX_DAYS) throw new KpiQueryError('from', `the range spans ${days} days; at most ${MAX_DAYS} are allowed`);
  const filters: Filters = {};
  for (const dim of FILTER_DIMENSIONS) {
    const values = sortedUnique(q[dim]);
    if (values.length) filters[dim] = values;
  }
  return { from, to, kpis: kpiList(q.kpis), filters, compare: COMPARISONS.filter((c) => q.compare?.includes(c)) };
}

/** A series has no comparison periods: each point is one bucket of the asked range. */
export function normaliseSeries(q: SeriesQuery, asOf: string): NormalSeries {
  return { ...normaliseQuery(q, asOf), compare: [], grain: q.grain, by: q.by };
}

export function normaliseBreakdown(q: BreakdownQuery, asOf: string): NormalBreakdown {
  const normal = normaliseQuery(q, asOf);
  if (q.sort === undefined) return { ...normal, by: q.by, sort: normal.kpis[0], limit: q.limit };
  const sort = kpiById(q.sort);
  if (!sort) throw new KpiQueryError('sort', `unknown KPI '${q.sort}'`);
  if (!normal.kpis.includes(sort)) throw new KpiQueryError('sort', `'${q.sort}' is not one of the requested kpis`);
  return { ...normal, by: q.by, sort, limit: q.limit };
}

/** The cache key of a normalised query: KPIs by id, everything else as is. */
export function queryKey(kind: string, snapshotId: string, normal: NormalQuery | NormalSeries | NormalBreakdown, scope: string): string {
  const ids = { kpis: normal.kpis.map((k) => k.id), ...('sort' in normal ? { sort: normal.sort.id } : {}) };
  return JSON.stringify([kind, snapshotId, { ...normal, ...ids }, scope]);
}
