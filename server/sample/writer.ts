// Writes a generated table as its canonical file: exactly the columns of schema.ts, in their order
// and types, rows sorted by the table key so that the bytes depend on the data alone.
import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { ident, literal } from '../db/duck.ts';
import { TABLES, type TableName } from '../snapshots/schema.ts';

export type Format = 'csv' | 'parquet';

const CSV_OPTIONS = `FORMAT csv, HEADER true, DELIMITER ',', DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S'`;
const PARQUET_OPTIONS = `FORMAT parquet, COMPRESSION zstd`;

export interface Written {
  file: string;
  rows: number;
}

function fileName(table: TableName, format: Format): string {
  return `${table}.${format}`;
}

/** COPY a query to a file; returns the number of rows written. */
export async function copyTo(conn: DuckDBConnection, query: string, path: string, format: Format): Promise<number> {
  const result = await conn.run(`COPY (${query}) TO ${literal(path)} (${format === 'csv' ? CSV_OPTIONS : PARQUET_OPTIONS})`);
  return Number(result.rowsChanged);
}

function canonicalQuery(table: TableName): string {
  const def = TABLES[table];
  const columns = def.columns.map((c) => `CAST(${ident(c.name)} AS ${c.type}) AS ${ident(c.name)}`);
  return `SELECT ${columns.join(', ')} FROM ${ident(table)} ORDER BY ${def.key.map(ident).join(', ')}`;
}

export async function writeTable(conn: DuckDBConnection, table: TableName, dir: string, format: Format): Promise<Written> {
  const file = fileName(table, format);
  const rows = await copyTo(conn, canonicalQuery(table), join(dir, file), format);
  return { file, rows };
}
