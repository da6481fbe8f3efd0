// The staff queries live in ./sql/*.sql; each takes named parameters ($from, $end, ...), bound
// by DuckDB, never spliced into the text.
import { readFileSync } from 'node:fs';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { all, type Row } from '../db/duck.ts';

const texts = new Map<string, string>();

export function sqlText(name: string): string {
  let text = texts.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
    texts.set(name, text);
  }
  return text;
}

/** Runs ./sql/<name>.sql, binding only the parameters the statement names. */
export function runSql<T extends Row = Row>(conn: DuckDBConnection, name: string, params: Record<string, DuckDBValue> = {}): Promise<T[]> {
  const text = sqlText(name);
  const used = new Set([...text.matchAll(/\$([a-z_]+)/g)].map((m) => m[1]));
  const bound = Object.fromEntries(Object.entries(params).filter(([k]) => used.has(k)));
  for (const param of used) if (!(param in bound)) throw new Error(`staff query ${name}: parameter $${param} not given`);
  return all<T>(conn, text, bound);
}
