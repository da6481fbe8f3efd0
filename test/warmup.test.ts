// The answer warm-up over a real ingested sample and the real app: after warmAnswers, every call the
// Overview, Customers and Staff pages make on load (bench/pages.ts), asked over HTTP as each demo
// user, is answered from a cache (the caches' miss counter does not move), and the warmed answers
// equal those of engines with the cache off. Also: a newer warm-up abandons an older one, and the
// risk monitor's publish watcher tells the warm-up the newest snapshot once.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageCalls } from '../bench/pages.ts';
import { DEMO_USERS } from '../server/auth/bootstrap.ts';
import { scopeOf } from '../server/http/routes/kpis.ts';
import { startAnswerWarmer, warmAnswers } from '../server/http/warmup.ts';
import { AnswerCache } from '../server/metrics/cache.ts';
import { BreakdownQuery, KpiQuery, SeriesQuery } from '../server/metrics/contract.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { LAST_EVALUATED_SETTING, startRiskMonitor } from '../server/risk/monitor.ts';
import { CohortsQuery, MovementQuery, NewReturningQuery, RfmQuery, TiersQuery } from '../server/segments/contract.ts';
import { SegmentService } from '../server/segments/service.ts';
import { StaffPerformanceQuery } from '../server/staff/contract.ts';
import { StaffEngine } from '../server/staff/engine.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { ingestedSample } from './helpers/sample.ts';

const WARMED_PAGES = ['Overview', 'Customers', 'Staff'];

let root: string;
let t: TestApp;
let snapshotId: string;
let asOf: string;
const logged: string[] = [];

beforeAll(async () => {
  root = await tempDir('warmup');
  ({ manifest: { id: snapshotId, asOf } } = await ingestedSample(root, { orders: 1500, months: 14, end: '2026-06-30', seed: 17 }, []));
  t = await makeTestApp(root);
});

afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

/** The engines' answer to a page call, computed with every cache off, for the user `scope`. */
function uncachedAnswer(engines: { kpis: KpiEngine; segments: SegmentService; staff: StaffEngine }, url: string, scope: string): Promise<unknown> | undefined {
  const [path, qs] = url.split('?');
  const q = Object.fromEntries(new URLSearchParams(qs ?? ''));
  const { kpis, segments, staff } = engines;
  const calls: Record<string, () => Promise<unknown>> = {
    '/api/kpis': () => kpis.kpis(KpiQuery.parse(q), scope),
    '/api/kpis/series': () => kpis.series(SeriesQuery.parse(q), scope),
    '/api/kpis/breakdown': () => kpis.breakdown(BreakdownQuery.parse(q), scope),
    '/api/kpis/catalog': () => kpis.catalog(undefined, scope),
    '/api/segments/rfm': () => segments.rfm(RfmQuery.parse(q)),
    '/api/segments/tiers': () => segments.tiers(TiersQuery.parse(q)),
    '/api/segments/new-returning': () => segments.newReturning(NewReturningQuery.parse(q)),
    '/api/segments/cohorts': () => segments.cohorts(CohortsQuery.parse(q)),
    '/api/segments/movement': () => segments.movement(MovementQuery.parse(q)),
    '/api/staff/performance': () => staff.performance(StaffPerformanceQuery.parse(q)),
  };
  return calls[path]?.();
}

describe('answer warm-up', () => {
  it('leaves every default call of the Overview, Customers and Staff pages answered from the cache, with the uncached answers', async () => {
    await warmAnswers(t.ctx, snapshotId, (m) => logged.push(m));
    const calls = pageCalls(asOf).filter((p) => WARMED_PAGES.includes(p.page)).flatMap((p) => p.calls);
    expect(calls.length).toBeGreaterThan(10);
    const engines = {
      kpis: await KpiEngine.create(t.ctx.engine, { cache: false }),
      segments: new SegmentService(t.ctx.engine, t.ctx.db, { cache: false }),
      staff: new StaffEngine(t.ctx.engine, { cache: false }),
    };
    const before = AnswerCache.totals();
    let cached = 0;
    for (const user of DEMO_USERS) {
      for (const call of calls) {
        const res = await injectAs(t, user.role, { method: 'GET', url: call.url });
        expect(res.statusCode, `${user.role} ${call.url}`).toBe(200);
        const uncached = uncachedAnswer(engines, call.url, scopeOf(user));
        if (!uncached) continue;
        cached++;
        expect(res.json(), `${user.role} ${call.url}`).toEqual(JSON.parse(JSON.stringify(await uncached)));
      }
    }
    const after = AnswerCache.totals();
    // every cached call a page makes found its answer: nothing was computed on a visit
    expect(after.misses - before.misses).toBe(0);
    expect(after.hits - before.hits).toBe(cached);
    // the counter does see a call the warm-up did not cover (a non-default limit)
    const res = await injectAs(t, 'admin', { method: 'GET', url: `/api/kpis/breakdown?kpis=gmv&by=region&limit=3` });
    expect(res.statusCode).toBe(200);
    expect(AnswerCache.totals().misses - after.misses).toBe(1);
  });

  it('logs one line per step and a closing line', () => {
    expect(logged.at(-1)).toMatch(new RegExp(`warm-up of snapshot ${snapshotId} done: \\d+ answers in \\d+ ms`));
    const steps = logged.filter((l) => l.startsWith(`warm-up ${snapshotId}: `));
    expect(steps.length).toBe(Number(/done: (\d+) answers/.exec(logged.at(-1)!)![1]));
    expect(steps.every((l) => / in \d+ ms$/.test(l))).toBe(true);
  });

  it('abandons a warm-up when a newer one is asked for', async () => {
    const lines: string[] = [];
    const warmer = startAnswerWarmer(t.ctx, (m) => lines.push(m));
    const first = warmer.warm(snapshotId);
    await warmer.warm(snapshotId);
    await first;
    expect(lines.filter((l) => l.includes('abandoned'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes(' done: '))).toHaveLength(1);
  });

  it('is told the newest snapshot by the publish watcher once, after its alert evaluation', async () => {
    await t.ctx.db.setSetting(LAST_EVALUATED_SETTING, 'an older snapshot');
    const told: { id: string; evaluated: Promise<string | undefined> }[] = [];
    const monitor = startRiskMonitor(t.ctx.evaluator, t.ctx.db, {
      snapshotsRoot: t.paths.snapshots, pollMs: 3_600_000, log: () => {},
      onNewest: (id) => told.push({ id, evaluated: t.ctx.db.getSetting(LAST_EVALUATED_SETTING) }),
    });
    await monitor.checkPublished();
    await monitor.checkPublished();
    await monitor.stop();
    expect(told.map((x) => x.id)).toEqual([snapshotId]);
    expect(await told[0].evaluated).toBe(snapshotId);
  });
});
