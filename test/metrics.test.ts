// The KPI engine against itself: answers read from rollups equal answers read from the base
// tables for every KPI, grain, filter, breakdown and comparison; a snapshot missing tables
// answers null with a reason where it must and numbers elsewhere; the cache. (The values
// themselves are checked against an independent computation in kpi-oracle.test.ts.)
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../server/db/engine.ts';
import { KPIS, kpiById } from '../server/metrics/catalog.ts';
import {
  BREAKDOWN_DIMENSIONS, BreakdownQuery, GRAINS, KpiQuery, SeriesQuery, type CatalogReply, type KpiResult, type KpiValue,
} from '../server/metrics/contract.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { KpiQueryError } from '../server/metrics/errors.ts';
import { buckets, previousPeriod, yoyPeriod } from '../server/metrics/periods.ts';
import { plan } from '../server/metrics/plan.ts';
import { ROLLUP_DIR } from '../server/metrics/rollups.ts';
import { loadSnapshotData } from '../server/metrics/snapshotData.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { MANIFEST, type Manifest } from '../server/snapshots/store.ts';

const FROM = '2025-05-01';
const TO = '2026-06-30';
const RANGE = { from: FROM, to: TO };

let work: string;
let queries: QueryEngine;
let withRollups: KpiEngine;
let baseOnly: KpiEngine;
let catalog: CatalogReply;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-metrics-'));
  await generateSample({ out: join(work, 'export'), orders: 30_000, months: 14, end: TO, seed: 3 });
  await ingest({ input: join(work, 'export'), snapshotsRoot: join(work, 'snapshots') });
  queries = await QueryEngine.create(join(work, 'snapshots'));
  withRollups = await KpiEngine.create(queries, { cache: false });
  baseOnly = await KpiEngine.create(queries, { rollups: false, cache: false });
  catalog = await withRollups.catalog();
});

afterAll(async () => {
  queries?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every difference between two KPI maps: counts and ratios exactly, money within half a cent. */
function differences(where: string, a: Record<string, KpiResult>, b: Record<string, KpiResult>): string[] {
  const found: string[] = [];
  const close = (x: number | null | undefined, y: number | null | undefined, tolerance: number) =>
    x === y || (typeof x === 'number' && typeof y === 'number' && Math.abs(x - y) <= tolerance);
  const compare = (label: string, id: string, x: KpiValue | undefined, y: KpiValue | undefined) => {
    if (!x || !y) {
      if (x !== y) found.push(`${label}: only one side has a value`);
      return;
    }
    if (!close(x.value, y.value, kpiById(id)!.unit === 'money' ? 0.005 : 0)) found.push(`${label}: ${x.value} vs ${y.value}`);
    for (const part of ['numerator', 'denominator'] as const) {
      // money numerators and denominators (gross margin, market share) within half a cent too
      const tolerance = Number.isInteger(x[part]) && Number.isInteger(y[part]) ? 0 : 0.005;
      if (!close(x[part], y[part], tolerance)) found.push(`${label} ${part}: ${x[part]} vs ${y[part]}`);
    }
    if (x.reason !== y.reason) found.push(`${label} reason: ${x.reason} vs ${y.reason}`);
  };
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const id of Object.keys(a)) {
    compare(`${where} ${id}`, id, a[id], b[id]);
    compare(`${where} ${id} previous`, id, a[id].previous, b[id].previous);
    compare(`${where} ${id} yoy`, id, a[id].yoy, b[id].yoy);
  }
  return found;
}

describe('rollups answer exactly what the base tables answer', () => {
  const keys = (dim: keyof CatalogReply['dimensions'], n: number) => catalog.dimensions[dim].slice(0, n).map((d) => d.key);
  const cases: [string, () => Record<string, string[]>][] = [
    ['the whole range', () => ({})],
    ['one platform', () => ({ platform: keys('platform', 1) })],
    ['two platforms', () => ({ platform: keys('platform', 2) })],
    ['one category', () => ({ category: keys('category', 1) })],
    ['two categories', () => ({ category: keys('category', 2) })],
    ['one region', () => ({ region: keys('region', 1) })],
    ['one member tier', () => ({ member_tier: keys('member_tier', 1) })],
    ['a platform and a category', () => ({ platform: keys('platform', 1), category: keys('category', 1) })],
  ];

  it('the snapshot has rollups, and the planner reads them for additive measures', async () => {
    const snap = await queries.snapshot();
    const data = await loadSnapshotData(snap, true);
    expect(data.rollups.length).toBeGreaterThan(10);
    const { tasks } = plan(KPIS, { periods: [{ name: 'current', ...RANGE }], filters: {} }, data);
    const sourceOf = (m: string) => tasks.find((t) => t.measures.includes(m))!.source.kind;
    for (const m of ['gmv', 'orders', 'units', 'complaints', 'visitors', 'ratings', 'stock_rows']) expect(sourceOf(m)).toBe('rollup');
    for (const m of ['buyers', 'repeat_buyers', 'response_p50']) expect(sourceOf(m)).toBe('base');
    // orders of one category add up across rollup cells; of two they would count an order twice
    const categories = catalog.dimensions.category.map((c) => c.key);
    const ordersSource = (category: string[]) =>
      plan([kpiById('orders')!], { periods: [{ name: 'current', ...RANGE }], filters: { category } }, data).tasks[0].source.kind;
    expect(ordersSource(categories.slice(0, 1))).toBe('rollup');
    expect(ordersSource(categories.slice(0, 2))).toBe('base');
  });

  for (const [name, filters] of cases) {
    it(`every KPI, ${name}, with both comparisons`, async () => {
      const q = KpiQuery.parse({ ...RANGE, ...filters(), compare: ['previous', 'yoy'] });
      const [a, b] = await Promise.all([withRollups.kpis(q), baseOnly.kpis(q)]);
      expect(a.kpis.gmv.value).not.toBeNull();
      expect(differences(name, a.kpis, b.kpis)).toEqual([]);
      expect(a).toMatchObject({ from: b.from, to: b.to, periods: b.periods });
    });

    it(`every KPI by day, week and month, ${name}`, async () => {
      for (const grain of GRAINS) {
        const q = SeriesQuery.parse({ ...RANGE, ...filters(), grain });
        const [a, b] = await Promise.all([withRollups.series(q), baseOnly.series(q)]);
        expect(a.points.map((p) => p.period)).toEqual(buckets(RANGE, grain));
        const found = a.points.flatMap((p, i) => differences(`${grain} ${p.period}`, p.kpis, b.points[i].kpis));
        expect(found).toEqual([]);
      }
    });
  }

  for (const by of BREAKDOWN_DIMENSIONS) {
    it(`every KPI broken down by ${by}, with both comparisons, unfiltered and filtered`, async () => {
      for (const filters of [{}, { platform: keys('platform', 2) }, { category: keys('category', 2) }]) {
        const q = BreakdownQuery.parse({ ...RANGE, ...filters, by, compare: ['previous', 'yoy'], limit: 1000 });
        const [a, b] = await Promise.all([withRollups.breakdown(q), baseOnly.breakdown(q)]);
        expect(a.rows.length).toBeGreaterThan(0);
        expect(a.rows.map((r) => r.key)).toEqual(b.rows.map((r) => r.key));
        const found = a.rows.flatMap((r, i) => differences(`${by}=${r.key}`, r.kpis, b.rows[i].kpis));
        expect(found).toEqual([]);
      }
    });

    it(`every KPI by month split by ${by}`, async () => {
      const q = SeriesQuery.parse({ ...RANGE, grain: 'month', by });
      const [a, b] = await Promise.all([withRollups.series(q), baseOnly.series(q)]);
      expect(a.points.map((p) => [p.period, p.key])).toEqual(b.points.map((p) => [p.period, p.key]));
      expect(a.points.flatMap((p, i) => differences(`${p.period} ${p.key}`, p.kpis, b.points[i].kpis))).toEqual([]);
    });
  }

  it('a snapshot published without rollups is answered from its base tables', async () => {
    const snap = await queries.snapshot();
    const root = join(work, 'no-rollups');
    await cp(join(work, 'snapshots', snap.manifest.id), join(root, snap.manifest.id), { recursive: true });
    await rm(join(root, snap.manifest.id, ROLLUP_DIR), { recursive: true });
    // as a snapshot published before rollups existed: its manifest names no rollup files either
    const manifestPath = join(root, snap.manifest.id, MANIFEST);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
    manifest.files = Object.fromEntries(Object.entries(manifest.files ?? {}).filter(([file]) => !file.startsWith(`${ROLLUP_DIR}/`)));
    await writeFile(manifestPath, JSON.stringify(manifest));
    const older = await QueryEngine.create(root);
    try {
      const engine = await KpiEngine.create(older);
      expect((await loadSnapshotData(await older.snapshot(), true)).rollups).toEqual([]);
      const q = KpiQuery.parse({ compare: ['previous'] });
      expect(differences('no rollups', (await engine.kpis(q)).kpis, (await baseOnly.kpis(q)).kpis)).toEqual([]);
    } finally {
      older.close();
    }
  });
});

describe('a snapshot without most tables', () => {
  let partial: QueryEngine;
  const COMPUTED = ['gmv', 'orders', 'units', 'buyers', 'aov', 'revenue_per_buyer', 'repeat_purchase_rate'];
  const MISSING: Record<string, string> = {
    net_revenue: 'refunds', conversion_rate: 'traffic', gross_margin: 'products', avg_rating: 'reviews',
    negative_review_rate: 'reviews', complaint_rate: 'complaints', refund_rate: 'refunds', logistics_exception_rate: 'logistics_events',
    first_response_p50: 'inquiries', first_response_p90: 'inquiries', response_sla_breach_rate: 'inquiries', stockout_rate: 'inventory',
    price_violation_rate: 'products', unapproved_promotion_orders: 'promotions', market_share: 'market',
    visitors: 'traffic', product_views: 'traffic', add_to_cart: 'traffic',
  };

  beforeAll(async () => {
    await ingest({ input: 'test/fixtures/ingest/partial', snapshotsRoot: join(work, 'partial') });
    partial = await QueryEngine.create(join(work, 'partial'));
  });
  afterAll(() => partial?.close());

  for (const rollups of [true, false]) {
    it(`answers null with the missing table for the KPIs that need it and computes the rest (rollups ${rollups ? 'on' : 'off'})`, async () => {
      const engine = await KpiEngine.create(partial, { rollups, cache: false });
      const reply = await engine.kpis(KpiQuery.parse({ compare: ['previous', 'yoy'] }));
      expect(Object.keys(reply.kpis).sort()).toEqual(KPIS.map((k) => k.id).sort());
      for (const [id, table] of Object.entries(MISSING)) {
        expect(reply.kpis[id], id).toMatchObject({ value: null, reason: `no data: the snapshot has no ${table} table` });
      }
      for (const id of COMPUTED) expect(reply.kpis[id].value, id).not.toBeNull();
      expect(reply.kpis).toMatchObject({ gmv: { value: 30 }, orders: { value: 2 }, units: { value: 3 }, buyers: { value: 2 }, aov: { value: 15 } });
      // its orders are not shipped: a zero denominator, not a missing table
      expect(reply.kpis.late_shipment_rate).toMatchObject({ value: null, reason: 'no shipped orders in this period' });
      expect(reply.kpis.gmv.previous).toEqual({ value: 0 });
    });
  }

  it('a filter whose table is missing leaves the KPIs it applies to without a value', async () => {
    const engine = await KpiEngine.create(partial, { cache: false });
    const byTier = await engine.kpis(KpiQuery.parse({ kpis: ['gmv'], member_tier: ['gold'] }));
    expect(byTier.kpis.gmv).toEqual({ value: null, reason: 'no data: the snapshot has no customers table' });
    const byCategory = await engine.breakdown(BreakdownQuery.parse({ kpis: ['gmv', 'units'], by: 'category' }));
    expect(byCategory.rows).toEqual([]);
    const byPlatform = await engine.breakdown(BreakdownQuery.parse({ kpis: ['gmv', 'visitors'], by: 'platform' }));
    expect(byPlatform.rows.map((r) => [r.key, r.kpis.gmv.value, r.kpis.visitors.reason])).toEqual([
      ['jd', 20, 'no data: the snapshot has no traffic table'],
      ['tmall', 10, 'no data: the snapshot has no traffic table'],
    ]);
  });

  it('lists the filter values it has', async () => {
    const reply = await (await KpiEngine.create(partial)).catalog();
    expect(reply.dimensions).toEqual({ platform: [{ key: 'jd', label: 'jd' }, { key: 'tmall', label: 'tmall' }], category: [], region: [], member_tier: [] });
    expect(reply.snapshot).toMatchObject({ minDate: '2025-04-01', maxDate: '2025-04-02' });
  });
});

describe('filters and splits a KPI cannot take', () => {
  it('answers null with a reason, never a wrong number', async () => {
    const reply = await withRollups.kpis(KpiQuery.parse({ ...RANGE, region: [catalog.dimensions.region[0].key], kpis: ['gmv', 'conversion_rate', 'first_response_p50', 'stockout_rate', 'market_share'] }));
    expect(reply.kpis.gmv.value).toBeGreaterThan(0);
    expect(reply.kpis.conversion_rate).toEqual({ value: null, reason: 'cannot be filtered by region: traffic has no region' });
    expect(reply.kpis.first_response_p50).toEqual({ value: null, reason: 'cannot be filtered by region: inquiries has no region' });
    expect(reply.kpis.stockout_rate).toEqual({ value: null, reason: 'cannot be filtered by region: inventory has no region' });
    expect(reply.kpis.market_share).toEqual({ value: null, reason: 'cannot be filtered by region: market has no region' });
    const split = await withRollups.breakdown(BreakdownQuery.parse({ ...RANGE, by: 'carrier', kpis: ['orders', 'visitors'] }));
    expect(split.rows.length).toBeGreaterThan(0);
    for (const row of split.rows) expect(row.kpis.visitors).toEqual({ value: null, reason: 'cannot be split by carrier: traffic has no carrier' });
  });

  it('declares in the catalog which dimensions each KPI can be split by', () => {
    const splits = Object.fromEntries(catalog.kpis.map((k) => [k.id, k.breakdowns]));
    expect(splits.gmv).toEqual([...BREAKDOWN_DIMENSIONS]);
    expect(splits.conversion_rate).toEqual(['platform']);
    expect(splits.first_response_p90).toEqual(['platform']);
    expect(splits.stockout_rate).toEqual(['category', 'product']);
    expect(splits.market_share).toEqual(['category']);
    expect(catalog.kpis.find((k) => k.id === 'complaint_rate')).toMatchObject({ unit: 'permille', isRate: true, direction: 'higher_is_worse' });
  });
});

describe('queries the engine refuses', () => {
  it('names the parameter at fault', async () => {
    await expect(withRollups.kpis(KpiQuery.parse({ kpis: ['gmv', 'nope'] }))).rejects.toMatchObject({ param: 'kpis', detail: "unknown KPI 'nope'" });
    await expect(withRollups.kpis(KpiQuery.parse({ from: '2026-06-10', to: '2026-06-01' }))).rejects.toBeInstanceOf(KpiQueryError);
    await expect(withRollups.kpis(KpiQuery.parse({ from: '2026-06-10', to: '2026-06-01' }))).rejects.toMatchObject({ param: 'from' });
    await expect(withRollups.breakdown(BreakdownQuery.parse({ by: 'platform', kpis: ['gmv'], sort: 'orders' }))).rejects.toMatchObject({ param: 'sort' });
  });
});

describe('periods', () => {
  it('previous is as long and ends the day before; yoy moves 29 February to the 28th', () => {
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-31' })).toEqual({ from: '2026-01-29', to: '2026-02-28' });
    expect(yoyPeriod({ from: '2028-02-01', to: '2028-02-29' })).toEqual({ from: '2027-02-01', to: '2027-02-28' });
  });

  it('names buckets by their first day: Monday for weeks', () => {
    expect(buckets({ from: '2026-06-03', to: '2026-06-16' }, 'week')).toEqual(['2026-06-01', '2026-06-08', '2026-06-15']);
    expect(buckets({ from: '2026-05-30', to: '2026-06-02' }, 'month')).toEqual(['2026-05-01', '2026-06-01']);
  });
});

describe('the answer cache', () => {
  it('returns the same object for the same normalised query and scope, another for another scope', async () => {
    const engine = await KpiEngine.create(queries);
    const platforms = catalog.dimensions.platform.map((p) => p.key).slice(0, 2);
    const first = await engine.kpis(KpiQuery.parse({ platform: platforms, compare: ['yoy'] }), 'executive:masked');
    const again = await engine.kpis(KpiQuery.parse({ platform: [...platforms].reverse().concat(platforms[0]), compare: ['yoy', 'yoy'], to: first.to, from: first.from }), 'executive:masked');
    expect(again).toBe(first);
    const otherScope = await engine.kpis(KpiQuery.parse({ platform: platforms, compare: ['yoy'] }), 'admin:pii');
    expect(otherScope).not.toBe(first);
    expect(otherScope).toEqual(first);
    const series = SeriesQuery.parse({ kpis: ['gmv'], by: 'platform' });
    expect(await engine.series(series)).toBe(await engine.series(series));
    const breakdown = BreakdownQuery.parse({ kpis: ['gmv'], by: 'region' });
    expect(await engine.breakdown(breakdown)).toBe(await engine.breakdown(breakdown));
    expect(await engine.catalog()).toBe(await engine.catalog());
  });

  it('is off when asked', async () => {
    const q = KpiQuery.parse({ kpis: ['gmv'] });
    expect(await withRollups.kpis(q)).not.toBe(await withRollups.kpis(q));
  });
});
