import { DuckDBInstance, type DuckDBConnection, type DuckDBResultReader, type DuckDBValue } from '@duckdb/node-api';

export type Params = Record<string, DuckDBValue> | DuckDBValue[];
export type Row = Record<string, string | number | boolean | null>;

export async function openDuck(path = ':memory:', options: Record<string, string> = {}): Promise<DuckDBInstance> {
  return DuckDBInstance.create(path, options);
}

/**
 * DuckDB's cap for the batch jobs (ingest, rollup build): without it DuckDB may take 80 % of the
 * host's memory on a large snapshot; with it, intermediate rows spill to `spillDir` instead.
 */
export const BATCH_MEMORY_LIMIT = '3GB';

export function openBatchDuck(spillDir: string): Promise<DuckDBInstance> {
  return openDuck(':memory:', { memory_limit: BATCH_MEMORY_LIMIT, temp_directory: spillDir });
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/** Rows as plain JSON-safe objects: numbers for numeric columns, strings for dates and text. */
export function toRows(result: DuckDBResultReader): Row[] {
  const names = result.columnNames();
  const numeric = result.columnTypes().map((t) => NUMERIC.test(String(t)));
  return result.getRowsJson().map((values) => {
    const row: Row = {};
    values.forEach((v, i) => {
      row[names[i]] = v === null ? null : numeric[i] ? Number(v) : (v as string | boolean);
    });
    return row;
  });
}

/** Runs one statement with bound parameters and returns its rows. */
export async function all<T extends Row = Row>(conn: DuckDBConnection, sql: string, params?: Params): Promise<T[]> {
  const result = await conn.runAndReadAll(sql, params as Record<string, DuckDBValue>);
  return toRows(result) as T[];
}

export async function one<T extends Row = Row>(conn: DuckDBConnection, sql: string, params?: Params): Promise<T | undefined> {
  return (await all<T>(conn, sql, params))[0];
}

/** Quotes an identifier that has already been checked against a whitelist. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid identifier: ${name}`);
  return `"${name}"`;
}

/** A SQL string literal, for the few places DuckDB takes no parameter (file paths in CREATE VIEW). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
