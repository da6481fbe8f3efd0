import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, literal, type Row } from '../server/db/duck.ts';
import { ingest, type IngestResult } from '../server/snapshots/ingest.ts';
import type { SourceQuality } from '../server/snapshots/quality.ts';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/ingest/split');

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-split-'));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function rows(root: string, result: IngestResult, table: string, order: string): Promise<Row[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return await all(conn, `SELECT * FROM read_parquet(${literal(join(root, result.manifest.id, `${table}.parquet`))}) ORDER BY ${order}`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('splitting one denormalised file into tables', () => {
  let root: string;
  let result: IngestResult;
  let lines: SourceQuality;
  beforeAll(async () => {
    root = join(await tempDir(), 'snapshots');
    result = await ingest({ input: FIXTURE, snapshotsRoot: root });
    lines = result.quality.sources![0];
  });

  it('accounts for every line: accepted, or rejected with one reason', () => {
    expect(lines).toMatchObject({ file: 'lines.csv', read: 9, accepted: 4, rejected: 5 });
    expect(lines.reasons).toEqual({ bad_number: 1, duplicate: 1, missing_required: 1, refund_unmatched: 1, zero_price: 1 });
    expect(lines.samples.map((s) => [s.row, s.reason])).toEqual([[8, 'bad_number'], [7, 'duplicate'], [9, 'missing_required'], [6, 'refund_unmatched'], [3, 'zero_price']]);
  });

  it('explains a rule rejection with the columns and values it read', () => {
    expect(lines.samples.find((s) => s.reason === 'zero_price')?.detail).toBe("Price '0': no price");
    expect(lines.samples.find((s) => s.reason === 'refund_unmatched')).toMatchObject({
      detail: "Invoice 'C2002', Customer 'K2': nothing to refund",
      values: { Invoice: 'C2002', Sku: 'B2', Qty: '-1', Customer: 'K2' },
    });
  });

  it('rejects the lines of a row the table checks rejected, and says so', () => {
    expect(lines.samples.find((s) => s.reason === 'missing_required')).toMatchObject({ row: 9, detail: 'products: sku is empty' });
    expect(result.quality.warnings).toEqual([
      'lines.csv: 1 lines were rejected because a row built from them was rejected by the table checks; rows of other tables built from the same lines were kept',
    ]);
  });

  it('groups invoices into orders with aggregates taken in file order', async () => {
    const orders = await rows(root, result, 'orders', 'order_id');
    expect(orders.map((o) => [o.order_id, o.customer_id, o.ordered_at, o.paid_amount, o.status, o.region])).toEqual([
      ['1001', 'K1', '2025-03-01 10:00:00', 15, 'delivered', 'UK'],
      ['1003', null, '2025-03-03 12:00:00', 22.5, 'delivered', 'UK'],
      ['1005', 'K1', '2025-03-05 10:00:00', 5, 'delivered', 'UK'],
    ]);
  });

  it('numbers lines within an invoice and upper-cases product codes', async () => {
    const items = await rows(root, result, 'order_items', 'order_id, line_no');
    expect(items.map((i) => [i.order_id, i.line_no, i.sku, i.quantity, i.unit_price])).toEqual([
      ['1001', 1, 'A1', 2, 5],
      ['1001', 2, 'A1', 1, 5],
      ['1003', 1, 'B2', 3, 7.5],
    ]);
    expect((await rows(root, result, 'products', 'sku')).map((p) => p.sku)).toEqual(['A1', 'B2']);
  });

  it('links a cancellation to the latest earlier invoice of that product to that customer', async () => {
    const refunds = await rows(root, result, 'refunds', 'refund_id');
    expect(refunds).toEqual([{ refund_id: 'C2001/1001', order_id: '1001', requested_at: '2025-03-04 09:00:00', amount: 5, reason: null, status: 'approved' }]);
    expect((await rows(root, result, 'customers', 'customer_id')).map((c) => [c.customer_id, c.first_seen_at])).toEqual([['K1', '2025-03-01 10:00:00']]);
  });
});

describe('mapping errors', () => {
  async function withMapping(edit: (mapping: { files: Record<string, unknown>[] }) => void): Promise<IngestResult> {
    const input = await tempDir();
    await cp(join(FIXTURE, 'lines.csv'), join(input, 'lines.csv'));
    const mapping = JSON.parse(await readFile(join(FIXTURE, 'mapping.json'), 'utf8'));
    edit(mapping);
    await writeFile(join(input, 'mapping.json'), JSON.stringify(mapping));
    return ingest({ input, snapshotsRoot: join(input, 'snapshots') });
  }

  it('names a column the file does not have', async () => {
    const run = withMapping((m) => {
      (m.files[0].rules as { when: unknown }[])[0].when = { eq: ['Prize', 0] };
    });
    await expect(run).rejects.toThrow('mapping for lines.csv: rules[0].when.eq[0]: the file has no column "Prize"');
  });

  it('names an operator outside the vocabulary', async () => {
    const run = withMapping((m) => {
      (m.files[0].rules as { when: unknown }[])[0].when = { sql: ['1=1'] };
    });
    await expect(run).rejects.toThrow(/^mapping for lines\.csv: rules\[0\]\.when: unknown operator "sql"/);
  });

  it('refuses a per-line value in a grouped table', async () => {
    const run = withMapping((m) => {
      const orders = (m.files[0].split as { columns: Record<string, unknown> }[])[0];
      orders.columns.customer_id = 'Customer';
    });
    await expect(run).rejects.toThrow('mapping for lines.csv: split[0].columns.customer_id: in a grouped split use min, max, sum, first, last, a constant, or the groupBy expressions');
  });

  it('refuses a canonical column that does not exist', async () => {
    const run = withMapping((m) => {
      const orders = (m.files[0].split as { columns: Record<string, unknown> }[])[0];
      orders.columns.total = { sum: 'Price' };
    });
    await expect(run).rejects.toThrow(/mapping .*mapping\.json: files\[0\]\.split\[0\]\.columns: orders has no column total$/);
  });
});
