// Load on the real server over loopback: 50 simulated users looping over the Overview, Customers,
// Staff and Risk pages' API calls while a second snapshot is ingested and published, then the
// capacity bound answering 503 at once beyond its queue. Speeds are printed, never asserted.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageCalls } from '../bench/pages.ts';
import { buildApp } from '../server/http/app.ts';
import { BUSY_MESSAGE, capacityFromEnv, DEFAULT_CAPACITY } from '../server/http/loadShed.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { listSnapshots, type Manifest } from '../server/snapshots/store.ts';
import { makeTestApp, tempDir } from './helpers/app.ts';
import { ingestedSample } from './helpers/sample.ts';

const USERS = 50;
const LOAD_MS = 30_000;
/** load before the publish starts, so that snapshot A is read under load too */
const BEFORE_PUBLISH_MS = 3_000;
/** load after the publish, so that requests started after it are seen */
const AFTER_PUBLISH_MS = 3_000;
const END = '2026-06-30';

type Json = Record<string, unknown>;

/** The snapshot ids a reply was computed from (segment movement names two, the others one). */
function snapshotIds(body: Json): string[] {
  const ids = ['snapshot', 'from', 'to'].map((k) => (body[k] as { id?: unknown } | undefined)?.id).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Every call's answer from a server that is doing nothing else, by URL. */
async function quietAnswers(root: string, urls: string[]): Promise<Map<string, Json>> {
  const t = await makeTestApp(root);
  try {
    const base = await listen(t.app);
    const cookie = cookieHeader(await t.cookieFor('admin'));
    const answers = new Map<string, Json>();
    for (const url of urls) {
      const res = await fetch(base + url, { headers: { cookie } });
      expect(res.status, url).toBe(200);
      answers.set(url, (await res.json()) as Json);
    }
    return answers;
  } finally {
    await t.close();
  }
}

describe('load', () => {
  let root: string;
  let a: Manifest;

  beforeAll(async () => {
    root = await tempDir('load');
    ({ manifest: a } = await ingestedSample(root, { orders: 2_000, months: 14, end: END, seed: 21 }, []));
  }, 120_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serves 50 users while a snapshot is published, each reply wholly from the old or the new snapshot', async () => {
    // B: other seed and size, same as-of date, so the pages ask both the same calls and get other numbers
    await generateSample({ out: join(root, 'sample-b'), orders: 3_000, months: 14, end: END, seed: 22 });
    const urls = [...new Set(pageCalls(a.asOf).filter((p) => ['Overview', 'Customers', 'Staff', 'Risk'].includes(p.page)).flatMap((p) => p.calls.map((c) => c.url)))];
    const quietA = await quietAnswers(root, urls);

    const t = await makeTestApp(root);
    let ingesting: Promise<void> | undefined;
    const seen = new Map<string, Map<string, Set<string>>>();
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const startedAfterPublish: string[] = [];
    let publishedAt = Infinity;
    let loadMs = 0;
    try {
      const base = await listen(t.app);
      const cookie = cookieHeader(await t.cookieFor('admin'));
      let stopped = false;

      const user = async (n: number) => {
        for (let i = n; !stopped; i++) {
          const url = urls[i % urls.length];
          const started = performance.now();
          const res = await fetch(base + url, { headers: { cookie } });
          const text = await res.text();
          latencies.push(performance.now() - started);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status !== 200) continue;
          const ids = snapshotIds(JSON.parse(text) as Json);
          // a reply is kept as text once per call and snapshot: 50 users repeat the same few answers
          const key = ids.join('+');
          if (!seen.has(url)) seen.set(url, new Map());
          const bySnapshot = seen.get(url)!;
          if (!bySnapshot.has(key)) bySnapshot.set(key, new Set());
          bySnapshot.get(key)!.add(text);
          if (started > publishedAt) startedAfterPublish.push(key);
        }
      };

      const began = performance.now();
      const users = Array.from({ length: USERS }, (_, n) => user(n));
      await sleep(BEFORE_PUBLISH_MS);
      ingesting = ingest({ input: join(root, 'sample-b'), snapshotsRoot: t.paths.snapshots }).then(() => {
        publishedAt = performance.now();
      });
      await Promise.all([sleep(LOAD_MS), ingesting.then(() => sleep(AFTER_PUBLISH_MS))]);
      stopped = true;
      await Promise.all(users);
      loadMs = performance.now() - began;
    } finally {
      await ingesting;
      await t.close();
    }

    const [newest] = await listSnapshots(join(root, 'snapshots'));
    const b = newest.id;
    expect(b).not.toBe(a.id);
    const quietB = await quietAnswers(root, urls);

    const sorted = latencies.sort((x, y) => x - y);
    console.log(`load: ${USERS} users, ${latencies.length} requests in ${(loadMs / 1000).toFixed(1)} s = ${Math.round(latencies.length / (loadMs / 1000))} requests/s; `
      + `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms; `
      + `statuses ${JSON.stringify(Object.fromEntries(statuses))}`);

    expect([...statuses.keys()]).toEqual([200]);
    const snapshotsSeen = new Set<string>();
    for (const url of urls) {
      const expectedIds = snapshotIds(quietA.get(url)!);
      const bySnapshot = seen.get(url);
      expect(bySnapshot, url).toBeDefined();
      for (const [key, texts] of bySnapshot!) {
        snapshotsSeen.add(key);
        // a call that reads a snapshot names exactly one, A or B; the others (risk register, rules) name none
        expect(key === '', `${url} answered from '${key}'`).toBe(expectedIds.length === 0);
        const quiet = key === b ? quietB : key === a.id || key === '' ? quietA : undefined;
        expect(quiet, `${url} answered from '${key}'`).toBeDefined();
        for (const text of texts) expect(isDeepStrictEqual(JSON.parse(text), quiet!.get(url)), `${url} from '${key}' equals its quiet answer`).toBe(true);
      }
    }
    expect(snapshotsSeen).toEqual(new Set([a.id, b, '']));
    // the check above tells mixed data apart only if the snapshots' answers differ: they do for every
    // call on the orders; the catalog (definitions, dimension values, date range) is the same for two samples of one period
    const withoutId = (body: Json, id: string) => JSON.stringify(body).replaceAll(id, 'id');
    const same = urls.filter((url) => snapshotIds(quietA.get(url)!).length > 0 && withoutId(quietA.get(url)!, a.id) === withoutId(quietB.get(url)!, b));
    expect(same).toEqual(['/api/kpis/catalog']);
    expect(startedAfterPublish.length).toBeGreaterThan(0);
    expect(new Set(startedAfterPublish.filter((key) => key !== ''))).toEqual(new Set([b]));
  }, 150_000);

  it('answers 503 with Retry-After at once beyond its capacity and queue, and every request gets an answer', async () => {
    const t = await makeTestApp(root);
    // a second app on the same data and sessions, with a capacity small enough to exceed
    const small = await buildApp(t.ctx, { webRoot: join(root, 'no-web'), capacity: { maxInFlight: 2, maxQueue: 2, queueTimeoutMs: 60_000 } });
    const shortWait = await buildApp(t.ctx, { webRoot: join(root, 'no-web'), capacity: { maxInFlight: 1, maxQueue: 1, queueTimeoutMs: 50 } });
    try {
      const cookie = cookieHeader(await t.cookieFor('analyst'));
      // a sandbox query that keeps DuckDB busy for a while: the slow call that fills the places
      const slow = (base: string) => fetch(`${base}/api/queries/run`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', 'x-vigil-csrf': '1' },
        body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM range(50000000) t(x) WHERE x % 7 = 3' }),
      });
      const order: { status: number; retryAfter: string | null; body: Json }[] = [];
      const record = async (res: Promise<Response>) => {
        const r = await res;
        order.push({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as Json });
      };

      const smallBase = await listen(small);
      const health = fetch(`${smallBase}/api/health`);
      await Promise.all([...Array.from({ length: 50 }, () => record(slow(smallBase))), health.then((r) => expect(r.status).toBe(200))]);
      expect(order).toHaveLength(50);
      const shed = order.filter((r) => r.status === 503);
      const served = order.filter((r) => r.status === 200);
      expect(order.map((r) => r.status).filter((s) => s !== 200 && s !== 503)).toEqual([]);
      // the two running and the two queued (their wait is long here) are served, the rest turned away
      expect(served.length).toBeGreaterThanOrEqual(4);
      expect(shed.length).toBeGreaterThan(0);
      for (const r of shed) {
        expect(r.retryAfter).toBe('1');
        expect(r.body.error).toBe(BUSY_MESSAGE);
      }
      expect(served.every((r) => r.body.rows !== undefined)).toBe(true);
      // turned away at once: every 503 arrived before the first slow call finished
      expect(order.findIndex((r) => r.status === 200)).toBe(shed.length);
      // every place was given back: more calls one after another than there are places all get in
      for (let i = 0; i < 5; i++) expect((await small.inject({ method: 'GET', url: '/api/risk/heatmap', headers: { cookie } })).statusCode).toBe(200);

      // a queued request whose wait runs out gets the 503 too, before the slow call ahead of it ends
      order.length = 0;
      const shortBase = await listen(shortWait);
      const first = record(slow(shortBase));
      await sleep(200);
      await Promise.all([first, record(slow(shortBase)), record(slow(shortBase))]);
      expect(order.map((r) => r.status)).toEqual([503, 503, 200]);
    } finally {
      await small.close();
      await shortWait.close();
      await t.close();
    }
  }, 120_000);

  it('takes its capacity from the environment and refuses a value that is not a whole number', () => {
    expect(capacityFromEnv({})).toEqual(DEFAULT_CAPACITY);
    expect(capacityFromEnv({ VIGIL_MAX_INFLIGHT: '8', VIGIL_MAX_QUEUE: '0', VIGIL_QUEUE_TIMEOUT_MS: '500' })).toEqual({ maxInFlight: 8, maxQueue: 0, queueTimeoutMs: 500 });
    expect(() => capacityFromEnv({ VIGIL_MAX_INFLIGHT: '0' })).toThrow("VIGIL_MAX_INFLIGHT must be a whole number of at least 1, got '0'");
    expect(() => capacityFromEnv({ VIGIL_QUEUE_TIMEOUT_MS: '2s' })).toThrow(/VIGIL_QUEUE_TIMEOUT_MS .* got '2s'/);
  });
});
