// The answer cache of the KPI, staff and segment engines: a cached answer equals one computed
// afresh by the same engine with its cache off, for every call the Overview, Customers and Staff
// pages make; a newly published snapshot and a changed rule table give new answers; a user with
// `pii` and one without never get each other's customer rows; a failed computation is retried.
import { copyFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryEngine } from '../server/db/engine.ts';
import { AnswerCache, answerKey } from '../server/metrics/cache.ts';
import { KpiQuery } from '../server/metrics/contract.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { generateSample } from '../server/sample/generate.ts';
import {
  CohortsQuery, CustomersQuery, MovementQuery, NewReturningQuery, RfmQuery, TiersQuery, type CustomersReply, type RfmReply, type SegmentRule,
} from '../server/segments/contract.ts';
import { SegmentService } from '../server/segments/service.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import type { Manifest } from '../server/snapshots/store.ts';
import { StaffPerformanceQuery, StaffPersonQuery } from '../server/staff/contract.ts';
import { StaffEngine } from '../server/staff/engine.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

interface Engines {
  kpis: KpiEngine;
  staff: StaffEngine;
  segments: SegmentService;
}

let root: string;
let t: TestApp;
let queries: QueryEngine;
let first: Manifest;
let cached: Engines;
let fresh: Engines;

async function engines(cache: boolean): Promise<Engines> {
  return {
    kpis: await KpiEngine.create(queries, { cache }),
    staff: new StaffEngine(queries, { cache }),
    segments: new SegmentService(queries, t.ctx.db, { cache }),
  };
}

/** An export of `orders` orders ending `end`, published as a snapshot. */
async function publish(name: string, orders: number, end: string, seed: number): Promise<Manifest> {
  await generateSample({ out: join(root, name), orders, months: 14, end, seed });
  return (await ingest({ input: join(root, name), snapshotsRoot: t.paths.snapshots })).manifest;
}

/** As the API would send it. */
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

beforeAll(async () => {
  root = await tempDir('answer-cache');
  t = await makeTestApp(root);
  first = await publish('export-1', 4_000, '2026-06-30', 21);
  queries = t.ctx.engine;
  cached = await engines(true);
  fresh = await engines(false);
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the answer cache itself', () => {
  it('keeps a failed answer out, so the next call computes again', async () => {
    const cache = new AnswerCache();
    let computed = 0;
    const compute = async () => {
      computed += 1;
      if (computed === 1) throw new Error('a transient failure');
      return { computed };
    };
    await expect(cache.answer('k', compute)).rejects.toThrow('a transient failure');
    const retried = await cache.answer('k', compute);
    expect(retried).toEqual({ computed: 2 });
    expect(await cache.answer('k', compute)).toBe(retried);
    expect(computed).toBe(2);
  });

  it('drops the least recently used answer beyond its capacity, and computes every time when disabled', async () => {
    const cache = new AnswerCache(true, 2);
    const computed: string[] = [];
    const ask = (key: string) => cache.answer(answerKey(key), async () => { computed.push(key); return key; });
    for (const key of ['a', 'b', 'a', 'c', 'a', 'b']) await ask(key);
    // 'b' was the least recently used when 'c' came in, so only it is computed twice
    expect(computed).toEqual(['a', 'b', 'c', 'b']);
    expect(cache.size).toBe(2);

    const off = new AnswerCache(false);
    let n = 0;
    await off.answer('k', async () => ++n);
    await off.answer('k', async () => ++n);
    expect(n).toBe(2);
  });
});

describe('cached answers over a generated snapshot', () => {
  /** Every call the pages make on load, and a few other views of them. */
  function calls(staffIds: { sales: string; service: string }): [string, (e: Engines) => Promise<unknown>][] {
    return [
      ['KPI values', (e) => e.kpis.kpis(KpiQuery.parse({ kpis: 'gmv,orders', from: '2026-05-01', to: '2026-05-31', compare: 'previous' }))],
      ['KPI catalog', (e) => e.kpis.catalog()],
      ['staff performance, a month', (e) => e.staff.performance(StaffPerformanceQuery.parse({ period: '2026-06' }))],
      ['staff performance, sales of a year', (e) => e.staff.performance(StaffPerformanceQuery.parse({ period: '2025', role: 'sales' }))],
      ['a salesperson', (e) => e.staff.person(staffIds.sales, StaffPersonQuery.parse({ period: '2026-06' }))],
      ['a service agent', (e) => e.staff.person(staffIds.service, StaffPersonQuery.parse({ period: '2026-06' }))],
      ['RFM segments', (e) => e.segments.rfm(RfmQuery.parse({}))],
      ['RFM segments, 90 days', (e) => e.segments.rfm(RfmQuery.parse({ days: 90, asOf: '2026-05-31' }))],
      ['customers, masked', (e) => e.segments.customers(CustomersQuery.parse({ segment: 'champions', pageSize: 20 }), { pii: false })],
      ['customers, unmasked, page 2', (e) => e.segments.customers(CustomersQuery.parse({ page: 2, pageSize: 20, sort: 'recency', order: 'asc' }), { pii: true })],
      ['member tiers', (e) => e.segments.tiers(TiersQuery.parse({}))],
      ['cohorts', (e) => e.segments.cohorts(CohortsQuery.parse({}))],
      ['new vs returning', (e) => e.segments.newReturning(NewReturningQuery.parse({ from: '2025-09', to: '2026-06' }))],
      ['segment movement', (e) => e.segments.movement(MovementQuery.parse({}))],
    ];
  }

  async function someStaff(): Promise<{ sales: string; service: string }> {
    const reply = await fresh.staff.performance(StaffPerformanceQuery.parse({ period: '2026-06', snapshot: first.id }));
    return { sales: reply.sales![0].staff.staff_id, service: reply.service![0].staff.staff_id };
  }

  it('answers each call with the very same object the second time, equal to a fresh computation', async () => {
    for (const [name, call] of calls(await someStaff())) {
      const answer = await call(cached);
      expect(await call(cached), name).toBe(answer);
      const computed = await call(fresh);
      expect(answer, name).toEqual(computed);
      // the disabled cache really computes again: a new object, equal in value
      const again = await call(fresh);
      expect(again, name).not.toBe(computed);
      expect(again, name).toEqual(computed);
    }
  });

  it('gives a newly published snapshot new answers', async () => {
    const staffIds = await someStaff();
    const before = new Map<string, unknown>();
    for (const [name, call] of calls(staffIds)) before.set(name, await call(cached));

    const second = await publish('export-2', 3_000, '2026-06-30', 22);
    for (const [name, call] of calls(staffIds)) {
      const answer = await call(cached);
      expect((answer as { snapshot?: { id: string }; to?: { id: string } }).snapshot?.id ?? (answer as { to: { id: string } }).to.id, name).toBe(second.id);
      expect(answer, name).toEqual(await call(fresh));
      expect(answer, name).not.toEqual(before.get(name));
    }
    // the first snapshot asked by id still gets its own answers, from the cache
    const byId = RfmQuery.parse({ snapshot: first.id });
    expect(await cached.segments.rfm(byId)).toBe(before.get('RFM segments'));
  }, 120_000);

  it('gives new segment answers when the rule table is saved, even by another service on the same app database', async () => {
    const rfm = RfmQuery.parse({ snapshot: first.id });
    const champions = CustomersQuery.parse({ snapshot: first.id, segment: 'champions', pageSize: 500 });
    const movement = MovementQuery.parse({ snapshot: first.id });
    const before = { rfm: await cached.segments.rfm(rfm), champions: await cached.segments.customers(champions, { pii: false }), movement: await cached.segments.movement(movement) };

    // every customer with the top recency score is a champion, everyone else is lost
    const rules: SegmentRule[] = [
      { segment: 'champions', r: { min: 5, max: 5 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } },
      { segment: 'lost', r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } },
    ];
    await new SegmentService(queries, t.ctx.db).saveRules(rules, 'admin');

    const after = { rfm: await cached.segments.rfm(rfm), champions: await cached.segments.customers(champions, { pii: false }), movement: await cached.segments.movement(movement) };
    expect(after.rfm).toEqual(await fresh.segments.rfm(rfm));
    expect(after.champions).toEqual(await fresh.segments.customers(champions, { pii: false }));
    expect(after.movement).toEqual(await fresh.segments.movement(movement));
    expect(after.rfm.rules.source).toBe('custom');
    const count = (reply: RfmReply, segment: string) => reply.segments.find((s) => s.segment === segment)!.customers;
    expect(count(after.rfm, 'champions')).not.toBe(count(before.rfm, 'champions'));
    expect(after.champions.total).toBe(count(after.rfm, 'champions'));
    expect(after.champions.rows.every((row) => row.r === 5)).toBe(true);
    expect(after.movement.matrix).not.toEqual(before.movement.matrix);
  });

  it('never gives a user with pii and one without each other\'s customer rows', async () => {
    const url = `/api/segments/customers?snapshot=${first.id}&pageSize=30`;
    const query = CustomersQuery.parse({ snapshot: first.id, pageSize: 30 });
    const masked = json(await fresh.segments.customers(query, { pii: false })) as CustomersReply;
    const unmasked = json(await fresh.segments.customers(query, { pii: true })) as CustomersReply;
    // the two differ in their personal columns, so a shared entry would show
    expect(masked.rows.map((r) => r.name)).not.toEqual(unmasked.rows.map((r) => r.name));
    expect(masked.rows.some((r) => r.name?.includes('*'))).toBe(true);

    // alternating, so each user's call follows the other's and could hit its entry
    for (const role of ['analyst', 'admin', 'analyst', 'admin', 'executive'] as const) {
      const res = await injectAs(t, role, { method: 'GET', url });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json(), role).toEqual(role === 'admin' ? unmasked : masked);
    }
  });

  it('retries a call whose computation failed: a damaged file, then restored', async () => {
    const file = join(t.paths.snapshots, first.id, first.tables.orders!.file);
    const backup = join(root, 'orders.parquet');
    await copyFile(file, backup);
    await truncate(file, Math.floor((await stat(file)).size / 3));
    const query = StaffPerformanceQuery.parse({ period: '2026-04', snapshot: first.id });
    await expect(cached.staff.performance(query)).rejects.toThrow(/is damaged: table orders/);
    const tiers = TiersQuery.parse({ snapshot: first.id, days: 30 });
    await expect(cached.segments.tiers(tiers)).rejects.toThrow(/is damaged: table orders/);

    await copyFile(backup, file);
    expect(await cached.staff.performance(query)).toEqual(await fresh.staff.performance(query));
    expect(await cached.segments.tiers(tiers)).toEqual(await fresh.segments.tiers(tiers));
  });
});
