// Faults with real processes and real files: an ingest killed with SIGKILL at random points, a
// corrupted Parquet file in an older snapshot, the app-state database held by another process at
// start, the SMTP server down for the whole run, and a snapshot store the ingest may not write to.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmod, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../server/config.ts';
import { AppDb } from '../server/db/appdb.ts';
import type { OutboxMessage } from '../server/risk/contract.ts';
import { messageIdOf } from '../server/notify/transport.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { listSnapshots, type Manifest } from '../server/snapshots/store.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { freePort, parseMail, startSmtpPeer, type SmtpPeer } from './fixtures/smtpPeer.ts';
import { treeHashes } from './helpers/files.ts';

const VIGIL = resolve(import.meta.dirname, '../server/vigil.js');
const vigil = (args: string[], opts: SpawnSyncOptions = {}) =>
  spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8', timeout: 120_000, ...opts, env: { ...process.env, ...opts.env } });


/** What `vigil snapshots --verify` lists, each snapshot with its damaged tables. */
function listed(data: string): (Manifest & { damaged: string[] })[] {
  const res = vigil(['snapshots', '--json', '--verify', '--data', data]);
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout as string) as (Manifest & { damaged: string[] })[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('an ingest killed with SIGKILL', () => {
  let root: string;
  let data: string;
  let snapshots: string;

  beforeAll(async () => {
    root = await tempDir('faults-kill');
    data = join(root, 'data');
    snapshots = dataPaths(data).snapshots;
    // big enough that an ingest takes a few seconds, so kills land in reading, checking, writing and rollups
    await generateSample({ out: join(root, 'big'), orders: 30_000, months: 7, end: '2026-06-30', seed: 3 });
    await generateSample({ out: join(root, 'small'), orders: 2_000, months: 7, end: '2026-06-30', seed: 4 });
  }, 120_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Starts `vigil ingest big`, kills it when `killAt` resolves, and tells whether the kill landed before it exited. */
  async function ingestKilled(killAt: (stderr: () => string) => Promise<void>, env: NodeJS.ProcessEnv = {}): Promise<boolean> {
    const child = spawn(process.execPath, [VIGIL, 'ingest', join(root, 'big'), '--data', data], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    await Promise.race([killAt(() => stderr), exited]);
    child.kill('SIGKILL');
    const { code, signal } = await exited;
    if (signal === 'SIGKILL') return true;
    expect(code, stderr).toBe(0);
    return false;
  }

  it('keeps the previous snapshot newest and intact at every kill point, ignores and then clears the leftovers, and ingests next time', async () => {
    const started = performance.now();
    expect(vigil(['ingest', join(root, 'big'), '--data', data]).status).toBe(0);
    const duration = performance.now() - started;

    // one kill per fifth of a normal run (seeded, so a failure replays), and one during the publish itself
    const seed = Number(process.env.VIGIL_FAULT_SEED ?? 20261126);
    const fractions = fc.sample(fc.double({ min: 0, max: 1, noNaN: true }), { seed, numRuns: 4 }).map((f, k) => (k + f) / 5);
    const points: { label: string; killAt: (stderr: () => string) => Promise<void>; env?: NodeJS.ProcessEnv }[] = [
      ...fractions.map((f) => ({ label: `${Math.round(f * 100)}% of a run`, killAt: () => sleep(f * duration) })),
      {
        label: 'publish, every file written, before the rename',
        env: { VIGIL_TEST_PAUSE_BEFORE_PUBLISH: '60000' },
        killAt: async (stderr: () => string) => {
          while (!stderr().includes('paused before publishing')) await sleep(50);
        },
      },
    ];

    let interrupted = 0;
    for (const point of points) {
      const [previous] = await listSnapshots(snapshots);
      const previousFiles = await treeHashes(join(snapshots, previous.id));
      const wasKilled = await ingestKilled(point.killAt, point.env);

      const after = listed(data);
      // the previous snapshot is still the newest, unless the run got past its rename (then the new one is whole, checked below)
      const position = after.findIndex((m) => m.id === previous.id);
      if (point.env) expect(position, point.label).toBe(0);
      else if (!wasKilled) expect(position, point.label).toBe(1);
      else expect([0, 1], point.label).toContain(position);
      interrupted += Number(position === 0);
      expect(await treeHashes(join(snapshots, previous.id)), point.label).toEqual(previousFiles);
      // whatever is listed is whole, and every folder without a dot is listed
      for (const m of after) expect(m.damaged, `${point.label}: ${m.id}`).toEqual([]);
      for (const name of await readdir(snapshots)) {
        if (!name.startsWith('.')) expect(after.map((m) => m.id), `${point.label}: ${name}`).toContain(name);
      }
      if (point.env) expect((await readdir(snapshots)).some((n) => n.startsWith('.tmp-')), 'a staging folder was left by the kill').toBe(true);

      const next = vigil(['ingest', join(root, 'small'), '--data', data]);
      expect(next.status, `${point.label}: ${next.stderr}`).toBe(0);
      const published = await listSnapshots(snapshots);
      expect(published[0].id).not.toBe(previous.id);
      expect(published).toHaveLength(after.length + 1);
      expect((await readdir(snapshots)).filter((n) => n.startsWith('.')), `${point.label}: leftovers after the next ingest`).toEqual([]);
    }
    // the random points fall before 80% of a normal run, so on a machine slower or faster by a fair margin most still interrupt it
    expect(interrupted).toBeGreaterThanOrEqual(3);
  }, 300_000);
});

describe('a corrupted Parquet file in an older snapshot', () => {
  let root: string;
  let t: TestApp;
  let older: Manifest;
  let newer: Manifest;
  let rollup: string;

  beforeAll(async () => {
    root = await tempDir('faults-corrupt');
    await generateSample({ out: join(root, 'export'), orders: 3_000, months: 7, end: '2026-06-30', seed: 6 });
    older = (await ingest({ input: join(root, 'export'), snapshotsRoot: dataPaths(root).snapshots })).manifest;
    newer = (await ingest({ input: join(root, 'export'), snapshotsRoot: dataPaths(root).snapshots })).manifest;
    // a few bytes in the middle of the file overwritten, as a bad disk or a stray write would; the size stays
    const file = join(dataPaths(root).snapshots, older.id, older.tables.orders!.file);
    const handle = await open(file, 'r+');
    await handle.write(Buffer.from('garbage!'), 0, 8, Math.floor((await stat(file)).size / 2));
    await handle.close();
    // and one rollup cut short: the KPIs of a period may come from a rollup instead of the table
    rollup = (await readdir(join(dataPaths(root).snapshots, older.id, 'rollups'))).find((f) => f.endsWith('.parquet'))!;
    await truncate(join(dataPaths(root).snapshots, older.id, 'rollups', rollup), 100);
    t = await makeTestApp(root);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('answers a clear error naming the snapshot and the table, with no path or stack', async () => {
    for (const role of ['executive', 'analyst', 'admin'] as const) {
      for (const url of [`/api/kpis?snapshot=${older.id}`, `/api/staff/performance?period=2026-06&snapshot=${older.id}`]) {
        const res = await injectAs(t, role, { method: 'GET', url });
        expect(res.statusCode, `${role} ${url}`).toBeGreaterThanOrEqual(400);
        const { error } = res.json() as { error: string };
        expect(error).toContain(older.id);
        expect(error).toMatch(/damaged: table orders, rollups\//);
        expect(error).toContain(rollup);
        expect(error).not.toContain(root);
        expect(error).not.toMatch(/\n\s+at /);
      }
    }
  });

  it('still serves the newest snapshot', async () => {
    const res = await injectAs(t, 'executive', { method: 'GET', url: '/api/kpis' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain(newer.id);
    expect((await injectAs(t, 'executive', { method: 'GET', url: `/api/kpis?snapshot=${newer.id}` })).statusCode).toBe(200);
  });

  it('flags the damaged snapshot on the Data page API and in `vigil snapshots --verify`', async () => {
    const quality = await injectAs(t, 'executive', { method: 'GET', url: `/api/snapshots/${older.id}/quality` });
    expect(quality.statusCode).toBeGreaterThanOrEqual(400);
    expect(quality.json().error).toMatch(new RegExp(`${older.id} is damaged.*table orders`));
    expect((await injectAs(t, 'executive', { method: 'GET', url: `/api/snapshots/${newer.id}/quality` })).statusCode).toBe(200);

    const res = vigil(['snapshots', '--verify', '--data', root]);
    expect(res.status).toBe(1);
    const line = (id: string) => (res.stdout as string).split('\n').find((l) => l.startsWith(id));
    expect(line(older.id)).toMatch(new RegExp(`damaged: table orders, rollups/${rollup}$`));
    expect(line(newer.id)).toMatch(/ ok$/);
  });

  it('names the damage when a file of an already open snapshot is damaged later', async () => {
    const before = await injectAs(t, 'analyst', { method: 'GET', url: `/api/segments/customers?snapshot=${newer.id}` });
    expect(before.statusCode, before.body).toBe(200);
    const file = join(dataPaths(root).snapshots, newer.id, newer.tables.orders!.file);
    await truncate(file, Math.floor((await stat(file)).size / 3));
    const after = await injectAs(t, 'analyst', { method: 'GET', url: `/api/segments/customers?snapshot=${newer.id}&pageSize=40` });
    expect(after.statusCode).toBeGreaterThanOrEqual(400);
    expect(after.json().error).toMatch(new RegExp(`${newer.id} is damaged: table orders`));
    expect(after.json().error).not.toContain(root);
  });
});

it('refuses to start on an app-state database another process holds, at once and with one clear line', async () => {
  const dir = await tempDir('faults-locked');
  const db = await AppDb.open(dataPaths(dir).appDb);
  try {
    const res = vigil(['start', '--data', dir, '--port', '0', '--orders', '2000']);
    expect(res.status).not.toBe(0);
    expect((res.stderr as string).trim()).toMatch(/^vigil: the app-state database .*vigil\.duckdb is in use by another process/);
    expect((res.stderr as string).trim().split('\n')).toHaveLength(1);
    // it stopped before making sample data it could not have served
    expect(await readdir(dir)).toEqual(['vigil.duckdb']);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('SMTP unreachable for the whole run', () => {
  let root: string;
  let t: TestApp;
  let port: number;
  let peer: SmtpPeer | undefined;

  beforeAll(async () => {
    root = await tempDir('faults-smtp');
    await generateSample({ out: join(root, 'export'), orders: 5_000, months: 7, end: '2026-06-30', seed: 8 });
    await ingest({ input: join(root, 'export'), snapshotsRoot: dataPaths(root).snapshots });
    port = await freePort();
    const before = process.env.VIGIL_SMTP_URL;
    process.env.VIGIL_SMTP_URL = `smtp://127.0.0.1:${port}`;
    try {
      t = await makeTestApp(root);
    } finally {
      if (before === undefined) delete process.env.VIGIL_SMTP_URL;
      else process.env.VIGIL_SMTP_URL = before;
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await peer?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const outbox = async () => (await injectAs(t, 'admin', { method: 'GET', url: '/api/notify/outbox?limit=100' })).json().messages as OutboxMessage[];

  it('queues every alert and test email while the server is down and delivers each exactly once when it comes up', async () => {
    const indicator = {
      id: 'every_platform', name: 'Refunds on every platform', kpi: 'refund_rate', splitBy: 'platform', windowDays: 14,
      direction: 'higher_is_worse', warning: 0.0001, critical: 0.0002, clear: 0, owner: 'risk', recipients: ['ops@example.com'],
    };
    expect((await injectAs(t, 'analyst', { method: 'POST', url: '/api/risk/indicators', payload: indicator })).statusCode).toBe(201);
    const run = await injectAs(t, 'analyst', { method: 'POST', url: '/api/risk/evaluate', payload: { indicators: [indicator.id] } });
    expect(run.statusCode, run.body).toBe(200);
    const breaches = (run.json().transitions as { kind: string }[]).filter((x) => x.kind === 'breach');
    expect(breaches.length).toBeGreaterThanOrEqual(2);
    for (let k = 0; k < 2; k++) {
      expect((await injectAs(t, 'analyst', { method: 'POST', url: `/api/risk/indicators/${indicator.id}/test-email` })).statusCode).toBe(200);
    }

    // the server's own delivery loop, as startServer runs it, tries while nothing listens on the port
    t.ctx.outbox.start();
    let queued: OutboxMessage[] = [];
    for (let tries = 0; tries < 100; tries++) {
      queued = await outbox();
      if (queued.length && queued.every((m) => m.attempts > 0)) break;
      await sleep(100);
    }
    expect(queued.length).toBe(breaches.length + 2);
    for (const m of queued) expect(m).toMatchObject({ status: 'pending' });
    expect(queued.every((m) => m.attempts > 0)).toBe(true);

    peer = await startSmtpPeer(port);
    for (let tries = 0; tries < 120 && peer.received.length < queued.length; tries++) {
      t.ctx.outbox.wake();
      await sleep(250);
    }
    expect(await t.ctx.outbox.drain()).toBe(0);
    const ids = peer.received.map((raw) => parseMail(raw).headers.get('message-id'));
    expect(ids.sort()).toEqual(queued.map((m) => messageIdOf(m.key)).sort());
    for (const m of await outbox()) expect(m).toMatchObject({ status: 'sent', transport: 'smtp' });
  }, 120_000);
});

describe('a snapshot store the ingest may not write to', () => {
  let root: string;

  beforeAll(async () => {
    root = await tempDir('faults-readonly');
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('fails with a clear error, keeps the previous snapshot and the inputs, and ingests once writable again', async () => {
    const data = join(root, 'data');
    const snapshots = dataPaths(data).snapshots;
    await generateSample({ out: join(root, 'export'), orders: 2_000, months: 7, end: '2026-06-30', seed: 10 });
    expect(vigil(['ingest', join(root, 'export'), '--data', data]).status).toBe(0);
    const [previous] = await listSnapshots(snapshots);
    const previousFiles = await treeHashes(join(snapshots, previous.id));
    const inputs = await treeHashes(join(root, 'export'));

    // a read-only folder: root ignores its mode bits, so as root the ingest runs as nobody, for whom the kernel enforces them
    await chmod(root, 0o755);
    await chmod(snapshots, 0o555);
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const failed = vigil(['ingest', join(root, 'export'), '--data', data], asUser);
    expect(failed.status).not.toBe(0);
    expect((failed.stderr as string).trim()).toBe(
      `vigil: cannot write the snapshot into ${snapshots}: permission denied (EACCES); nothing was published and the previous snapshots are unchanged`,
    );
    expect(listed(data).map((m) => m.id)).toEqual([previous.id]);
    expect(await treeHashes(join(snapshots, previous.id))).toEqual(previousFiles);
    expect(await treeHashes(join(root, 'export'))).toEqual(inputs);

    await chmod(snapshots, 0o755);
    const next = vigil(['ingest', join(root, 'export'), '--data', data]);
    expect(next.status, next.stderr as string).toBe(0);
    expect(await listSnapshots(snapshots)).toHaveLength(2);
  }, 120_000);
});
