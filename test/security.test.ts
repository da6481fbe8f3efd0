// Security headers, body limits, error redaction and the audit rows of created records, against a
// real server over a real snapshot with the built web app.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../server/auth/bootstrap.ts';
import type { Role } from '../server/auth/roles.ts';
import { buildWebIfStale } from '../server/cli/web-build.ts';
import { buildApp } from '../server/http/app.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { ingestedSample } from './helpers/sample.ts';

const WEB_ROOT = resolve('build');
const CSRF = { 'x-vigil-csrf': '1' };

let root: string;
let t: TestApp;

beforeAll(async () => {
  await buildWebIfStale();
  root = await tempDir('security');
  await ingestedSample(root, { orders: 1000, months: 7, end: '2026-06-30', seed: 11 }, []);
  t = await makeTestApp(root, { webRoot: WEB_ROOT });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

/** The directives of a CSP header, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]));
}

describe('security headers', () => {
  const expectHardened = (headers: Record<string, unknown>, what: string) => {
    expect(headers['x-content-type-options'], what).toBe('nosniff');
    expect(headers['x-frame-options'], what).toBe('DENY');
    expect(headers['referrer-policy'], what).toBe('same-origin');
    expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
    expect(String(headers['permissions-policy']), what).toMatch(/camera=\(\).*microphone=\(\).*geolocation=\(\)/);
    const csp = directives(String(headers['content-security-policy']));
    expect(csp.get('default-src'), what).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
    expect(csp.get('object-src'), what).toEqual(["'none'"]);
    expect(csp.get('script-src'), what).not.toContain("'unsafe-inline'");
    expect(csp.get('script-src'), what).not.toContain("'unsafe-eval'");
    expect(csp.get('connect-src'), what).toEqual(["'self'"]);
  };

  it('are on API replies, refusals, the page shell, client-side routes and static assets', async () => {
    const index = await readFile(join(WEB_ROOT, 'index.html'), 'utf8');
    const asset = /href="(\/_app\/immutable\/[^"]+\.js)"/.exec(index)![1];
    const replies = {
      api: await injectAs(t, 'analyst', { method: 'GET', url: '/api/snapshots' }),
      refused: await t.app.inject({ method: 'GET', url: '/api/snapshots' }),
      unknownApi: await t.app.inject({ method: 'GET', url: '/api/nothing-here' }),
      shell: await t.app.inject({ method: 'GET', url: '/' }),
      clientRoute: await t.app.inject({ method: 'GET', url: '/risk/indicators' }),
      asset: await t.app.inject({ method: 'GET', url: asset }),
      favicon: await t.app.inject({ method: 'GET', url: '/favicon.svg' }),
    };
    expect(replies.api.statusCode).toBe(200);
    expect(replies.refused.statusCode).toBe(401);
    expect(replies.unknownApi.statusCode).toBe(404);
    expect(replies.shell.statusCode).toBe(200);
    expect(replies.clientRoute.body).toBe(replies.shell.body);
    expect(replies.asset.statusCode).toBe(200);
    expect(replies.favicon.statusCode).toBe(200);
    for (const [what, res] of Object.entries(replies)) expectHardened(res.headers, what);
  });

  it("allow exactly the built shell's inline bootstrap script, by its hash", async () => {
    const index = await readFile(join(WEB_ROOT, 'index.html'), 'utf8');
    // located by hand rather than with the server's pattern, so a mismatch in either shows
    const open = index.indexOf('<script>');
    expect(open, 'SvelteKit inlines its start-up script in the shell').toBeGreaterThan(-1);
    const body = index.slice(open + '<script>'.length, index.indexOf('</script>', open));
    expect(body).toContain('kit.start');
    const hash = `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(directives(String(res.headers['content-security-policy'])).get('script-src')).toEqual(["'self'", hash]);
  });
});

describe('request bodies', () => {
  it('refuses a body over the route limit with 413 and says the limit', async () => {
    const filler = 'x'.repeat(20 * 1024);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: CSRF, payload: { username: 'admin', password: filler } });
    expect(login.statusCode).toBe(413);
    expect(login.json()).toEqual({ error: 'request body too large (limit 16 KB)', statusCode: 413 });

    // 20 KB is fine where bodies carry SQL; past the global 1 MB it is not
    const saved = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries', payload: { name: 'big', sql: `SELECT 1 -- ${filler}` } });
    expect(saved.statusCode, saved.body).toBe(200);
    const huge = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries', payload: { name: 'huge', sql: `SELECT 1 -- ${'x'.repeat(1024 * 1024)}` } });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toBe('request body too large (limit 1 MB)');
  });

  it('answers malformed JSON with 400 and a foreign content type with 415, never 500', async () => {
    const cookies = await t.cookieFor('analyst');
    const send = (contentType: string, payload: string) =>
      t.app.inject({ method: 'POST', url: '/api/queries', cookies, headers: { ...CSRF, 'content-type': contentType }, payload });

    const broken = await send('application/json', '{"name": "x", "sql": ');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toBe('request body is not valid JSON');
    const empty = await send('application/json', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toMatch(/empty/);

    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await send(type, 'name=x&sql=SELECT+1');
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error, type).toBe(`unsupported content type '${type}': send application/json`);
    }
  });
});

describe('audit of created records', () => {
  async function auditRows(where = 'TRUE', params: Record<string, string> = {}) {
    return t.ctx.db.all(`SELECT username, kind, action, target, outcome, detail FROM audit_log WHERE ${where} ORDER BY id`, params);
  }
  /** The hook writes after the reply: wait for the row of `action` (optionally with `target`). */
  async function rowOf(action: string, target?: string) {
    for (let i = 0; i < 200; i++) {
      const rows = await auditRows('action = $action', { action });
      const found = rows.filter((r) => target === undefined || r.target === target).at(-1);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no audit row for ${action} ${target ?? ''}`);
  }

  it('records the id of a created risk, saved query and indicator as the target', async () => {
    const risk = await injectAs(t, 'admin', { method: 'POST', url: '/api/risk/risks', payload: { title: 'Audit target', category: 'market', owner: 'admin', inherentLikelihood: 2, inherentImpact: 2 } });
    expect(risk.statusCode, risk.body).toBe(201);
    expect(await rowOf('POST /api/risk/risks', risk.json().id)).toMatchObject({ kind: 'write', outcome: 'ok' });

    const query = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries', payload: { name: 'Audit target', sql: 'SELECT 1 AS one' } });
    expect(query.statusCode, query.body).toBe(200);
    expect(await rowOf('POST /api/queries', query.json().id)).toMatchObject({ kind: 'write', username: 'analyst' });

    const indicator = { id: 'audit_target', name: 'Audit target', kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse', warning: 0.5, critical: 0.9, clear: 0.4, owner: 'risk' };
    const created = await injectAs(t, 'analyst', { method: 'POST', url: '/api/risk/indicators', payload: indicator });
    expect(created.statusCode, created.body).toBe(201);
    expect(await rowOf('POST /api/risk/indicators', 'audit_target')).toMatchObject({ kind: 'write', outcome: 'ok' });
  });

  it('records the API token a write came with, and never a token secret or a password', async () => {
    const admin = DEMO_USERS.find((u) => u.role === 'admin')!;
    const made = await injectAs(t, 'analyst', { method: 'POST', url: '/api/account/tokens', payload: { name: 'script', role: 'analyst', readOnly: false } });
    expect(made.statusCode, made.body).toBe(201);
    const { token: secret, info } = made.json() as { token: string; info: { id: string } };
    expect(await rowOf('POST /api/account/tokens', info.id)).toMatchObject({ kind: 'write', username: 'analyst' });

    const viaToken = await t.app.inject({ method: 'POST', url: '/api/queries', headers: { authorization: `Bearer ${secret}` }, payload: { name: 'by script', sql: 'SELECT 2 AS two' } });
    expect(viaToken.statusCode, viaToken.body).toBe(200);
    const row = await rowOf('POST /api/queries', viaToken.json().id);
    expect(JSON.parse(String(row.detail))).toEqual({ token: info.id });

    const run = await t.app.inject({ method: 'POST', url: '/api/queries/run', headers: { authorization: `Bearer ${secret}` }, payload: { sql: 'SELECT 3 AS three' } });
    expect(run.statusCode, run.body).toBe(200);
    const runRow = await t.ctx.db.one<{ detail: string }>("SELECT detail FROM audit_log WHERE kind = 'query' AND username = 'analyst' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(runRow?.detail))).toMatchObject({ sql: 'SELECT 3 AS three', token: info.id });

    // an invite, then the invited user choosing a password: a sign-in by the new user
    const password = 'Correct-Horse-Battery-41';
    const invited = await injectAs(t, 'admin', { method: 'POST', url: '/api/admin/users', payload: { username: 'newcomer', displayName: 'New Comer', role: 'analyst' } });
    expect(invited.statusCode, invited.body).toBeLessThan(300);
    expect(await rowOf('POST /api/admin/users', 'newcomer')).toMatchObject({ kind: 'write', username: admin.username });
    const link = String(invited.json().setup.url);
    const setupToken = /[A-Za-z0-9_-]{40,}/.exec(link)![0];
    const setup = await t.app.inject({ method: 'POST', url: '/api/auth/setup', headers: CSRF, payload: { token: setupToken, password } });
    expect(setup.statusCode, setup.body).toBe(200);
    expect(await rowOf('setup')).toMatchObject({ kind: 'sign_in', username: 'newcomer', outcome: 'ok' });

    const failed = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: CSRF, payload: { username: admin.username, password: `${password}-wrong` } });
    expect(failed.statusCode).toBe(401);
    await rowOf('login');

    const dump = JSON.stringify(await t.ctx.db.all('SELECT * FROM audit_log'));
    for (const secretText of [secret, setupToken, password, `${password}-wrong`, admin.password]) expect(dump).not.toContain(secretText);
  });
});

describe('workbench errors stay visible', () => {
  it("shows the analyst DuckDB's reason for their own statement", async () => {
    const res = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries/run', payload: { sql: 'SELECT no_such_column FROM customers' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'sql_error', error: expect.stringContaining('no_such_column') });
  });
});

// last: it drops an app table
describe('error redaction', () => {
  /** A second app on the same data whose log is kept, to find the reference a user reports. */
  let logged: FastifyInstance;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
    logged = await buildApp(t.ctx, { logger: { level: 'error', stream: sink }, webRoot: WEB_ROOT });
    // a table the app expects gone: a failure inside DuckDB whose message carries SQL, as a real bug's would
    // (a damaged snapshot file no longer serves, being refused with a clear message of its own)
    await t.ctx.db.run('DROP TABLE dashboards');
  });

  afterAll(async () => {
    await logged?.close();
  });

  async function dashboardsAs(role: Role) {
    const cookies = await t.cookieFor(role);
    return logged.inject({ method: 'GET', url: '/api/dashboards', cookies });
  }

  it('shows non-admins only a reference, admins the message without a stack, and logs the error under that reference', async () => {
    for (const role of ['executive', 'analyst'] as const) {
      const res = await dashboardsAs(role);
      expect(res.statusCode, role).toBe(500);
      const reply = res.json();
      expect(reply).toEqual({ error: `internal error (ref ${reply.ref})`, ref: expect.stringMatching(/^[0-9A-F]{8}$/), statusCode: 500 });
      expect(res.body).not.toMatch(/SELECT|dashboards|Catalog|\/tmp| at \S+ \(/i);
    }

    const admin = await dashboardsAs('admin');
    expect(admin.statusCode).toBe(500);
    const reply = admin.json();
    expect(reply.ref).toMatch(/^[0-9A-F]{8}$/);
    expect(reply.error.endsWith(` (ref ${reply.ref})`)).toBe(true);
    expect(reply.error).toMatch(/dashboards/);
    expect(admin.body).not.toMatch(/\n\s+at /);

    const entry = logLines.map((l) => JSON.parse(l)).find((l) => l.ref === reply.ref);
    expect(entry?.err?.message, 'the log keeps the whole error').toMatch(/dashboards/);
    expect(entry?.err?.stack).toBeTruthy();
  });
});
