// The sample data generator: all canonical tables, built inside DuckDB with SQL so that no rows pass
// through JavaScript, each written as soon as it is complete. Same options, same bytes.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TABLE_NAMES, type TableName } from '../snapshots/schema.ts';
import { complaintsSql, logisticsEventsSql, refundsSql, reviewsSql } from './aftersales.ts';
import { yesterday } from './calendar.ts';
import { createContext } from './context.ts';
import { customerPoolSql, customersSql } from './customers.ts';
import { platformsSql, productsSql, promotionsSql, staffSql } from './dimensions.ts';
import {
  CUSTOMERS_GBK, DIRTY_TABLES, writeCustomersGbk, writeDirtyOrderItems, writeDirtyOrders, type DirtyReport, type DirtyTableReport,
} from './dirty.ts';
import { describeIncidents, type Incident } from './incidents.ts';
import { inventorySql, marketSql, stockoutSku, trafficSql } from './operations.ts';
import { daysSql, orderItemsSql, ordersBaseSql, ordersSql } from './orders.ts';
import { randomMacros } from './random.ts';
import { inquiriesSql } from './service.ts';
import { writeTable, type Format, type Written } from './writer.ts';

export type { Format } from './writer.ts';

export interface GenerateOptions {
  out: string;
  orders?: number;
  months?: number;
  /** last day of the period, YYYY-MM-DD; default yesterday */
  end?: string;
  seed?: number;
  format?: Format;
  dirty?: boolean;
  /** DuckDB's memory limit; intermediate data beyond it spills to a scratch folder */
  memoryLimit?: string;
  onProgress?: (progress: GenerateProgress) => void;
}

export interface GenerateProgress {
  /** tables written so far, of `total` */
  done: number;
  total: number;
  table: TableName;
}

export interface GenerateSummary {
  out: string;
  format: Format;
  seed: number;
  start: string;
  end: string;
  /** per table: the file written and its clean row count (dirty files hold more rows, see dirty) */
  tables: Record<TableName, Written>;
  incidents: Incident[];
  dirty?: DirtyReport;
  seconds: number;
}

export const DEFAULTS = { orders: 200_000, months: 24, seed: 1, format: 'parquet' as Format, memoryLimit: '2GB' };

const INCIDENTS_FILE = 'incidents.json';
const DIRTY_FILE = 'dirty.json';

/** Every file a run may write, so that a rerun with other options leaves no stale table behind. */
function outputFiles(): string[] {
  return [...TABLE_NAMES.flatMap((t) => [`${t}.csv`, `${t}.parquet`]), CUSTOMERS_GBK, 'mapping.json', INCIDENTS_FILE, DIRTY_FILE];
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

export async function generateSample(opts: GenerateOptions): Promise<GenerateSummary> {
  const started = performance.now();
  const format = opts.format ?? DEFAULTS.format;
  const seed = opts.seed ?? DEFAULTS.seed;
  const ctx = createContext({ orders: opts.orders ?? DEFAULTS.orders, months: opts.months ?? DEFAULTS.months, end: opts.end ?? yesterday(), seed });
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  await Promise.all(outputFiles().map((f) => rm(join(out, f), { force: true })));

  const scratch = await mkdtemp(join(tmpdir(), 'vigil-generate-'));
  const db = await DuckDBInstance.create(':memory:', { memory_limit: opts.memoryLimit ?? DEFAULTS.memoryLimit, temp_directory: join(scratch, 'spill') });
  const conn = await db.connect();
  const tables = {} as Record<TableName, Written>;
  const dirtyTables: DirtyReport['tables'] = {};

  const run = async (statements: string[]) => {
    for (const sql of statements) await conn.run(sql);
  };
  const writeDirty = async (table: TableName): Promise<Written> => {
    const report: DirtyTableReport = table === 'orders' ? await writeDirtyOrders(conn, out)
      : table === 'order_items' ? await writeDirtyOrderItems(conn, out)
      : await writeCustomersGbk(conn, out, scratch);
    dirtyTables[table] = report;
    return { file: report.file, rows: report.clean_rows };
  };
  const emit = async (table: TableName) => {
    tables[table] = opts.dirty && DIRTY_TABLES.includes(table) ? await writeDirty(table) : await writeTable(conn, table, out, format);
    opts.onProgress?.({ done: Object.keys(tables).length, total: TABLE_NAMES.length, table });
  };

  try {
    await run(randomMacros(seed));
    await run(platformsSql());
    await emit('platforms');
    await run(promotionsSql(ctx));
    await emit('promotions');
    await run(staffSql(ctx));
    await emit('staff');
    await run(productsSql(ctx));
    await emit('products');
    await run([...daysSql(ctx), ...customerPoolSql(ctx), ...ordersBaseSql(ctx), ...orderItemsSql(ctx), ...ordersSql()]);
    await emit('orders');
    await emit('order_items');
    await run(customersSql());
    await emit('customers');
    await run(refundsSql(ctx));
    await emit('refunds');
    await run(logisticsEventsSql(ctx));
    await emit('logistics_events');
    await run(complaintsSql(ctx));
    await emit('complaints');
    await run(inquiriesSql(ctx));
    await emit('inquiries');
    await run(reviewsSql(ctx));
    await emit('reviews');
    await run(trafficSql(ctx));
    await emit('traffic');
    const sku = await stockoutSku(conn, ctx);
    await run(inventorySql(ctx, sku));
    await emit('inventory');
    await run(marketSql(ctx));
    await emit('market');

    const incidents = describeIncidents(ctx.plan, sku);
    await writeJson(join(out, INCIDENTS_FILE), { seed, end: ctx.end, incidents });
    const dirty: DirtyReport | undefined = opts.dirty ? { seed, end: ctx.end, tables: dirtyTables } : undefined;
    if (dirty) await writeJson(join(out, DIRTY_FILE), dirty);
    return { out, format, seed, start: ctx.start, end: ctx.end, tables, incidents, dirty, seconds: (performance.now() - started) / 1000 };
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}
