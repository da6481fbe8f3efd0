// The real UCI Online Retail export, imported with the shipped mapping, checked against an
// independent computation over the raw CSV in plain TypeScript that applies the acceptance rules
// documented in server/snapshots/mappings/README.md.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, literal } from '../server/db/duck.ts';
import { ingest, type IngestResult } from '../server/snapshots/ingest.ts';
import type { SourceQuality } from '../server/snapshots/quality.ts';
import { parseCsv } from './helpers/csv.ts';

// shared/ stands beside the repository, in CI as here
const DATASET = resolve(import.meta.dirname, '../../shared/datasets/uci-online-retail');
const MAPPING = resolve(import.meta.dirname, '../server/snapshots/mappings/uci-online-retail.json');

/** Whole cents of a price with at most 2 significant decimals, else undefined. */
function cents(text: string | null): number | undefined {
  const m = text === null ? null : /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  if (/[1-9]/.test(fraction.slice(2))) return undefined;
  const value = Number(m[2]) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  return m[1] === '-' ? -value : value;
}

const NON_PRODUCT = new Set(['POST', 'DOT', 'C2', 'M', 'D', 'S', 'B', 'CRUK', 'AMAZONFEE', 'BANK CHARGES']);

interface Expected {
  read: number;
  reasons: Record<string, number>;
  orders: number;
  items: number;
  customers: number;
  revenueCents: number;
  refundCents: number;
}

/** The documented acceptance rules, line by line, in their documented order. */
function expected(text: string): Expected {
  const [, ...records] = parseCsv(text);
  const lines = records.map((r) => {
    const [invoice, code, , quantity, date, price, customer] = r.map((v) => v.trim() || null);
    return {
      key: JSON.stringify(r.map((v) => v.trim() || null)),
      invoice: invoice ?? '',
      sku: (code ?? '').toUpperCase(),
      code: code ?? '',
      quantity: quantity !== null && /^[+-]?\d+$/.test(quantity) ? Number(quantity) : undefined,
      cents: cents(price),
      date: date ?? '',
      customer,
    };
  });
  type Line = (typeof lines)[number];
  const cancellation = (l: Line) => l.invoice.startsWith('C');
  const nonProduct = (l: Line) => NON_PRODUCT.has(l.sku) || /^gift_/.test(l.code.toLowerCase());
  const sale = (l: Line) => !cancellation(l) && !l.invoice.startsWith('A') && !nonProduct(l) && (l.quantity ?? 0) > 0 && (l.cents ?? 0) > 0;

  // the earliest sale of each product to each customer: a cancellation refunds one if it is no later
  const firstSale = new Map<string, string>();
  for (const l of lines) {
    if (!sale(l) || l.customer === null) continue;
    const k = `${l.customer}|${l.sku}`;
    if (!firstSale.has(k) || firstSale.get(k)! > l.date) firstSale.set(k, l.date);
  }

  const refundable = (l: Line) => {
    const first = firstSale.get(`${l.customer}|${l.sku}`);
    return first !== undefined && first <= l.date;
  };

  const reasons: Record<string, number> = {};
  const seen = new Set<string>();
  const accepted: Line[] = [];
  for (const l of lines) {
    const reason =
      l.quantity === undefined || l.cents === undefined ? 'bad_number'
      : l.invoice.startsWith('A') ? 'adjustment'
      : nonProduct(l) ? 'non_product_code'
      : l.cents === 0 ? 'zero_price'
      : l.cents < 0 ? 'negative_price'
      : !cancellation(l) && l.quantity < 0 ? 'negative_quantity'
      : l.quantity === 0 ? 'zero_quantity'
      : cancellation(l) && l.customer === null ? 'missing_customer'
      : cancellation(l) && !refundable(l) ? 'refund_unmatched'
      : seen.has(l.key) ? 'duplicate'
      : undefined;
    if (reason) reasons[reason] = (reasons[reason] ?? 0) + 1;
    else {
      seen.add(l.key);
      accepted.push(l);
    }
  }
  const sales = accepted.filter((l) => !cancellation(l));
  return {
    read: lines.length,
    reasons,
    orders: new Set(sales.map((l) => l.invoice)).size,
    items: sales.length,
    customers: new Set(accepted.flatMap((l) => (l.customer === null ? [] : [l.customer]))).size,
    revenueCents: sales.reduce((sum, l) => sum + l.quantity! * l.cents!, 0),
    refundCents: accepted.filter(cancellation).reduce((sum, l) => sum - l.quantity! * l.cents!, 0),
  };
}

describe('the UCI Online Retail export', () => {
  let dir: string;
  let result: IngestResult;
  let lines: SourceQuality;
  let want: Expected;
  let got: { orders: number; items: number; customers: number; revenueCents: number; refundCents: number };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-uci-'));
    const root = join(dir, 'snapshots');
    result = await ingest({ input: DATASET, mapping: MAPPING, snapshotsRoot: root });
    lines = result.quality.sources![0];
    want = expected(gunzipSync(await readFile(join(DATASET, 'online_retail.csv.gz'))).toString('utf8'));

    const file = (table: string) => literal(join(root, result.manifest.id, `${table}.parquet`));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const [row] = await all<typeof got>(
      conn,
      `SELECT (SELECT count(*) FROM read_parquet(${file('orders')})) AS orders,
              (SELECT count(*) FROM read_parquet(${file('order_items')})) AS items,
              (SELECT count(*) FROM read_parquet(${file('customers')})) AS customers,
              (SELECT CAST(sum(paid_amount) * 100 AS BIGINT) FROM read_parquet(${file('orders')})) AS revenueCents,
              (SELECT CAST(sum(amount) * 100 AS BIGINT) FROM read_parquet(${file('refunds')})) AS refundCents`,
    );
    got = row;
    conn.closeSync();
    db.closeSync();
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads all 541,909 lines and accepts or rejects each one: read = accepted + rejected', () => {
    expect(want.read).toBe(541_909);
    expect(lines.read).toBe(541_909);
    expect(lines.accepted + lines.rejected).toBe(lines.read);
    expect(Object.values(lines.reasons).reduce((a, b) => a + b, 0)).toBe(lines.rejected);
    for (const t of result.quality.tables) expect(t.read, t.table).toBe(t.accepted + t.rejected);
  });

  it('rejects exactly the lines the documented rules reject, for the same reasons', () => {
    expect(lines.reasons).toEqual(want.reasons);
    expect(result.quality.warnings).toEqual([]);
  });

  it('explains every rejected line with a specific reason and the values it read', () => {
    for (const reason of Object.keys(lines.reasons)) {
      const samples = lines.samples.filter((s) => s.reason === reason);
      expect(samples.length, reason).toBe(Math.min(20, lines.reasons[reason]));
      for (const s of samples) expect(s.detail, reason).toMatch(/^(InvoiceNo|StockCode|UnitPrice|Quantity|same as row)/);
    }
  });

  it('has the order, line and customer counts of the independent computation', () => {
    expect(got.orders).toBe(want.orders);
    expect(got.items).toBe(want.items);
    expect(got.customers).toBe(want.customers);
    expect(result.manifest.tables.orders?.rows).toBe(want.orders);
  });

  it('has the revenue and refund totals of the independent computation, to the cent', () => {
    expect(got.revenueCents).toBe(want.revenueCents);
    expect(got.refundCents).toBe(want.refundCents);
  });

  it('is dated by its last invoice and lists the tables the export lacks', () => {
    expect(result.manifest.asOf).toBe('2011-12-09');
    expect(result.quality.missingTables).toEqual(['promotions', 'staff', 'logistics_events', 'complaints', 'inquiries', 'reviews', 'traffic', 'inventory', 'market']);
  });
});
