// The KPI engine: the one place every page, API call, CLI command and alert gets a KPI from.
// It resolves the snapshot, normalises the query, answers from the cache when it can, and
// otherwise plans the statements (rollups where they cover, base tables elsewhere) and shapes
// the reply of contract.ts.
import { all } from '../db/duck.ts';
import type { OpenSnapshot, QueryEngine } from '../db/engine.ts';
import { AnswerCache, answerKey } from './cache.ts';
import { KPIS, definitionInfo, type KpiDefinition } from './catalog.ts';
import type {
  BreakdownQuery, BreakdownReply, BreakdownRow, CatalogReply, Comparison, KpiQuery, KpiReply, KpiResult, SeriesQuery, SeriesReply,
} from './contract.ts';
import { dimensionValues, labels, orderDateRange } from './dimensions.ts';
import { evaluate, type Evaluation, type RunSql } from './evaluate.ts';
import { normaliseBreakdown, normaliseQuery, normaliseSeries, queryKey, type NormalQuery } from './normalise.ts';
import { buckets, comparisonPeriod, type NamedPeriod } from './periods.ts';
import type { SnapshotData } from './plan.ts';
import { loadSnapshotData } from './snapshotData.ts';

export interface KpiEngineOptions {
  /** answer from rollups where they cover the query (default true) */
  rollups?: boolean;
  /** keep answers in a bounded LRU cache (default true) */
  cache?: boolean;
}

interface Context {
  snapshot: { id: string; asOf: string };
  data: SnapshotData;
  run: RunSql;
}

function periodsOf(n: NormalQuery): NamedPeriod[] {
  const current = { from: n.from, to: n.to };
  return [{ name: 'current', ...current }, ...n.compare.map((c) => ({ name: c, ...comparisonPeriod(current, c) }))];
}

function result(ev: Evaluation, kpi: KpiDefinition, compare: Comparison[], bucket: string | null, key: string | null): KpiResult {
  const value: KpiResult = ev.value(kpi, 'current', bucket, key);
  for (const c of compare) value[c] = ev.value(kpi, c, bucket, key);
  return value;
}

/** Descending by the sort KPI, rows without a value last, then by key so that the order is stable. */
function byValueDescending(sort: KpiDefinition) {
  return (a: BreakdownRow, b: BreakdownRow): number => {
    const va = a.kpis[sort.id].value;
    const vb = b.kpis[sort.id].value;
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      return vb - va;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  };
}

const uniqueSorted = (keys: (string | null)[]) => [...new Set(keys.filter((k): k is string => k !== null))].sort();

export class KpiEngine {
  private readonly data = new Map<string, Promise<SnapshotData>>();
  private readonly cache: AnswerCache;

  private constructor(private readonly queries: QueryEngine, private readonly useRollups: boolean, cache: boolean) {
    this.cache = new AnswerCache(cache);
  }

  static async create(queries: QueryEngine, opts: KpiEngineOptions = {}): Promise<KpiEngine> {
    return new KpiEngine(queries, opts.rollups ?? true, opts.cache ?? true);
  }

  /** KPI values for a range, with the asked comparisons. `scope` is the caller's data scope (role and PII access). */
  kpis(q: KpiQuery, scope = ''): Promise<KpiReply> {
    return this.answer('kpis', q.snapshot, scope, (asOf) => normaliseQuery(q, asOf), async (ctx, n) => {
      const periods = periodsOf(n);
      const ev = await evaluate(ctx.run, n.kpis, { periods, filters: n.filters }, ctx.data);
      return {
        snapshot: ctx.snapshot,
        from: n.from,
        to: n.to,
        periods: Object.fromEntries(periods.slice(1).map((p) => [p.name, { from: p.from, to: p.to }])),
        kpis: Object.fromEntries(n.kpis.map((k) => [k.id, result(ev, k, n.compare, null, null)])),
      };
    });
  }

  /** KPI values per day, week or month of the range, optionally one series per value of `by`. */
  series(q: SeriesQuery, scope = ''): Promise<SeriesReply> {
    return this.answer('series', q.snapshot, scope, (asOf) => normaliseSeries(q, asOf), async (ctx, n) => {
      const [current] = periodsOf(n);
      const ev = await evaluate(ctx.run, n.kpis, { periods: [current], grain: n.grain, by: n.by, filters: n.filters }, ctx.data);
      const keys = n.by ? uniqueSorted(ev.cells('current').map((c) => c.key)) : [null];
      const points = buckets(current, n.grain).flatMap((period) => keys.map((key) => ({
        period,
        ...(key === null ? {} : { key }),
        kpis: Object.fromEntries(n.kpis.map((k) => [k.id, ev.value(k, 'current', period, key)])),
      })));
      return { snapshot: ctx.snapshot, from: n.from, to: n.to, grain: n.grain, ...(n.by ? { by: n.by } : {}), points };
    });
  }

  /** KPI values per value of one dimension, sorted by one KPI (descending) and cut at `limit` rows. */
  breakdown(q: BreakdownQuery, scope = ''): Promise<BreakdownReply> {
    return this.answer('breakdown', q.snapshot, scope, (asOf) => normaliseBreakdown(q, asOf), async (ctx, n) => {
      const ev = await evaluate(ctx.run, n.kpis, { periods: periodsOf(n), by: n.by, filters: n.filters }, ctx.data);
      const rows = uniqueSorted(ev.cells('current').map((c) => c.key))
        .map((key) => ({ key, label: key, kpis: Object.fromEntries(n.kpis.map((k) => [k.id, result(ev, k, n.compare, null, key)])) }))
        .sort(byValueDescending(n.sort))
        .slice(0, n.limit);
      const names = await labels(ctx.run, ctx.data, n.by, rows.map((r) => r.key));
      for (const row of rows) row.label = names.get(row.key) ?? row.key;
      return { snapshot: ctx.snapshot, from: n.from, to: n.to, by: n.by, rows };
    });
  }

  /** The KPI definitions, the filter bar's values with display names, and the snapshot's date range. */
  async catalog(snapshotId?: string, scope = ''): Promise<CatalogReply> {
    const snap = await this.queries.snapshot(snapshotId);
    return this.cache.answer(answerKey('catalog', snap.manifest.id, scope), async () => {
      const ctx = await this.context(snap);
      const [dimensions, range] = await Promise.all([dimensionValues(ctx.run, ctx.data), orderDateRange(ctx.run, ctx.data)]);
      return { kpis: KPIS.map(definitionInfo), dimensions, snapshot: { ...ctx.snapshot, ...range } };
    });
  }

  private async answer<N extends NormalQuery, T>(
    kind: string, snapshotId: string | undefined, scope: string, normalise: (asOf: string) => N, compute: (ctx: Context, n: N) => Promise<T>,
  ): Promise<T> {
    const snap = await this.queries.snapshot(snapshotId);
    const normal = normalise(snap.manifest.asOf);
    return this.cache.answer(queryKey(kind, snap.manifest.id, normal, scope), async () => compute(await this.context(snap), normal));
  }

  private async context(snap: OpenSnapshot): Promise<Context> {
    const id = snap.manifest.id;
    let data = this.data.get(id);
    if (!data) {
      data = loadSnapshotData(snap, this.useRollups);
      this.data.set(id, data);
      data.catch(() => this.data.delete(id));
    }
    return {
      snapshot: { id, asOf: snap.manifest.asOf },
      data: await data,
      run: (sql, params) => this.queries.withSnapshot(id, (conn) => all(conn, sql, params)),
    };
  }
}
