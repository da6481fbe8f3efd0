// Staff performance over a real generated snapshot: every figure of two sales people and two
// service agents, for a month and a year, against an independent computation in plain TypeScript
// over the rows of the snapshot's Parquet files (read with SELECT * only); the ranking and its
// movement; the API's validation and 404; the `vigil staff --json` shape.
import { spawnSync } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../server/auth/roles.ts';
import { all, literal, openDuck, type Row } from '../server/db/duck.ts';
import { QueryEngine } from '../server/db/engine.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { listSnapshots, snapshotDir } from '../server/snapshots/store.ts';
import { StaffPerformanceQuery, type SalesFigures, type ServiceFigures, type StaffPerformanceReply } from '../server/staff/contract.ts';
import { StaffEngine } from '../server/staff/engine.ts';
import { staffPeriod } from '../server/staff/periods.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

const VIGIL = resolve(import.meta.dirname, '../server/vigil.js');
const SLA = 60;
const WINDOW_DAYS = 14;

type Table = Row[];
let root: string;
let t: TestApp;
let queries: QueryEngine;
let staff: StaffEngine;
const data: Record<string, Table> = {};

/** Milliseconds of a local timestamp or date string, read as UTC so that no zone shifts it. */
const ms = (s: string) => Date.parse(`${s.replace(' ', 'T')}${s.length === 10 ? 'T00:00:00' : ''}Z`);

beforeAll(async () => {
  root = await tempDir('staff');
  await generateSample({ out: join(root, 'export'), orders: 20_000, months: 14, end: '2026-06-30', seed: 11 });
  await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots') });
  t = await makeTestApp(root);
  queries = await QueryEngine.create(join(root, 'snapshots'));
  staff = new StaffEngine(queries);
  const [manifest] = await listSnapshots(join(root, 'snapshots'));
  const duck = await openDuck();
  const conn = await duck.connect();
  for (const table of ['orders', 'order_items', 'products', 'reviews', 'complaints', 'inquiries', 'staff'] as const) {
    const file = join(snapshotDir(join(root, 'snapshots'), manifest.id), manifest.tables[table]!.file);
    data[table] = await all(conn, `SELECT * FROM read_parquet(${literal(file)})`);
  }
  conn.closeSync();
  duck.closeSync();
}, 180_000);

afterAll(async () => {
  queries?.close();
  await t?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

// ---------- the independent computation ----------

interface Range { from: number; end: number }

function rangeOf(period: string): Range {
  if (period.length === 4) return { from: ms(`${period}-01-01`), end: ms(`${Number(period) + 1}-01-01`) };
  const [y, m] = period.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: ms(`${period}-01`), end: ms(`${next}-01`) };
}

const inRange = (ts: unknown, r: Range) => ts !== null && ms(String(ts)) >= r.from && ms(String(ts)) < r.end;
const isValid = (o: Row) => o.paid_at !== null && o.status !== 'cancelled';

function validOrders(): Map<string, Row> {
  return new Map(data.orders.filter(isValid).map((o) => [String(o.order_id), o]));
}

function expectedSales(person: string, r: Range): SalesFigures {
  const valid = validOrders();
  const mine = [...valid.values()].filter((o) => o.salesperson_id === person && inRange(o.ordered_at, r));
  const mineIds = new Set(mine.map((o) => String(o.order_id)));
  const cost = new Map(data.products.map((p) => [String(p.sku), p.unit_cost as number | null]));
  let profit = 0;
  for (const line of data.order_items) {
    const c = cost.get(String(line.sku));
    if (mineIds.has(String(line.order_id)) && c !== null && c !== undefined) profit += Number(line.quantity) * (Number(line.unit_price) - c);
  }
  const first = new Map<string, Row>();
  for (const o of valid.values()) {
    if (o.customer_id === null) continue;
    const seen = first.get(String(o.customer_id));
    const earlier = !seen || ms(String(o.ordered_at)) < ms(String(seen.ordered_at))
      || (ms(String(o.ordered_at)) === ms(String(seen.ordered_at)) && String(o.order_id) < String(seen.order_id));
    if (earlier) first.set(String(o.customer_id), o);
  }
  const newCustomers = [...first.values()].filter((o) => o.salesperson_id === person && inRange(o.ordered_at, r)).length;
  const onMine = (orderId: unknown) => valid.get(String(orderId))?.salesperson_id === person;
  const ratings = data.reviews.filter((v) => v.rating !== null && inRange(v.created_at, r) && onMine(v.order_id)).map((v) => Number(v.rating));
  const complaints = data.complaints.filter((c) => inRange(c.received_at, r) && onMine(c.order_id)).length;
  return {
    revenue: Math.round(mine.reduce((s, o) => s + Number(o.paid_amount), 0) * 100) / 100,
    gross_profit: Math.round(profit * 100) / 100,
    orders: mine.length,
    new_customers: newCustomers,
    avg_rating: ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null,
    ratings: ratings.length,
    complaints,
  };
}

/** Continuous quantile with linear interpolation between the closest ranks. */
function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The agent each complaint resolved in the range goes to (README.md's rule), or null. */
function attributedAgent(c: Row): string | null {
  if (c.customer_id === null || c.resolved_at === null) return null;
  const resolved = ms(String(c.resolved_at));
  let best: Row | undefined;
  for (const q of data.inquiries) {
    if (q.customer_id !== c.customer_id || q.agent_id === null) continue;
    const at = ms(String(q.received_at));
    if (at > resolved || at < resolved - WINDOW_DAYS * 86_400_000) continue;
    if (!best || at > ms(String(best.received_at)) || (at === ms(String(best.received_at)) && String(q.inquiry_id) > String(best.inquiry_id))) best = q;
  }
  return best ? String(best.agent_id) : null;
}

function expectedService(agent: string, r: Range): ServiceFigures {
  const mine = data.inquiries.filter((q) => q.agent_id === agent && inRange(q.received_at, r));
  const seconds = mine.filter((q) => q.first_response_at !== null)
    .map((q) => (ms(String(q.first_response_at)) - ms(String(q.received_at))) / 1000).sort((a, b) => a - b);
  const breaches = seconds.filter((s) => s > SLA).length;
  const resolved = data.complaints.filter((c) => inRange(c.resolved_at, r) && attributedAgent(c) === agent);
  const scores = resolved.filter((c) => c.satisfaction !== null).map((c) => Number(c.satisfaction));
  return {
    inquiries: mine.length,
    responded: seconds.length,
    first_response_p50: quantile(seconds, 0.5),
    first_response_p90: quantile(seconds, 0.9),
    sla_breaches: breaches,
    sla_breach_rate: seconds.length ? breaches / seconds.length : null,
    complaints_resolved: resolved.length,
    avg_satisfaction: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
    satisfaction_responses: scores.length,
  };
}

/** staff_id → rank by revenue (ties by staff_id) over sales staff with a valid order in the range. */
function expectedRanks(r: Range): Map<string, number> {
  const sales = new Set(data.staff.filter((s) => s.role === 'sales').map((s) => String(s.staff_id)));
  const revenue = new Map<string, number>();
  for (const o of data.orders) {
    if (!isValid(o) || !inRange(o.ordered_at, r) || !sales.has(String(o.salesperson_id))) continue;
    revenue.set(String(o.salesperson_id), (revenue.get(String(o.salesperson_id)) ?? 0) + Number(o.paid_amount));
  }
  const order = [...revenue].sort(([a, x], [b, y]) => Math.round((y - x) * 100) || (a < b ? -1 : 1));
  return new Map(order.map(([id], k) => [id, k + 1]));
}

function expectClose<T extends object>(actual: T, expected: T): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    const got = (actual as Record<string, unknown>)[key];
    if (value === null) expect(got, key).toBeNull();
    else expect(got, key).toBeCloseTo(value as number, 6);
  }
}

// ---------- the tests ----------

describe('staff periods', () => {
  it('a January compares with the December before, and its trend crosses the year', () => {
    const p = staffPeriod('2026-01');
    expect(p).toMatchObject({ key: '2026-01', grain: 'month', from: '2026-01-01', to: '2026-01-31', previous: { key: '2025-12', from: '2025-12-01', to: '2025-12-31' } });
    expect(p.trendMonths[0]).toBe('2025-02-01');
    expect(p.trendMonths.at(-1)).toBe('2026-01-01');
  });

  it('a February of a leap year ends on the 29th; a year compares with the year before', () => {
    expect(staffPeriod('2024-02').to).toBe('2024-02-29');
    expect(staffPeriod('2025-02').to).toBe('2025-02-28');
    const y = staffPeriod('2025');
    expect(y).toMatchObject({ grain: 'year', from: '2025-01-01', to: '2025-12-31', previous: { key: '2024', from: '2024-01-01', to: '2024-12-31' } });
    expect(y.trendMonths).toEqual(Array.from({ length: 12 }, (_, k) => `2025-${String(k + 1).padStart(2, '0')}-01`));
  });
});

const PERIODS = [{ key: '2026-05', previous: '2026-04' }, { key: '2025', previous: '2024' }];

describe('staff figures against an independent computation', () => {
  for (const { key, previous } of PERIODS) {
    it(`sales figures, ranking and movement for ${key}`, async () => {
      const reply = await staff.performance(StaffPerformanceQuery.parse({ period: key }));
      const rows = reply.sales!;
      expect(rows.length).toBeGreaterThan(5);
      // two people: the top seller and the one ranked in the middle
      const people = [rows[0], rows[Math.floor(rows.filter((r) => r.ranking.rank !== null).length / 2)]];
      for (const row of people) {
        const expected = expectedSales(row.staff.staff_id, rangeOf(key));
        expect(expected.orders).toBeGreaterThan(0);
        expectClose(row.figures, expected);
      }
      // coverage: all valid orders of the period, and those of sales staff
      const range = rangeOf(key);
      const salesIds = new Set(data.staff.filter((s) => s.role === 'sales').map((s) => String(s.staff_id)));
      const inPeriod = data.orders.filter((o) => isValid(o) && inRange(o.ordered_at, range));
      const attributed = inPeriod.filter((o) => salesIds.has(String(o.salesperson_id)));
      const sum = (os: Row[]) => Math.round(os.reduce((a, o) => a + Number(o.paid_amount), 0) * 100) / 100;
      expect(reply.coverage!.orders).toBe(inPeriod.length);
      expect(reply.coverage!.attributed_orders).toBe(attributed.length);
      expect(reply.coverage!.revenue).toBeCloseTo(sum(inPeriod), 6);
      expect(reply.coverage!.attributed_revenue).toBeCloseTo(sum(attributed), 6);
      // ranking and movement of every sales row
      const now = expectedRanks(rangeOf(key));
      const before = expectedRanks(rangeOf(previous));
      for (const row of rows) {
        const id = row.staff.staff_id;
        const rank = now.get(id) ?? null;
        const prev = before.get(id) ?? null;
        expect(row.ranking, id).toEqual({
          rank, previous_rank: prev, movement: rank !== null && prev !== null ? prev - rank : null, new_entry: rank !== null && prev === null,
        });
      }
      expect([...now.keys()].every((id) => rows.some((r) => r.staff.staff_id === id))).toBe(true);
      // the data start in May 2025: the month moves against a ranked April, the year is all new entries
      if (key.length === 7) expect(rows.filter((r) => r.ranking.movement !== null && r.ranking.movement !== 0).length).toBeGreaterThan(3);
      else expect(rows.every((r) => r.ranking.rank === null || r.ranking.new_entry)).toBe(true);
      expect(rows.map((r) => r.ranking.rank).filter((x) => x !== null)).toEqual([...now.values()].sort((a, b) => a - b));
      // the trend's last month is the period's last month, figured the same way
      const lastMonth = key.length === 4 ? `${key}-12` : key;
      expect(reply.period.trendMonths).toHaveLength(12);
      expect(reply.period.trendMonths.at(-1)).toBe(`${lastMonth}-01`);
      expectClose(people[0].trend.at(-1)!, expectedSales(people[0].staff.staff_id, rangeOf(lastMonth)));
      expectClose(people[1].trend[0], expectedSales(people[1].staff.staff_id, rangeOf(reply.period.trendMonths[0].slice(0, 7))));
    });

    it(`service figures for ${key}`, async () => {
      const reply = await staff.performance(StaffPerformanceQuery.parse({ period: key, role: 'service' }));
      expect(reply.sales).toBeUndefined();
      const rows = reply.service!;
      // two agents: the busiest and, where there is one, an agent with attributed complaints
      const busiest = [...rows].sort((a, b) => b.figures.inquiries - a.figures.inquiries)[0];
      const withComplaints = rows.find((r) => r.figures.complaints_resolved > 0 && r !== busiest) ?? rows.find((r) => r !== busiest)!;
      for (const row of [busiest, withComplaints]) expectClose(row.figures, expectedService(row.staff.staff_id, rangeOf(key)));
      expect(busiest.figures.responded).toBeGreaterThan(0);
      if (key.length === 4) expect(withComplaints.figures.complaints_resolved).toBeGreaterThan(0);
      // coverage: every complaint resolved in the period, and those the rule gives to someone
      const resolved = data.complaints.filter((c) => inRange(c.resolved_at, rangeOf(key)));
      expect(reply.complaint_coverage).toEqual({ resolved: resolved.length, attributed: resolved.filter((c) => attributedAgent(c) !== null).length });
    });
  }

  it('a person who joined late enters the ranking as new, and a month with no sales of theirs is all zeros', async () => {
    const hires = data.staff.filter((s) => s.role === 'sales' && s.hired_on !== null && String(s.hired_on) > '2025-06-01');
    expect(hires.length).toBeGreaterThan(0);
    const hire = hires[0];
    const month = String(hire.hired_on).slice(0, 7);
    const person = await staff.person(String(hire.staff_id), { period: month });
    const before = person.series.filter((p) => p.month < `${month}-01`);
    for (const p of before) expect(p.figures).toEqual({ revenue: 0, gross_profit: 0, orders: 0, new_customers: 0, avg_rating: null, ratings: 0, complaints: 0 });
    if (person.ranking!.rank !== null) expect(person.ranking!.new_entry).toBe(true);
  });
});

describe('a snapshot without some tables', () => {
  it('leaves the figures of a missing table empty and names the table in the notes', async () => {
    const input = join(root, 'partial-export');
    await cp(join(root, 'export'), input, { recursive: true, filter: (src) => !/(reviews|inquiries)\.parquet$/.test(src) });
    await ingest({ input, snapshotsRoot: join(root, 'partial-snapshots') });
    const partial = await QueryEngine.create(join(root, 'partial-snapshots'));
    try {
      const reply = await new StaffEngine(partial).performance(StaffPerformanceQuery.parse({ period: '2026-05' }));
      expect(reply.sales!.length).toBeGreaterThan(5);
      expect(reply.sales![0].figures.revenue).toBeGreaterThan(0);
      expect(reply.sales!.every((r) => r.figures.avg_rating === null && r.figures.ratings === 0)).toBe(true);
      expect(reply.service!.every((r) => r.figures.inquiries === 0 && r.figures.complaints_resolved === 0)).toBe(true);
      expect(reply.notes.join('\n')).toMatch(/no data for average rating: the snapshot has no reviews table/);
      expect(reply.notes.join('\n')).toMatch(/no data for inquiries and response times: the snapshot has no inquiries table/);
    } finally {
      partial.close();
    }
  });
});

describe('staff API', () => {
  const get = (url: string, role: (typeof ROLES)[number] = 'executive') => injectAs(t, role, { method: 'GET', url });

  it('answers the performance table for every role, equal to the engine', async () => {
    const expected = await staff.performance(StaffPerformanceQuery.parse({ period: '2026-05' }));
    for (const role of ROLES) {
      const res = await get('/api/staff/performance?period=2026-05', role);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
    }
    const sales = (await get('/api/staff/performance?period=2026&role=sales')).json() as StaffPerformanceReply;
    expect(sales.service).toBeUndefined();
    expect(sales.period).toMatchObject({ key: '2026', grain: 'year', from: '2026-01-01', to: '2026-12-31', previous: { key: '2025' } });
  });

  it("answers a person's figures, series and definitions in English and Chinese", async () => {
    const table = (await get('/api/staff/performance?period=2026-05')).json() as StaffPerformanceReply;
    for (const row of [table.sales![0], table.service![0]]) {
      const res = await get(`/api/staff/${row.staff.staff_id}?period=2026-05`);
      expect(res.statusCode).toBe(200);
      const person = res.json();
      expect(person.staff).toEqual(row.staff);
      expect(person.figures).toEqual(row.figures);
      expect(person.series.map((p: { figures: unknown }) => p.figures)).toEqual(row.trend);
      expect(person.series.map((p: { month: string }) => p.month)).toEqual(table.period.trendMonths);
      expect(person.definitions.map((d: { id: string }) => d.id)).toEqual(Object.keys(row.figures));
      for (const d of person.definitions) {
        expect(d.label.en && d.label.zh && d.definition.en && d.definition.zh).toBeTruthy();
        expect(d.definition.zh).toMatch(/[\u4e00-\u9fff]/);
      }
      if ('ranking' in row) expect(person.ranking).toEqual(row.ranking);
    }
  });

  const refusals: [string, string, RegExp][] = [
    ['no period', '/api/staff/performance', /^query parameter 'period': /],
    ['a month 13', '/api/staff/performance?period=2026-13', /^query parameter 'period': expected a month YYYY-MM or a year YYYY/],
    ['a day', '/api/staff/performance?period=2026-05-01', /^query parameter 'period': /],
    ['an unknown role', '/api/staff/performance?period=2026-05&role=boss', /^query parameter 'role': /],
    ['a person without a period', '/api/staff/E001', /^query parameter 'period': /],
    ['a person with a bad period', '/api/staff/E001?period=May', /^query parameter 'period': /],
  ];
  for (const [what, url, message] of refusals) {
    it(`refuses ${what} with a 400 naming the parameter`, async () => {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(message);
    });
  }

  it('answers 404 for an unknown person and an unknown snapshot', async () => {
    const person = await get('/api/staff/E999?period=2026-05');
    expect(person.statusCode).toBe(404);
    expect(person.json().error).toMatch(/E999/);
    const snapshot = await get('/api/staff/performance?period=2026-05&snapshot=20990101-000000000-ffff');
    expect(snapshot.statusCode).toBe(404);
  });
});

describe('vigil staff', () => {
  const vigil = (args: string[]) => spawnSync(process.execPath, [VIGIL, 'staff', '--data', root, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('prints JSON: one flat object per person with figures and ranking', async () => {
    const res = vigil(['--period', '2026-05', '--json']);
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out)).toEqual(['snapshot', 'period', 'from', 'to', 'sales', 'service', 'notes']);
    expect(out).toMatchObject({ period: '2026-05', from: '2026-05-01', to: '2026-05-31' });
    expect(Object.keys(out.sales[0])).toEqual([
      'staff_id', 'name', 'team', 'revenue', 'gross_profit', 'orders', 'new_customers', 'avg_rating', 'ratings', 'complaints',
      'rank', 'previous_rank', 'movement', 'new_entry',
    ]);
    expect(Object.keys(out.service[0])).toEqual([
      'staff_id', 'name', 'team', 'inquiries', 'responded', 'first_response_p50', 'first_response_p90', 'sla_breaches', 'sla_breach_rate',
      'complaints_resolved', 'avg_satisfaction', 'satisfaction_responses',
    ]);
    const reply = await staff.performance(StaffPerformanceQuery.parse({ period: '2026-05' }));
    expect(out.sales.map((r: { staff_id: string; revenue: number }) => [r.staff_id, r.revenue])).toEqual(reply.sales!.map((r) => [r.staff.staff_id, r.figures.revenue]));
  });

  it('prints an aligned table by default', () => {
    const res = vigil(['--period', '2026-05', '--role', 'sales']);
    expect(res.status).toBe(0);
    const lines = res.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('rank'));
    expect(header).toBeGreaterThan(0);
    const revenueEnd = lines[header].indexOf('revenue') + 'revenue'.length;
    expect(lines[header + 1].slice(0, revenueEnd)).toMatch(/\d$/);
    expect(lines[header + 2].slice(0, revenueEnd)).toMatch(/\d$/);
  });

  it('refuses a bad period with exit code 2', () => {
    const res = vigil(['--period', '2026-13']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--period: expected a month YYYY-MM or a year YYYY/);
  });
});
