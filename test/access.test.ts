import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { ROLES, type Access, type Role } from '../server/auth/roles.ts';
import { MissingAccessRule, installAccessControl, registeredApiRoutes } from '../server/http/access.ts';
import type { AppDb } from '../server/db/appdb.ts';
import { injectAs, makeTestApp, type TestApp } from './helpers/app.ts';

// The access contract, written independently of the route modules: adding a route without a row
// here fails the first test, and a changed rule fails the second.
const ALL: readonly Role[] = ROLES;
const EXPECTED: Record<string, Access> = {
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'signed_in',
  'GET /api/auth/me': 'signed_in',
  'GET /api/snapshots': ALL,
  'GET /api/snapshots/:id/quality': ALL,
  'GET /api/admin/users': ['admin'],
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
        if (res.statusCode !== 204) expect(res.headers['content-type']).toMatch(/json/);
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
