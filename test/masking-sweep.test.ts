// Every path customer data can leave the app by, swept for raw personal values as users without
// `pii`: every GET route of the API, the CSV exports, the SQL workbench with its CSV and Parquet
// downloads, a saved query and a dashboard tile, and every email written to the outbox. The raw
// values come straight from the snapshot's customers Parquet file, not from the app's SQL.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../server/auth/roles.ts';
import { all, openDuck } from '../server/db/duck.ts';
import { registeredApiRoutes } from '../server/http/access.ts';
import { personalColumns } from '../server/snapshots/schema.ts';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { ingestedSample, type RawRow } from './helpers/sample.ts';
import { parseMail } from './fixtures/smtpPeer.ts';

let root: string;
let t: TestApp;
let snapshotId: string;
let customers: RawRow[];
let staffIds: string[];
/** raw personal values that must never reach a user without `pii`, with the column each came from */
let secrets: Map<string, string>;
const ids: Record<string, string> = {};

/** One session per role: signing in hashes a password, too slow to repeat on every call. */
const sessions = new Map<Role, Promise<Record<string, string>>>();
async function call(role: Role, method: 'GET' | 'POST', url: string, payload?: object): Promise<LightMyRequestResponse> {
  if (!sessions.has(role)) sessions.set(role, t.cookieFor(role));
  return t.app.inject({ method, url, cookies: await sessions.get(role)!, headers: { 'x-vigil-csrf': '1' }, ...(payload ? { payload } : {}) });
}
async function ok(role: Role, method: 'GET' | 'POST', url: string, payload?: object): Promise<LightMyRequestResponse> {
  const res = await call(role, method, url, payload);
  expect(res.statusCode, `${role} ${method} ${url}: ${res.body.slice(0, 300)}`).toBeLessThan(300);
  return res;
}

/** A Parquet reply's rows as text, read back with DuckDB. */
async function parquetText(body: Buffer): Promise<string> {
  const file = join(root, `download-${Math.random().toString(36).slice(2)}.parquet`);
  await writeFile(file, body);
  const duck = await openDuck();
  const conn = await duck.connect();
  try {
    const rows = await all(conn, `SELECT * FROM read_parquet('${file}')`);
    return JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}

const SQL_ALL = 'SELECT * FROM customers';

beforeAll(async () => {
  root = await tempDir('masking-sweep');
  const sample = await ingestedSample(root, { orders: 1000, months: 7, end: '2026-06-30', seed: 5 }, ['customers', 'staff', 'products', 'promotions', 'platforms']);
  snapshotId = sample.manifest.id;
  customers = sample.rows.customers;
  staffIds = sample.rows.staff.map((s) => String(s.staff_id));
  // names other tables show openly are not secrets: staff member 魏刚华 holds customer 魏刚's whole name
  const publicNames = [...sample.rows.staff, ...sample.rows.products, ...sample.rows.promotions, ...sample.rows.platforms].map((r) => String(r.name));
  secrets = new Map();
  for (const column of personalColumns('customers')) {
    for (const row of customers) {
      const value = row[column];
      if (typeof value === 'string' && value.length >= 2 && !publicNames.some((n) => n.includes(value))) secrets.set(value, column);
    }
  }
  t = await makeTestApp(root);

  const query = await ok('admin', 'POST', '/api/queries', { name: 'All customers', visibility: 'everyone', sql: SQL_ALL });
  ids.query = query.json().id;
  const dashboard = await ok('admin', 'POST', '/api/dashboards', { name: 'Customers board', visibility: 'everyone', tiles: [{ queryId: ids.query, x: 0, y: 0, w: 6, h: 4 }] });
  ids.dashboard = dashboard.json().id;
  ids.tileQuery = dashboard.json().tiles[0].queryId;
  const risk = await ok('admin', 'POST', '/api/risk/risks', { title: 'Sweep', category: 'market', owner: 'admin', inherentLikelihood: 2, inherentImpact: 2 });
  ids.risk = risk.json().id;
  // thresholds low enough that the evaluation breaches and writes an alert email
  ids.indicator = 'sweep_refunds';
  await ok('admin', 'POST', '/api/risk/indicators', {
    id: ids.indicator, name: 'Sweep refunds', kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse', warning: 0.0001, critical: 0.0002, clear: 0.00005,
    owner: 'risk', recipients: ['ops@example.com'], splitBy: 'platform',
  });
  await ok('admin', 'POST', '/api/risk/evaluate', { indicators: [ids.indicator] });
  await ok('admin', 'POST', `/api/risk/indicators/${ids.indicator}/test-email`);
  await t.ctx.outbox.drain();
  const outbox = await ok('admin', 'GET', '/api/notify/outbox');
  const messages = (outbox.json() as { messages: { id: number }[] }).messages;
  expect(messages.length).toBeGreaterThanOrEqual(2);
  ids.message = String(messages[0].id);
}, 180_000);

afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

/** Path parameters of the GET routes, by route: a new route with parameters must be given its own here. */
const pathParams = (): Record<string, Record<string, string>> => ({
  '/api/dashboards/:id': { id: ids.dashboard },
  '/api/notify/outbox/:id': { id: ids.message },
  '/api/risk/indicators/:id': { id: ids.indicator },
  '/api/risk/indicators/:id/series': { id: ids.indicator },
  '/api/risk/risks/:id': { id: ids.risk },
  '/api/queries/:id': { id: ids.query },
  '/api/queries/:id/versions': { id: ids.query },
  '/api/queries/:id/export': { id: ids.query },
  '/api/queries/:id/download': { id: ids.query },
  '/api/snapshots/:id/quality': { id: snapshotId },
  '/api/staff/:id': { id: staffIds[0] },
});

/** Query strings the GET routes need to answer with data; the widest selections the schemas allow. */
const QUERY_STRINGS: Record<string, string> = {
  '/api/kpis': 'kpis=gmv,orders,refund_rate',
  '/api/kpis/series': 'kpis=gmv',
  '/api/kpis/breakdown': 'kpis=gmv&by=platform',
  '/api/segments/customers': 'pageSize=500&days=3660',
  '/api/segments/customers.csv': 'days=3660',
  '/api/admin/audit': 'limit=1000',
  '/api/staff/performance': 'period=2026',
  '/api/staff/:id': 'period=2026',
};

interface Swept {
  what: string;
  text: string;
}

/** Everything `role` can get: every GET route, the workbench, the saved query, the dashboard tile and the emails. */
async function sweep(role: Role): Promise<Swept[]> {
  const out: Swept[] = [];
  const params = pathParams();
  const gets = registeredApiRoutes(t.app).filter((r) => (Array.isArray(r.method) ? r.method : [r.method]).includes('GET'));
  expect(gets.length).toBeGreaterThan(30);
  const unanswered: string[] = [];
  for (const route of gets) {
    const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const values = params[route.url];
    if (names.length) expect(values, `no path parameters for ${route.url}: add them to the sweep`).toBeDefined();
    const path = names.reduce((url, name) => url.replace(`:${name}`, encodeURIComponent(values![name])), route.url);
    const url = QUERY_STRINGS[route.url] ? `${path}?${QUERY_STRINGS[route.url]}` : path;
    const res = await call(role, 'GET', url);
    // a route the role may not call is no leak; anything else must answer, or the sweep saw nothing
    if (res.statusCode !== 200 && res.statusCode !== 403) unanswered.push(`${res.statusCode} GET ${url}: ${res.body.slice(0, 200)}`);
    out.push({ what: `GET ${url}`, text: res.body });
  }
  expect(unanswered, role).toEqual([]);
  const parquetDownload = await call(role, 'GET', `/api/queries/${ids.query}/download?format=parquet`);
  out.push({ what: 'saved query Parquet download', text: parquetDownload.statusCode === 200 ? await parquetText(parquetDownload.rawPayload) : parquetDownload.body });

  if (role !== 'executive') {
    const runs = [
      SQL_ALL,
      'SELECT c.name AS n, upper(c.phone) AS p, c.address || \'\' AS a, o.* FROM customers c JOIN orders o USING (customer_id)',
      'SELECT string_agg(name, \',\') AS names, string_agg(phone, \',\') AS phones FROM customers',
    ];
    for (const sql of runs) out.push({ what: `run ${sql}`, text: (await ok(role, 'POST', '/api/queries/run', { sql })).body });
    out.push({ what: 'run CSV download', text: (await ok(role, 'POST', '/api/queries/run/download', { sql: SQL_ALL, format: 'csv' })).body });
    const parquet = await ok(role, 'POST', '/api/queries/run/download', { sql: SQL_ALL, format: 'parquet' });
    out.push({ what: 'run Parquet download', text: await parquetText(parquet.rawPayload) });
  }
  out.push({ what: 'saved query run', text: (await ok(role, 'POST', `/api/queries/${ids.query}/run`, {})).body });
  out.push({ what: 'dashboard tile run', text: (await ok(role, 'POST', `/api/queries/${ids.tileQuery}/run`, {})).body });

  for (const file of await readdir(t.paths.outbox)) {
    const mail = parseMail(await readFile(join(t.paths.outbox, file), 'utf8'));
    out.push({ what: `email ${file}`, text: [mail.headers.get('subject'), mail.text, mail.html].join('\n') });
  }
  return out;
}

function leaks(swept: Swept[]): string[] {
  const found: string[] = [];
  for (const { what, text } of swept) {
    for (const [value, column] of secrets) if (text.includes(value)) found.push(`${what}: ${column} ${value}`);
  }
  return found;
}

describe('personal data leaves the app masked for users without pii', () => {
  it('has raw values to look for', () => {
    expect(secrets.size).toBeGreaterThan(customers.length);
    expect([...secrets.values()]).toEqual(expect.arrayContaining(['name', 'phone', 'address']));
  });

  for (const role of ['analyst', 'executive'] as const) {
    it(`no raw name, phone or address reaches ${role}`, async () => {
      const swept = await sweep(role);
      expect(leaks(swept)).toEqual([]);
      // the sweep did see customers, masked: 138****5678
      const list = swept.find((s) => s.what.startsWith('GET /api/segments/customers?'))!;
      expect(list.text).toMatch(/"\d{3}\*{4}\d{4}"/);
      expect(swept.filter((s) => s.what.startsWith('email ')).length).toBeGreaterThanOrEqual(2);
    }, 180_000);
  }

  it('shows the admin (pii) the raw values', async () => {
    const list = await ok('admin', 'GET', `/api/segments/customers?${QUERY_STRINGS['/api/segments/customers']}`);
    const run = await ok('admin', 'POST', '/api/queries/run', { sql: SQL_ALL });
    expect(leaks([{ what: 'list', text: list.body }]).length).toBeGreaterThan(0);
    const phones = customers.map((c) => c.phone).filter((p): p is string => typeof p === 'string');
    expect(phones.some((p) => run.body.includes(p))).toBe(true);
  });
});
