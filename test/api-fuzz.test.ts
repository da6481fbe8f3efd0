// Every registered /api route, as admin and as analyst, fed malformed and hostile requests:
// bodies that are not JSON, too large, of the wrong type, deeply nested or with huge strings;
// unknown and wrong-typed query parameters; generated path parameters; and known-good requests
// with one value replaced by a generated one, so that the fuzz also gets past validation. The
// server must answer each quickly with a 4xx JSON error naming the problem, or succeed: never 500.
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import type { HTTPMethods, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../server/auth/roles.ts';
import { registeredApiRoutes } from '../server/http/access.ts';
import { BODY_LIMIT } from '../server/http/errors.ts';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { ingestedSample } from './helpers/sample.ts';

const ROLES = ['admin', 'analyst'] as const;
/** A request unanswered this long counts as a hang. */
const ANSWER_WITHIN_MS = 20_000;
/** FUZZ_RUNS=100 searches deeper, locally; CI keeps the default. */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 6);

let root: string;
let t: TestApp;
let snapshotId: string;
const cookies = new Map<Role, Record<string, string>>();

beforeAll(async () => {
  root = await tempDir('api-fuzz');
  snapshotId = (await ingestedSample(root, { orders: 1000, months: 7, end: '2026-06-30', seed: 13 }, [])).manifest.id;
  t = await makeTestApp(root);
  for (const role of ROLES) cookies.set(role, await t.cookieFor(role));
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

interface Request {
  method: HTTPMethods;
  url: string;
  payload?: string;
  contentType?: string;
}

const describeRequest = (role: Role, r: Request) => `${role} ${r.method} ${r.url.slice(0, 200)} ${r.payload === undefined ? '' : `body ${r.payload.slice(0, 200)}`}`;

async function send(role: Role, r: Request): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { 'x-vigil-csrf': '1' };
  if (r.payload !== undefined) headers['content-type'] = r.contentType ?? 'application/json';
  const answer = t.app.inject({ method: r.method, url: r.url, payload: r.payload, cookies: cookies.get(role), headers });
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${ANSWER_WITHIN_MS} ms: ${describeRequest(role, r)}`)), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([answer, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(res: LightMyRequestResponse): unknown {
  try {
    return (JSON.parse(res.body) as { error?: unknown }).error;
  } catch {
    return undefined;
  }
}

/** Not a server failure: success, or a 4xx JSON reply with a message. */
function expectAnswered(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} -> ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) expect(errorMessage(res), `${what} -> ${res.body.slice(0, 300)}`).toEqual(expect.stringMatching(/\S/));
}

/** A refusal: 4xx with a JSON error message. */
function expectRefused(res: LightMyRequestResponse, what: string): void {
  expectAnswered(res, what);
  expect(res.statusCode, `${what} -> ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
}

const HUGE = 'x'.repeat(200_000);
const NASTY = ['', ' ', '..', '../../etc/passwd', '%', '%00', "'; DROP TABLE users; --", 'NaN', 'Infinity', '-1', '0', '1e309', '9'.repeat(40), '\u0000', '2025-02-30',
  '0000-00-00', '9999-12-31', 'null', 'true', '[]', '{}', '𝕍𝕚𝕘𝕚𝕝', '\u202e', 'a'.repeat(5000), 'R-001', 'gmv', 'platform'];
const text = fc.oneof(fc.constantFrom(...NASTY), fc.string(), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer().map(String), fc.double().map(String));
const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), text, fc.constant(HUGE));
/** Names the routes' schemas use, and some they do not. */
const PARAM_NAMES = ['kpis', 'by', 'from', 'to', 'days', 'limit', 'offset', 'page', 'pageSize', 'period', 'format', 'platform', 'snapshot', 'compare', 'q', 'sort',
  'status', 'username', 'id', 'indicators', 'window', 'segment', 'asOf', 'unknown_param'];
const queryString = fc
  .array(fc.tuple(fc.constantFrom(...PARAM_NAMES), text), { maxLength: 4 })
  .map((pairs) => new URLSearchParams(pairs).toString());

/** Nesting far deeper than any schema: the parser and validators must not overflow. */
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Requests that succeed (or get a domain refusal), to be spoiled one value at a time. */
const GOOD_QUERIES: Record<string, Record<string, string>> = {
  '/api/kpis': { kpis: 'gmv,orders,refund_rate' },
  '/api/kpis/series': { kpis: 'gmv' },
  '/api/kpis/breakdown': { kpis: 'gmv', by: 'platform' },
  '/api/segments/customers': { pageSize: '50', days: '365' },
  '/api/segments/customers.csv': { days: '365' },
  '/api/admin/audit': { limit: '100' },
  '/api/staff/performance': { period: '2026' },
  '/api/queries/history': { limit: '10' },
};
const GOOD_BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/auth/login': { username: 'nobody', password: 'wrong' },
  'POST /api/queries/run': { sql: 'SELECT 1 AS one' },
  'POST /api/queries/run/download': { sql: 'SELECT 1 AS one', format: 'csv' },
  'POST /api/queries': { name: 'Fuzz', visibility: 'private', sql: 'SELECT 1' },
  'POST /api/dashboards': { name: 'Fuzz board', visibility: 'private', tiles: [] },
  'POST /api/risk/risks': { title: 'Fuzz', category: 'market', owner: 'admin', inherentLikelihood: 2, inherentImpact: 2 },
  'POST /api/risk/indicators': {
    id: 'fuzz_refunds', name: 'Fuzz refunds', kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse', warning: 0.1, critical: 0.2, clear: 0.05,
    owner: 'risk', recipients: ['ops@example.com'],
  },
  'POST /api/risk/indicators/preview': { kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse', warning: 0.1, critical: 0.2, clear: 0.05 },
  'POST /api/queries/import': { text: 'name: x' },
  'POST /api/admin/users': { username: 'fuzzer', role: 'analyst', password: 'a long enough password 1' },
  'POST /api/account/tokens': { name: 'fuzz', readOnly: true },
};

function withPath(url: string, values: string[]): string {
  let k = 0;
  return url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[k++] ?? (name === 'id' && url.startsWith('/api/snapshots') ? snapshotId : 'x')));
}

const hasBody = (method: HTTPMethods) => method !== 'GET' && method !== 'DELETE';

interface ApiRoute {
  method: HTTPMethods;
  url: string;
}

function apiRoutes(): ApiRoute[] {
  const routes = registeredApiRoutes(t.app).flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({ method, url: r.url })));
  // signing out ends the session the rest of the sweep uses
  return routes.sort((a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'));
}

/** Malformed requests every route must refuse, whatever it does. */
function fixedRefusals(route: ApiRoute): Request[] {
  const url = withPath(route.url, []);
  if (!hasBody(route.method)) return [];
  return [
    { method: route.method, url, payload: '{"unterminated": ' },
    { method: route.method, url, payload: "{'single': 'quotes'}" },
    { method: route.method, url, payload: JSON.stringify({ big: 'y'.repeat(BODY_LIMIT) }) },
    { method: route.method, url, payload: 'sql=SELECT+1', contentType: 'application/x-www-form-urlencoded' },
    { method: route.method, url, payload: '\u0000\u0001binary', contentType: 'application/octet-stream' },
  ];
}

/** Hostile requests a route may refuse or (when it ignores what is wrong) serve, but never fail on. */
function hostile(route: ApiRoute): fc.Arbitrary<Request> {
  const params = [...route.url.matchAll(/:(\w+)/g)];
  const path = fc.array(text, { minLength: params.length, maxLength: params.length }).map((values) => withPath(route.url, values.map((v) => v || '%20')));
  const goodQuery = GOOD_QUERIES[route.url];
  const spoiledQuery = goodQuery
    ? fc.record({ key: fc.constantFrom(...Object.keys(goodQuery), 'unknown_param'), value: text }).map(({ key, value }) => new URLSearchParams({ ...goodQuery, [key]: value }).toString())
    : queryString;
  const query = fc.oneof(queryString, spoiledQuery);
  const goodBody = GOOD_BODIES[`${route.method} ${route.url}`];
  const bodies: fc.Arbitrary<string>[] = [
    jsonValue.map((v) => JSON.stringify(v)),
    fc.dictionary(fc.constantFrom(...PARAM_NAMES, 'name', 'sql', 'title'), jsonValue, { maxKeys: 4 }).map((v) => JSON.stringify(v)),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(deep(5_000), deepObject(5_000), JSON.stringify({ name: HUGE, sql: HUGE, title: HUGE })),
  ];
  if (goodBody) {
    bodies.push(fc.record({ key: fc.constantFrom(...Object.keys(goodBody), 'unknown_param'), value: jsonValue })
      .map(({ key, value }) => JSON.stringify({ ...goodBody, [key]: value })));
  }
  return fc.record({ path, query, body: fc.oneof(...bodies) }).map(({ path: p, query: q, body }) => ({
    method: route.method,
    url: q ? `${p}?${q}` : p,
    payload: hasBody(route.method) ? body : undefined,
  }));
}

describe('malformed and hostile API requests get a 4xx with a message, never a 500 or a hang', () => {
  it('has routes to try', () => {
    expect(apiRoutes().length).toBeGreaterThan(60);
  });

  for (const role of ROLES) {
    it(`as ${role}`, async () => {
      for (const route of apiRoutes()) {
        for (const request of fixedRefusals(route)) expectRefused(await send(role, request), describeRequest(role, request));
        await fc.assert(
          fc.asyncProperty(hostile(route), async (request) => {
            expectAnswered(await send(role, request), describeRequest(role, request));
          }),
          { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
        );
      }
    }, 600_000);
  }
});
