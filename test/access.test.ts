import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { ROLES, type Access, type Role } from '../server/auth/roles.ts';
import { MissingAccessRule, installAccessControl, registeredApiRoutes } from '../server/http/access.ts';
import type { AppDb } from '../server/db/appdb.ts';
import { createToken, revokeToken } from '../server/auth/tokens.ts';
import { findUser } from '../server/auth/users.ts';
import { injectAs, makeTestApp, type TestApp } from './helpers/app.ts';

// The access contract, written independently of the route modules: adding a route without a row
// here fails the first test, and a changed rule fails the second.
const ALL: readonly Role[] = ROLES;
// analysts and above run SQL, save queries and dashboards, write indicators and handle alerts; risks are edited by their owners (checked in the domain) and admins
const WRITERS: readonly Role[] = ['analyst', 'risk_owner', 'admin'];
const RISK_EDITORS: readonly Role[] = ['risk_owner', 'admin'];
const EXPECTED: Record<string, Access> = {
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'signed_in',
  'GET /api/auth/me': 'signed_in',
  'GET /api/snapshots': ALL,
  'GET /api/snapshots/:id/quality': ALL,
  'GET /api/admin/users': ['admin'],
  'POST /api/admin/users': ['admin'],
  'PATCH /api/admin/users/:username': ['admin'],
  'POST /api/admin/users/:username/reset': ['admin'],
  'GET /api/admin/sessions': ['admin'],
  'DELETE /api/admin/sessions/:id': ['admin'],
  'GET /api/admin/tokens': ['admin'],
  'DELETE /api/admin/tokens/:id': ['admin'],
  'POST /api/auth/setup': 'public',
  'POST /api/account/password': 'signed_in',
  'GET /api/account/sessions': 'signed_in',
  'DELETE /api/account/sessions/:id': 'signed_in',
  'GET /api/account/tokens': 'signed_in',
  'POST /api/account/tokens': 'signed_in',
  'DELETE /api/account/tokens/:id': 'signed_in',
  'GET /api/admin/audit': ['admin'],
  'GET /api/admin/audit.csv': ['admin'],
  'GET /api/kpis': ALL,
  'GET /api/kpis/series': ALL,
  'GET /api/kpis/breakdown': ALL,
  'GET /api/kpis/catalog': ALL,
  'GET /api/staff/performance': ALL,
  'GET /api/staff/:id': ALL,
  'GET /api/segments/rfm': ALL,
  'GET /api/segments/rules': ALL,
  'PUT /api/segments/rules': ['admin'],
  'GET /api/segments/customers': ALL,
  'GET /api/segments/customers.csv': ALL,
  'GET /api/segments/cohorts': ALL,
  'GET /api/segments/tiers': ALL,
  'GET /api/segments/movement': ALL,
  'GET /api/segments/new-returning': ALL,
  'GET /api/risk/indicators': ALL,
  'GET /api/risk/indicators/:id': ALL,
  'POST /api/risk/indicators': WRITERS,
  'PUT /api/risk/indicators/:id': WRITERS,
  'DELETE /api/risk/indicators/:id': WRITERS,
  'POST /api/risk/indicators/preview': WRITERS,
  'GET /api/risk/indicators/:id/series': ALL,
  'POST /api/risk/indicators/:id/test-email': WRITERS,
  'GET /api/risk/evaluations': ALL,
  'POST /api/risk/evaluate': WRITERS,
  'GET /api/risk/alerts': ALL,
  'POST /api/risk/alerts/:id/acknowledge': WRITERS,
  'POST /api/risk/alerts/:id/snooze': WRITERS,
  'GET /api/risk/risks': ALL,
  'GET /api/risk/risks.csv': ALL,
  'POST /api/risk/risks': RISK_EDITORS,
  'GET /api/risk/risks/:id': ALL,
  'PATCH /api/risk/risks/:id': RISK_EDITORS,
  'POST /api/risk/risks/:id/actions': RISK_EDITORS,
  'PATCH /api/risk/risks/:id/actions/:actionId': RISK_EDITORS,
  'POST /api/risk/risks/:id/review': RISK_EDITORS,
  'POST /api/risk/risks/:id/notes': RISK_EDITORS,
  'GET /api/risk/heatmap': ALL,
  'GET /api/risk/matrix': ALL,
  'PUT /api/risk/matrix': ['admin'],
  'GET /api/notify/outbox': ALL,
  'GET /api/notify/outbox/:id': ALL,
  'POST /api/notify/outbox/:id/retry': ['admin'],
  'POST /api/queries/run': WRITERS,
  'POST /api/queries/run/download': WRITERS,
  'POST /api/queries/runs/:runId/cancel': WRITERS,
  'GET /api/queries/schema': WRITERS,
  'GET /api/queries/history': WRITERS,
  'GET /api/queries': ALL,
  'POST /api/queries': WRITERS,
  'GET /api/queries/:id': ALL,
  'PUT /api/queries/:id': WRITERS,
  'DELETE /api/queries/:id': WRITERS,
  'GET /api/queries/:id/versions': ALL,
  'POST /api/queries/:id/restore': WRITERS,
  'GET /api/queries/:id/export': ALL,
  'POST /api/queries/import': WRITERS,
  'POST /api/queries/:id/run': ALL,
  'GET /api/queries/:id/download': ALL,
  'GET /api/dashboards': ALL,
  'POST /api/dashboards': WRITERS,
  'GET /api/dashboards/:id': ALL,
  'PUT /api/dashboards/:id': WRITERS,
  'DELETE /api/dashboards/:id': WRITERS,
};

// Managing accounts, sessions and tokens needs a signed-in person: an API token is refused there
// whatever its role, so a leaked token cannot mint others or take over the account.
const ACCOUNT_MANAGEMENT = new Set([
  'GET /api/admin/users',
  'POST /api/admin/users',
  'PATCH /api/admin/users/:username',
  'POST /api/admin/users/:username/reset',
  'GET /api/admin/sessions',
  'DELETE /api/admin/sessions/:id',
  'GET /api/admin/tokens',
  'DELETE /api/admin/tokens/:id',
  'POST /api/account/password',
  'GET /api/account/sessions',
  'DELETE /api/account/sessions/:id',
  'GET /api/account/tokens',
  'POST /api/account/tokens',
  'DELETE /api/account/tokens/:id',
]);

const CSRF = { 'x-vigil-csrf': '1' };
const SAMPLE_PARAMS: Record<string, string> = { id: '20260101-000000000-abcd' };

function concreteUrl(url: string): string {
  return url.replace(/:(\w+)/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x');
}

type Caller =
  | { kind: 'anonymous' }
  | { kind: 'session'; role: Role }
  | { kind: 'token'; role: Role; readOnly: boolean }
  | { kind: 'revoked token' };

const CALLERS: Caller[] = [
  { kind: 'anonymous' },
  ...ROLES.map((role): Caller => ({ kind: 'session', role })),
  ...ROLES.map((role): Caller => ({ kind: 'token', role, readOnly: false })),
  { kind: 'token', role: 'admin', readOnly: true },
  { kind: 'revoked token' },
];

const callerName = (c: Caller): string =>
  c.kind === 'session' ? c.role : c.kind === 'token' ? `${c.readOnly ? 'read-only ' : ''}token of ${c.role}` : c.kind;

/** The status class a caller must get: allowed (neither 401 nor 403), or the refusal's status. */
function expectedOutcome(route: string, access: Access, caller: Caller): 'allowed' | 401 | 403 {
  const method = route.split(' ')[0];
  if (caller.kind === 'revoked token') return 401;
  if (caller.kind === 'token' && caller.readOnly && method !== 'GET') return 403;
  if (access === 'public') return 'allowed';
  if (caller.kind === 'anonymous') return 401;
  if (access !== 'signed_in' && !access.includes(caller.role)) return 403;
  if (caller.kind === 'token' && ACCOUNT_MANAGEMENT.has(route)) return 403;
  return 'allowed';
}

describe('access rules of /api routes', () => {
  let t: TestApp;
  /** bearer secrets by caller name, made once: by the admin, scoped down to each role */
  const secrets = new Map<string, string>();
  /** one session per role, since signing in (a memory-hard hash) is most of the table's time */
  const cookies = new Map<Role, Record<string, string>>();
  beforeAll(async () => {
    t = await makeTestApp();
    await t.app.ready();
    for (const role of ROLES) cookies.set(role, await t.cookieFor(role));
    const admin = (await findUser(t.ctx.db, 'admin'))!;
    for (const caller of CALLERS) {
      if (caller.kind === 'token') {
        const made = await createToken(t.ctx.db, admin, { name: callerName(caller), role: caller.role, readOnly: caller.readOnly, expiresInDays: 1 });
        secrets.set(callerName(caller), made.token);
      }
    }
    const revoked = await createToken(t.ctx.db, admin, { name: 'revoked', role: 'admin', readOnly: false, expiresInDays: null });
    await revokeToken(t.ctx.db, revoked.info.id);
    secrets.set('revoked token', revoked.token);
  });
  afterAll(async () => t.close());

  it('every registered route has a row in the access table, and every row a route', () => {
    const registered = registeredApiRoutes(t.app).map((r) => `${String(r.method)} ${r.url}`).sort();
    expect(registered).toEqual(Object.keys(EXPECTED).sort());
  });

  async function call(caller: Caller, route: string, url: string) {
    const opts = { method: route.split(' ')[0] as 'GET', url };
    if (caller.kind === 'anonymous') return injectAs(t, undefined, opts);
    if (caller.kind === 'session') {
      // signing out ends the session, so it gets one of its own
      const session = route === 'POST /api/auth/logout' ? await t.cookieFor(caller.role) : cookies.get(caller.role)!;
      return t.app.inject({ ...opts, cookies: session, headers: CSRF });
    }
    // no CSRF header: a bearer request does not need one
    return t.app.inject({ ...opts, headers: { authorization: `Bearer ${secrets.get(callerName(caller))}` } });
  }

  for (const [route, access] of Object.entries(EXPECTED)) {
    for (const caller of CALLERS) {
      const outcome = expectedOutcome(route, access, caller);
      it(`${route} as ${callerName(caller)} is ${outcome === 'allowed' ? 'allowed' : `refused (${outcome})`}`, async () => {
        const url = route.split(' ')[1];
        const res = await call(caller, route, concreteUrl(url));
        if (outcome === 'allowed') expect([401, 403]).not.toContain(res.statusCode);
        else expect(res.statusCode).toBe(outcome);
        if (res.statusCode !== 204) expect(res.headers['content-type']).toMatch(url.endsWith('.csv') && res.statusCode === 200 ? /text\/csv/ : /json/);
      });
    }
  }

  it('a route registered without an access rule is refused at start', async () => {
    const app = Fastify();
    installAccessControl(app, {} as AppDb);
    expect(() => app.get('/api/forgotten', async () => 'x')).toThrow(MissingAccessRule);
    await app.close();
  });

  it('a state-changing request without the CSRF header is refused', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'vigil-admin-demo' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/x-vigil-csrf/);
  });
});
