// Customer segments: the rule table covers every (R, F, M) cell exactly once; the API's scores,
// segment counts and revenue equal a plain-TS computation over the snapshot's Parquet rows; cohort
// retention, new vs returning and segment movement equal values worked out by hand on a tiny
// export; personal columns are masked without pii; bad parameters get a 400 naming them.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, openDuck } from '../server/db/duck.ts';
import { SEGMENTS, type CustomerRow, type SegmentId, type SegmentRule } from '../server/segments/contract.ts';
import { DEFAULT_RULES, UncoveredCells, cellMap } from '../server/segments/rules.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { listSnapshots, snapshotDir } from '../server/snapshots/store.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

const ALL_CELLS = [1, 2, 3, 4, 5].flatMap((r) => [1, 2, 3, 4, 5].flatMap((f) => [1, 2, 3, 4, 5].map((m) => ({ r, f, m }))));

/** Independent of server/segments/rules.ts: which rules match a cell, in order. */
function matching(rules: readonly SegmentRule[], c: { r: number; f: number; m: number }): SegmentRule[] {
  return rules.filter((rule) => c.r >= rule.r.min && c.r <= rule.r.max && c.f >= rule.f.min && c.f <= rule.f.max && c.m >= rule.m.min && c.m <= rule.m.max);
}

describe('the RFM rule table', () => {
  it('maps each of the 125 cells to exactly one segment, and uses all 11 segments', () => {
    const seen = new Set<SegmentId>();
    for (const cell of ALL_CELLS) {
      const hits = matching(DEFAULT_RULES, cell);
      expect(hits.length, `cell ${cell.r}${cell.f}${cell.m}`).toBeGreaterThan(0);
      seen.add(hits[0].segment); // first match wins: exactly one segment per cell
    }
    expect([...seen].sort()).toEqual([...SEGMENTS].sort());
    // the domain's own map says the same for every cell
    const map = cellMap(DEFAULT_RULES);
    expect(Object.keys(map)).toHaveLength(125);
    for (const cell of ALL_CELLS) expect(map[`${cell.r}${cell.f}${cell.m}`]).toBe(matching(DEFAULT_RULES, cell)[0].segment);
  });

  it('refuses a table that leaves a cell uncovered', () => {
    const holed: SegmentRule[] = [{ segment: 'champions', r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 2, max: 5 } }];
    expect(() => cellMap(holed)).toThrow(UncoveredCells);
    expect(() => cellMap(holed)).toThrow(/25 score cell\(s\)/);
  });
});

describe('segments over a generated dataset', () => {
  let root: string;
  let t: TestApp;
  let orders: { customer_id: string | null; day: string; paid: boolean; status: string; cents: number }[];
  let customers: Map<string, { name: string | null; phone: string | null }>;
  let asOf: string;

  beforeAll(async () => {
    root = await tempDir('segments');
    await generateSample({ out: join(root, 'export'), orders: 20_000, months: 14, end: '2026-06-30', seed: 5 });
    await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots') });
    t = await makeTestApp(root);
    // the raw rows, read straight from the snapshot's Parquet files
    const [manifest] = await listSnapshots(join(root, 'snapshots'));
    asOf = manifest.asOf.slice(0, 10);
    const dir = snapshotDir(join(root, 'snapshots'), manifest.id);
    const duck = await openDuck();
    const conn = await duck.connect();
    const file = (table: 'orders' | 'customers') => join(dir, manifest.tables[table]!.file).replaceAll("'", "''");
    orders = (await all(conn, `SELECT customer_id, strftime(ordered_at, '%Y-%m-%d') AS day, paid_at IS NOT NULL AS paid, status, round(paid_amount * 100)::BIGINT AS cents FROM read_parquet('${file('orders')}')`)) as typeof orders;
    customers = new Map((await all(conn, `SELECT customer_id, name, phone FROM read_parquet('${file('customers')}')`)).map((r) => [String(r.customer_id), { name: r.name as string | null, phone: r.phone as string | null }]));
    conn.closeSync();
    duck.closeSync();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const get = (url: string, role: 'admin' | 'executive' | 'analyst' = 'admin') => injectAs(t, role, { method: 'GET', url });

  /** Plain TS: R/F/M per customer in the window, scored by NTILE(5) with ties broken by customer id. */
  function independentRfm(ref: string, days: number) {
    const from = new Date(Date.parse(`${ref}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const by = new Map<string, { last: string; frequency: number; cents: number }>();
    for (const o of orders) {
      if (!o.customer_id || !o.paid || o.status === 'cancelled' || o.day < from || o.day > ref) continue;
      const c = by.get(o.customer_id) ?? { last: o.day, frequency: 0, cents: 0 };
      c.frequency += 1;
      c.cents += o.cents;
      if (o.day > c.last) c.last = o.day;
      by.set(o.customer_id, c);
    }
    const rows = [...by].map(([id, c]) => ({ id, recency: (Date.parse(`${ref}T00:00:00Z`) - Date.parse(`${c.last}T00:00:00Z`)) / 86_400_000, frequency: c.frequency, cents: c.cents, r: 0, f: 0, m: 0 }));
    const ntile = (sorted: typeof rows, set: (row: (typeof rows)[number], score: number) => void) => {
      const n = sorted.length;
      const small = Math.floor(n / 5);
      const bigOnes = n % 5; // the first n % 5 buckets hold one more row
      let k = 0;
      for (let bucket = 1; bucket <= 5; bucket++) {
        const size = small + (bucket <= bigOnes ? 1 : 0);
        for (let j = 0; j < size; j++) set(sorted[k++], bucket);
      }
    };
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    ntile([...rows].sort((a, b) => b.recency - a.recency || byId(a, b)), (row, s) => (row.r = s));
    ntile([...rows].sort((a, b) => a.frequency - b.frequency || byId(a, b)), (row, s) => (row.f = s));
    ntile([...rows].sort((a, b) => a.cents - b.cents || byId(a, b)), (row, s) => (row.m = s));
    return rows.map((row) => ({ ...row, segment: matching(DEFAULT_RULES, row)[0].segment }));
  }

  async function allCustomers(query: string): Promise<CustomerRow[]> {
    const rows: CustomerRow[] = [];
    for (let page = 1; ; page++) {
      const res = await get(`/api/segments/customers?pageSize=500&page=${page}&${query}`);
      expect(res.statusCode).toBe(200);
      rows.push(...res.json().rows);
      if (rows.length >= res.json().total) return rows;
    }
  }

  it('scores every customer as the independent quintile computation does', async () => {
    for (const [ref, days] of [[asOf, 365], ['2026-03-15', 90]] as const) {
      const expected = independentRfm(ref, days);
      const got = await allCustomers(`asOf=${ref}&days=${days}`);
      expect(got.length).toBe(expected.length);
      const gotById = new Map(got.map((row) => [row.customer_id, row]));
      for (const e of expected) {
        const g = gotById.get(e.id)!;
        expect({ id: e.id, recency: g.recency_days, frequency: g.frequency, cents: Math.round(g.monetary * 100), r: g.r, f: g.f, m: g.m, segment: g.segment })
          .toEqual({ id: e.id, recency: e.recency, frequency: e.frequency, cents: e.cents, r: e.r, f: e.f, m: e.m, segment: e.segment });
      }
    }
  }, 60_000);

  it('counts customers and revenue per segment as the independent computation does', async () => {
    const expected = independentRfm(asOf, 365);
    const res = await get('/api/segments/rfm', 'executive');
    expect(res.statusCode).toBe(200);
    const reply = res.json();
    expect(reply.asOf).toBe(asOf);
    expect(reply.customers).toBe(expected.length);
    const totalCents = expected.reduce((a, e) => a + e.cents, 0);
    expect(Math.round(reply.revenue * 100)).toBe(totalCents);
    for (const segment of SEGMENTS) {
      const mine = expected.filter((e) => e.segment === segment);
      const s = reply.segments.find((x: { segment: string }) => x.segment === segment);
      const cents = mine.reduce((a, e) => a + e.cents, 0);
      const orderCount = mine.reduce((a, e) => a + e.frequency, 0);
      expect(s.customers, segment).toBe(mine.length);
      expect(Math.round(s.revenue * 100), segment).toBe(cents);
      expect(s.customerShare).toBeCloseTo(mine.length / expected.length, 12);
      expect(s.revenueShare).toBeCloseTo(cents / totalCents, 12);
      if (mine.length) {
        expect(s.avgRecencyDays).toBeCloseTo(mine.reduce((a, e) => a + e.recency, 0) / mine.length, 9);
        expect(s.avgFrequency).toBeCloseTo(orderCount / mine.length, 9);
        expect(s.aov).toBeCloseTo(cents / 100 / orderCount, 6);
      }
      expect(s.cells.length).toBe(ALL_CELLS.filter((c) => matching(DEFAULT_RULES, c)[0].segment === segment).length);
    }
    expect(reply.segments.reduce((a: number, s: { cells: string[] }) => a + s.cells.length, 0)).toBe(125);
  });

  it('masks personal columns for an executive and shows them to the admin (pii)', async () => {
    const masked = (await get('/api/segments/customers?segment=champions&pageSize=20', 'executive')).json();
    const plain = (await get('/api/segments/customers?segment=champions&pageSize=20', 'admin')).json();
    expect(masked.masked).toBe(true);
    expect(plain.masked).toBe(false);
    expect(masked.rows.map((r: CustomerRow) => r.customer_id)).toEqual(plain.rows.map((r: CustomerRow) => r.customer_id));
    // sorted by monetary, descending
    const money = plain.rows.map((r: CustomerRow) => r.monetary);
    expect(money).toEqual([...money].sort((a, b) => b - a));
    for (const [k, row] of (plain.rows as CustomerRow[]).entries()) {
      const raw = customers.get(row.customer_id)!;
      expect(row.name).toBe(raw.name);
      expect(row.phone).toBe(raw.phone);
      const hidden = masked.rows[k] as CustomerRow;
      if (raw.name) expect(hidden.name).toBe(raw.name[0] + '*'.repeat(Math.max(raw.name.length - 1, 1)));
      if (raw.phone) expect(hidden.phone).toBe(`${raw.phone.slice(0, 3)}${'*'.repeat(raw.phone.length - 7)}${raw.phone.slice(-4)}`);
      expect(hidden.address === null || hidden.address === row.city).toBe(true);
    }
    const csvMasked = await get('/api/segments/customers.csv?segment=champions&limit=20', 'executive');
    const csvPlain = await get('/api/segments/customers.csv?segment=champions&limit=20', 'admin');
    expect(csvMasked.statusCode).toBe(200);
    expect(csvMasked.headers['content-type']).toMatch(/^text\/csv/);
    const firstPlain = plain.rows[0] as CustomerRow;
    expect(csvPlain.body).toContain(firstPlain.phone!);
    expect(csvMasked.body).not.toContain(firstPlain.phone!);
    expect(csvMasked.body).toContain(masked.rows[0].phone);
    expect(csvMasked.body.trim().split('\r\n')).toHaveLength(21);
  });

  it('answers tiers, cohorts and new vs returning for every role', async () => {
    for (const role of ['executive', 'analyst', 'admin'] as const) {
      const tiers = await get('/api/segments/tiers', role);
      expect(tiers.statusCode).toBe(200);
      expect(tiers.json().tiers.reduce((a: number, x: { customers: number }) => a + x.customers, 0)).toBe(customers.size);
      expect(Math.round(tiers.json().tiers.reduce((a: number, x: { revenue: number }) => a + x.revenue, 0) * 100))
        .toBe(independentRfm(asOf, 365).reduce((a, e) => a + e.cents, 0));
      expect((await get('/api/segments/cohorts', role)).json().cohorts).toHaveLength(12);
      expect((await get('/api/segments/new-returning', role)).json().months).toHaveLength(12);
    }
  });

  it('refuses a rule table that leaves a cell uncovered, and takes one that covers all', async () => {
    const put = (rules: SegmentRule[], role: 'admin' | 'analyst' = 'admin') => injectAs(t, role, { method: 'PUT', url: '/api/segments/rules', payload: { rules } });
    const withoutCatchAll = DEFAULT_RULES.slice(0, -1);
    const refused = await put(withoutCatchAll);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatch(/^body parameter 'rules': the rules leave 10 score cell\(s\) without a segment: 111, 112/);
    const badRange = await put([{ segment: 'lost', r: { min: 1, max: 6 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } }]);
    expect(badRange.statusCode).toBe(400);
    expect(badRange.json().error).toMatch(/^body parameter 'rules\.0\.r\.max'/);
    expect((await put([...DEFAULT_RULES], 'analyst')).statusCode).toBe(403);
    const noCsrf = await t.app.inject({ method: 'PUT', url: '/api/segments/rules', cookies: await t.cookieFor('admin'), payload: { rules: DEFAULT_RULES } });
    expect(noCsrf.statusCode).toBe(403);
    expect((await get('/api/segments/rules')).json().source).toBe('default');

    // everyone lost: one catch-all rule
    const saved = await put([{ segment: 'lost', r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } }]);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ source: 'custom', updatedBy: 'admin' });
    expect(new Set(Object.values(saved.json().cells))).toEqual(new Set(['lost']));
    const rfm = (await get('/api/segments/rfm')).json();
    expect(rfm.segments.find((s: { segment: string }) => s.segment === 'lost').customers).toBe(rfm.customers);
    expect((await put([...DEFAULT_RULES])).statusCode).toBe(200);
    expect((await get('/api/segments/rules')).json().rules).toEqual(DEFAULT_RULES);
  });

  const refusals: [string, string, RegExp][] = [
    ['a month 13', '/api/segments/rfm?asOf=2026-13-01', /^query parameter 'asOf': /],
    ['a reference date after the snapshot', '/api/segments/rfm?asOf=2027-01-01', /^query parameter 'asOf': 2027-01-01 is after the snapshot's as-of date/],
    ['a window of zero days', '/api/segments/tiers?days=0', /^query parameter 'days': /],
    ['an unknown segment', '/api/segments/customers?segment=vip', /^query parameter 'segment': /],
    ['a page size of zero', '/api/segments/customers?pageSize=0', /^query parameter 'pageSize': /],
    ['an unknown sort', '/api/segments/customers?sort=name', /^query parameter 'sort': /],
    ['a CSV limit of zero', '/api/segments/customers.csv?limit=0', /^query parameter 'limit': /],
    ['a month that is no month', '/api/segments/cohorts?from=2026-5', /^query parameter 'from': expected a month YYYY-MM/],
    ['cohorts from after to', '/api/segments/cohorts?from=2026-06&to=2026-01', /^query parameter 'from': 2026-06 is after 'to' 2026-01/],
    ['new-returning to that is no month', '/api/segments/new-returning?to=june', /^query parameter 'to': /],
    ['movement from after to', '/api/segments/movement?from=2026-06-01&to=2026-05-01', /^query parameter 'from': 2026-06-01 is after 'to' 2026-05-01/],
  ];
  for (const [what, url, message] of refusals) {
    it(`refuses ${what} with a 400 naming the parameter`, async () => {
      const res = await get(url, 'executive');
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(message);
    });
  }

  it('answers an unknown snapshot with a 404', async () => {
    expect((await get('/api/segments/rfm?snapshot=20990101-000000000-abcd')).statusCode).toBe(404);
  });
});

describe('cohorts, new vs returning and movement on a hand-made export', () => {
  let root: string;
  let t: TestApp;

  // Valid orders (paid, not cancelled) per customer; ✗ = not valid:
  //   A: 2026-01-05 100, 2026-02-10 50, 2026-03-20 30
  //   B: 2026-01-15 200, 2026-03-05 80
  //   C: 2026-01-20 60
  //   D: 2026-02-03 40, 2026-02-25 40, ✗ 2026-03-10 cancelled
  //   E: ✗ 2026-02-14 unpaid, 2026-03-01 90
  //   (no customer): 2026-01-10 500, left out of everything
  beforeAll(async () => {
    root = await tempDir('segments-hand');
    const input = join(root, 'export');
    await mkdir(input, { recursive: true });
    await writeFile(join(input, 'platforms.csv'), 'platform_id,name,kind\ntmall,Tmall,marketplace\n');
    await writeFile(join(input, 'customers.csv'), ['customer_id,platform_id,member_tier,name,phone,city', ...['A', 'B', 'C', 'D', 'E'].map((c) => `${c},tmall,silver,客户${c},1380000000${c.charCodeAt(0) % 10},上海市`)].join('\n') + '\n');
    const order = (id: string, customer: string, day: string, amount: number, status = 'delivered', paid = true) =>
      `${id},tmall,${customer},${day} 10:00:00,${paid ? `${day} 10:05:00` : ''},${status},${amount}`;
    await writeFile(join(input, 'orders.csv'), [
      'order_id,platform_id,customer_id,ordered_at,paid_at,status,paid_amount',
      order('O1', 'A', '2026-01-05', 100), order('O2', 'A', '2026-02-10', 50), order('O3', 'A', '2026-03-20', 30),
      order('O4', 'B', '2026-01-15', 200), order('O5', 'B', '2026-03-05', 80),
      order('O6', 'C', '2026-01-20', 60),
      order('O7', 'D', '2026-02-03', 40), order('O8', 'D', '2026-02-25', 40), order('O9', 'D', '2026-03-10', 70, 'cancelled'),
      order('O10', 'E', '2026-02-14', 90, 'pending', false), order('O11', 'E', '2026-03-01', 90),
      order('O12', '', '2026-01-10', 500),
    ].join('\n') + '\n');
    await ingest({ input, snapshotsRoot: join(root, 'snapshots'), asOf: '2026-03-31' });
    t = await makeTestApp(root);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const get = async (url: string) => {
    const res = await injectAs(t, 'executive', { method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('computes cohort retention', async () => {
    // cohort = month of the first valid order: 2026-01 {A, B, C}, 2026-02 {D}, 2026-03 {E}.
    // 2026-01: Feb active A → 1/3; Mar active A, B → 2/3. 2026-02: D's March order is cancelled → 0.
    const reply = await get('/api/segments/cohorts?from=2026-01&to=2026-03');
    expect(reply.cohorts.map((c: { cohort: string; size: number; retention: { active: number; share: number }[] }) => ({ cohort: c.cohort, size: c.size, active: c.retention.map((x) => x.active), share: c.retention.map((x) => x.share) }))).toEqual([
      { cohort: '2026-01', size: 3, active: [3, 1, 2], share: [1, 1 / 3, 2 / 3] },
      { cohort: '2026-02', size: 1, active: [1, 0], share: [1, 0] },
      { cohort: '2026-03', size: 1, active: [1], share: [1] },
    ]);
  });

  it('splits buyers into new and returning per month', async () => {
    // Jan: A, B, C new (100 + 200 + 60). Feb: D new (40 + 40), A returning (50).
    // Mar: E new (90), A and B returning (30 + 80).
    const reply = await get('/api/segments/new-returning?from=2026-01&to=2026-03');
    expect(reply.months).toEqual([
      { month: '2026-01', buyers: 3, new: 3, returning: 0, newRevenue: 360, returningRevenue: 0 },
      { month: '2026-02', buyers: 2, new: 1, returning: 1, newRevenue: 80, returningRevenue: 50 },
      { month: '2026-03', buyers: 3, new: 1, returning: 2, newRevenue: 90, returningRevenue: 110 },
    ]);
  });

  it('scores the reference dates and moves customers between segments', async () => {
    // On 2026-02-28 (4 customers, so scores 1..4; ties by customer id):
    //   recency days B 44, C 39, A 18, D 3      → R: B1 C2 A3 D4
    //   frequency B 1, C 1, A 2, D 2            → F: B1 C2 A3 D4
    //   monetary C 60, D 80, A 150, B 200       → M: C1 D2 A3 B4
    //   A 333 Need Attention, B 114 Lost, C 221 Hibernating, D 442 Loyal; E none (unpaid).
    // On 2026-03-31 (5 customers):
    //   recency C 70, D 34, E 30, B 26, A 11    → R: C1 D2 E3 B4 A5
    //   frequency C 1, E 1, B 2, D 2, A 3       → F: C1 E2 B3 D4 A5
    //   monetary C 60, D 80, E 90, A 180, B 280 → M: C1 D2 E3 A4 B5
    //   A 554 Champions, B 435 Potential Loyalist, C 111 Lost, D 242 At Risk, E 323 Need Attention.
    const before = await get('/api/segments/customers?asOf=2026-02-28&sort=recency&order=asc');
    expect(before.rows.map((r: CustomerRow) => [r.customer_id, r.recency_days, `${r.r}${r.f}${r.m}`, r.segment])).toEqual([
      ['D', 3, '442', 'loyal'], ['A', 18, '333', 'need_attention'], ['C', 39, '221', 'hibernating'], ['B', 44, '114', 'lost'],
    ]);
    const reply = await get('/api/segments/movement?from=2026-02-28&to=2026-03-31');
    expect(reply.from.referenceDate).toBe('2026-02-28');
    expect(reply.to.referenceDate).toBe('2026-03-31');
    expect(reply.matrix).toEqual([
      { from: 'loyal', to: 'at_risk', customers: 1 },
      { from: 'need_attention', to: 'champions', customers: 1 },
      { from: 'hibernating', to: 'lost', customers: 1 },
      { from: 'lost', to: 'potential_loyalist', customers: 1 },
      { from: 'none', to: 'need_attention', customers: 1 },
    ]);
    expect(reply).toMatchObject({ moved: 4, stayed: 0 });
    // the same snapshot named on both sides gives the same matrix
    const id = reply.to.id;
    expect((await get(`/api/segments/movement?fromSnapshot=${id}&toSnapshot=${id}&from=2026-02-28&to=2026-03-31`)).matrix).toEqual(reply.matrix);
  });

  it('prints the segments with the CLI', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [join(import.meta.dirname, '../server/vigil.js'), 'segments', '--as-of', '2026-03-31', '--json', '--data', root], { encoding: 'utf8' });
    // the test app holds the app-state database, so the command falls back to the default rules
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.customers).toBe(5);
    expect(out.revenue).toBe(180 + 280 + 60 + 80 + 90);
    expect(out.segments.find((s: { segment: string }) => s.segment === 'champions')).toMatchObject({ customers: 1, revenue: 180 });
    expect(out.segments.flatMap((s: { cells: string[] }) => s.cells)).toHaveLength(125);
  });

  it('moves customers between two snapshots (ingested last: it becomes the newest)', async () => {
    const older = (await get('/api/segments/rfm')).snapshot.id;
    // the same export published again as of 2026-02-28: its reference date defaults to that day
    const again = await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots'), asOf: '2026-02-28' });
    const reply = await get(`/api/segments/movement?fromSnapshot=${again.manifest.id}&toSnapshot=${older}`);
    expect(reply.from).toMatchObject({ id: again.manifest.id, referenceDate: '2026-02-28' });
    expect(reply.to).toMatchObject({ id: older, referenceDate: '2026-03-31' });
    expect(reply.matrix).toEqual((await get(`/api/segments/movement?snapshot=${older}&from=2026-02-28&to=2026-03-31`)).matrix);
    expect(reply.moved).toBe(4);
  });
});
