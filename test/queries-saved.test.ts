// Saved queries, their `.sql` file format, the shipped queries, dashboards and query indicators,
// on a generated and ingested sample through the real API. Expected values are computed here in
// TypeScript from the snapshot's Parquet rows read with SELECT * (none of the product's SQL reused).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../server/auth/users.ts';
import { all, openDuck, type Row } from '../server/db/duck.ts';
import { SavedQueryInput, type Dashboard, type RunReply, type SavedQuery, type SavedQueryVersion } from '../server/queries/contract.ts';
import { format, parse, SqlFileError } from '../server/queries/sqlFile.ts';
import { IndicatorInput, type IndicatorSeriesReply } from '../server/risk/contract.ts';
import { measureSteps, QUERY_SHAPE, type MeasureDeps } from '../server/risk/measure.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { parseCsv } from './helpers/csv.ts';
import { ingestedSample, type RawRow } from './helpers/sample.ts';

type Raw = RawRow;

const DAY_MS = 86_400_000;
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const dayOf = (ts: unknown) => String(ts).slice(0, 10);
const valid = (o: Raw) => o.paid_at !== null && o.status !== 'cancelled';

/** The fields a saved query was given (what an export must carry). */
const inputOf = (q: SavedQuery | SavedQueryInput): SavedQueryInput =>
  SavedQueryInput.parse({ name: q.name, description: q.description, tags: q.tags, visibility: q.visibility, sql: q.sql, params: q.params, chart: q.chart });

const SHIPPED = ['file:complaint_reasons', 'file:gmv_by_platform_month', 'file:refund_rate_for_indicator', 'file:top_products'];

const ORDERS_IN_WINDOW = `SELECT count(*) AS value FROM orders
WHERE CAST(ordered_at AS DATE) BETWEEN $from AND $to`;

describe('saved queries, dashboards and query indicators', () => {
  let root: string;
  let t: TestApp;
  let asOf: string;
  let orders: Raw[];
  let platforms: Map<string, string>;
  let approvedRefund: Set<string>;
  let second: Record<string, string>;

  /** A request as one of the demo roles, or as the second analyst. */
  const call = async (who: 'admin' | 'executive' | 'analyst' | 'risk_owner' | 'analyst2', opts: InjectOptions) =>
    who === 'analyst2' ? t.app.inject({ ...opts, cookies: second, headers: { 'x-vigil-csrf': '1' } }) : injectAs(t, who, opts);

  const privateInput = SavedQueryInput.parse({
    name: 'Orders per status',
    description: 'How many orders are in each status.\nSecond line of the description.',
    tags: ['orders', 'ops'],
    sql: 'SELECT status, count(*) AS orders\nFROM orders\nGROUP BY status\nORDER BY status\n',
    chart: { type: 'pie', x: 'status', y: ['orders'] },
  });
  const everyoneInput = SavedQueryInput.parse({
    name: 'Orders in a window',
    visibility: 'everyone',
    sql: ORDERS_IN_WINDOW,
    params: [{ name: 'from', type: 'date', default: '2026-01-01' }, { name: 'to', type: 'date', default: '2026-01-31' }],
  });

  beforeAll(async () => {
    root = await tempDir('queries-saved');
    const sample = await ingestedSample(root, { orders: 20_000, months: 8, end: '2026-11-25', seed: 5 }, ['orders', 'platforms', 'refunds']);
    asOf = sample.manifest.asOf.slice(0, 10);
    orders = sample.rows.orders;
    platforms = new Map(sample.rows.platforms.map((p) => [String(p.platform_id), String(p.name)]));
    approvedRefund = new Set(sample.rows.refunds.filter((r) => r.status === 'approved').map((r) => String(r.order_id)));
    t = await makeTestApp(root);
    await createUser(t.ctx.db, { username: 'analyst2', displayName: 'Second Analyst', role: 'analyst', pii: false, password: 'second-analyst-password' });
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigil-csrf': '1' }, payload: { username: 'analyst2', password: 'second-analyst-password' } });
    expect(login.statusCode, login.body).toBe(200);
    second = { [login.cookies[0].name]: login.cookies[0].value };
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function create(input: SavedQueryInput, who: 'analyst' | 'analyst2' | 'admin' = 'analyst'): Promise<SavedQuery> {
    const res = await call(who, { method: 'POST', url: '/api/queries', payload: input });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  describe('the .sql file format', () => {
    it('round-trips: parse(format(x)) = x and format(parse(text)) = text', async () => {
      const rich = SavedQueryInput.parse({
        ...privateInput,
        description: '  indented first line\n\nafter an empty line',
        visibility: 'everyone',
        sql: '\n-- @not-a-header: after the blank line this is SQL\nSELECT $n AS n\n\n',
        params: [{ name: 'n', label: 'N', type: 'number', default: 3 }, { name: 'day', type: 'list', default: null, options: ['a', 'b'] }],
        chart: { type: 'bar', x: 'n', y: ['n'], series: null, stack: true, title: 'T' },
      });
      expect(parse(format(rich))).toEqual(rich);
      expect(parse(format(privateInput))).toEqual(privateInput);
      const shipped = await readFile(resolve(import.meta.dirname, '../queries/gmv_by_platform_month.sql'), 'utf8');
      expect(format(parse(shipped))).toBe(shipped);
    });

    it('names the line of a problem', () => {
      const lineOf = (text: string) => {
        try {
          parse(text);
        } catch (err) {
          expect(err).toBeInstanceOf(SqlFileError);
          return [(err as SqlFileError).line, (err as Error).message] as const;
        }
        throw new Error('parsed');
      };
      expect(lineOf('-- @name: x\n-- @tags: a\n-- @colour: red\n\nSELECT 1')).toEqual([3, expect.stringMatching(/^line 3: unknown header key '@colour'/)]);
      expect(lineOf('-- @name: x\n-- @param: {"name":"from",\n\nSELECT 1')).toEqual([2, expect.stringMatching(/^line 2: @param is not JSON/)]);
      expect(lineOf('-- @name: x\n-- @description: d\n-- @param: {"name":"from","type":"moment"}\n\nSELECT 1')).toEqual([3, expect.stringMatching(/^line 3: @param 'type'/)]);
      expect(lineOf('-- @name: x\n-- @chart: {"type":"bar","x":"a","y":[]}\n\nSELECT 1')).toEqual([2, expect.stringMatching(/^line 2: @chart 'y'/)]);
      expect(lineOf('-- @name: x\n-- @visibility: team\n\nSELECT 1')).toEqual([2, expect.stringMatching(/private or everyone/)]);
      expect(lineOf('-- @name: x\n-- @name: y\n\nSELECT 1')).toEqual([2, 'line 2: @name is given twice']);
      expect(lineOf('-- @description: no name\n\nSELECT 1')).toEqual([1, expect.stringMatching(/no '-- @name: …' line/)]);
      expect(lineOf('-- @name: x\n-- @tags: a\n\n  \n')).toEqual([4, 'line 4: no SQL after the header block']);
    });
  });

  describe('versions', () => {
    it('save, edit, restore: every version kept, with who and when', async () => {
      const v1 = await create(privateInput);
      expect(v1).toMatchObject({ id: expect.stringMatching(/^q-\d+$/), owner: 'analyst', version: 1, readonly: false, canEdit: true });
      expect(inputOf(v1)).toEqual(privateInput);

      const edited = { ...privateInput, name: 'Orders per status (valid only)', sql: "SELECT status, count(*) AS orders FROM orders WHERE status <> 'cancelled' GROUP BY status", chart: null };
      const put = await call('analyst', { method: 'PUT', url: `/api/queries/${v1.id}`, payload: edited });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toMatchObject({ version: 2, name: edited.name, sql: edited.sql, chart: null });

      const restored = await call('analyst', { method: 'POST', url: `/api/queries/${v1.id}/restore`, payload: { version: 1 } });
      expect(restored.statusCode, restored.body).toBe(200);
      const v3: SavedQuery = restored.json();
      expect(v3.version).toBe(3);
      expect(inputOf(v3)).toEqual(privateInput);

      const versions: SavedQueryVersion[] = (await call('analyst', { method: 'GET', url: `/api/queries/${v1.id}/versions` })).json().versions;
      expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
      expect(versions.map((v) => v.name)).toEqual([privateInput.name, edited.name, privateInput.name]);
      expect(versions[1].sql).toBe(edited.sql);
      for (const v of versions) {
        expect(v.savedBy).toBe('analyst');
        expect(Date.parse(v.savedAt)).not.toBeNaN();
      }
      expect(Date.parse(versions[0].savedAt)).toBeGreaterThanOrEqual(Date.parse(versions[2].savedAt));

      const missing = await call('analyst', { method: 'POST', url: `/api/queries/${v1.id}/restore`, payload: { version: 9 } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error).toMatch(/no version 9/);
    });
  });

  describe('visibility by role', () => {
    let mine: SavedQuery;
    let shared: SavedQuery;

    beforeAll(async () => {
      mine = await create(privateInput);
      shared = await create(everyoneInput);
    });

    it('an executive sees only queries shared with everyone and the shipped ones', async () => {
      const res = await call('executive', { method: 'GET', url: '/api/queries' });
      expect(res.statusCode).toBe(200);
      const listed: SavedQuery[] = res.json().queries;
      expect(listed.every((q) => q.visibility === 'everyone')).toBe(true);
      expect(listed.map((q) => q.id)).toContain(shared.id);
      expect(listed.map((q) => q.id)).not.toContain(mine.id);
      expect(listed.filter((q) => q.readonly).map((q) => q.id).sort()).toEqual(SHIPPED);
      expect(listed.every((q) => !q.canEdit)).toBe(true);
      expect((await call('executive', { method: 'GET', url: `/api/queries/${mine.id}` })).statusCode).toBe(403);
      expect((await call('executive', { method: 'POST', url: `/api/queries/${mine.id}/run`, payload: {} })).statusCode).toBe(403);
      expect((await call('executive', { method: 'GET', url: `/api/queries/${mine.id}/download` })).statusCode).toBe(403);
      expect((await call('executive', { method: 'POST', url: '/api/queries', payload: everyoneInput })).statusCode).toBe(403);
    });

    it('another analyst cannot read a private query nor edit someone else’s', async () => {
      const read = await call('analyst2', { method: 'GET', url: `/api/queries/${mine.id}` });
      expect(read.statusCode).toBe(403);
      expect(read.json().error).toMatch(/private/);
      expect((await call('analyst2', { method: 'GET', url: `/api/queries/${mine.id}/versions` })).statusCode).toBe(403);
      expect((await call('analyst2', { method: 'GET', url: `/api/queries/${mine.id}/export` })).statusCode).toBe(403);
      const listed: SavedQuery[] = (await call('analyst2', { method: 'GET', url: '/api/queries' })).json().queries;
      expect(listed.map((q) => q.id)).not.toContain(mine.id);

      const seen = await call('analyst2', { method: 'GET', url: `/api/queries/${shared.id}` });
      expect(seen.json()).toMatchObject({ id: shared.id, canEdit: false });
      const edit = await call('analyst2', { method: 'PUT', url: `/api/queries/${shared.id}`, payload: { ...everyoneInput, name: 'mine now' } });
      expect(edit.statusCode).toBe(403);
      expect(edit.json().error).toMatch(/only the owner \(analyst\) or an admin/);
      expect((await call('analyst2', { method: 'DELETE', url: `/api/queries/${shared.id}` })).statusCode).toBe(403);
      expect((await call('analyst2', { method: 'POST', url: `/api/queries/${shared.id}/restore`, payload: { version: 1 } })).statusCode).toBe(403);
    });

    it('admins see and edit everything except the shipped queries; owners filter their own', async () => {
      const got = await call('admin', { method: 'GET', url: `/api/queries/${mine.id}` });
      expect(got.json()).toMatchObject({ id: mine.id, canEdit: true });
      const shipped = await call('admin', { method: 'PUT', url: '/api/queries/file:top_products', payload: everyoneInput });
      expect(shipped.statusCode).toBe(403);
      expect(shipped.json().error).toMatch(/read-only/);
      const own: SavedQuery[] = (await call('analyst', { method: 'GET', url: '/api/queries?mine=true' })).json().queries;
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((q) => q.owner === 'analyst')).toBe(true);
      const tagged: SavedQuery[] = (await call('analyst', { method: 'GET', url: '/api/queries?tag=ops' })).json().queries;
      expect(tagged.length).toBeGreaterThan(0);
      expect(tagged.every((q) => q.tags.includes('ops'))).toBe(true);
      expect((await call('analyst', { method: 'GET', url: '/api/queries/q-99999' })).statusCode).toBe(404);
    });

    it('a removed query is gone for everyone', async () => {
      const doomed = await create(privateInput);
      expect((await call('analyst', { method: 'DELETE', url: `/api/queries/${doomed.id}` })).json()).toEqual({ deleted: doomed.id });
      expect((await call('analyst', { method: 'GET', url: `/api/queries/${doomed.id}` })).statusCode).toBe(404);
      expect((await call('admin', { method: 'GET', url: '/api/queries' })).json().queries.map((q: SavedQuery) => q.id)).not.toContain(doomed.id);
    });
  });

  describe('export and import', () => {
    it('the exported .sql file imports as the same query', async () => {
      const original = await create(privateInput);
      const res = await call('analyst', { method: 'GET', url: `/api/queries/${original.id}/export` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.headers['content-disposition']).toBe('attachment; filename="orders_per_status.sql"');
      expect(parse(res.body)).toEqual(privateInput);
      const imported = await call('analyst2', { method: 'POST', url: '/api/queries/import', payload: { text: res.body } });
      expect(imported.statusCode, imported.body).toBe(200);
      const copy: SavedQuery = imported.json();
      expect(copy.id).not.toBe(original.id);
      expect(copy).toMatchObject({ owner: 'analyst2', version: 1 });
      expect(inputOf(copy)).toEqual(inputOf(original));

      const bad = await call('analyst', { method: 'POST', url: '/api/queries/import', payload: { text: '-- @name: x\n-- @param: {oops}\n\nSELECT 1' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatch(/^body parameter 'text': line 2: @param is not JSON/);
    });

    it('a shipped query exports as its own file', async () => {
      const res = await call('executive', { method: 'GET', url: '/api/queries/file:gmv_by_platform_month/export' });
      expect(res.headers['content-disposition']).toBe('attachment; filename="gmv_by_platform_month.sql"');
      expect(res.body).toBe(await readFile(resolve(import.meta.dirname, '../queries/gmv_by_platform_month.sql'), 'utf8'));
    });
  });

  describe('shipped queries and runs', () => {
    const run = async (id: string, values: Record<string, string | number> = {}, who: 'executive' | 'analyst' = 'executive'): Promise<RunReply> => {
      const res = await call(who, { method: 'POST', url: `/api/queries/${id}/run`, payload: { values } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const column = (reply: RunReply, name: string) => reply.columns.findIndex((c) => c.name === name);

    it('are listed read-only, owned by vigil, and each runs on the sample', async () => {
      const listed: SavedQuery[] = (await call('analyst', { method: 'GET', url: '/api/queries' })).json().queries;
      const shipped = listed.filter((q) => q.id.startsWith('file:'));
      expect(shipped.map((q) => q.id).sort()).toEqual(SHIPPED);
      for (const q of shipped) {
        expect(q).toMatchObject({ owner: 'vigil', readonly: true, canEdit: false, visibility: 'everyone', version: 1 });
        const versions = (await call('analyst', { method: 'GET', url: `/api/queries/${q.id}/versions` })).json().versions;
        expect(versions).toHaveLength(1);
        const reply = await run(q.id, q.params.some((p) => p.name === 'from') ? { from: shift(asOf, -60), to: asOf } : {});
        expect(reply.rowCount, q.id).toBeGreaterThan(0);
      }
    });

    it('GMV by platform and month with parameter values equals the sum over the Parquet rows', async () => {
      const from = shift(asOf, -120);
      const to = shift(asOf, -30);
      const reply = await run('file:gmv_by_platform_month', { from, to, unknown_dashboard_input: 'dropped' });
      const expected = new Map<string, { gmv: number; orders: number }>();
      for (const o of orders) {
        const day = dayOf(o.ordered_at);
        if (!valid(o) || day < from || day > to) continue;
        const key = `${day.slice(0, 7)}|${platforms.get(String(o.platform_id))}`;
        const cell = expected.get(key) ?? { gmv: 0, orders: 0 };
        cell.gmv += Number(o.paid_amount);
        cell.orders++;
        expected.set(key, cell);
      }
      expect(reply.rowCount).toBe(expected.size);
      const [m, p, g, n] = ['month', 'platform', 'gmv', 'orders'].map((c) => column(reply, c));
      for (const row of reply.rows) {
        const want = expected.get(`${row[m]}|${row[p]}`);
        expect(want, `${row[m]} ${row[p]}`).toBeDefined();
        expect(Number(row[g])).toBeCloseTo(want!.gmv, 2);
        expect(row[n]).toBe(want!.orders);
      }
    });

    it('the top products honour the $limit parameter', async () => {
      const reply = await run('file:top_products', { limit: 5 });
      expect(reply.rowCount).toBe(5);
      const revenue = reply.rows.map((r) => Number(r[column(reply, 'revenue')]));
      expect([...revenue].sort((a, b) => b - a)).toEqual(revenue);
    });

    it('the CSV download equals the run, the Parquet download holds the same rows', async () => {
      const values = { from: shift(asOf, -90), to: asOf };
      const reply = await run('file:gmv_by_platform_month', values, 'analyst');
      const url = `/api/queries/file:gmv_by_platform_month/download?values=${encodeURIComponent(JSON.stringify(values))}`;
      const csv = await call('executive', { method: 'GET', url });
      expect(csv.statusCode, csv.body).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe('attachment; filename="gmv_by_platform_month.csv"');
      const [header, ...records] = parseCsv(csv.body).filter((r) => r.length > 1 || r[0] !== '');
      expect(header).toEqual(reply.columns.map((c) => c.name));
      expect(records).toHaveLength(reply.rowCount);
      records.forEach((record, i) => {
        reply.columns.forEach((c, j) => {
          const want = reply.rows[i][j];
          if (c.kind === 'number') expect(Number(record[j])).toBeCloseTo(Number(want), 6);
          else expect(record[j]).toBe(String(want));
        });
      });

      const parquet = await call('executive', { method: 'GET', url: `${url}&format=parquet` });
      expect(parquet.statusCode).toBe(200);
      const [sums] = await readParquet(parquet.rawPayload, 'count(*) AS n, sum(gmv) AS gmv');
      expect(sums.n).toBe(reply.rowCount);
      expect(Number(sums.gmv)).toBeCloseTo(reply.rows.reduce((a, r) => a + Number(r[column(reply, 'gmv')]), 0), 2);
      const refused = await call('executive', { method: 'GET', url: '/api/queries/file:top_products/download?values=%7Bnope' });
      expect(refused.statusCode).toBe(400);
    });

    it("an unsaved query's whole result downloads as Parquet or CSV; a refused statement is a 400 with its reason", async () => {
      const body = { sql: 'SELECT platform_id, count(*) AS orders FROM orders WHERE ordered_at >= $from GROUP BY 1', params: [{ name: 'from', type: 'date' }], values: { from: shift(asOf, -30) } };
      const reply = (await call('analyst', { method: 'POST', url: '/api/queries/run', payload: body })).json<RunReply>();
      const parquet = await call('analyst', { method: 'POST', url: '/api/queries/run/download', payload: { ...body, format: 'parquet' } });
      expect(parquet.statusCode, parquet.body).toBe(200);
      expect(parquet.headers['content-disposition']).toBe('attachment; filename="query-result.parquet"');
      const [sums] = await readParquet(parquet.rawPayload, 'count(*) AS n, sum(orders) AS orders');
      expect(sums.n).toBe(reply.rowCount);
      expect(Number(sums.orders)).toBe(reply.rows.reduce((a, r) => a + Number(r[column(reply, 'orders')]), 0));
      const csv = await call('analyst', { method: 'POST', url: '/api/queries/run/download', payload: { ...body, format: 'csv' } });
      expect(parseCsv(csv.body).filter((r) => r.length > 1)).toHaveLength(reply.rowCount + 1);
      const refused = await call('analyst', { method: 'POST', url: '/api/queries/run/download', payload: { sql: 'DROP TABLE orders', format: 'parquet' } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'forbidden', error: expect.stringContaining('DROP is not allowed') });
      expect((await call('executive', { method: 'POST', url: '/api/queries/run/download', payload: { ...body, format: 'csv' } })).statusCode).toBe(403);
    });
  });

  describe('dashboards', () => {
    let mine: SavedQuery;
    let shared: SavedQuery;
    const tile = (queryId: string, x = 0) => ({ queryId, x, y: 0, w: 6, h: 4 });

    beforeAll(async () => {
      mine = await create(privateInput);
      shared = await create(everyoneInput);
    });

    it('create, read, update, delete; a shared dashboard only shows queries every role can see', async () => {
      const refused = await call('analyst', { method: 'POST', url: '/api/dashboards', payload: { name: 'Board', visibility: 'everyone', tiles: [tile(shared.id), tile(mine.id, 6)] } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatch(/^body parameter 'tiles\.1\.queryId': tile 2: the query 'Orders per status' \(q-\d+\) is private/);

      const created = await call('analyst', { method: 'POST', url: '/api/dashboards', payload: { name: 'Board', visibility: 'everyone', tiles: [tile(shared.id), tile('file:top_products', 6)] } });
      expect(created.statusCode, created.body).toBe(200);
      const board: Dashboard = created.json();
      expect(board).toMatchObject({ id: expect.stringMatching(/^d-\d+$/), owner: 'analyst', canEdit: true });

      const privateBoard: Dashboard = (await call('analyst', { method: 'POST', url: '/api/dashboards', payload: { name: 'Mine', tiles: [tile(mine.id)] } })).json();
      expect(privateBoard.tiles.map((t) => t.queryId)).toEqual([mine.id]);
      const foreign = await call('analyst2', { method: 'POST', url: '/api/dashboards', payload: { name: 'Theirs', tiles: [tile(mine.id)] } });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error).toMatch(/private to its owner/);

      const execList: Dashboard[] = (await call('executive', { method: 'GET', url: '/api/dashboards' })).json().dashboards;
      expect(execList.map((d) => d.id)).toContain(board.id);
      expect(execList.map((d) => d.id)).not.toContain(privateBoard.id);
      expect((await call('executive', { method: 'GET', url: `/api/dashboards/${privateBoard.id}` })).statusCode).toBe(403);
      const execView: Dashboard = (await call('executive', { method: 'GET', url: `/api/dashboards/${board.id}` })).json();
      expect(execView).toMatchObject({ canEdit: false, tiles: [tile(shared.id), tile('file:top_products', 6)].map((t) => ({ ...t, view: 'chart' })) });
      expect((await call('executive', { method: 'POST', url: `/api/queries/${shared.id}/run`, payload: { values: { from: shift(asOf, -6), to: asOf } } })).statusCode).toBe(200);

      expect((await call('analyst2', { method: 'PUT', url: `/api/dashboards/${board.id}`, payload: { name: 'x' } })).statusCode).toBe(403);
      const updated = await call('analyst', { method: 'PUT', url: `/api/dashboards/${board.id}`, payload: { name: 'Board 2', visibility: 'everyone', tiles: [tile('file:top_products'), tile(shared.id, 6)], params: [{ name: 'from', type: 'date', default: '2026-01-01' }] } });
      expect(updated.statusCode, updated.body).toBe(200);
      expect(updated.json()).toMatchObject({ name: 'Board 2', params: [{ name: 'from', type: 'date' }], tiles: [{ queryId: 'file:top_products' }, { queryId: shared.id, x: 6 }] });

      // a query made private, or removed, leaves the dashboard without its tile
      await call('analyst', { method: 'PUT', url: `/api/queries/${shared.id}`, payload: { ...everyoneInput, visibility: 'private' } });
      expect((await call('executive', { method: 'GET', url: `/api/dashboards/${board.id}` })).json().tiles.map((t: { queryId: string }) => t.queryId)).toEqual(['file:top_products']);
      expect((await call('analyst', { method: 'GET', url: `/api/dashboards/${board.id}` })).json().tiles).toHaveLength(2);
      await call('analyst', { method: 'DELETE', url: `/api/queries/${shared.id}` });
      expect((await call('analyst', { method: 'GET', url: `/api/dashboards/${board.id}` })).json().tiles.map((t: { queryId: string }) => t.queryId)).toEqual(['file:top_products']);

      expect((await call('analyst2', { method: 'DELETE', url: `/api/dashboards/${board.id}` })).statusCode).toBe(403);
      expect((await call('analyst', { method: 'DELETE', url: `/api/dashboards/${board.id}` })).json()).toEqual({ deleted: board.id });
      expect((await call('analyst', { method: 'GET', url: `/api/dashboards/${board.id}` })).statusCode).toBe(404);
    });
  });

  describe('risk indicators from a saved query', () => {
    const indicator = (fields: Record<string, unknown>) => ({
      id: 'refunds_by_query', name: 'Refund rate by query', source: 'query', windowDays: 7,
      direction: 'higher_is_worse', warning: 0.05, critical: 0.1, clear: 0.04, owner: 'risk', ...fields,
    });
    const deps = (): MeasureDeps => ({ kpis: t.ctx.kpis, engine: t.ctx.engine, snapshotsRoot: t.paths.snapshots, queries: t.ctx.queries, savedQueries: t.ctx.savedQueries });

    it('numerator ÷ denominator per step equals the ratio over the Parquet rows', async () => {
      const preview = await call('risk_owner', { method: 'POST', url: '/api/risk/indicators/preview', payload: { indicator: indicator({ queryId: 'file:refund_rate_for_indicator' }), days: 7 } });
      expect(preview.statusCode, preview.body).toBe(200);
      const points = (preview.json() as IndicatorSeriesReply).series[0].points;
      expect(points.map((p) => p.date)).toEqual(Array.from({ length: 7 }, (_, i) => shift(asOf, i - 6)));
      for (const point of points) {
        const inWindow = orders.filter((o) => valid(o) && dayOf(o.ordered_at) > shift(point.date, -7) && dayOf(o.ordered_at) <= point.date);
        const refunded = inWindow.filter((o) => approvedRefund.has(String(o.order_id))).length;
        expect(inWindow.length, point.date).toBeGreaterThan(0);
        expect(point.denominator, point.date).toBe(inWindow.length);
        expect(point.numerator, point.date).toBe(refunded);
        expect(point.value!, point.date).toBeCloseTo(refunded / inWindow.length, 12);
      }
    });

    it('a value column is the value; another shape is an error naming what was expected', async () => {
      const counted = await create({ ...everyoneInput, name: 'Orders counted' }, 'analyst');
      const measured = await measureSteps(deps(), IndicatorInput.parse(indicator({ queryId: counted.id, owner: 'analyst', windowDays: 3 })), { from: shift(asOf, -2), to: asOf });
      for (const { date, m } of measured.scopes[0].points) {
        expect(m.value, date).toBe(orders.filter((o) => dayOf(o.ordered_at) > shift(date, -3) && dayOf(o.ordered_at) <= date).length);
      }
      const listing = await create({ ...everyoneInput, name: 'Two rows', sql: 'SELECT 1 AS value UNION ALL SELECT 2' }, 'analyst');
      const wrong = await measureSteps(deps(), IndicatorInput.parse(indicator({ queryId: listing.id, owner: 'analyst', windowDays: 1 })), { from: asOf, to: asOf });
      expect(wrong.scopes[0].points[0].m).toEqual({ value: null, reason: `error: the query returned 2 rows; expected ${QUERY_SHAPE}` });
    });

    it('an indicator needs an existing saved query its owner can see', async () => {
      const unknown = await call('risk_owner', { method: 'POST', url: '/api/risk/indicators', payload: indicator({ queryId: 'q-99999' }) });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error).toMatch(/no saved query 'q-99999'/);
      const hidden = await create(privateInput, 'analyst');
      const foreign = await call('risk_owner', { method: 'POST', url: '/api/risk/indicators', payload: indicator({ queryId: hidden.id }) });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error).toMatch(/private to its owner/);
      const ok = await call('risk_owner', { method: 'POST', url: '/api/risk/indicators', payload: indicator({ queryId: 'file:refund_rate_for_indicator' }) });
      expect(ok.statusCode, ok.body).toBe(201);
    });
  });
});

/** Rows of a Parquet file received over HTTP, read back with DuckDB. */
async function readParquet(payload: Buffer, select: string): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-parquet-'));
  try {
    const file = join(dir, 'r.parquet');
    await writeFile(file, payload);
    const duck = await openDuck();
    const conn = await duck.connect();
    try {
      return await all(conn, `SELECT ${select} FROM read_parquet('${file}')`);
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
