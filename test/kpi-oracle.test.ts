// Issue 3, first test: every KPI of the engine equals an independent computation (test/helpers/
// kpi-oracle.ts: rows read straight from the snapshot's Parquet files, KPIs computed in plain
// TypeScript per DESIGN.md and server/metrics/README.md), on a generated dataset, for the whole
// range, one platform, one category, one month and with both comparisons; with and without rollups.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../server/db/engine.ts';
import { BreakdownQuery, KpiQuery, SeriesQuery, type BreakdownReply, type KpiReply, type KpiValue, type SeriesReply } from '../server/metrics/contract.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import {
  addDays, buckets, KPI_IDS, KPI_SPECS, KpiOracle, previousPeriod, quantileCont, yoyPeriod,
  type Filters, type Kind, type KpiSpec, type OracleValue, type Period,
} from './helpers/kpi-oracle.ts';

const END = '2026-06-30';
const MONTH: Period = { from: '2026-03-01', to: '2026-03-31' };
const COMPARED: Period = { from: '2026-04-01', to: '2026-06-30' };
/** a range ending on 29 Feb, far outside the data: comparisons must still get their dates right */
const LEAP: Period = { from: '2028-02-01', to: '2028-02-29' };

/**
 * The generated data is clean: every order has a customer and a region, every complaint and review
 * an order, every product a cost and a floor price, every platform-day a traffic row. The second
 * dataset punches holes into the same export (deterministically, before ingest) so that README's
 * rules for missing values are exercised too: orders without a customer count in orders but not
 * in buyers, complaints/reviews without an order drop out under order-based filters, lines
 * without a cost or floor price leave both sums, platform-days without traffic leave the
 * conversion numerator, unanswered inquiries leave the response times, missing market cells add
 * nothing.
 */
const HOLES: Record<string, string> = {
  orders: `SELECT * REPLACE (
      CASE WHEN hash(order_id) % 100 < 4 THEN NULL ELSE customer_id END AS customer_id,
      CASE WHEN hash(order_id) % 100 BETWEEN 4 AND 5 THEN NULL ELSE region END AS region,
      CASE WHEN hash(order_id) % 100 = 6 THEN NULL ELSE promised_ship_by END AS promised_ship_by)
    FROM read_parquet($file)`,
  products: `SELECT * REPLACE (
      CASE WHEN hash(sku) % 20 = 0 THEN NULL ELSE unit_cost END AS unit_cost,
      CASE WHEN hash(sku) % 20 = 1 THEN NULL ELSE floor_price END AS floor_price,
      CASE WHEN hash(sku) % 50 = 2 THEN NULL ELSE category END AS category)
    FROM read_parquet($file)`,
  complaints: `SELECT * REPLACE (CASE WHEN hash(complaint_id) % 5 = 0 THEN NULL ELSE order_id END AS order_id) FROM read_parquet($file)`,
  reviews: `SELECT * REPLACE (
      CASE WHEN hash(review_id) % 20 = 0 THEN NULL ELSE order_id END AS order_id,
      CASE WHEN hash(review_id) % 20 = 1 THEN NULL ELSE sku END AS sku)
    FROM read_parquet($file)`,
  inquiries: `SELECT * REPLACE (CASE WHEN hash(inquiry_id) % 10 = 0 THEN NULL ELSE first_response_at END AS first_response_at) FROM read_parquet($file)`,
  traffic: `SELECT * REPLACE (CASE WHEN hash(platform_id || date::VARCHAR) % 25 = 1 THEN NULL ELSE product_views END AS product_views)
    FROM read_parquet($file) WHERE hash(platform_id || date::VARCHAR) % 25 <> 0`,
  market: `SELECT * FROM read_parquet($file) WHERE hash(category || month::VARCHAR) % 30 <> 0`,
};

async function punchHoles(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    for (const name of await readdir(from)) {
      if (!name.endsWith('.parquet')) continue;
      const table = name.slice(0, -'.parquet'.length);
      const file = `'${join(from, name).replaceAll("'", "''")}'`;
      const select = (HOLES[table] ?? 'SELECT * FROM read_parquet($file)').replaceAll('$file', file);
      await conn.run(`COPY (${select}) TO '${join(to, name).replaceAll("'", "''")}' (FORMAT parquet)`);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

interface Dataset {
  name: string;
  oracle: KpiOracle;
  queries: QueryEngine;
  engines: Map<boolean, KpiEngine>;
}

const DATASETS = ['generated', 'generated, with holes'] as const;
type DatasetName = (typeof DATASETS)[number];

let work: string;
const datasets = new Map<DatasetName, Dataset>();
/** the clean dataset's oracle, for the oracle's own checks */
let oracle: KpiOracle;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-kpi-oracle-'));
  const clean = join(work, 'export');
  await generateSample({ out: clean, orders: 30_000, months: 14, end: END, seed: 5 });
  const holes = join(work, 'export-holes');
  await punchHoles(clean, holes);
  for (const [name, input] of [[DATASETS[0], clean], [DATASETS[1], holes]] as const) {
    const snapshots = join(work, `snapshots-${datasets.size}`);
    const { manifest, quality } = await ingest({ input, snapshotsRoot: snapshots });
    // the holes are values ingest must keep, not defects it quarantines
    for (const table of quality.tables) expect(table.rejected, `${name}: ${table.table} rows rejected`).toBe(0);
    const queries = await QueryEngine.create(snapshots);
    const engines = new Map<boolean, KpiEngine>();
    for (const rollups of [true, false]) engines.set(rollups, await KpiEngine.create(queries, { rollups, cache: false }));
    datasets.set(name, { name, oracle: await KpiOracle.open(join(snapshots, manifest.id)), queries, engines });
  }
  oracle = datasets.get(DATASETS[0])!.oracle;
});

afterAll(async () => {
  for (const d of datasets.values()) d.queries.close();
  if (work) await rm(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// comparing one engine value with the oracle's

function within(kind: Kind, engine: number, expected: number): boolean {
  const diff = Math.abs(engine - expected);
  switch (kind) {
    case 'count': return engine === expected;
    case 'money': return diff <= 0.01 + 1e-9;
    case 'ratio': return diff <= 1e-9 * Math.abs(expected) || diff <= 1e-15;
    case 'quantile': return diff <= 1e-6;
  }
}

/** Every way `engine` differs from `expected`, as readable lines (empty when they agree). */
function differences(label: string, spec: KpiSpec, engine: KpiValue | undefined, expected: OracleValue): string[] {
  if (!engine) return [`${label}: missing from the engine's reply (oracle ${JSON.stringify(expected)})`];
  const problems: string[] = [];
  const show = (v: KpiValue) => JSON.stringify({ value: v.value, numerator: v.numerator, denominator: v.denominator, reason: v.reason });
  if (expected.value === null) {
    if (engine.value !== null) problems.push(`${label}: engine ${show(engine)}, oracle null (${expected.reason})`);
    else if (typeof engine.reason !== 'string' || engine.reason.trim() === '') problems.push(`${label}: null without a reason`);
    return problems;
  }
  if (typeof engine.value !== 'number' || !within(spec.kind, engine.value, expected.value)) {
    problems.push(`${label}: value engine ${show(engine)}, oracle ${JSON.stringify(expected)}`);
  }
  for (const part of ['numerator', 'denominator'] as const) {
    const kind = spec[part];
    const want = expected[part];
    if (!kind || want === undefined) continue;
    const got = engine[part];
    // DESIGN: a rate always carries numerator and denominator; averages and quantiles may
    if (got === undefined || got === null) {
      if (spec.rate) problems.push(`${label}: ${part} missing (oracle ${want})`);
      continue;
    }
    if (!within(kind, got, want)) problems.push(`${label}: ${part} engine ${got}, oracle ${want}`);
  }
  return problems;
}

const specOf = new Map(KPI_SPECS.map((s) => [s.id, s]));

// ---------------------------------------------------------------------------------------------
// the cases: built once the data exists (the category is the first one of products)

type Compare = ('previous' | 'yoy')[];

interface Case {
  name: string;
  /** period and filters, built once the data exists (the category is the first one of products) */
  build: (o: KpiOracle) => { period: Period; filters: Filters };
  compare?: Compare;
}

const BOTH: Compare = ['previous', 'yoy'];

const CASES: Case[] = [
  { name: 'whole range', build: (o) => ({ period: o.wholeRange(), filters: {} }) },
  { name: 'one platform (jd)', build: (o) => ({ period: o.wholeRange(), filters: { platform: ['jd'] } }) },
  { name: 'one category (first of products)', build: (o) => ({ period: o.wholeRange(), filters: { category: [o.data.categories[0]] } }) },
  { name: 'one month (2026-03)', build: () => ({ period: MONTH, filters: {} }) },
  { name: 'compared with previous and yoy (2026-04..06)', build: () => ({ period: COMPARED, filters: {} }), compare: BOTH },
  { name: 'one month, jd, compared', build: () => ({ period: MONTH, filters: { platform: ['jd'] } }), compare: BOTH },
  { name: 'one month, one category, compared', build: (o) => ({ period: MONTH, filters: { category: [o.data.categories[0]] } }), compare: BOTH },
  { name: 'one region (of the first order), whole range', build: (o) => ({ period: o.wholeRange(), filters: { region: [firstRegion(o)] } }) },
  { name: 'one member tier (gold), whole range', build: (o) => ({ period: o.wholeRange(), filters: { member_tier: ['gold'] } }) },
  { name: 'two platforms and two categories, one month', build: (o) => ({ period: MONTH, filters: { platform: ['jd', 'tmall'], category: o.data.categories.slice(0, 2) } }) },
  { name: 'range ending 29 Feb without data, compared', build: () => ({ period: LEAP, filters: {} }), compare: BOTH },
];

function firstRegion(o: KpiOracle): string {
  return o.data.orders.find((r) => r.region !== null)!.region!;
}

function kpiQuery(c: Case, o: KpiOracle) {
  const { period, filters } = c.build(o);
  return KpiQuery.parse({ from: period.from, to: period.to, kpis: KPI_IDS, ...filters, ...(c.compare ? { compare: c.compare } : {}) });
}

// ---------------------------------------------------------------------------------------------

describe('the oracle itself', () => {
  it('does the period arithmetic of README: previous = same length ending the day before, yoy = one year earlier, 29 Feb -> 28 Feb', () => {
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-31' })).toEqual({ from: '2026-01-29', to: '2026-02-28' });
    expect(previousPeriod({ from: '2024-03-01', to: '2024-03-01' })).toEqual({ from: '2024-02-29', to: '2024-02-29' });
    expect(yoyPeriod({ from: '2028-02-29', to: '2028-03-01' })).toEqual({ from: '2027-02-28', to: '2027-03-01' });
    expect(yoyPeriod(COMPARED)).toEqual({ from: '2025-04-01', to: '2025-06-30' });
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(buckets(MONTH, 'week').map((b) => [b.period, b.range.from, b.range.to])).toEqual([
      ['2026-02-23', '2026-03-01', '2026-03-01'], ['2026-03-02', '2026-03-02', '2026-03-08'], ['2026-03-09', '2026-03-09', '2026-03-15'],
      ['2026-03-16', '2026-03-16', '2026-03-22'], ['2026-03-23', '2026-03-23', '2026-03-29'], ['2026-03-30', '2026-03-30', '2026-03-31'],
    ]);
    expect(quantileCont([1, 2, 3, 10], 0.5)).toBe(2.5);
    expect(quantileCont([1, 2, 3, 10], 0.9)).toBeCloseTo(7.9, 12);
  });

  it('adds up: platforms to the total, categories to the total (money allocated by line value), buckets to the range', () => {
    const whole = oracle.wholeRange();
    const total = oracle.compute(whole);
    expect(total.orders.value).toBeGreaterThan(25_000);
    const byPlatform = oracle.data.platforms.map((p) => oracle.compute(whole, { platform: [p.id] }));
    expect(byPlatform.reduce((s, r) => s + r.gmv.value!, 0)).toBeCloseTo(total.gmv.value!, 6);
    expect(byPlatform.reduce((s, r) => s + r.orders.value!, 0)).toBe(total.orders.value);
    expect(byPlatform.reduce((s, r) => s + r.visitors.value!, 0)).toBe(total.visitors.value);
    const byCategory = oracle.data.categories.map((c) => oracle.compute(whole, { category: [c] }));
    expect(byCategory.reduce((s, r) => s + r.gmv.value!, 0)).toBeCloseTo(total.gmv.value!, 6);
    expect(byCategory.reduce((s, r) => s + r.net_revenue.value!, 0)).toBeCloseTo(total.net_revenue.value!, 6);
    expect(byCategory.reduce((s, r) => s + r.units.value!, 0)).toBe(total.units.value);
    expect(byCategory.reduce((s, r) => s + r.stockout_rate.denominator!, 0)).toBe(total.stockout_rate.denominator);
    // an order with lines of several categories counts in each of them
    expect(byCategory.reduce((s, r) => s + r.orders.value!, 0)).toBeGreaterThan(total.orders.value!);
    const all = oracle.compute(whole, { category: oracle.data.categories });
    expect(all.gmv.value).toBeCloseTo(total.gmv.value!, 6);
    expect(all.orders.value).toBe(total.orders.value);
    for (const grain of ['day', 'week', 'month'] as const) {
      const points = oracle.series(MONTH, grain);
      expect(points.reduce((s, p) => s + p.kpis.gmv.value!, 0)).toBeCloseTo(oracle.compute(MONTH).gmv.value!, 6);
    }
  });
});

describe('the dataset with holes', () => {
  it('holds every kind of missing value the oracle must handle', () => {
    const d = datasets.get(DATASETS[1])!.oracle.data;
    const lines = d.orders.flatMap((o) => o.lines);
    expect(d.orders.filter((o) => o.valid && o.customer === null).length).toBeGreaterThan(100);
    expect(d.orders.filter((o) => o.valid && o.region === null).length).toBeGreaterThan(100);
    expect(d.complaints.filter((c) => c.order === null).length).toBeGreaterThan(10);
    expect(d.reviews.filter((r) => r.order === null).length).toBeGreaterThan(100);
    expect(d.reviews.filter((r) => r.category === null).length).toBeGreaterThan(100);
    expect(lines.filter((l) => l.costCents === null).length).toBeGreaterThan(100);
    expect(lines.filter((l) => l.floorCents === null).length).toBeGreaterThan(100);
    expect(lines.filter((l) => l.category === null).length).toBeGreaterThan(100);
    expect(d.inquiries.filter((q) => q.responseSeconds === null).length).toBeGreaterThan(50);
    expect(d.traffic.length).toBeLessThan(datasets.get(DATASETS[0])!.oracle.data.traffic.length);
    expect(d.market.length).toBeLessThan(datasets.get(DATASETS[0])!.oracle.data.market.length);
  });
});

for (const dataset of DATASETS) for (const rollups of [true, false]) {
  describe(`KPI engine equals the oracle: ${dataset} data, rollups: ${rollups}`, () => {
    const data = () => datasets.get(dataset)!;
    const replies = new Map<string, Promise<KpiReply>>();
    const reply = (c: Case): Promise<KpiReply> => {
      const known = replies.get(c.name);
      if (known) return known;
      const asked: Promise<KpiReply> = data().engines.get(rollups)!.kpis(kpiQuery(c, data().oracle));
      replies.set(c.name, asked);
      return asked;
    };

    for (const c of CASES) {
      describe(c.name, () => {
        if (c.compare) {
          it('names the comparison periods', async () => {
            const { oracle } = data();
          const built = c.build(oracle);
            const r = await reply(c);
            expect(r.from).toBe(built.period.from);
            expect(r.to).toBe(built.period.to);
            expect(r.periods).toEqual({ previous: previousPeriod(built.period), yoy: yoyPeriod(built.period) });
          });
        }
        it.each(KPI_IDS)('%s', async (kpi) => {
          const { oracle } = data();
          const built = c.build(oracle);
          const r = await reply(c);
          const spec = specOf.get(kpi)!;
          const got = r.kpis[kpi];
          const problems = differences(kpi, spec, got, oracle.compute(built.period, built.filters)[kpi]);
          for (const which of c.compare ?? []) {
            const period = which === 'previous' ? previousPeriod(built.period) : yoyPeriod(built.period);
            problems.push(...differences(`${kpi} ${which} ${period.from}..${period.to}`, spec, got?.[which], oracle.compute(period, built.filters)[kpi]));
          }
          expect(problems).toEqual([]);
        });
      });
    }

    it.each(['day', 'week', 'month'] as const)('series by %s of gmv, orders, buyers over one month', async (grain) => {
      const series: SeriesReply = await data().engines.get(rollups)!.series(SeriesQuery.parse({ from: MONTH.from, to: MONTH.to, grain, kpis: ['gmv', 'orders', 'buyers'] }));
      const { oracle } = data();
      const expected = oracle.series(MONTH, grain);
      expect(series.points.map((p) => p.period)).toEqual(expected.map((p) => p.period));
      const problems: string[] = [];
      for (const point of expected) {
        const got = series.points.find((p) => p.period === point.period);
        for (const kpi of ['gmv', 'orders', 'buyers']) {
          problems.push(...differences(`${grain} ${point.period} ${kpi}`, specOf.get(kpi)!, got?.kpis[kpi], point.kpis[kpi]));
        }
      }
      expect(problems).toEqual([]);
    });

    it.each([
      ['one month', MONTH],
      ['whole range', undefined],
    ] as const)('breakdown by platform of gmv, orders, complaint_rate (%s)', async (_name, range) => {
      const { oracle } = data();
      const period = range ?? oracle.wholeRange();
      const reply: BreakdownReply = await data().engines.get(rollups)!.breakdown(BreakdownQuery.parse({ from: period.from, to: period.to, by: 'platform', kpis: ['gmv', 'orders', 'complaint_rate'] }));
      const platformIds = oracle.data.platforms.map((p) => p.id);
      const withOrders = platformIds.filter((id) => oracle.compute(period, { platform: [id] }).orders.value! > 0);
      const keys = reply.rows.map((r) => r.key);
      for (const key of keys) expect(platformIds).toContain(key);
      for (const id of withOrders) expect(keys).toContain(id);
      const problems: string[] = [];
      for (const row of reply.rows) {
        const expected = oracle.compute(period, { platform: [row.key] });
        for (const kpi of ['gmv', 'orders', 'complaint_rate']) {
          problems.push(...differences(`${row.key} ${kpi}`, specOf.get(kpi)!, row.kpis[kpi], expected[kpi]));
        }
      }
      expect(problems).toEqual([]);
      // sorted by the first KPI, descending
      const gmvs = reply.rows.map((r) => r.kpis.gmv.value ?? -Infinity);
      expect(gmvs).toEqual([...gmvs].sort((a, b) => b - a));
    });
  });
}
