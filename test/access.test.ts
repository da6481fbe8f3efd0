import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { ROLES, type Access, type Role } from '../server/auth/roles.ts';
import { MissingAccessRule, installAccessControl, registeredApiRoutes } from '../server/http/access.ts';
import type { AppDb } from '../server/db/appdb.ts';
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

const SAMPLE_PARAMS: Record<string, string> = { id: '20260101-000000000-abcd' };

function concreteUrl(url: string): string {
  return url.replace(/:(\w+)/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x');
}

describe('access rules of /api routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
    await t.app.ready();
  });
  afterAll(async () => t.close());

  it('every registered route has a row in the access table, and every row a route', () => {
    const registered = registeredApiRoutes(t.app).map((r) => `${String(r.method)} ${r.url}`).sort();
    expect(registered).toEqual(Object.keys(EXPECTED).sort());
  });

  const callers: (Role | undefined)[] = [undefined, ...ROLES];
  for (const [route, access] of Object.entries(EXPECTED)) {
    for (const role of callers) {
      const allowed = access === 'public' || (role !== undefined && (access === 'signed_in' || access.includes(role)));
      it(`${route} as ${role ?? 'anonymous'} is ${allowed ? 'allowed' : 'refused'}`, async () => {
        const [method, url] = route.split(' ');
        const res = await injectAs(t, role, { method: method as 'GET', url: concreteUrl(url) });
        if (allowed) expect([401, 403]).not.toContain(res.statusCode);
        else expect(res.statusCode).toBe(role === undefined ? 401 : 403);
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
