// The SQL workbench's sandbox on a generated and ingested sample: every forbidden statement kind
// and file-access path is refused with its reason, a slow query is really interrupted within the
// limit + 1 s, a huge result is cut at the row limit with the flag, parameter values stay data,
// and a user without pii never sees a personal value whatever the SQL (the expectations are
// derived from the raw Parquet rows read directly here, with the masks written out by hand).
import { spawnSync } from 'node:child_process';
import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUsers } from '../server/auth/bootstrap.ts';
import { findUser, type User } from '../server/auth/users.ts';
import { dataPaths } from '../server/config.ts';
import { AppDb } from '../server/db/appdb.ts';
import { all, openDuck } from '../server/db/duck.ts';
import { RunBody, type RunReply } from '../server/queries/contract.ts';
import { SandboxError, type QueryRunner } from '../server/queries/runner.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { listSnapshots, snapshotDir, type Manifest } from '../server/snapshots/store.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

const VIGIL = resolve(import.meta.dirname, '../server/vigil.js');

interface RawCustomer {
  customer_id: string;
  name: string | null;
  phone: string | null;
  address: string | null;
  city: string | null;
}

/** The masks of DESIGN.md "Access", written out independently of server/auth/masking.ts. */
const mask = {
  name: (v: string | null) => (v === null ? null : v.slice(0, 1) + '*'.repeat(Math.max([...v].length - 1, 1))),
  phone: (v: string | null) => (v === null ? null : v.length >= 7 ? v.slice(0, 3) + '*'.repeat(v.length - 7) + v.slice(-4) : '*'.repeat(v.length)),
  address: (v: string | null, city: string | null) => (v === null ? null : city ?? '***'),
};

describe('the SQL sandbox', () => {
  let root: string;
  let t: TestApp;
  let runner: QueryRunner;
  let analyst: User;
  let admin: User;
  let riskOwner: User;
  let current: Manifest;
  let older: Manifest;
  let raw: RawCustomer[];
  let outside: string;

  const body = (sql: string, extra: Partial<RunBody> = {}) => RunBody.parse({ sql, ...extra });
  const run = (sql: string, user = analyst, extra: Partial<RunBody> = {}, opts: { timeoutMs?: number; record?: boolean } = {}) =>
    runner.run(body(sql, extra), user, opts);
  /** The SandboxError a run fails with (the test fails when it succeeds). */
  async function refusal(sql: string, user = analyst, extra: Partial<RunBody> = {}): Promise<SandboxError> {
    const err = await run(sql, user, extra).then(() => undefined, (e: unknown) => e);
    expect(err, sql).toBeInstanceOf(SandboxError);
    return err as SandboxError;
  }
  const rawFile = (m: Manifest, table: 'orders' | 'customers') => join(snapshotDir(join(root, 'snapshots'), m.id), m.tables[table]!.file);
  const exists = (path: string) => access(path).then(() => true, () => false);
  const byId = (rows: RunReply['rows']) => new Map(rows.map((r) => [String(r[0]), r]));

  beforeAll(async () => {
    root = await tempDir('queries-sandbox');
    outside = await tempDir('queries-outside');
    await generateSample({ out: join(root, 'export'), orders: 4000, months: 7, end: '2026-06-30', seed: 11 });
    await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots') });
    await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots') });
    [current, older] = await listSnapshots(join(root, 'snapshots'));
    t = await makeTestApp(root);
    runner = t.ctx.queries;
    analyst = (await findUser(t.ctx.db, 'analyst'))!;
    admin = (await findUser(t.ctx.db, 'admin'))!;
    riskOwner = (await findUser(t.ctx.db, 'risk'))!;
    expect(analyst.pii).toBe(false);
    expect(admin.pii).toBe(true);
    // the personal values as stored, read straight from the snapshot's Parquet file
    const duck = await openDuck();
    const conn = await duck.connect();
    raw = (await all(conn, `SELECT customer_id, name, phone, address, city FROM read_parquet('${rawFile(current, 'customers')}') ORDER BY customer_id`)) as unknown as RawCustomer[];
    conn.closeSync();
    duck.closeSync();
    expect(raw.length).toBeGreaterThan(100);
    expect(raw.every((c) => c.phone === null || c.phone.length >= 8)).toBe(true); // so a masked phone always differs from the raw one
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    if (root) await rm(root, { recursive: true, force: true });
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  describe('refuses every statement that is not a read, with its reason', () => {
    const readsOnly = /is not allowed: the workbench only reads \(SELECT, WITH, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN\)/;
    const cases: [string, (dirs: { store: string; outside: string }) => string][] = [
      ['COPY', ({ store }) => `COPY orders TO '${store}/copied.csv' (FORMAT csv)`],
      ['COPY', ({ outside }) => `COPY (SELECT * FROM customers) TO '${outside}/copied.csv'`],
      ['ATTACH', ({ outside }) => `ATTACH '${outside}/other.duckdb' AS other`],
      ['INSTALL', () => 'INSTALL httpfs'],
      ['LOAD', () => 'LOAD httpfs'],
      ['SET', () => 'SET threads = 16'],
      ['SET', () => "SET allowed_paths = ['/etc/passwd']"],
      ['RESET', () => 'RESET lock_configuration'],
      ['PRAGMA', () => 'PRAGMA version'],
      ['PRAGMA', () => "PRAGMA enable_external_access = true"],
      ['CREATE', () => 'CREATE TABLE mine AS SELECT * FROM orders'],
      ['DROP', () => 'DROP VIEW orders'],
      ['INSERT', () => 'INSERT INTO orders SELECT * FROM orders'],
      ['UPDATE', () => "UPDATE orders SET status = 'x'"],
      ['DELETE', () => 'DELETE FROM orders'],
      ['EXPORT', ({ outside }) => `EXPORT DATABASE '${outside}/export'`],
      ['CALL', () => 'CALL pragma_version()'],
      ['COPY', ({ outside }) => `EXPLAIN ANALYZE COPY orders TO '${outside}/explained.csv'`],
      ['COPY', ({ outside }) => `EXPLAIN (ANALYZE, FORMAT json) COPY orders TO '${outside}/explained.csv'`],
      ['DROP', () => '/* looks harmless */ -- still\n  drop view orders'],
    ];
    for (const [keyword, sqlOf] of cases) {
      it(`${sqlOf({ store: '<store>', outside: '<outside>' })}`, async () => {
        const store = snapshotDir(join(root, 'snapshots'), current.id);
        const err = await refusal(sqlOf({ store, outside }));
        expect(err.code).toBe('forbidden');
        expect(err.message).toMatch(new RegExp(`^${keyword} ${readsOnly.source}`));
      });
    }

    it('wrote nothing, inside the store or outside it', async () => {
      expect(await exists(join(snapshotDir(join(root, 'snapshots'), current.id), 'copied.csv'))).toBe(false);
      for (const f of ['copied.csv', 'other.duckdb', 'export', 'explained.csv']) expect(await exists(join(outside, f))).toBe(false);
    });

    it('one statement per run, a comment-hidden second one included', async () => {
      const two = await refusal('SELECT 1; SELECT 2');
      expect([two.code, two.message]).toEqual(['multiple_statements', 'only one statement per run (found 2)']);
      const hidden = await refusal('SELECT count(*) FROM orders /* the report */; -- and then\n DROP VIEW orders');
      expect([hidden.code, hidden.message]).toEqual(['multiple_statements', 'only one statement per run (found 2)']);
      // a statement commented out entirely is only a comment: the one real statement runs
      const one = await run('SELECT 42 AS answer; -- DROP VIEW orders');
      expect(one.rows).toEqual([[42]]);
    });

    it('the reads run: SELECT, WITH, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN, FROM-first and a parenthesised query', async () => {
      for (const sql of ['SELECT 1', 'WITH x AS (SELECT 1 AS a) SELECT a FROM x', 'VALUES (1)', 'DESCRIBE orders', 'SUMMARIZE platforms', 'EXPLAIN SELECT * FROM orders', 'EXPLAIN (ANALYZE, FORMAT json) SELECT 1', 'FROM platforms', '(SELECT 1)']) {
        const reply = await run(sql);
        expect(reply.rowCount, sql).toBeGreaterThan(0);
      }
    });
  });

  describe('file access stays inside the snapshot', () => {
    const outsideMessage = (path: string) => `file access outside the snapshot is not allowed: ${path}`;

    it('system files and URLs: read_csv, read_text, glob, a replacement scan', async () => {
      for (const [sql, path] of [
        ["SELECT * FROM read_csv('/etc/passwd')", '/etc/passwd'],
        ["SELECT * FROM read_text('/etc/passwd')", '/etc/passwd'],
        ["SELECT * FROM glob('/etc/*')", '/etc/*'],
        ["SELECT * FROM 'https://example.com/data.csv'", 'https://example.com/data.csv'],
      ]) {
        const err = await refusal(sql);
        expect([err.code, err.message], sql).toEqual(['file_access', outsideMessage(path)]);
      }
    });

    it("another snapshot's file, and the raw customers file for a user without pii", async () => {
      const other = rawFile(older, 'orders');
      const err = await refusal(`SELECT count(*) FROM read_parquet('${other}')`);
      expect([err.code, err.message]).toEqual(['file_access', outsideMessage(other)]);
      const customers = rawFile(current, 'customers');
      const denied = await refusal(`SELECT name, phone FROM read_parquet('${customers}')`);
      expect([denied.code, denied.message]).toEqual(['file_access', outsideMessage(customers)]);
      const globbed = await refusal(`SELECT name FROM read_parquet('${join(root, 'snapshots')}/*/customers.parquet')`);
      expect(globbed.code).toBe('file_access');
      // the pii user's sandbox reads the raw file anyway, so it is allowed there
      const allowed = await run(`SELECT count(*) AS n FROM read_parquet('${customers}')`, admin);
      expect(allowed.rows).toEqual([[raw.length]]);
    });
  });

  it("runs with locked settings: no external access, allowed paths exactly the views' files", async () => {
    const settings = await run("SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'threads', 'autoload_known_extensions', 'autoinstall_known_extensions', 'allowed_paths') ORDER BY name");
    const value = new Map(settings.rows.map((r) => [r[0], String(r[1])]));
    expect([...value.keys()].length).toBe(6);
    expect(['enable_external_access', 'lock_configuration', 'threads', 'autoload_known_extensions', 'autoinstall_known_extensions'].map((k) => value.get(k)))
      .toEqual(['false', 'true', '2', 'false', 'false']);
    const allowed = value.get('allowed_paths')!.replace(/^\[|\]$/g, '').split(', ').sort();
    const dir = snapshotDir(join(root, 'snapshots'), current.id);
    const expected = Object.entries(current.tables).filter(([table]) => table !== 'customers').map(([, e]) => join(dir, e!.file));
    expect(allowed).toEqual([...expected, join(root, 'cache', 'masked', current.id, 'customers.parquet')].sort());
  });

  describe('time and row limits', () => {
    const SLOW = 'SELECT sum(a.range * b.range) FROM range(1000000000000) a, range(10) b';

    it('interrupts a query running past the limit within the limit + 1 s', async () => {
      const started = performance.now();
      const err = await run(SLOW, analyst, {}, { timeoutMs: 1000 }).then(() => undefined, (e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(err).toBeInstanceOf(SandboxError);
      expect((err as SandboxError).code).toBe('timeout');
      expect((err as SandboxError).message).toBe('the query ran longer than 1 s and was stopped');
      expect(elapsed).toBeLessThan(2000);
    });

    it('the owner (or an admin) cancels a running query; another user cannot', async () => {
      const runId = 'cancel-me-1';
      const running = run(SLOW, analyst, { runId }).then(() => undefined, (e: unknown) => e);
      await new Promise((done) => setTimeout(done, 500)); // the run has opened its sandbox and started
      expect(runner.cancel(runId, riskOwner)).toBe(false);
      expect(runner.cancel(runId, analyst)).toBe(true);
      const err = await running;
      expect([(err as SandboxError).code, (err as SandboxError).message]).toEqual(['cancelled', 'the query was cancelled']);
      expect(runner.cancel(runId, analyst)).toBe(false); // over

      const other = 'cancel-me-2';
      const second = run(SLOW, analyst, { runId: other }).then(() => undefined, (e: unknown) => e);
      await new Promise((done) => setTimeout(done, 500)); // the run has opened its sandbox and started
      expect(runner.cancel(other, admin)).toBe(true);
      expect((await second as SandboxError).code).toBe('cancelled');

      // cancelled before its sandbox is even open: it never runs
      const early = run(SLOW, analyst, { runId: 'cancel-me-3' }).then(() => undefined, (e: unknown) => e);
      expect(runner.cancel('cancel-me-3', analyst)).toBe(true);
      expect((await early as SandboxError).code).toBe('cancelled');
    });

    it('cuts a huge result at the row limit and says so; a result of exactly the limit is whole', async () => {
      const huge = await run('SELECT range AS n FROM range(250000)');
      expect(huge.rowCount).toBe(100_000);
      expect(huge.rows).toHaveLength(100_000);
      expect(huge.truncated).toBe(true);
      expect(huge.rows[99_999]).toEqual([99_999]);
      const exact = await run('SELECT range AS n FROM range(100000)');
      expect([exact.rowCount, exact.truncated]).toEqual([100_000, false]);
      const small = await run('SELECT range AS n FROM range(10)', analyst, { limit: 3 });
      expect([small.rows, small.truncated]).toEqual([[[0], [1], [2]], true]);
    });
  });

  describe('parameters are bound, never spliced', () => {
    const text = (name: string) => ({ name, type: 'text' as const, default: null });

    it('values with quotes and SQL come back as data and match no rows', async () => {
      const evil = "'; DROP TABLE orders; --";
      const quoted = `it's a "test" $x`;
      const echo = await run('SELECT $evil AS evil, $quoted AS quoted', analyst, { params: [text('evil'), text('quoted')], values: { evil, quoted } });
      expect(echo.rows).toEqual([[evil, quoted]]);
      const none = await run('SELECT count(*) AS n FROM orders WHERE order_id = $id OR status = $id', analyst, { params: [text('id')], values: { id: evil } });
      expect(none.rows).toEqual([[0]]);
      const still = await run('SELECT count(*) AS n FROM orders');
      expect(still.rows).toEqual([[current.tables.orders!.rows]]);
    });

    it('binds dates and numbers by type, and falls back to the default', async () => {
      const duck = await openDuck();
      const conn = await duck.connect();
      const days = (await all(conn, `SELECT strftime(ordered_at, '%Y-%m-%d') AS day, paid_amount::DOUBLE AS paid FROM read_parquet('${rawFile(current, 'orders')}')`)) as { day: string; paid: number | null }[];
      conn.closeSync();
      duck.closeSync();
      const expected = days.filter((o) => o.day >= '2026-05-01' && (o.paid ?? 0) > 100).length;
      const params = [{ name: 'from', type: 'date' as const, default: '2026-01-01' }, { name: 'min', type: 'number' as const, default: 100 }];
      const sql = 'SELECT count(*) AS n FROM orders WHERE ordered_at >= $from AND paid_amount > $min';
      expect((await run(sql, analyst, { params, values: { from: '2026-05-01', min: '100' } })).rows).toEqual([[expected]]);
      expect((await run(sql, analyst, { params, values: { from: '2026-05-01' } })).rows).toEqual([[expected]]);
    });

    it('an undeclared, missing or ill-typed value is refused, naming the parameter', async () => {
      const undeclared = await refusal('SELECT $who AS who');
      expect([undeclared.code, undeclared.message]).toEqual(['parameter', '$who is used but not declared as a parameter']);
      const missing = await refusal('SELECT $who AS who', analyst, { params: [text('who')] });
      expect([missing.code, missing.message]).toEqual(['parameter', 'parameter $who has no value']);
      const date = await refusal('SELECT $d AS d', analyst, { params: [{ name: 'd', type: 'date', default: null }], values: { d: '2026-02-30' } });
      expect([date.code, date.message]).toEqual(['parameter', 'parameter $d must be a date YYYY-MM-DD, got "2026-02-30"']);
      const num = await refusal('SELECT $n AS n', analyst, { params: [{ name: 'n', type: 'number', default: null }], values: { n: '1; DROP' } });
      expect(num.code).toBe('parameter');
      const list = await refusal('SELECT $p AS p', analyst, { params: [{ name: 'p', type: 'list', default: null, options: ['tmall', 'jd'] }], values: { p: "tmall' OR 1=1" } });
      expect([list.code, list.message]).toEqual(['parameter', `parameter $p must be one of its options, got "tmall' OR 1=1"`]);
      const positional = await refusal('SELECT ?');
      expect(positional.code).toBe('parameter');
    });
  });

  describe('masking: a user without pii never sees a personal value', () => {
    const rawById = () => new Map(raw.map((c) => [c.customer_id, c]));
    const personal = () => new Set(raw.flatMap((c) => [c.name, c.phone, c.address]).filter((v): v is string => v !== null));

    it('SELECT *: masked for the analyst, raw for the pii admin', async () => {
      const masked = await run('SELECT * FROM customers ORDER BY customer_id');
      expect(masked.masked).toBe(true);
      const col = (reply: RunReply, name: string) => reply.columns.findIndex((c) => c.name === name);
      const [n, p, a] = ['name', 'phone', 'address'].map((c) => col(masked, c));
      expect(masked.rows).toHaveLength(raw.length);
      masked.rows.forEach((row, i) => {
        const c = raw[i];
        expect([row[0], row[n], row[p], row[a]]).toEqual([c.customer_id, mask.name(c.name), mask.phone(c.phone), mask.address(c.address, c.city)]);
      });
      const secret = personal();
      expect(masked.rows.flat().filter((v) => typeof v === 'string' && secret.has(v))).toEqual([]);

      const clear = await run('SELECT * FROM customers ORDER BY customer_id', admin);
      expect(clear.masked).toBe(false);
      clear.rows.forEach((row, i) => expect([row[n], row[p], row[a]]).toEqual([raw[i].name, raw[i].phone, raw[i].address]));
    });

    it('aliases, subqueries, joins and string functions see only the masked values', async () => {
      const byRaw = rawById();
      const queries: [string, (c: RawCustomer, m: { name: string | null; phone: string | null; address: string | null }) => unknown[]][] = [
        ['SELECT customer_id, name AS n, phone AS p, address AS a FROM customers', (_c, m) => [m.name, m.phone, m.address]],
        ['SELECT customer_id, x FROM (SELECT customer_id, phone AS x FROM (SELECT * FROM customers) s) t', (_c, m) => [m.phone]],
        ['WITH c AS (SELECT customer_id, name FROM customers) SELECT customer_id, name FROM c', (_c, m) => [m.name]],
        ["SELECT customer_id, upper(name), concat(phone, '!'), substr(address, 2), length(phone), name || '' FROM customers", (_c, m) => [
          m.name?.toUpperCase() ?? null, m.phone === null ? '!' : `${m.phone}!`, m.address === null ? null : [...m.address].slice(1).join(''), m.phone === null ? null : m.phone.length, m.name,
        ]],
        ['SELECT DISTINCT c.customer_id, c.name, c.phone FROM orders o JOIN customers c ON c.customer_id = o.customer_id', (_c, m) => [m.name, m.phone]],
      ];
      for (const [sql, expectedOf] of queries) {
        const reply = await run(sql);
        expect(reply.rowCount, sql).toBeGreaterThan(0);
        for (const [id, row] of byId(reply.rows)) {
          const c = byRaw.get(id)!;
          expect(row.slice(1), `${sql} ${id}`).toEqual(expectedOf(c, { name: mask.name(c.name), phone: mask.phone(c.phone), address: mask.address(c.address, c.city) }));
        }
      }
      // aggregated: no raw value anywhere in the text
      const agg = await run("SELECT string_agg(name || ' ' || phone || ' ' || address, ';') AS everything FROM customers");
      const text = String(agg.rows[0][0]);
      expect([...personal()].filter((v) => v.length > 3 && text.includes(v))).toEqual([]);
    });

    it('downloads are masked too, and a COPY in a download is still refused', async () => {
      const file = join(outside, 'names.csv');
      const got = await runner.toFile(body('SELECT customer_id, name, phone FROM customers ORDER BY customer_id LIMIT 5; -- top 5'), analyst, 'csv', file);
      expect(got.rowCount).toBe(5);
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      expect(lines).toEqual(['customer_id,name,phone', ...raw.slice(0, 5).map((c) => [c.customer_id, mask.name(c.name) ?? '', mask.phone(c.phone) ?? ''].join(','))]);
      const parquet = join(outside, 'names.parquet');
      expect(await runner.toFile(body('SELECT * FROM customers'), analyst, 'parquet', parquet)).toEqual({ rowCount: raw.length });
      const copy = await runner.toFile(body(`COPY customers TO '${join(outside, 'mine.csv')}'`), analyst, 'csv', join(outside, 'x.csv')).then(() => undefined, (e: unknown) => e);
      expect((copy as SandboxError).code).toBe('forbidden');
      expect(await exists(join(outside, 'mine.csv'))).toBe(false);
    });
  });

  it('converts result values to JSON-safe cells with column kinds', async () => {
    const reply = await run(`SELECT 12::HUGEINT AS h, 9007199254740993::BIGINT AS big, 1.25::DECIMAL(18,2) AS d, DATE '2024-01-02' AS dt,
      TIMESTAMP '2024-01-02 03:04:05' AS ts, INTERVAL 3 DAY AS iv, [1, 2] AS l, {'a': 1} AS s, '\\x00\\xff'::BLOB AS b, true AS ok, NULL::VARCHAR AS nothing`);
    expect(reply.columns.map((c) => [c.name, c.type, c.kind])).toEqual([
      ['h', 'HUGEINT', 'number'], ['big', 'BIGINT', 'number'], ['d', 'DECIMAL(18,2)', 'number'], ['dt', 'DATE', 'date'],
      ['ts', 'TIMESTAMP', 'time'], ['iv', 'INTERVAL', 'other'], ['l', 'INTEGER[]', 'other'], ['s', 'STRUCT("a" INTEGER)', 'other'],
      ['b', 'BLOB', 'other'], ['ok', 'BOOLEAN', 'boolean'], ['nothing', 'VARCHAR', 'text'],
    ]);
    expect(reply.rows).toEqual([[12, '9007199254740993', 1.25, '2024-01-02', '2024-01-02T03:04:05', '3 days', '[1,2]', '{"a":1}', '00ff', true, null]]);
  });

  it('writes each run to the user\'s history, unless told not to', async () => {
    const before = await runner.history(riskOwner);
    await run('SELECT 7 AS seven', riskOwner, { params: [{ name: 'unused', type: 'text', default: null }], values: { unused: 'v' } });
    await run('SELECT 8', riskOwner, {}, { record: false });
    await refusal('DROP VIEW orders', riskOwner);
    const after = await runner.history(riskOwner);
    expect(after).toHaveLength(before.length + 2);
    const [refused, ok] = after;
    expect([refused.sql, refused.status, refused.error, refused.rowCount]).toEqual(['DROP VIEW orders', 'error', expect.stringMatching(/^DROP is not allowed/), null]);
    expect([ok.sql, ok.status, ok.rowCount, ok.values, ok.snapshotId]).toEqual(['SELECT 7 AS seven', 'ok', 1, { unused: 'v' }, current.id]);
    expect((await runner.history(analyst)).some((h) => h.status === 'timeout')).toBe(true);
    expect((await runner.history(analyst)).some((h) => h.sql === 'SELECT 7 AS seven')).toBe(false);
  });

  describe('the API', () => {
    it('runs for analysts, refuses with a 400 and a code, and is closed to executives', async () => {
      const ok = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries/run', payload: { sql: 'SELECT count(*) AS n FROM orders' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().rows).toEqual([[current.tables.orders!.rows]]);
      const drop = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries/run', payload: { sql: 'DROP VIEW orders' } });
      expect(drop.statusCode).toBe(400);
      expect(drop.json()).toMatchObject({ code: 'forbidden', error: expect.stringMatching(/^DROP is not allowed/) });
      const exec = await injectAs(t, 'executive', { method: 'POST', url: '/api/queries/run', payload: { sql: 'SELECT 1' } });
      expect(exec.statusCode).toBe(403);
    });

    it('schema, history and cancel', async () => {
      const schema = await injectAs(t, 'analyst', { method: 'GET', url: '/api/queries/schema' });
      expect(schema.statusCode).toBe(200);
      const customers = schema.json().tables.find((x: { name: string }) => x.name === 'customers');
      expect(customers.rows).toBe(raw.length);
      expect(customers.columns.filter((c: { personal: boolean }) => c.personal).map((c: { name: string }) => c.name).sort()).toEqual(['address', 'name', 'phone']);
      const history = await injectAs(t, 'analyst', { method: 'GET', url: '/api/queries/history?limit=5' });
      expect(history.statusCode).toBe(200);
      expect(history.json().history.length).toBe(5);
      const cancel = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries/runs/nothing-running/cancel' });
      expect(cancel.statusCode).toBe(404);
    });
  });
});

describe('vigil query', () => {
  let dir: string;
  const vigil = (args: string[]) => spawnSync(process.execPath, [VIGIL, 'query', ...args, '--data', dir], { encoding: 'utf8', timeout: 60_000 });

  beforeAll(async () => {
    dir = await tempDir('query-cli');
    await generateSample({ out: join(dir, 'export'), orders: 1000, months: 7, end: '2026-06-30', seed: 3 });
    await ingest({ input: join(dir, 'export'), snapshotsRoot: join(dir, 'snapshots') });
    await mkdir(dataPaths(dir).root, { recursive: true });
    const db = await AppDb.open(dataPaths(dir).appDb);
    await ensureUsers(db, { demo: true, env: {} });
    await db.close();
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints a table, csv and json', async () => {
    const [manifest] = await listSnapshots(join(dir, 'snapshots'));
    const table = vigil(["SELECT status, count(*) AS n FROM orders WHERE status = $s GROUP BY status", '--param', 's=delivered']);
    expect(table.status, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^status\s+n$/);
    expect(lines[1]).toMatch(/^delivered\s+\d+$/);
    const csv = vigil(['SELECT 1 AS a, $x AS b', '--param', 'x=he said "hi", twice', '--format', 'csv']);
    expect(csv.stdout).toBe('a,b\r\n1,"he said ""hi"", twice"\r\n');
    const json = vigil(['SELECT $n * 2 AS twice', '--param', 'n=21', '--declare', 'n:number', '--format', 'json']);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ snapshot: { id: manifest.id }, rows: [[42]], truncated: false });
  });

  it('masks for a user without pii and refuses a DROP with a non-zero exit', async () => {
    const admin = vigil(['SELECT count(*) FILTER (WHERE name LIKE \'%*%\') AS starred FROM customers', '--format', 'csv']);
    const analyst = vigil(['SELECT count(*) FILTER (WHERE name NOT LIKE \'%*%\') AS plain FROM customers', '--format', 'csv', '--as', 'analyst']);
    expect(admin.stdout).toBe('starred\r\n0\r\n');
    expect(analyst.stdout).toBe('plain\r\n0\r\n');
    const drop = vigil(['DROP VIEW orders']);
    expect(drop.status).not.toBe(0);
    expect(drop.stderr).toMatch(/^vigil: forbidden: DROP is not allowed: the workbench only reads/);
    const file = vigil(["SELECT * FROM read_csv('/etc/passwd')"]);
    expect(file.status).not.toBe(0);
    expect(file.stderr).toContain('file access outside the snapshot is not allowed: /etc/passwd');
  });
});
