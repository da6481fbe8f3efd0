// `--dirty`: exports the way platforms really hand them over, to exercise ingest. Clean rows stay
// in the files (some reformatted in ways ingest must normalise back to the same value) and planted
// rows are added; each planted row has exactly one defect, so ingest should accept exactly the
// clean rows and reject every planted one for one reason. dirty.json says what was planted.
import type { DuckDBConnection } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { all, ident, one } from '../db/duck.ts';
import { TABLES, type TableName } from '../snapshots/schema.ts';
import { copyTo } from './writer.ts';

/** Tables that dirty mode writes as CSV in their dirty form. */
export const DIRTY_TABLES: readonly TableName[] = ['orders', 'order_items', 'customers'];

const NORMALISABLE = ['thousands_separator', 'slash_date', 'enum_spelling'] as const;
const REJECTABLE = ['duplicate', 'bad_date', 'bad_number', 'unknown_enum', 'unknown_reference'] as const;
type Normalisable = (typeof NORMALISABLE)[number];
type Rejectable = (typeof REJECTABLE)[number];

export interface DirtyTableReport {
  file: string;
  encoding: 'utf-8' | 'gbk';
  /** rows ingest should accept: the table as generated */
  clean_rows: number;
  /** data rows in the file (header excluded) */
  file_rows: number;
  /** planted rows and values by kind; `normalisable` counts values ingest must repair and keep */
  planted: Record<Rejectable | 'normalisable', number>;
  normalisable_kinds: Record<Normalisable, number>;
}

export interface DirtyReport {
  seed: number;
  end: string;
  tables: Partial<Record<TableName, DirtyTableReport>>;
}

export const CUSTOMERS_GBK = 'customers_gbk.csv';

/** Headers of the GBK customer export, in canonical column order. */
const CUSTOMER_HEADERS: Record<string, string> = {
  customer_id: '客户编号',
  platform_id: '平台',
  first_seen_at: '首次访问时间',
  region: '地区',
  city: '城市',
  member_tier: '会员等级',
  name: '姓名',
  phone: '电话',
  address: '地址',
};

/** A column as the text a clean export would carry. */
function asText(column: string, type: string): string {
  const c = ident(column);
  if (type === 'TIMESTAMP') return `strftime(${c}, '%Y-%m-%d %H:%M:%S')`;
  if (type === 'DATE') return `strftime(${c}, '%Y-%m-%d')`;
  return `CAST(${c} AS VARCHAR)`;
}

function textColumns(table: TableName, override: Record<string, string> = {}): string {
  return TABLES[table].columns.map((c) => `${override[c.name] ?? asText(c.name, c.type)} AS ${ident(c.name)}`).join(', ');
}

type PlantCounts = Partial<Record<Rejectable | Normalisable, number>>;

function report(file: string, encoding: DirtyTableReport['encoding'], cleanRows: number, fileRows: number, counts: PlantCounts): DirtyTableReport {
  const n = (kind: Rejectable | Normalisable) => counts[kind] ?? 0;
  return {
    file, encoding, clean_rows: cleanRows, file_rows: fileRows,
    planted: {
      duplicate: n('duplicate'),
      normalisable: NORMALISABLE.reduce((sum, kind) => sum + n(kind), 0),
      bad_date: n('bad_date'), bad_number: n('bad_number'), unknown_enum: n('unknown_enum'), unknown_reference: n('unknown_reference'),
    },
    normalisable_kinds: { thousands_separator: n('thousands_separator'), slash_date: n('slash_date'), enum_spelling: n('enum_spelling') },
  };
}

/** Counts the rows of a dirty table by the g_plant label each row carries. */
async function countPlants(conn: DuckDBConnection, table: string, cleanRows: number, file: string): Promise<DirtyTableReport> {
  const counts: PlantCounts = {};
  let fileRows = 0;
  for (const row of await all<{ plant: string | null; n: number }>(conn, `SELECT g_plant AS plant, count(*) AS n FROM ${table} GROUP BY g_plant`)) {
    fileRows += row.n;
    if (row.plant !== null) counts[row.plant as keyof PlantCounts] = row.n;
  }
  return report(file, 'utf-8', cleanRows, fileRows, counts);
}

async function cleanCount(conn: DuckDBConnection, table: TableName): Promise<number> {
  return Number((await one<{ n: number }>(conn, `SELECT count(*) AS n FROM ${ident(table)}`))?.n ?? 0);
}

/**
 * orders.csv: reformatted values (thousands separators, slash dates that drop zero seconds, enum
 * spellings in other case), exact duplicates, and added rows with one defect each.
 */
export async function writeDirtyOrders(conn: DuckDBConnection, dir: string): Promise<DirtyTableReport> {
  const file = 'orders.csv';
  const reformatted = {
    ordered_at: `CASE WHEN g_plant = 'slash_date' THEN strftime(ordered_at, '%Y/%-m/%-d %H:%M') ELSE ${asText('ordered_at', 'TIMESTAMP')} END`,
    paid_amount: `CASE WHEN g_plant = 'thousands_separator' THEN format('{:,.2f}', paid_amount) ELSE CAST(paid_amount AS VARCHAR) END`,
    status: `CASE WHEN g_plant = 'enum_spelling' THEN CASE status WHEN 'delivered' THEN 'Delivered ' ELSE upper(status) END ELSE status END`,
  };
  const broken = {
    order_id: `order_id || 'X'`,
    ordered_at: `CASE WHEN g_plant = 'bad_date' THEN 'not-a-date' ELSE ${asText('ordered_at', 'TIMESTAMP')} END`,
    paid_amount: `CASE WHEN g_plant = 'bad_number' THEN '12.3.4' ELSE CAST(paid_amount AS VARCHAR) END`,
    status: `CASE WHEN g_plant = 'unknown_enum' THEN 'lost_in_space' ELSE status END`,
    customer_id: `CASE WHEN g_plant = 'unknown_reference' THEN 'CX' || substr(customer_id, 2) ELSE customer_id END`,
  };
  await conn.run(`CREATE TABLE g_dirty_orders AS
    WITH drawn AS (
      SELECT *, rnd(oi, 'dirty') AS du FROM orders
    ), marked AS (
      SELECT *,
        CASE WHEN second(ordered_at) = 0 AND du < 0.6 THEN 'slash_date'
             WHEN du >= 0.6 AND du < 0.75 AND paid_amount >= 1000 THEN 'thousands_separator'
             WHEN du >= 0.75 AND du < 0.77 AND status IN ('delivered', 'shipped') THEN 'enum_spelling'
             WHEN du >= 0.77 AND du < 0.775 THEN 'duplicate'
             WHEN du >= 0.9 AND du < 0.908 THEN list_extract(['bad_date', 'bad_number', 'unknown_enum', 'unknown_reference'], 1 + floor((du - 0.9) / 0.002)::BIGINT)
        END AS g_plant
      FROM drawn
    )
    SELECT oi AS g_sort, 0 AS g_variant, CASE WHEN g_plant IN ('slash_date', 'thousands_separator', 'enum_spelling') THEN g_plant END AS g_plant,
      ${textColumns('orders', reformatted)}
    FROM marked
    UNION ALL
    SELECT oi, 1, g_plant, ${textColumns('orders')} FROM marked WHERE g_plant = 'duplicate'
    UNION ALL
    SELECT oi, 2, g_plant, ${textColumns('orders', broken)} FROM marked
    WHERE g_plant IN ('bad_date', 'bad_number', 'unknown_enum', 'unknown_reference')`);
  const columns = TABLES.orders.columns.map((c) => ident(c.name)).join(', ');
  await copyTo(conn, `SELECT ${columns} FROM g_dirty_orders ORDER BY g_sort, g_variant`, join(dir, file), 'csv');
  return countPlants(conn, 'g_dirty_orders', await cleanCount(conn, 'orders'), file);
}

/** order_items.csv: every clean line plus lines for SKUs the catalogue does not have. */
export async function writeDirtyOrderItems(conn: DuckDBConnection, dir: string): Promise<DirtyTableReport> {
  const file = 'order_items.csv';
  await conn.run(`CREATE TABLE g_dirty_items AS
    SELECT oi AS g_sort, line_no AS g_line, NULL::VARCHAR AS g_plant, ${textColumns('order_items')} FROM order_items
    UNION ALL
    SELECT oi, n_lines + 1, 'unknown_reference', order_id, CAST(n_lines + 1 AS VARCHAR),
      'SKU9' || lpad(floor(rnd(oi, 'ghost_sku') * 10000)::BIGINT::VARCHAR, 4, '0'), '1', '99.00'
    FROM orders WHERE rnd(oi, 'ghost_line') < 0.002`);
  const columns = TABLES.order_items.columns.map((c) => ident(c.name)).join(', ');
  await copyTo(conn, `SELECT ${columns} FROM g_dirty_items ORDER BY g_sort, g_line`, join(dir, file), 'csv');
  return countPlants(conn, 'g_dirty_items', await cleanCount(conn, 'order_items'), file);
}

/** customers_gbk.csv: clean rows under Chinese headers, GBK-encoded, with mapping.json for ingest. */
export async function writeCustomersGbk(conn: DuckDBConnection, dir: string, scratch: string): Promise<DirtyTableReport> {
  const utf8 = join(scratch, 'customers_utf8.csv');
  // the headers are constants above; ident() accepts ASCII names only
  const columns = TABLES.customers.columns.map((c) => `${ident(c.name)} AS "${CUSTOMER_HEADERS[c.name]}"`).join(', ');
  const rows = await copyTo(conn, `SELECT ${columns} FROM customers ORDER BY customer_id`, utf8, 'csv');
  await pipeline(createReadStream(utf8), iconv.decodeStream('utf8'), iconv.encodeStream('gbk'), createWriteStream(join(dir, CUSTOMERS_GBK)));
  const mapping = {
    source: 'sample-dirty',
    files: [{
      file: CUSTOMERS_GBK, table: 'customers', format: 'csv', encoding: 'gbk',
      columns: Object.fromEntries(TABLES.customers.columns.map((c) => [CUSTOMER_HEADERS[c.name], c.name])),
    }],
  };
  await writeFile(join(dir, 'mapping.json'), `${JSON.stringify(mapping, null, 2)}\n`);
  return report(CUSTOMERS_GBK, 'gbk', rows, rows, {});
}
