import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, literal, type Row } from '../server/db/duck.ts';
import { ingest, IngestError, type IngestResult } from '../server/snapshots/ingest.ts';
import type { TableQuality } from '../server/snapshots/quality.ts';
import { listSnapshots, publishSnapshot } from '../server/snapshots/store.ts';
import { treeHashes } from './helpers/files.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test/fixtures/ingest');
const VIGIL = join(ROOT, 'server/vigil.js');

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-ingest-'));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** Rows of one table of a published snapshot, read back with DuckDB. */
async function rows(snapshotsRoot: string, result: IngestResult, table: string, order = '1'): Promise<Row[]> {
  const file = join(snapshotsRoot, result.manifest.id, `${table}.parquet`);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return await all(conn, `SELECT * FROM read_parquet(${literal(file)}) ORDER BY ${order}`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

function quality(result: IngestResult, table: string): TableQuality {
  const found = result.quality.tables.find((t) => t.table === table);
  if (!found) throw new Error(`no quality entry for ${table}`);
  return found;
}

function rejectedRows(result: IngestResult, table: string, reason: string): number[] {
  return quality(result, table).samples.filter((s) => s.reason === reason).map((s) => s.row);
}


describe('ingest of dirty hand-made exports', () => {
  let root: string;
  let result: IngestResult;
  beforeAll(async () => {
    root = join(await tempDir(), 'snapshots');
    result = await ingest({ input: join(FIXTURES, 'dirty'), snapshotsRoot: root });
  });

  it('accounts for every row of every table: read = accepted + rejected = accepted + Σ reasons', () => {
    for (const t of result.quality.tables) {
      expect(t.read, t.table).toBe(t.accepted + t.rejected);
      expect(Object.values(t.reasons).reduce((a, b) => a + b, 0), t.table).toBe(t.rejected);
      expect(result.manifest.tables[t.table as 'orders']?.rows, t.table).toBe(t.accepted);
    }
    expect(quality(result, 'orders')).toMatchObject({ read: 12, accepted: 4, rejected: 8 });
    expect(quality(result, 'order_items')).toMatchObject({ read: 9, accepted: 5, rejected: 4 });
  });

  it('drops an exact duplicate, even one spelled differently, as duplicate', () => {
    expect(quality(result, 'orders').reasons.duplicate).toBe(1);
    const sample = quality(result, 'orders').samples.find((s) => s.reason === 'duplicate');
    expect(sample).toMatchObject({ file: 'orders.csv', row: 4, detail: 'same as row 1' });
    expect(sample?.values.paid_amount).toBe('1234.50');
  });

  it('rejects a different row with an earlier key as duplicate_key', () => {
    expect(rejectedRows(result, 'orders', 'duplicate_key')).toEqual([5]);
    expect(quality(result, 'orders').samples.find((s) => s.reason === 'duplicate_key')?.detail).toBe("order_id 'O2' is already on row 2");
  });

  it('rejects an impossible date as bad_date, naming the column and value', () => {
    const sample = quality(result, 'orders').samples.find((s) => s.reason === 'bad_date');
    expect(sample?.row).toBe(6);
    expect(sample?.detail).toMatch(/^ordered_at '2025-02-30 10:00:00' is not a date/);
    expect(sample?.values).toMatchObject({ order_id: 'O4', ordered_at: '2025-02-30 10:00:00' });
  });

  it('rejects a malformed number as bad_number, and a fractional quantity too', () => {
    expect(quality(result, 'orders').samples.find((s) => s.reason === 'bad_number')).toMatchObject({ row: 7, detail: expect.stringMatching(/^paid_amount '12\.3\.4' is not/) });
    expect(quality(result, 'order_items').samples.find((s) => s.reason === 'bad_number')).toMatchObject({ row: 9, detail: expect.stringMatching(/^quantity '1\.5' is not a whole number/) });
  });

  it('accepts "1,234.50", "¥19.80", "2025/3/7 14:05" and "2025-03-08T09:00:00" with their values', async () => {
    const orders = await rows(root, result, 'orders', 'order_id');
    const byId = Object.fromEntries(orders.map((o) => [o.order_id, o]));
    expect(byId.O1).toMatchObject({ paid_amount: 1234.5, ordered_at: '2025-03-07 10:00:00' });
    expect(byId.O2).toMatchObject({ ordered_at: '2025-03-07 14:05:00', paid_at: '2025-03-07 14:06:00', paid_amount: 9.9 });
    expect(byId.O3).toMatchObject({ ordered_at: '2025-03-08 09:00:00', paid_amount: 19.8, paid_at: null });
    const customers = await rows(root, result, 'customers', 'customer_id');
    expect(customers.find((c) => c.customer_id === 'C2')?.first_seen_at).toBe('2025-01-06 10:30:00');
    const products = await rows(root, result, 'products', 'sku');
    expect(products.find((p) => p.sku === 'P2')).toMatchObject({ unit_cost: 3.5, launched_on: '2024-06-01', status: 'active' });
  });

  it('rejects an unknown enum value and accepts case, spacing and Chinese variants as canonical', async () => {
    expect(quality(result, 'orders').samples.find((s) => s.reason === 'unknown_enum')).toMatchObject({
      row: 8,
      detail: "status 'lost_in_space' is not one of pending, paid, shipped, delivered, cancelled",
    });
    expect(rejectedRows(result, 'platforms', 'unknown_enum')).toEqual([4]);
    const orders = await rows(root, result, 'orders', 'order_id');
    expect(Object.fromEntries(orders.map((o) => [o.order_id, o.status]))).toEqual({ O1: 'paid', O2: 'delivered', O3: 'pending', O9: 'shipped' });
    const platforms = await rows(root, result, 'platforms', 'platform_id');
    expect(platforms.map((p) => [p.platform_id, p.kind])).toEqual([['jd', 'marketplace'], ['shop', 'own_site'], ['tmall', 'marketplace']]);
    const customers = await rows(root, result, 'customers', 'customer_id');
    expect(customers.find((c) => c.customer_id === 'C2')?.member_tier).toBe('silver');
  });

  it('rejects a yes/no value it cannot read as bad_boolean and reads yes/否', async () => {
    expect(quality(result, 'promotions').samples).toMatchObject([{ row: 3, reason: 'bad_boolean', detail: expect.stringMatching(/^approved 'maybe'/) }]);
    const promotions = await rows(root, result, 'promotions', 'promotion_id');
    expect(promotions.map((p) => [p.promotion_id, p.approved])).toEqual([['PR1', true], ['PR2', false]]);
  });

  it('rejects a dangling reference as unknown_reference, against accepted rows only', () => {
    expect(rejectedRows(result, 'orders', 'unknown_reference')).toEqual([9, 12]);
    const details = quality(result, 'orders').samples.filter((s) => s.reason === 'unknown_reference').map((s) => s.detail);
    expect(details).toEqual(["customer_id 'C9' is not an accepted customers.customer_id", "promotion_id 'PR3' is not an accepted promotions.promotion_id"]);
    // C4's platform wx was itself rejected; O4's order failed its date check
    expect(rejectedRows(result, 'customers', 'unknown_reference')).toEqual([4]);
    expect(rejectedRows(result, 'order_items', 'unknown_reference')).toEqual([5, 7]);
  });

  it('rejects an empty required value as missing_required and a zero quantity as out_of_range', () => {
    expect(quality(result, 'orders').samples.find((s) => s.reason === 'missing_required')).toMatchObject({ row: 10, detail: 'platform_id is empty' });
    expect(quality(result, 'order_items').samples.find((s) => s.reason === 'out_of_range')).toMatchObject({ row: 8, detail: "quantity '0' is below 1" });
  });

  it('dates the snapshot by its newest accepted order and keeps the report with it', async () => {
    expect(result.manifest.asOf).toBe('2025-03-10');
    const stored = JSON.parse(await readFile(join(root, result.manifest.id, 'quality.json'), 'utf8'));
    expect(stored).toEqual(result.quality);
    expect(result.manifest.tables.orders?.schema.find((c) => c.name === 'paid_amount')?.type).toBe('DECIMAL(18,2)');
  });
});

describe('ingest of encodings and formats', () => {
  it('reads a GBK file with Chinese headers through the mapping, and a UTF-8 file with a BOM', async () => {
    const root = join(await tempDir(), 'snapshots');
    const result = await ingest({ input: join(FIXTURES, 'gbk'), snapshotsRoot: root });
    expect(result.manifest.source).toBe('tmall-gbk');
    expect(quality(result, 'customers')).toMatchObject({ files: ['customers_gbk.csv'], read: 3, accepted: 2, rejected: 1 });
    expect(quality(result, 'customers').samples).toMatchObject([
      { row: 3, reason: 'unknown_enum', detail: expect.stringMatching(/^member_tier '青铜' is not one of/), values: { 客户编号: 'K3', 城市: '成都市' } },
    ]);
    const customers = await rows(root, result, 'customers', 'customer_id');
    expect(customers.map((c) => [c.customer_id, c.region, c.city, c.member_tier, c.name, c.first_seen_at])).toEqual([
      ['K1', '浙江省', '杭州市', 'gold', '张三', '2025-01-05 09:00:00'],
      ['K2', '广东省', '深圳市', 'none', '李四', '2025-01-06 00:00:00'],
    ]);
    const orders = await rows(root, result, 'orders', 'order_id');
    expect(orders.map((o) => [o.order_id, o.platform_id, o.status, o.paid_amount])).toEqual([['T1', 'tmall', 'paid', 1234.5], ['T2', 'tmall', 'delivered', 88]]);
    expect(rejectedRows(result, 'orders', 'unknown_reference')).toEqual([3]);
  });

  it('fails with a clear message naming an undeclared GBK file whose header is not UTF-8', async () => {
    const input = await tempDir();
    await cp(join(FIXTURES, 'gbk/customers_gbk.csv'), join(input, 'customers.csv'));
    await cp(join(FIXTURES, 'partial/orders.csv'), join(input, 'orders.csv'));
    await expect(ingest({ input, snapshotsRoot: join(input, 'out') })).rejects.toThrow(
      'customers.csv: the header line is not valid UTF-8 text; if the file is GBK or GB18030, declare "encoding": "gbk" for it in the mapping',
    );
  });

  it('detects UTF-16 by its byte-order mark and reads JSON lines and Parquet', async () => {
    const input = await tempDir();
    const orders = await readFile(join(FIXTURES, 'partial/orders.csv'), 'utf8');
    await writeFile(join(input, 'orders.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(orders, 'utf-16le')]));
    await writeFile(join(input, 'platforms.jsonl'), '{"platform_id": "tmall", "name": "天猫", "kind": "marketplace", "commission_rate": 0.05}\n{"platform_id": "jd", "name": "京东", "kind": "MARKETPLACE"}\n');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (SELECT * FROM (VALUES ('C1', 'tmall', TIMESTAMP '2025-01-01 08:00:00'), ('C2', 'jd', NULL)) v(customer_id, platform_id, first_seen_at))
      TO ${literal(join(input, 'customers.parquet'))} (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    const root = join(input, 'snapshots');
    const result = await ingest({ input, snapshotsRoot: root });
    expect(result.quality.tables.map((t) => [t.table, t.read, t.accepted])).toEqual([['platforms', 2, 2], ['customers', 2, 2], ['orders', 2, 2]]);
    expect((await rows(root, result, 'platforms', 'platform_id')).map((p) => [p.name, p.commission_rate])).toEqual([['京东', null], ['天猫', 0.05]]);
    expect((await rows(root, result, 'customers', 'customer_id'))[0].first_seen_at).toBe('2025-01-01 08:00:00');
  });
});

const ORDERS_HEADER = 'order_id,platform_id,ordered_at,status,paid_amount';

describe('ingest of malformed rows: quarantined one by one, the rest accepted', () => {
  let input: string;
  async function ingestFiles(files: Record<string, string | Buffer>): Promise<IngestResult> {
    input = await tempDir();
    for (const [name, content] of Object.entries(files)) await writeFile(join(input, name), content);
    return ingest({ input, snapshotsRoot: join(input, 'snapshots') });
  }

  it('quarantines CSV lines with the wrong field count, a broken quote or bytes that are not UTF-8, by their row', async () => {
    const lines = [
      'O1,tmall,2025-01-01,paid,5',
      'O2,tmall',
      '"O3\nsecond line",tmall,2025-01-02,paid,6',
      'O4,tmall,2025-01-03,paid,7,extra',
      'O5,tmall,2025-01-03,"paid"x,7',
      'O6,tmall,2025-01-04,paid,8',
      'O7,tmall,2025-01-35,paid,9',
    ];
    const text = Buffer.from([ORDERS_HEADER, ...lines].join('\r\n') + '\n');
    const result = await ingestFiles({ 'orders.csv': Buffer.concat([text, Buffer.from('O8,tm'), Buffer.from([0xff]), Buffer.from('all,2025-01-05,paid,1\nO9,tmall,2025-01-05,paid,2')]) });
    const orders = quality(result, 'orders');
    expect(orders).toMatchObject({ read: 9, accepted: 4, rejected: 5, reasons: { wrong_field_count: 2, bad_quote: 1, bad_date: 1, bad_encoding: 1 } });
    const byRow = Object.fromEntries(orders.samples.map((s) => [s.row, [s.reason, s.detail]]));
    expect(byRow).toEqual({
      2: ['wrong_field_count', 'line has 2 fields where the header has 5: O2,tmall'],
      4: ['wrong_field_count', 'line has 6 fields where the header has 5: O4,tmall,2025-01-03,paid,7,extra'],
      5: ['bad_quote', expect.stringMatching(/^a quoted value is not closed, or has text after its closing quote: O5,/)],
      7: ['bad_date', expect.stringMatching(/^ordered_at '2025-01-35' is not a date/)],
      8: ['bad_encoding', 'line is not valid UTF-8 text; if the file is GBK or GB18030, declare "encoding": "gbk" for it in the mapping'],
    });
    const accepted = await rows(join(input, 'snapshots'), result, 'orders', 'order_id');
    expect(accepted.map((o) => o.order_id)).toEqual(['O1', 'O3\nsecond line', 'O6', 'O9']);
  });

  it('quarantines bytes a declared GBK file cannot decode, and keeps its other rows', async () => {
    const gbk = iconv.encode(`${ORDERS_HEADER}\nO1,天猫,2025-01-01,paid,5\n`, 'gbk');
    const result = await ingestFiles({
      'orders.csv': Buffer.concat([gbk, Buffer.from('O2,tm'), Buffer.from([0xff]), Buffer.from(',2025-01-02,paid,6\n')]),
      'mapping.json': JSON.stringify({ files: [{ file: 'orders.csv', table: 'orders', encoding: 'gbk' }] }),
    });
    expect(quality(result, 'orders')).toMatchObject({ read: 2, accepted: 1, reasons: { bad_encoding: 1 } });
    expect(quality(result, 'orders').samples).toMatchObject([{ row: 2, reason: 'bad_encoding', detail: 'line holds bytes that are not valid gbk' }]);
  });

  it('quarantines JSON lines that do not parse or are not objects, and array elements that are not objects', async () => {
    const result = await ingestFiles({
      'orders.jsonl': ['{"order_id":"O1","platform_id":"tmall","ordered_at":"2025-01-01","status":"paid","paid_amount":5}', '', '[1,2]', '{"order_id":', '"text"', '{"order_id":"O2","platform_id":"tmall","ordered_at":"2025-01-02","status":"paid","paid_amount":"6"}'].join('\n'),
      'platforms.json': '[{"platform_id":"tmall","name":"Tmall","kind":"marketplace"}, 7, null]',
    });
    // the blank line 2 is no row; rows keep their line numbers
    expect(quality(result, 'orders')).toMatchObject({ read: 5, accepted: 2, rejected: 3, reasons: { not_an_object: 2, bad_json: 1 } });
    expect((await rows(join(input, 'snapshots'), result, 'orders', 'order_id')).map((o) => [o.order_id, o.paid_amount])).toEqual([['O1', 5], ['O2', 6]]);
    expect(quality(result, 'orders').samples.map((s) => [s.row, s.reason])).toEqual([[4, 'bad_json'], [3, 'not_an_object'], [5, 'not_an_object']]);
    expect(quality(result, 'platforms')).toMatchObject({ read: 3, accepted: 1, reasons: { not_an_object: 2 } });
  });

  it('counts quarantined lines of a file split into tables as rejected lines of that file', async () => {
    const input = await tempDir();
    await cp(join(FIXTURES, 'split'), input, { recursive: true });
    const before = await ingest({ input, snapshotsRoot: join(input, 'a') });
    const lines = (await readFile(join(input, 'lines.csv'), 'utf8')).replace(/\n$/, '');
    await writeFile(join(input, 'lines.csv'), `${lines}\nbroken,line\n`);
    const after = await ingest({ input, snapshotsRoot: join(input, 'b') });
    const [was, is] = [before.quality.sources![0], after.quality.sources![0]];
    expect(is).toMatchObject({ read: was.read + 1, accepted: was.accepted, rejected: was.rejected + 1 });
    expect(is.reasons.wrong_field_count).toBe(1);
    expect(is.samples.find((s) => s.reason === 'wrong_field_count')).toMatchObject({ row: was.read + 1, detail: expect.stringMatching(/^line has 2 fields where the header has \d+: broken,line$/) });
  });

  it('refuses a file that is not a table at all: binary, empty, without a header', async () => {
    const valid = `${ORDERS_HEADER}\nO1,tmall,2025-01-01,paid,5\n`;
    const refusal = async (name: string, content: string | Buffer) => {
      const input = await tempDir();
      await writeFile(join(input, 'orders.csv'), valid);
      await writeFile(join(input, name), content);
      return ingest({ input, snapshotsRoot: join(input, 'snapshots') }).then(() => 'published', (e: Error) => e.message);
    };
    expect(await refusal('customers.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff]))).toBe(
      'cannot read customers.csv: it is not a text file (it holds NUL bytes: binary data, or UTF-16 without a byte-order mark)',
    );
    expect(await refusal('customers.csv', '')).toBe('cannot read customers.csv: the file is empty');
    expect(await refusal('customers.csv', '\nC1,tmall\n')).toBe('cannot read customers.csv: its first line is empty, so it has no header');
    expect(await refusal('customers.jsonl', '\n  \n')).toBe('cannot read customers.jsonl: it holds only blank lines');
    expect(await refusal('customers.json', '[{"customer_id": "C1"')).toMatch(/^cannot read customers\.json: /);
  });
});

describe('ingest of partial and unusable inputs', () => {
  it('publishes a folder missing tables and lists them as missing, not checking references to them', async () => {
    const root = join(await tempDir(), 'snapshots');
    const result = await ingest({ input: join(FIXTURES, 'partial'), snapshotsRoot: root });
    expect(Object.keys(result.manifest.tables)).toEqual(['orders', 'order_items']);
    expect(result.quality.missingTables).toEqual(['platforms', 'promotions', 'staff', 'products', 'customers', 'refunds', 'logistics_events', 'complaints', 'inquiries', 'reviews', 'traffic', 'inventory', 'market']);
    // platforms and customers are absent, so orders' references to them are not checked
    expect(quality(result, 'orders')).toMatchObject({ read: 2, accepted: 2 });
    expect(rejectedRows(result, 'order_items', 'unknown_reference')).toEqual([3]);
    expect((await listSnapshots(root)).map((m) => m.id)).toEqual([result.manifest.id]);
  });

  it('fails without orders and leaves the previous snapshot byte-identical', async () => {
    const root = join(await tempDir(), 'snapshots');
    const previous = await ingest({ input: join(FIXTURES, 'partial'), snapshotsRoot: root });
    const before = await treeHashes(root);
    const failure = ingest({ input: join(FIXTURES, 'no-orders'), snapshotsRoot: root });
    await expect(failure).rejects.toBeInstanceOf(IngestError);
    await expect(failure).rejects.toThrow(/^no orders table in .*no-orders: expected orders\.csv/);
    expect(await treeHashes(root)).toEqual(before);
    expect((await listSnapshots(root)).map((m) => m.id)).toEqual([previous.manifest.id]);
  });

  it('fails on a file lacking required columns, naming them, and leaves the store untouched', async () => {
    const input = await tempDir();
    await writeFile(join(input, 'orders.csv'), 'order_id,customer_id,paid_amount\nO1,C1,5\n');
    const root = join(await tempDir(), 'snapshots');
    await ingest({ input: join(FIXTURES, 'partial'), snapshotsRoot: root });
    const before = await treeHashes(root);
    await expect(ingest({ input, snapshotsRoot: root })).rejects.toThrow(
      'orders.csv: orders lacks required columns platform_id, ordered_at, status (the file has order_id, customer_id, paid_amount)',
    );
    expect(await treeHashes(root)).toEqual(before);
  });

  it('fails when no order is accepted, and when the input folder does not exist', async () => {
    const input = await tempDir();
    await writeFile(join(input, 'orders.csv'), 'order_id,platform_id,ordered_at,status,paid_amount\nO1,tmall,yesterday,paid,5\nO2,tmall,2025-01-01,paid,\n');
    const root = join(input, 'snapshots');
    await expect(ingest({ input, snapshotsRoot: root })).rejects.toThrow('no order was accepted from orders.csv: 2 rows read, all rejected (bad_date 1, missing_required 1)');
    await expect(ingest({ input: join(input, 'nowhere'), snapshotsRoot: root })).rejects.toThrow(`input folder not found: ${join(input, 'nowhere')}`);
    expect(await listSnapshots(root)).toEqual([]);
  });
});

describe('the ingest and snapshots commands', () => {
  const vigil = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [VIGIL, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });

  it('exits non-zero with a one-line reason', async () => {
    const data = await tempDir();
    const run = vigil(['ingest', join(FIXTURES, 'no-orders'), '--data', data]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^vigil: no orders table in \S+no-orders: expected orders\.csv, [^\n]*\n$/);
  });

  it('prints the manifest and report with --json, and lists the snapshot', async () => {
    const data = await tempDir();
    const run = vigil(['ingest', join(FIXTURES, 'partial'), '--data', data, '--json', '--as-of', '2025-04-30']);
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout) as IngestResult;
    expect(printed.manifest).toMatchObject({ asOf: '2025-04-30', source: 'partial' });
    const listed = vigil(['snapshots', '--data', data, '--json']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((m) => m.id)).toEqual([printed.manifest.id]);
    expect(vigil(['snapshots', '--data', data]).stdout).toMatch(new RegExp(`^id +as of +created \\(UTC\\) +source +orders\\n${printed.manifest.id}  2025-04-30  .* partial +2\\n$`));
  });

  it('leaves no partial snapshot when killed between writing and publishing, and the next ingest succeeds', async () => {
    const data = await tempDir();
    const root = join(data, 'snapshots');
    const first = await ingest({ input: join(FIXTURES, 'partial'), snapshotsRoot: root });

    const child = spawn(process.execPath, [VIGIL, 'ingest', join(FIXTURES, 'dirty'), '--data', data], {
      cwd: ROOT,
      env: { ...process.env, VIGIL_TEST_PAUSE_BEFORE_PUBLISH: '60000' },
    });
    await new Promise<void>((done, failed) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('paused before publishing')) done();
      });
      child.on('exit', () => failed(new Error(`ingest exited before pausing: ${stderr}`)));
    });
    const staged = (await readdir(root)).filter((n) => n.startsWith('.tmp-'));
    expect(staged.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((done) => child.on('close', done));

    expect((await listSnapshots(root)).map((m) => m.id)).toEqual([first.manifest.id]);
    const next = await ingest({ input: join(FIXTURES, 'dirty'), snapshotsRoot: root });
    expect((await listSnapshots(root)).map((m) => m.id)).toEqual([next.manifest.id, first.manifest.id]);
    expect((await readdir(root)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('does not clear the staging folder of a publish still running beside it', async () => {
    const root = join(await tempDir(), 'snapshots');
    const outer = await publishSnapshot(root, async (staged) => {
      await writeFile(join(staged.dir, 'a.txt'), 'a');
      const inner = await ingest({ input: join(FIXTURES, 'partial'), snapshotsRoot: root });
      expect(await readFile(join(staged.dir, 'a.txt'), 'utf8')).toBe('a');
      return { asOf: inner.manifest.asOf, source: 'outer', tables: {} };
    });
    expect((await listSnapshots(root)).map((m) => m.source).sort()).toEqual(['outer', 'partial']);
    expect(outer.source).toBe('outer');
  });
});
