// Writes a checked table's accepted rows as <table>.parquet with the canonical column types, in
// source order so that the same input always gives the same file (and hash).
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, literal } from '../db/duck.ts';
import { TABLES, type TableName } from './schema.ts';
import { sha256File, type TableEntry } from './store.ts';

export async function writeTable(conn: DuckDBConnection, table: TableName, dir: string, rows: number): Promise<TableEntry> {
  const file = `${table}.parquet`;
  const columns = TABLES[table].columns.map((c) => `CAST(${ident(c.name)} AS ${c.type}) AS ${ident(c.name)}`);
  await conn.run(`COPY (SELECT ${columns.join(', ')} FROM acc_${table} ORDER BY __src, __row)
    TO ${literal(join(dir, file))} (FORMAT parquet, COMPRESSION zstd)`);
  return {
    file,
    rows,
    sha256: await sha256File(join(dir, file)),
    schema: TABLES[table].columns.map((c) => ({ name: c.name, type: c.type })),
  };
}
