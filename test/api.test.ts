import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../server/snapshots/ingest.ts';
import { injectAs, makeTestApp, type TestApp } from './helpers/app.ts';

// Two real snapshots of the same small export, published by the real ingest.
describe('API: health, snapshots, quality', () => {
  let t: TestApp;
  let ids: string[];
  beforeAll(async () => {
    t = await makeTestApp();
    const first = await ingest({ input: 'test/fixtures/ingest/partial', snapshotsRoot: t.paths.snapshots });
    const second = await ingest({ input: 'test/fixtures/ingest/dirty', snapshotsRoot: t.paths.snapshots });
    ids = [first.manifest.id, second.manifest.id];
  });
  afterAll(async () => t.close());

  it('health names the newest snapshot without signing in', async () => {
    const res = await injectAs(t, undefined, { method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', snapshot: ids[1] });
  });

  it('lists snapshots newest first with the manifests on disk', async () => {
    const res = await injectAs(t, 'executive', { method: 'GET', url: '/api/snapshots' });
    expect(res.statusCode).toBe(200);
    const { snapshots } = res.json() as { snapshots: { id: string; tables: Record<string, { rows: number }> }[] };
    expect(snapshots.map((s) => s.id)).toEqual([ids[1], ids[0]]);
    for (const s of snapshots) {
      const onDisk = JSON.parse(await readFile(join(t.paths.snapshots, s.id, 'manifest.json'), 'utf8'));
      expect(s).toEqual(onDisk);
    }
  });

  it('returns the quality report of a snapshot, with read = accepted + rejected per table', async () => {
    const res = await injectAs(t, 'analyst', { method: 'GET', url: `/api/snapshots/${ids[1]}/quality` });
    expect(res.statusCode).toBe(200);
    const report = res.json() as { snapshotId: string; tables: { table: string; read: number; accepted: number; rejected: number }[] };
    expect(report.snapshotId).toBe(ids[1]);
    expect(report.tables.length).toBeGreaterThan(0);
    for (const table of report.tables) expect(table.read).toBe(table.accepted + table.rejected);
    expect(report.tables.some((table) => table.rejected > 0)).toBe(true);
  });

  it('answers 404 with a message for an unknown snapshot and 400 for a malformed id', async () => {
    const missing = await injectAs(t, 'executive', { method: 'GET', url: '/api/snapshots/20990101-000000000-ffff/quality' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/20990101-000000000-ffff/);
    const malformed = await injectAs(t, 'executive', { method: 'GET', url: '/api/snapshots/..%2F..%2Fetc/quality' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatch(/'id'/);
  });

  it('refuses anonymous callers with 401 and a role without access with 403', async () => {
    expect((await injectAs(t, undefined, { method: 'GET', url: '/api/snapshots' })).statusCode).toBe(401);
    expect((await injectAs(t, 'executive', { method: 'GET', url: '/api/admin/users' })).statusCode).toBe(403);
    expect((await injectAs(t, 'admin', { method: 'GET', url: '/api/admin/users' })).statusCode).toBe(200);
  });

  it('signs in, answers me, and signs out so the session no longer works', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigil-csrf': '1' }, payload: { username: 'exec', password: 'vigil-exec-demo' } });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies[0];
    expect(cookie).toMatchObject({ name: 'vigil_session', httpOnly: true, sameSite: 'Strict' });
    const cookies = { [cookie.name]: cookie.value };
    expect((await t.app.inject({ url: '/api/auth/me', cookies })).json().user.role).toBe('executive');
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies, headers: { 'x-vigil-csrf': '1' } })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/me', cookies })).statusCode).toBe(401);
  });

  it('gives the same message for a wrong password and an unknown user', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigil-csrf': '1' }, payload: { username: 'exec', password: 'nope-nope-nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigil-csrf': '1' }, payload: { username: 'nobody', password: 'nope-nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error).toBe(unknown.json().error);
  });
});
