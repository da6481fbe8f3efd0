// The sample generator, checked from the outside: files are read back with a separate DuckDB
// instance (or parsed as plain text) and every rate is recomputed here, never taken from the
// generator's own SQL.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSample, type GenerateOptions, type GenerateSummary } from '../server/sample/generate.ts';
import { ENUMS, TABLE_NAMES, TABLES } from '../server/snapshots/schema.ts';
import { parseCsv } from './helpers/csv.ts';

const END = '2026-06-30';
const BASE = { orders: 20_000, months: 13, end: END } as const;
/** large enough that a two-week incident on one platform is far outside sampling noise */
const CLEAN = { ...BASE, orders: 50_000 } as const;

const dirs: string[] = [];
async function generate(opts: Omit<GenerateOptions, 'out'>): Promise<GenerateSummary> {
  const out = await mkdtemp(join(tmpdir(), 'vigil-gen-test-'));
  dirs.push(out);
  return generateSample({ ...opts, out });
}

async function fileHashes(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    hashes[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  }
  return hashes;
}

async function query<T>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as unknown as T[];
}

async function scalar(conn: DuckDBConnection, sql: string): Promise<number> {
  const [row] = await query<Record<string, unknown>>(conn, sql);
  return Number(Object.values(row)[0]);
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('determinism', () => {
  it('writes byte-identical CSV and Parquet files for the same seed, different ones for another seed, Parquet typed as schema.ts', async () => {
    const csvA = await generate({ ...BASE, format: 'csv', seed: 7 });
    const csvB = await generate({ ...BASE, format: 'csv', seed: 7 });
    const hashesA = await fileHashes(csvA.out);
    expect(Object.keys(hashesA)).toHaveLength(TABLE_NAMES.length + 1);
    expect(await fileHashes(csvB.out)).toEqual(hashesA);

    const parquetA = await generate({ ...BASE, format: 'parquet', seed: 7 });
    const parquetB = await generate({ ...BASE, format: 'parquet', seed: 7 });
    const parquetHashes = await fileHashes(parquetA.out);
    expect(Object.keys(parquetHashes).filter((f) => f.endsWith('.parquet'))).toHaveLength(TABLE_NAMES.length);
    expect(await fileHashes(parquetB.out)).toEqual(parquetHashes);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      for (const table of TABLE_NAMES) {
        const columns = await query<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM '${join(parquetA.out, `${table}.parquet`)}'`);
        expect(columns.map((c) => [c.column_name, c.column_type]), table).toEqual(TABLES[table].columns.map((c) => [c.name, c.type]));
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }

    const other = await fileHashes((await generate({ ...BASE, format: 'csv', seed: 8 })).out);
    for (const table of ['orders', 'order_items', 'customers', 'complaints', 'traffic'] as const) {
      expect(other[`${table}.csv`]).not.toBe(hashesA[`${table}.csv`]);
    }
  });
});

describe('a clean CSV sample', () => {
  let summary: GenerateSummary;
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  let incidents: { seed: number; end: string; incidents: { id: string; kind: string; scope: Record<string, string>; start: string; end: string }[] };
  const incident = (kind: string) => {
    const found = incidents.incidents.find((i) => i.kind === kind);
    if (!found) throw new Error(`no ${kind} incident`);
    return found;
  };
  /** valid orders per DESIGN.md: paid and not cancelled */
  const VALID = `paid_at IS NOT NULL AND status <> 'cancelled'`;

  beforeAll(async () => {
    summary = await generate({ ...CLEAN, format: 'csv', seed: 1 });
    incidents = JSON.parse(await readFile(join(summary.out, 'incidents.json'), 'utf8'));
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    for (const table of TABLE_NAMES) {
      const columns = TABLES[table].columns.map((c) => `'${c.name}': '${c.type}'`).join(', ');
      await conn.run(`CREATE VIEW ${table} AS SELECT * FROM read_csv('${join(summary.out, `${table}.csv`)}', header = true, columns = {${columns}})`);
    }
  });

  afterAll(() => {
    conn.closeSync();
    db.closeSync();
  });

  it('has every table with the canonical header, in order', async () => {
    for (const table of TABLE_NAMES) {
      const text = await readFile(join(summary.out, `${table}.csv`), 'utf8');
      expect(text.slice(0, text.indexOf('\n')), table).toBe(TABLES[table].columns.map((c) => c.name).join(','));
      expect(summary.tables[table].rows, table).toBe(await scalar(conn, `SELECT count(*) FROM ${table}`));
    }
    expect(await scalar(conn, 'SELECT count(*) FROM orders')).toBe(CLEAN.orders);
  });

  it('formats dates, timestamps, decimals and booleans as the CSV contract says', async () => {
    const [header, first] = parseCsv((await readFile(join(summary.out, 'orders.csv'), 'utf8')).slice(0, 2000));
    const row = Object.fromEntries(header.map((h, i) => [h, first[i]]));
    expect(row.ordered_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(row.paid_amount).toMatch(/^\d+\.\d{2}$/);
    const promotions = parseCsv(await readFile(join(summary.out, 'promotions.csv'), 'utf8')).slice(1).filter((r) => r.length > 1);
    expect(new Set(promotions.map((r) => r[5]))).toEqual(new Set(['true', 'false']));
    const traffic = parseCsv(await readFile(join(summary.out, 'traffic.csv'), 'utf8'));
    expect(traffic[1][0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('keeps enum columns inside their canonical values and references resolvable', async () => {
    for (const table of TABLE_NAMES) {
      for (const column of TABLES[table].columns) {
        if (column.enum) {
          const allowed = column.enum.map((v) => `'${v}'`).join(', ');
          expect(await scalar(conn, `SELECT count(*) FROM ${table} WHERE ${column.name} NOT IN (${allowed})`), `${table}.${column.name}`).toBe(0);
        }
        if (column.references) {
          const { table: target, column: key } = column.references;
          const orphans = await scalar(conn, `SELECT count(*) FROM ${table} t WHERE t.${column.name} IS NOT NULL AND t.${column.name} NOT IN (SELECT ${key} FROM ${target})`);
          expect(orphans, `${table}.${column.name} → ${target}`).toBe(0);
        }
      }
    }
  });

  it('models platforms, products, staff and customers realistically', async () => {
    const kinds = await query<{ platform_id: string; kind: string }>(conn, 'SELECT platform_id, kind FROM platforms ORDER BY 1');
    expect(kinds).toEqual([
      { platform_id: 'douyin', kind: 'social' }, { platform_id: 'jd', kind: 'marketplace' },
      { platform_id: 'own_site', kind: 'own_site' }, { platform_id: 'tmall', kind: 'marketplace' },
      { platform_id: 'wechat_mini', kind: 'mini_program' },
    ]);
    expect(await scalar(conn, 'SELECT count(*) FROM products')).toBeGreaterThanOrEqual(500);
    expect(await scalar(conn, 'SELECT count(DISTINCT category) FROM products')).toBeGreaterThanOrEqual(10);
    expect(await scalar(conn, 'SELECT count(*) FROM products WHERE NOT (unit_cost < floor_price AND floor_price < list_price)')).toBe(0);
    expect(await scalar(conn, `SELECT avg((status = 'active')::INT) FROM products`)).toBeGreaterThan(0.8);
    expect(await scalar(conn, `SELECT count(*) FROM staff WHERE role = 'sales'`)).toBeGreaterThanOrEqual(25);
    expect(await scalar(conn, `SELECT count(*) FROM staff WHERE role = 'service'`)).toBeGreaterThanOrEqual(15);
    expect(await scalar(conn, 'SELECT count(*) FROM staff WHERE left_on IS NOT NULL')).toBeGreaterThan(0);
    expect(await scalar(conn, 'SELECT count(DISTINCT member_tier) FROM customers')).toBe(5);
    expect(await scalar(conn, 'SELECT count(DISTINCT region) FROM customers')).toBeGreaterThanOrEqual(25);
    expect(await scalar(conn, `SELECT count(*) FROM customers WHERE NOT regexp_full_match(phone, '1[0-9]{10}')`)).toBe(0);
    expect(await scalar(conn, `SELECT count(*) FROM customers WHERE NOT regexp_full_match(name, '[\\x{4e00}-\\x{9fff}]{2,3}')`)).toBe(0);
    // first_seen_at never after the customer's first order
    expect(await scalar(conn, `SELECT count(*) FROM customers c JOIN (SELECT customer_id, min(ordered_at) AS first FROM orders GROUP BY 1) o USING (customer_id) WHERE c.first_seen_at > o.first`)).toBe(0);
    // long tail: most buyers buy once or twice, a few buy ten times or more
    const [tail] = await query<{ once: number; often: number }>(conn, `SELECT avg((n = 1)::INT) AS once, avg((n >= 10)::INT) AS often FROM (SELECT customer_id, count(*) AS n FROM orders WHERE ${VALID} GROUP BY 1)`);
    expect(tail.once).toBeGreaterThan(0.25);
    expect(tail.often).toBeGreaterThan(0.005);
    expect(tail.often).toBeLessThan(0.15);
    // an order's region is its customer's
    expect(await scalar(conn, 'SELECT count(*) FROM orders o JOIN customers c USING (customer_id) WHERE o.region <> c.region')).toBe(0);
  });

  it('keeps order money exact: items_amount = Σ qty·unit_price, paid = items − discount + shipping', async () => {
    expect(await scalar(conn, `SELECT count(*) FROM orders o LEFT JOIN (SELECT order_id, SUM(quantity * unit_price) AS s FROM order_items GROUP BY 1) i USING (order_id) WHERE i.s IS DISTINCT FROM o.items_amount`)).toBe(0);
    expect(await scalar(conn, 'SELECT count(*) FROM orders WHERE paid_amount <> items_amount - discount_amount + shipping_fee')).toBe(0);
    expect(await scalar(conn, 'SELECT count(*) FROM orders WHERE discount_amount < 0 OR discount_amount > items_amount OR paid_amount <= 0')).toBe(0);
    expect(await scalar(conn, 'SELECT max(n) FROM (SELECT order_id, count(*) AS n FROM order_items GROUP BY 1)')).toBeLessThanOrEqual(4);
  });

  it('has a believable order life cycle', async () => {
    const cancelled = await scalar(conn, `SELECT avg((status = 'cancelled')::INT) FROM orders`);
    expect(cancelled).toBeGreaterThanOrEqual(0.03);
    expect(cancelled).toBeLessThanOrEqual(0.05);
    expect(await scalar(conn, `SELECT avg((status = 'delivered')::INT) FROM orders`)).toBeGreaterThan(0.85);
    // unfinished orders only near the end date
    const [unfinished] = await query<{ first: string }>(conn, `SELECT min(ordered_at)::DATE::VARCHAR AS first FROM orders WHERE status IN ('pending', 'paid', 'shipped')`);
    expect(unfinished.first >= '2026-06-15').toBe(true);
    expect(await scalar(conn, `SELECT count(DISTINCT status) FROM orders WHERE ordered_at >= DATE '${END}' - 3`)).toBe(5);
    expect(await scalar(conn, `SELECT count(*) FROM orders WHERE paid_at < ordered_at OR paid_at > ordered_at + INTERVAL 30 MINUTE`)).toBe(0);
    expect(await scalar(conn, `SELECT count(*) FROM orders WHERE shipped_at < paid_at OR delivered_at < shipped_at OR (shipped_at IS NULL) <> (carrier IS NULL)`)).toBe(0);
    expect(await scalar(conn, `SELECT count(*) FROM orders WHERE paid_at IS NOT NULL AND promised_ship_by IS NULL`)).toBe(0);
    expect(await scalar(conn, `SELECT count(DISTINCT carrier) FROM orders`)).toBeGreaterThanOrEqual(5);
    expect(await scalar(conn, `SELECT count(*) FROM orders o JOIN staff s ON s.staff_id = o.salesperson_id WHERE s.role <> 'sales' OR o.ordered_at::DATE < s.hired_on OR o.ordered_at::DATE >= s.left_on`)).toBe(0);
    // promotions in use are approved, except the planted one
    const flash = incident('price_violation').scope.promotion_id;
    expect(await scalar(conn, `SELECT count(*) FROM orders o JOIN promotions p USING (promotion_id) WHERE NOT p.approved AND promotion_id <> '${flash}'`)).toBe(0);
    expect(await scalar(conn, `SELECT count(*) FROM orders WHERE promotion_id IS NOT NULL`)).toBeGreaterThan(CLEAN.orders * 0.1);
  });

  it('shows the seasonal shape: Double-11 and 618 peaks, a Chinese New Year dip', async () => {
    const perDay = (day: string) => scalar(conn, `SELECT count(*) FROM orders WHERE ordered_at::DATE = DATE '${day}'`);
    const typical = await scalar(conn, `SELECT median(n) FROM (SELECT ordered_at::DATE, count(*) AS n FROM orders GROUP BY 1)`);
    expect(await perDay('2025-11-11')).toBeGreaterThan(3 * typical);
    expect(await perDay('2025-06-18')).toBeGreaterThan(2 * typical);
    const newYear = await scalar(conn, `SELECT avg(n) FROM (SELECT ordered_at::DATE AS d, count(*) AS n FROM orders GROUP BY 1) WHERE d BETWEEN DATE '2026-02-17' AND DATE '2026-02-24'`);
    expect(newYear).toBeLessThan(0.6 * typical);
  });

  it('keeps after-sales rates inside their normal ranges', async () => {
    const valid = await scalar(conn, `SELECT count(*) FROM orders WHERE ${VALID}`);
    const refunded = await scalar(conn, `SELECT count(DISTINCT r.order_id) FROM refunds r JOIN orders o USING (order_id) WHERE ${VALID.replaceAll('status', 'o.status')}`);
    expect(refunded / valid).toBeGreaterThanOrEqual(0.03);
    expect(refunded / valid).toBeLessThanOrEqual(0.06);
    expect(await scalar(conn, `SELECT avg((status = 'approved')::INT) FROM refunds`)).toBeGreaterThan(0.6);
    expect(await scalar(conn, `SELECT count(*) FROM refunds r JOIN orders o USING (order_id) WHERE r.amount > o.paid_amount OR r.amount <= 0`)).toBe(0);

    const spike = incident('complaint_spike');
    const outside = `NOT (platform_id = '${spike.scope.platform_id}' AND %col%::DATE BETWEEN DATE '${spike.start}' AND DATE '${spike.end}')`;
    const complaints = await scalar(conn, `SELECT count(*) FROM complaints WHERE ${outside.replace('%col%', 'received_at')}`);
    const ordersOutside = await scalar(conn, `SELECT count(*) FROM orders WHERE ${VALID} AND ${outside.replace('%col%', 'ordered_at')}`);
    expect(complaints / ordersOutside).toBeGreaterThanOrEqual(0.005);
    expect(complaints / ordersOutside).toBeLessThanOrEqual(0.01);
    expect(await scalar(conn, `SELECT count(*) FROM complaints WHERE (status IN ('resolved', 'closed')) <> (resolved_at IS NOT NULL) OR (satisfaction IS NOT NULL) <> (resolved_at IS NOT NULL)`)).toBe(0);
    expect(await scalar(conn, `SELECT count(DISTINCT category) FROM complaints`)).toBe(ENUMS.complaintCategory.length);

    const delivered = await scalar(conn, `SELECT count(*) FROM orders WHERE status = 'delivered'`);
    const reviews = await scalar(conn, 'SELECT count(*) FROM reviews');
    expect(reviews / delivered).toBeGreaterThanOrEqual(0.35);
    expect(reviews / delivered).toBeLessThanOrEqual(0.45);
    const negative = await scalar(conn, 'SELECT avg((rating <= 2)::INT) FROM reviews');
    expect(negative).toBeGreaterThan(0.01);
    expect(negative).toBeLessThan(0.08);
    expect(await scalar(conn, 'SELECT avg((rating >= 4)::INT) FROM reviews')).toBeGreaterThan(0.75);

    const shipped = await scalar(conn, `SELECT count(*) FROM orders WHERE ${VALID} AND shipped_at IS NOT NULL`);
    const withEvent = await scalar(conn, `SELECT count(DISTINCT order_id) FROM logistics_events`);
    expect(withEvent / shipped).toBeGreaterThan(0.005);
    expect(withEvent / shipped).toBeLessThan(0.06);
    expect(await scalar(conn, `SELECT count(DISTINCT kind) FROM logistics_events`)).toBe(ENUMS.logisticsKind.length);
  });

  it('answers most inquiries within the 60 s SLA, with a tail above it', async () => {
    const perOrder = await scalar(conn, 'SELECT count(*) FROM inquiries') / CLEAN.orders;
    expect(perOrder).toBeGreaterThan(0.02);
    expect(perOrder).toBeLessThan(0.15);
    const [r] = await query<{ p50: number; breach: number }>(conn, `SELECT median(s) AS p50, avg((s > 60)::INT) AS breach FROM (SELECT date_diff('second', received_at, first_response_at) AS s FROM inquiries WHERE first_response_at IS NOT NULL)`);
    expect(r.p50).toBeLessThan(60);
    expect(r.breach).toBeGreaterThan(0.01);
    expect(r.breach).toBeLessThan(0.15);
    expect(await scalar(conn, `SELECT count(*) FROM inquiries q JOIN staff s ON s.staff_id = q.agent_id WHERE s.role <> 'service'`)).toBe(0);
  });

  it('has traffic consistent with orders: conversion 1–5 % per platform, views > visitors > add-to-cart', async () => {
    const rows = await query<{ platform_id: string; conversion: number }>(conn, `
      SELECT t.platform_id, SUM(coalesce(b.buyers, 0)) / SUM(t.visitors) AS conversion
      FROM traffic t LEFT JOIN (SELECT platform_id, ordered_at::DATE AS date, count(DISTINCT customer_id) AS buyers FROM orders WHERE ${VALID} GROUP BY ALL) b USING (platform_id, date)
      GROUP BY 1`);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.conversion, row.platform_id).toBeGreaterThanOrEqual(0.01);
      expect(row.conversion, row.platform_id).toBeLessThanOrEqual(0.05);
    }
    expect(await scalar(conn, 'SELECT count(*) FROM traffic WHERE NOT (product_views > visitors AND visitors > add_to_cart)')).toBe(0);
    expect(await scalar(conn, 'SELECT count(*) FROM traffic')).toBe(5 * (await scalar(conn, 'SELECT count(DISTINCT date) FROM traffic')));
  });

  it('keeps inventory and market plausible', async () => {
    const stockout = incident('stockout');
    const rate = await scalar(conn, `SELECT avg((on_hand <= 0)::INT) FROM inventory WHERE NOT (sku = '${stockout.scope.sku}' AND date BETWEEN DATE '${stockout.start}' AND DATE '${stockout.end}')`);
    expect(rate).toBeLessThan(0.01);
    expect(await scalar(conn, 'SELECT count(DISTINCT sku) FROM inventory')).toBeGreaterThanOrEqual(500);
    const share = await scalar(conn, `
      SELECT SUM(i.quantity * i.unit_price) / (SELECT SUM(market_size) FROM market)
      FROM order_items i JOIN orders o USING (order_id) WHERE ${VALID.replaceAll('status', 'o.status')}`);
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.1);
    expect(await scalar(conn, 'SELECT count(*) FROM market')).toBe(await scalar(conn, 'SELECT count(DISTINCT category) FROM products') * 13);
  });

  describe('planted incidents', () => {
    it('lists five incidents of distinct kinds inside the last six months', () => {
      expect(incidents.seed).toBe(1);
      expect(incidents.end).toBe(END);
      expect(new Set(incidents.incidents.map((i) => i.kind))).toEqual(new Set(['complaint_spike', 'late_shipments', 'price_violation', 'stockout', 'conversion_drop']));
      for (const i of incidents.incidents) {
        expect(i.start >= '2025-12-30' && i.start <= i.end && i.end <= END, i.id).toBe(true);
      }
    });

    it('complaint spike: the platform\'s complaint rate in the window is ≥ 3× its own normal', async () => {
      const { scope, start, end } = incident('complaint_spike');
      const rate = async (inside: boolean) => {
        const where = `${inside ? '' : 'NOT'} (%col%::DATE BETWEEN DATE '${start}' AND DATE '${end}')`;
        const complaints = await scalar(conn, `SELECT count(*) FROM complaints WHERE platform_id = '${scope.platform_id}' AND ${where.replace('%col%', 'received_at')}`);
        const orders = await scalar(conn, `SELECT count(*) FROM orders WHERE platform_id = '${scope.platform_id}' AND ${VALID} AND ${where.replace('%col%', 'ordered_at')}`);
        return complaints / orders;
      };
      expect(await rate(true)).toBeGreaterThanOrEqual(3 * (await rate(false)));
    });

    it('late shipments: most of the carrier\'s orders in the window ship late, few outside', async () => {
      const { scope, start, end } = incident('late_shipments');
      const late = (inside: boolean) => scalar(conn, `SELECT avg((shipped_at > promised_ship_by)::INT) FROM orders
        WHERE carrier = '${scope.carrier}' AND ${VALID} AND ${inside ? '' : 'NOT'} (ordered_at::DATE BETWEEN DATE '${start}' AND DATE '${end}')`);
      expect(await late(true)).toBeGreaterThan(0.5);
      expect(await late(false)).toBeLessThan(0.05);
      expect(await scalar(conn, `SELECT avg((shipped_at > promised_ship_by)::INT) FROM orders WHERE carrier <> '${scope.carrier}' AND ${VALID}`)).toBeLessThan(0.05);
    });

    it('price violation: items below floor price exist only in the unapproved promotion, inside its window', async () => {
      const { scope, start, end } = incident('price_violation');
      const below = `FROM order_items i JOIN products p USING (sku) JOIN orders o USING (order_id) WHERE i.unit_price < p.floor_price`;
      expect(await scalar(conn, `SELECT count(*) ${below}`)).toBeGreaterThan(0);
      expect(await scalar(conn, `SELECT count(*) ${below} AND (o.promotion_id IS DISTINCT FROM '${scope.promotion_id}'
        OR o.ordered_at::DATE NOT BETWEEN DATE '${start}' AND DATE '${end}' OR o.platform_id <> '${scope.platform_id}')`)).toBe(0);
      expect(await scalar(conn, `SELECT count(*) FROM promotions WHERE promotion_id = '${scope.promotion_id}' AND NOT approved`)).toBe(1);
      expect(await scalar(conn, `SELECT count(*) FROM order_items i JOIN products p USING (sku) WHERE i.unit_price > p.list_price`)).toBe(0);
    });

    it('stockout: the best seller has on_hand ≤ 0 on every day of the episode', async () => {
      const { scope, start, end } = incident('stockout');
      const days = await query<{ date: string; on_hand: number }>(conn, `SELECT date::VARCHAR AS date, on_hand FROM inventory WHERE sku = '${scope.sku}' AND date BETWEEN DATE '${start}' AND DATE '${end}' ORDER BY date`);
      expect(days).toHaveLength(10);
      expect(days.every((d) => d.on_hand <= 0)).toBe(true);
      const [top] = await query<{ sku: string }>(conn, `SELECT sku FROM order_items i JOIN orders o USING (order_id) WHERE o.status <> 'cancelled'
        AND o.ordered_at::DATE BETWEEN DATE '${start}' - 90 AND DATE '${start}' - 1 GROUP BY sku ORDER BY SUM(quantity) DESC, sku LIMIT 1`);
      expect(top.sku).toBe(scope.sku);
    });

    it('conversion drop: conversion on the platform in the window is ≤ 60 % of the 8 weeks before', async () => {
      const { scope, start, end } = incident('conversion_drop');
      const conversion = (from: string, to: string) => scalar(conn, `
        SELECT (SELECT count(DISTINCT (customer_id, ordered_at::DATE)) FROM orders WHERE platform_id = '${scope.platform_id}' AND ${VALID} AND ordered_at::DATE BETWEEN ${from} AND ${to})
             / (SELECT SUM(visitors) FROM traffic WHERE platform_id = '${scope.platform_id}' AND date BETWEEN ${from} AND ${to})`);
      const during = await conversion(`DATE '${start}'`, `DATE '${end}'`);
      const before = await conversion(`DATE '${start}' - 56`, `DATE '${start}' - 1`);
      expect(during).toBeLessThanOrEqual(0.6 * before);
    });
  });
});

describe('dirty mode', () => {
  let summary: GenerateSummary;
  let dirty: { tables: Record<string, { file: string; clean_rows: number; file_rows: number; planted: Record<string, number>; normalisable_kinds: Record<string, number> }> };

  beforeAll(async () => {
    summary = await generate({ ...BASE, format: 'parquet', seed: 3, dirty: true });
    dirty = JSON.parse(await readFile(join(summary.out, 'dirty.json'), 'utf8'));
  });

  it('writes the dirty tables as CSV, the others in the requested format, plus mapping.json', async () => {
    const files = await readdir(summary.out);
    for (const f of ['orders.csv', 'order_items.csv', 'customers_gbk.csv', 'mapping.json', 'dirty.json', 'incidents.json', 'products.parquet']) expect(files).toContain(f);
    for (const f of ['orders.parquet', 'order_items.parquet', 'customers.csv', 'customers.parquet']) expect(files).not.toContain(f);
    const mapping = JSON.parse(await readFile(join(summary.out, 'mapping.json'), 'utf8'));
    expect(mapping.source).toBe('sample-dirty');
    expect(mapping.files).toHaveLength(1);
    const [entry] = mapping.files;
    expect(entry).toMatchObject({ file: 'customers_gbk.csv', table: 'customers', format: 'csv', encoding: 'gbk' });
    expect(Object.values(entry.columns)).toEqual(TABLES.customers.columns.map((c) => c.name));
    expect(entry.columns['客户编号']).toBe('customer_id');
    expect(entry.columns['首次访问时间']).toBe('first_seen_at');
  });

  it('encodes customers in GBK under Chinese headers', async () => {
    const bytes = await readFile(join(summary.out, 'customers_gbk.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const rows = parseCsv(iconv.decode(bytes, 'gbk')).filter((r) => r.length > 1);
    expect(rows[0]).toEqual(['客户编号', '平台', '首次访问时间', '地区', '城市', '会员等级', '姓名', '电话', '地址']);
    expect(rows.length - 1).toBe(dirty.tables.customers.clean_rows);
    expect(rows.length - 1).toBe(summary.tables.customers.rows);
    expect(rows[1][6]).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
    expect(rows[1][8]).toMatch(/[省市区].*号/);
  });

  it('plants in orders.csv exactly what dirty.json reports', async () => {
    const rows = parseCsv(await readFile(join(summary.out, 'orders.csv'), 'utf8'));
    const header = rows[0];
    const data = rows.slice(1).filter((r) => r.length === header.length);
    const col = (name: string) => header.indexOf(name);
    const customers = new Set(parseCsv(iconv.decode(await readFile(join(summary.out, 'customers_gbk.csv')), 'gbk')).slice(1).map((r) => r[0]));
    const statuses: readonly string[] = ENUMS.orderStatus;
    const seen = new Set<string>();
    const found = { duplicate: 0, thousands_separator: 0, slash_date: 0, enum_spelling: 0, bad_date: 0, bad_number: 0, unknown_enum: 0, unknown_reference: 0 };
    for (const r of data) {
      const line = r.join('\u0001');
      if (seen.has(line)) { found.duplicate++; continue; }
      seen.add(line);
      const orderedAt = r[col('ordered_at')];
      const paid = r[col('paid_amount')];
      const status = r[col('status')];
      if (/^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}$/.test(orderedAt)) found.slash_date++;
      else if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(orderedAt)) found.bad_date++;
      if (/^\d{1,3}(,\d{3})+\.\d{2}$/.test(paid)) found.thousands_separator++;
      else if (!/^\d+\.\d{2}$/.test(paid)) found.bad_number++;
      if (!statuses.includes(status)) {
        if (statuses.includes(status.trim().toLowerCase())) found.enum_spelling++;
        else found.unknown_enum++;
      }
      if (!customers.has(r[col('customer_id')])) found.unknown_reference++;
    }
    const report = dirty.tables.orders;
    expect(report.file_rows).toBe(data.length);
    expect(report.clean_rows).toBe(BASE.orders);
    const { thousands_separator, slash_date, enum_spelling, ...rejected } = found;
    expect(report.normalisable_kinds).toEqual({ thousands_separator, slash_date, enum_spelling });
    expect(report.planted).toEqual({ ...rejected, normalisable: thousands_separator + slash_date + enum_spelling });
    for (const [kind, n] of Object.entries(found)) expect(n, kind).toBeGreaterThan(0);
    // rows ingest should keep = rows in the file − rows it should reject
    expect(data.length - Object.values(rejected).reduce((a, b) => a + b, 0)).toBe(report.clean_rows);
  });

  it('adds order lines for SKUs the catalogue does not have, and nothing else', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const skus = new Set((await query<{ sku: string }>(conn, `SELECT sku FROM '${join(summary.out, 'products.parquet')}'`)).map((r) => r.sku));
      const rows = parseCsv(await readFile(join(summary.out, 'order_items.csv'), 'utf8'));
      expect(rows[0]).toEqual(TABLES.order_items.columns.map((c) => c.name));
      const data = rows.slice(1).filter((r) => r.length === rows[0].length);
      const unknown = data.filter((r) => !skus.has(r[2])).length;
      const report = dirty.tables.order_items;
      expect(unknown).toBeGreaterThan(0);
      expect(report.planted.unknown_reference).toBe(unknown);
      expect(report.file_rows).toBe(data.length);
      expect(report.clean_rows).toBe(data.length - unknown);
      expect(report.clean_rows).toBe(summary.tables.order_items.rows);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
