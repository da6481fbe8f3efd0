// measureSteps on a generated snapshot: window values per scope equal a plain-TS computation over
// the snapshot's Parquet rows (read with SELECT *, nothing of the product's SQL reused) — a rate
// split by platform, one split by carrier, a count, and a change against the previous window.
// Also the technical sources (a query indicator is measured in test/queries-saved.test.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../server/db/engine.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { IndicatorInput, type Measurement } from '../server/risk/contract.ts';
import { measureSteps, unitOf, type MeasureDeps, type MeasuredScopes } from '../server/risk/measure.ts';
import { listSnapshots } from '../server/snapshots/store.ts';
import { tempDir } from './helpers/app.ts';
import { ingestedSample } from './helpers/sample.ts';

type Raw = Record<string, string | number | boolean | null>;

const DAY_MS = 86_400_000;
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const dayOf = (ts: unknown) => String(ts).slice(0, 10);
const instant = (ts: unknown) => Date.parse(`${String(ts).replace(' ', 'T')}Z`);

const indicator = (fields: Record<string, unknown>) =>
  IndicatorInput.parse({ id: 'probe', name: 'probe', direction: 'higher_is_worse', warning: 1, critical: 2, clear: 0.5, owner: 'risk', ...fields });

describe('measuring indicators over a generated snapshot', () => {
  let root: string;
  let engine: QueryEngine;
  let deps: MeasureDeps;
  let asOf: string;
  let orders: Raw[];
  let complaints: Raw[];
  let approved: Map<string, boolean>;
  const NOW = new Date('2026-07-01T12:00:00Z');

  beforeAll(async () => {
    root = await tempDir('risk-measure');
    const sample = await ingestedSample(root, { orders: 30_000, months: 12, end: '2026-06-30', seed: 3 }, ['orders', 'complaints', 'promotions']);
    asOf = sample.manifest.asOf.slice(0, 10);
    [orders, complaints] = [sample.rows.orders, sample.rows.complaints];
    approved = new Map(sample.rows.promotions.map((p) => [String(p.promotion_id), p.approved === true]));
    engine = await QueryEngine.create(join(root, 'snapshots'));
    deps = { kpis: await KpiEngine.create(engine), engine, snapshotsRoot: join(root, 'snapshots'), now: () => NOW };
  }, 120_000);

  afterAll(async () => {
    engine?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const valid = (o: Raw) => o.paid_at !== null && o.status !== 'cancelled';
  const within = (day: string, step: string, days: number) => day > shift(step, -days) && day <= step;

  /** The last 45 as-of days of the snapshot. */
  const range = () => ({ from: shift(asOf, -44), to: asOf });

  function scope(measured: MeasuredScopes, key: string) {
    const found = measured.scopes.find((s) => s.scope === key);
    if (!found) throw new Error(`no scope ${key} in ${measured.scopes.map((s) => s.scope).join(', ')}`);
    return found;
  }

  /** A rate's window value from its counts, null without a denominator. */
  function expectRate(m: Measurement, num: number, den: number, what: string) {
    expect(m.denominator, what).toBe(den);
    expect(m.numerator, what).toBe(num);
    if (den === 0) expect(m.value, what).toBeNull();
    else expect(m.value, what).toBeCloseTo(num / den, 12);
  }

  it('complaint rate per platform: complaints received in the window over its valid orders', async () => {
    const ind = indicator({ kpi: 'complaint_rate', splitBy: 'platform', windowDays: 7 });
    const measured = await measureSteps(deps, ind, range());
    expect(measured.unit).toBe('permille');
    const platforms = [...new Set(orders.map((o) => String(o.platform_id)))].sort();
    expect(measured.scopes.map((s) => s.scope)).toEqual(platforms);
    for (const p of platforms) {
      const s = scope(measured, p);
      expect(s.scopeLabel).not.toBe(''); // the platform's display name
      expect(s.points).toHaveLength(45);
      for (const point of s.points) {
        const num = complaints.filter((k) => k.platform_id === p && within(dayOf(k.received_at), point.date, 7)).length;
        const den = orders.filter((o) => valid(o) && o.platform_id === p && within(dayOf(o.ordered_at), point.date, 7)).length;
        expectRate(point.m, num, den, `${p} ${point.date}`);
      }
    }
  });

  it('late-shipment rate per carrier: shipped valid orders shipped after the promised time', async () => {
    const ind = indicator({ kpi: 'late_shipment_rate', splitBy: 'carrier', windowDays: 14 });
    const measured = await measureSteps(deps, ind, range());
    const carriers = [...new Set(orders.filter((o) => o.carrier !== null).map((o) => String(o.carrier)))].sort();
    expect(carriers.length).toBeGreaterThan(3);
    for (const c of carriers) {
      for (const point of scope(measured, c).points) {
        const shipped = orders.filter((o) => valid(o) && o.carrier === c && o.shipped_at !== null && within(dayOf(o.ordered_at), point.date, 14));
        const late = shipped.filter((o) => o.promised_ship_by !== null && instant(o.shipped_at) > instant(o.promised_ship_by)).length;
        expectRate(point.m, late, shipped.length, `${c} ${point.date}`);
      }
    }
    // any other scope (orders without a carrier) never shipped anything
    for (const s of measured.scopes.filter((x) => !carriers.includes(x.scope))) {
      expect(s.points.every((p) => !p.m.denominator)).toBe(true);
    }
  });

  it('a count: valid orders of the window using an unapproved promotion', async () => {
    const ind = indicator({ kpi: 'unapproved_promotion_orders', windowDays: 30 });
    const measured = await measureSteps(deps, ind, { from: shift(asOf, -300), to: asOf });
    expect(measured.unit).toBe('count');
    expect(measured.scopes.map((s) => s.scope)).toEqual(['']);
    const unapproved = orders.filter((o) => valid(o) && o.promotion_id !== null && approved.get(String(o.promotion_id)) === false);
    let nonZero = 0;
    for (const point of measured.scopes[0].points) {
      const expected = unapproved.filter((o) => within(dayOf(o.ordered_at), point.date, 30)).length;
      expect(point.m.value, point.date).toBe(expected);
      if (expected > 0) nonZero++;
    }
    expect(nonZero, 'the sample plants unapproved promotions').toBeGreaterThan(0);
  });

  it('compare = previous: the relative change of GMV against the window before, the base as sample', async () => {
    const ind = indicator({ kpi: 'gmv', compare: 'previous', windowDays: 14, direction: 'lower_is_worse', warning: -0.3, critical: -0.5, clear: -0.1 });
    const measured = await measureSteps(deps, ind, range());
    expect(unitOf(ind)).toBe('percent');
    const gmv = (step: string) => orders.filter((o) => valid(o) && within(dayOf(o.ordered_at), step, 14)).reduce((a, o) => a + Number(o.paid_amount), 0);
    for (const point of measured.scopes[0].points) {
      const current = gmv(point.date);
      const base = gmv(shift(point.date, -14));
      expect(point.m.value, point.date).toBeCloseTo((current - base) / base, 9);
      expect(point.m.denominator, point.date).toBeCloseTo(base, 6);
    }
  });

  it('a KPI that does not add up over days (buyers) is measured window by window', async () => {
    const ind = indicator({ kpi: 'buyers', windowDays: 7 });
    const measured = await measureSteps(deps, ind, { from: shift(asOf, -4), to: asOf });
    for (const point of measured.scopes[0].points) {
      const buyers = new Set(orders.filter((o) => valid(o) && o.customer_id !== null && within(dayOf(o.ordered_at), point.date, 7)).map((o) => o.customer_id));
      expect(point.m.value, point.date).toBe(buyers.size);
    }
  });

  it('freshness, ingest rejection and saved queries', async () => {
    const [manifest] = await listSnapshots(join(root, 'snapshots'));
    const fresh = await measureSteps(deps, indicator({ source: 'freshness', windowDays: 1 }), range());
    expect(fresh.unit).toBe('hours');
    expect(fresh.scopes[0].points[0].m.value).toBeCloseTo((NOW.getTime() - Date.parse(manifest.createdAt)) / 3_600_000, 9);
    const rejection = await measureSteps(deps, indicator({ source: 'ingest_rejection', windowDays: 1 }), range());
    const m = rejection.scopes[0].points[0].m;
    // a clean generated sample: rows were read and none was rejected
    expect(m.denominator).toBeGreaterThan(30_000);
    expect(m.numerator).toBe(0);
    // measured for real in test/queries-saved.test.ts; without a query runner it is an error
    await expect(measureSteps(deps, indicator({ source: 'query', queryId: 'q1', windowDays: 1 }), range())).rejects.toThrow(/query runner/);
  });
});
