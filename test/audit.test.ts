import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditReply } from '../server/auth/auditContract.ts';
import { DEMO_USERS } from '../server/auth/bootstrap.ts';
import { registeredApiRoutes } from '../server/http/access.ts';
import { enqueueMessage } from '../server/notify/outbox.ts';
import { OutboxSender } from '../server/notify/sender.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { parseCsv } from './helpers/csv.ts';
import { ingestedSample, type RawRow } from './helpers/sample.ts';
import { breachMessage } from './fixtures/notifyData.ts';
import { freePort } from './fixtures/smtpPeer.ts';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin')!;
const ANALYST = DEMO_USERS.find((u) => u.role === 'analyst')!;
const CSRF = { 'x-vigil-csrf': '1' };

describe('audit log', () => {
  let root: string;
  let t: TestApp;
  let orders: RawRow[];
  /** one admin session for reading the log, so that reading adds no sign-in rows */
  let adminCookie: Record<string, string>;

  /** The admin's view of the log, through the API; `filters` are its query string. */
  async function audit(filters: Record<string, string> = {}): Promise<AuditReply> {
    const res = await t.app.inject({ method: 'GET', url: `/api/admin/audit?${new URLSearchParams(filters)}`, cookies: adminCookie });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AuditReply>();
  }
  /** The newest row of a kind and action (the hook writes after the reply, so the read waits until it is there). */
  async function newest(kind: string, action: string, match: (e: AuditEntry) => boolean = () => true): Promise<AuditEntry> {
    for (;;) {
      const found = (await audit({ kind, limit: '1000' })).entries.find((e) => e.action === action && match(e));
      if (found) return found;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  beforeAll(async () => {
    root = await tempDir('audit');
    ({ rows: { orders } } = await ingestedSample(root, { orders: 1000, months: 7, end: '2026-06-30', seed: 7 }, ['orders']));
    t = await makeTestApp(root);
    adminCookie = await t.cookieFor('admin');
  });

  afterAll(async () => {
    await t?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('records a sign-in with the source address and a failed one, never with the password', async () => {
    const wrong = 'not-the-password-123';
    const ok = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: CSRF, payload: { username: ANALYST.username, password: ANALYST.password }, remoteAddress: '10.1.2.3' });
    expect(ok.statusCode).toBe(200);
    const bad = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: CSRF, payload: { username: ANALYST.username, password: wrong }, remoteAddress: '10.9.8.7' });
    expect(bad.statusCode).toBe(401);

    const signIn = await newest('sign_in', 'login', (e) => e.source === '10.1.2.3');
    const failed = await newest('sign_in_failed', 'login', (e) => e.source === '10.9.8.7');
    expect(signIn).toMatchObject({ username: ANALYST.username, outcome: 'ok', status: 200 });
    expect(failed).toMatchObject({ username: ANALYST.username, outcome: 'refused', status: 401 });
    for (const row of [signIn, failed]) {
      expect(JSON.stringify(row)).not.toContain(wrong);
      expect(JSON.stringify(row)).not.toContain(ANALYST.password);
    }
  });

  it('records a write with its outcome and target, and a refused write as refused', async () => {
    const created = await injectAs(t, 'admin', { method: 'POST', url: '/api/risk/risks', payload: { title: 'audited', category: 'market', owner: 'admin', inherentLikelihood: 2, inherentImpact: 3 } });
    expect(created.statusCode).toBe(201);
    const write = await newest('write', 'POST /api/risk/risks');
    expect(write).toMatchObject({ username: ADMIN.username, outcome: 'ok', status: 201, source: '127.0.0.1' });

    const id = created.json<{ id: string }>().id;
    const patched = await injectAs(t, 'admin', { method: 'PATCH', url: `/api/risk/risks/${id}`, payload: { title: 'audited again' } });
    expect(patched.statusCode).toBe(200);
    expect(await newest('write', 'PATCH /api/risk/risks/:id')).toMatchObject({ target: id, outcome: 'ok' });

    const refused = await injectAs(t, 'executive', { method: 'POST', url: '/api/risk/risks', payload: { title: 'no', category: 'market', owner: 'exec', inherentLikelihood: 1, inherentImpact: 1 } });
    expect(refused.statusCode).toBe(403);
    expect(await newest('write', 'POST /api/risk/risks', (e) => e.username === 'exec')).toMatchObject({ status: 403, outcome: 'refused' });
  });

  it('records an ad-hoc query with its SQL, values, row count and duration', async () => {
    const platform = String(orders[0].platform_id);
    const expected = orders.filter((o) => String(o.platform_id) === platform).length;
    const sql = 'SELECT order_id FROM orders WHERE platform_id = $p';
    const res = await injectAs(t, 'analyst', {
      method: 'POST', url: '/api/queries/run',
      payload: { sql, params: [{ name: 'p', type: 'text' }], values: { p: platform }, runId: 'audit-run-0001' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const [row] = (await audit({ kind: 'query', username: ANALYST.username, q: 'audit-run-0001' })).entries;
    expect(row).toMatchObject({ action: 'run', target: 'audit-run-0001', outcome: 'ok', source: '127.0.0.1' });
    expect(row.detail).toMatchObject({ sql, values: { p: platform }, rowCount: expected, status: 'ok' });
    expect(typeof row.detail.elapsedMs).toBe('number');

    const broken = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries/run', payload: { sql: 'SELECT nope FROM orders', runId: 'audit-run-0002' } });
    expect(broken.statusCode).toBe(400);
    const [failed] = (await audit({ kind: 'query', q: 'audit-run-0002' })).entries;
    expect(failed).toMatchObject({ outcome: 'error', detail: { sql: 'SELECT nope FROM orders', rowCount: null, status: 'error' } });

    // a run refused by role never reaches the runner; the request itself is the record
    expect((await injectAs(t, 'executive', { method: 'POST', url: '/api/queries/run', payload: { sql } })).statusCode).toBe(403);
    expect(await newest('query', 'POST /api/queries/run')).toMatchObject({ username: 'exec', outcome: 'refused', status: 403 });
  });

  it('records an export with its filters', async () => {
    const res = await injectAs(t, 'analyst', { method: 'GET', url: '/api/risk/risks.csv?category=market' });
    expect(res.statusCode).toBe(200);
    expect(await newest('export', 'GET /api/risk/risks.csv')).toMatchObject({ username: ANALYST.username, outcome: 'ok', detail: { query: { category: 'market' } } });
  });

  it('records an email when sent (file transport) and when given up for good', async () => {
    const message = breachMessage(901);
    const { id } = await enqueueMessage(t.ctx.db, message);
    expect(await t.ctx.outbox.drain()).toBeGreaterThanOrEqual(1);
    const files = await readdir(t.paths.outbox);
    const [sent] = (await audit({ kind: 'email', q: message.subject })).entries.filter((e) => e.target === String(id));
    expect(sent).toMatchObject({ username: null, outcome: 'ok', action: 'send', detail: { recipients: message.recipients, subject: message.subject, transport: 'file' } });
    expect(files).toContain(String(sent.detail.file).split('/').pop());
    expect(await readFile(String(sent.detail.file), 'utf8')).toContain('Message-ID');

    // nothing listens on this port: one attempt, then the message is given up
    const dead = OutboxSender.create(t.ctx.db, { smtpUrl: `smtp://127.0.0.1:${await freePort()}`, outboxDir: t.paths.outbox, maxAttempts: 1 });
    const lost = await enqueueMessage(t.ctx.db, breachMessage(902));
    expect(await dead.drain()).toBe(0);
    await dead.stop();
    const [failed] = (await audit({ kind: 'email', outcome: 'error' })).entries.filter((e) => e.target === String(lost.id));
    expect(failed).toMatchObject({ outcome: 'error', detail: { recipients: breachMessage(902).recipients, transport: 'smtp', attempts: 1 } });
  });

  it('filters by kind, user, outcome, text and dates, pages newest first, and exports the same rows as CSV', async () => {
    // rows are written in request order, so once this one is there every earlier one is too
    await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: CSRF, payload: { username: 'barrier', password: 'x' } });
    await newest('sign_in_failed', 'login', (e) => e.username === 'barrier');
    const all = (await audit({ limit: '1000' })).entries;
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
    const { total } = await audit({ limit: '1000' });
    expect(total).toBe(all.length);

    const page = await audit({ limit: '2', offset: '1' });
    expect(page.entries.map((e) => e.id)).toEqual(all.slice(1, 3).map((e) => e.id));

    const writes = (await audit({ kind: 'write', username: ADMIN.username, limit: '1000' })).entries;
    expect(writes.map((e) => e.id)).toEqual(all.filter((e) => e.kind === 'write' && e.username === ADMIN.username).map((e) => e.id));
    const refused = (await audit({ outcome: 'refused', limit: '1000' })).entries;
    expect(refused.map((e) => e.id)).toEqual(all.filter((e) => e.outcome === 'refused').map((e) => e.id));
    const text = (await audit({ q: 'RISKS.CSV', limit: '1000' })).entries;
    expect(text.map((e) => e.id)).toEqual(all.filter((e) => `${e.action} ${e.target} ${JSON.stringify(e.detail)}`.toLowerCase().includes('risks.csv')).map((e) => e.id));

    // whole UTC days, both ends included: a range around now holds every row, one before or after none
    expect((await audit({ from: '2000-01-01', to: '2999-12-31', limit: '1000' })).total).toBe(all.length);
    expect((await audit({ to: '1999-12-31' })).total).toBe(0);
    expect((await audit({ from: '3000-01-01' })).total).toBe(0);

    const csv = await injectAs(t, 'admin', { method: 'GET', url: '/api/admin/audit.csv?kind=write' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, ...records] = parseCsv(csv.body);
    expect(header).toEqual(['id', 'at', 'username', 'source', 'kind', 'action', 'target', 'outcome', 'status', 'detail']);
    const writesNow = (await audit({ kind: 'write', limit: '1000' })).entries;
    expect(records.map((r) => Number(r[0]))).toEqual(writesNow.map((e) => e.id));
    expect(records.every((r) => r[4] === 'write')).toBe(true);
  });

  it('is for admins only', async () => {
    for (const role of ['executive', 'analyst', 'risk_owner'] as const) {
      expect((await injectAs(t, role, { method: 'GET', url: '/api/admin/audit' })).statusCode).toBe(403);
      expect((await injectAs(t, role, { method: 'GET', url: '/api/admin/audit.csv' })).statusCode).toBe(403);
    }
    expect((await injectAs(t, undefined, { method: 'GET', url: '/api/admin/audit' })).statusCode).toBe(401);
  });

  it('cannot be changed or deleted through the app', async () => {
    const auditRoutes = registeredApiRoutes(t.app).filter((r) => r.url.startsWith('/api/admin/audit'));
    expect(auditRoutes.map((r) => r.method).sort()).toEqual(['GET', 'GET']);
    for (const method of ['DELETE', 'PUT', 'PATCH', 'POST'] as const) {
      expect((await injectAs(t, 'admin', { method, url: '/api/admin/audit' })).statusCode).toBe(404);
    }

    // no server code issues UPDATE or DELETE on the table (nor drops or truncates it)
    const serverDir = join(import.meta.dirname, '..', 'server');
    const files = (await readdir(serverDir, { recursive: true })).filter((f) => /\.(ts|sql)$/.test(f));
    const offending: string[] = [];
    for (const file of files) {
      const text = (await readFile(join(serverDir, file), 'utf8')).replace(/\s+/g, ' ');
      if (/(UPDATE|DELETE FROM|TRUNCATE|DROP TABLE|ALTER TABLE) "?audit_log\b/i.test(text)) offending.push(file);
    }
    expect(files.length).toBeGreaterThan(50);
    expect(offending).toEqual([]);
  });
});
