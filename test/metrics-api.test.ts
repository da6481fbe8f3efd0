// The KPI API and the `vigil kpi` command over a real generated snapshot: replies equal the
// engine's, every role can read them, bad parameters get a 400 naming the parameter, and the
// command's JSON has the documented shape.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../server/auth/roles.ts';
import { QueryEngine } from '../server/db/engine.ts';
import { BreakdownQuery, KpiQuery } from '../server/metrics/contract.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

const VIGIL = resolve(import.meta.dirname, '../server/vigil.js');

let root: string;
let t: TestApp;
let engine: KpiEngine;
let queries: QueryEngine;

beforeAll(async () => {
  root = await tempDir('metrics-api');
  await generateSample({ out: join(root, 'export'), orders: 30_000, months: 14, end: '2026-06-30', seed: 3 });
  await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots') });
  t = await makeTestApp(root);
  queries = await QueryEngine.create(join(root, 'snapshots'));
  engine = await KpiEngine.create(queries, { cache: false });
});

afterAll(async () => {
  queries?.close();
  await t?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('KPI API', () => {
  const get = (url: string, role: (typeof ROLES)[number] = 'executive') => injectAs(t, role, { method: 'GET', url });

  it('answers every route for every role, with what the engine answers', async () => {
    for (const role of ROLES) {
      const kpis = await get('/api/kpis?from=2026-06-01&to=2026-06-30&compare=previous,yoy&platform=tmall', role);
      expect(kpis.statusCode).toBe(200);
      expect(kpis.json()).toEqual(await engine.kpis(KpiQuery.parse({ from: '2026-06-01', to: '2026-06-30', compare: ['previous', 'yoy'], platform: ['tmall'] })));
      const series = await get('/api/kpis/series?kpis=gmv&grain=week&by=platform', role);
      expect(series.statusCode).toBe(200);
      expect(series.json().points.length).toBeGreaterThan(0);
      const breakdown = await get('/api/kpis/breakdown?by=product&kpis=gmv,units&limit=10', role);
      expect(breakdown.statusCode).toBe(200);
      expect(breakdown.json()).toEqual(await engine.breakdown(BreakdownQuery.parse({ by: 'product', kpis: ['gmv', 'units'], limit: 10 })));
      const catalog = await get('/api/kpis/catalog', role);
      expect(catalog.statusCode).toBe(200);
      expect(catalog.json().dimensions.platform).toContainEqual({ key: 'tmall', label: '天猫旗舰店' });
    }
  });

  it('takes repeated parameters as well as comma lists', async () => {
    const repeated = await get('/api/kpis?kpis=gmv&kpis=orders&platform=tmall&platform=jd');
    const listed = await get('/api/kpis?kpis=gmv,orders&platform=jd,tmall');
    expect(repeated.json()).toEqual(listed.json());
    expect(Object.keys(repeated.json().kpis)).toEqual(['gmv', 'orders']);
  });

  const refusals: [string, string, RegExp][] = [
    ['a month 13', '/api/kpis?from=2024-13-01', /^query parameter 'from': /],
    ['a date that is no date', '/api/kpis?to=yesterday', /^query parameter 'to': expected a date YYYY-MM-DD/],
    ['an unknown KPI', '/api/kpis?kpis=gmv,nope', /^query parameter 'kpis': unknown KPI 'nope'/],
    ['from after to', '/api/kpis?from=2026-06-10&to=2026-06-01', /^query parameter 'from': 2026-06-10 is after 'to'/],
    ['an unknown comparison', '/api/kpis?compare=lastweek', /^query parameter 'compare(\.0)?': /],
    ['an unknown grain', '/api/kpis/series?grain=hour', /^query parameter 'grain': /],
    ['a breakdown without a dimension', '/api/kpis/breakdown?kpis=gmv', /^query parameter 'by': /],
    ['an unknown dimension', '/api/kpis/breakdown?by=colour', /^query parameter 'by': /],
    ['a limit of zero', '/api/kpis/breakdown?by=region&limit=0', /^query parameter 'limit': /],
    ['a sort KPI not asked for', '/api/kpis/breakdown?by=region&kpis=gmv&sort=orders', /^query parameter 'sort': 'orders' is not one of the requested kpis/],
  ];
  for (const [what, url, message] of refusals) {
    it(`refuses ${what} with a 400 naming the parameter`, async () => {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(message);
    });
  }

  it('answers 404 for a snapshot that does not exist', async () => {
    const res = await get('/api/kpis?snapshot=20990101-000000000-ffff');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatch(/20990101-000000000-ffff/);
  });
});

describe('vigil kpi', () => {
  const vigil = (args: string[]) => spawnSync(process.execPath, [VIGIL, 'kpi', '--data', root, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('prints the KPIs as JSON: value, and numerator and denominator for rates', async () => {
    const res = vigil(['--from', '2026-06-01', '--to', '2026-06-30', '--platform', 'tmall', 'jd', '--json']);
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    const reply = await engine.kpis(KpiQuery.parse({ from: '2026-06-01', to: '2026-06-30', platform: ['tmall', 'jd'] }));
    expect(out).toEqual({ snapshot: reply.snapshot.id, from: '2026-06-01', to: '2026-06-30', kpis: reply.kpis });
    expect(Object.keys(out.kpis.gmv)).toEqual(['value']);
    expect(Object.keys(out.kpis.complaint_rate).sort()).toEqual(['denominator', 'numerator', 'value']);
  });

  it('prints one row per key with --by, and the comparisons with --compare', () => {
    const res = vigil(['--from', '2026-06-01', '--to', '2026-06-30', '--by', 'region', '--kpis', 'gmv', 'complaint_rate', '--compare', 'previous', '--json']);
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).not.toHaveProperty('kpis');
    expect(out.rows.length).toBeGreaterThan(5);
    for (const row of out.rows) {
      expect(Object.keys(row.kpis)).toEqual(['gmv', 'complaint_rate']);
      expect(row.kpis.gmv).toHaveProperty('previous');
    }
  });

  it('prints an aligned table with money, percentages and per mille', () => {
    const res = vigil(['--compare', 'yoy']);
    expect(res.status).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^snapshot \S+ \(as of 2026-06-30\), 2026-06-01 – 2026-06-30; yoy 2025-06-01 – 2025-06-30$/);
    const gmv = lines.find((l) => l.startsWith('GMV '))!;
    expect(gmv).toMatch(/\d{1,3}(,\d{3})+\.\d{2}/);
    expect(lines.find((l) => l.startsWith('Complaint rate'))).toMatch(/‰/);
    expect(lines.find((l) => l.startsWith('Refund rate'))).toMatch(/%/);
    // right-aligned: the value column ends at the same place on every row
    const end = lines[1].indexOf('value') + 'value'.length;
    for (const line of lines.slice(2)) expect(line[end - 1]).not.toBe(' ');
  });

  it('refuses a bad option with a message naming it', () => {
    const res = vigil(['--from', '2024-13-01']);
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toBe('vigil: --from: not a real date');
    const unknown = vigil(['--kpis', 'gmv', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe("vigil: --kpis: unknown KPI 'nope'");
  });
});
