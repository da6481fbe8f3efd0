// Loads one source into a DuckDB table of text columns c0..cN in file order, whatever its format.
// Headers stay in JS (they may be Chinese or anything else) and SQL only ever sees positional
// names. The table is created in file order, so rowid + 1 is the 1-based data row number.
import { stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, literal } from '../db/duck.ts';
import { IngestError } from './failure.ts';
import type { FileInput, InlineRows } from './inputs.ts';
import type { Scalar } from './mapping.ts';

export interface LoadedSource {
  /** DuckDB table with columns c0..cN (VARCHAR) */
  table: string;
  headers: string[];
  rows: number;
}

/** DuckDB's multi-line errors reduced to one line that says what is wrong, and where. */
function readFailure(input: FileInput, err: unknown): IngestError {
  const message = String((err as Error).message ?? err);
  if (/invalid unicode|invalid utf-8/i.test(message)) {
    return new IngestError(`${input.name} is not valid UTF-8 text; if it is GBK or GB18030, declare "encoding": "gbk" for it in the mapping`);
  }
  const columns = /CSV Error on Line: (\d+)[\s\S]*Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (columns) return new IngestError(`cannot read ${input.name}: line ${columns[1]} has ${columns[3]} fields where the header has ${columns[2]}`);
  if (/Error when sniffing file/.test(message)) {
    return new IngestError(`cannot read ${input.name}: its lines do not parse as CSV with delimiter "${input.delimiter ?? ','}" (lines with more or fewer fields than the header, or another delimiter: set "delimiter" in the mapping)`);
  }
  const first = message.split('\n')[0].replace(/^[A-Za-z ]+ Error: /, '');
  return new IngestError(`cannot read ${input.name}: ${first}`);
}

/** A header by exact name, else by name ignoring case and surrounding spaces (when unambiguous). */
export function findHeader(headers: string[], name: string): number | undefined {
  const exact = headers.indexOf(name);
  if (exact >= 0) return exact;
  const loose = (h: string) => h.trim().toLowerCase();
  const matches = headers.flatMap((h, k) => (loose(h) === loose(name) ? [k] : []));
  return matches.length === 1 ? matches[0] : undefined;
}

function textColumns(count: number, column: (k: number) => string): string {
  return Array.from({ length: count }, (_, k) => `${column(k)} AS c${k}`).join(', ');
}

async function createFrom(conn: DuckDBConnection, table: string, headers: string[], column: (k: number) => string, from: string): Promise<LoadedSource> {
  // preserve_insertion_order (DuckDB's default) keeps file order, which rowid then numbers
  await conn.run(`CREATE TABLE ${table} AS SELECT ${textColumns(headers.length, column)} FROM ${from}`);
  const [{ n }] = await all<{ n: number }>(conn, `SELECT count(*) AS n FROM ${table}`);
  return { table, headers, rows: n };
}

async function loadCsv(conn: DuckDBConnection, input: FileInput, table: string): Promise<LoadedSource> {
  // skip = 0: otherwise the sniffer may silently drop leading lines that do not fit the rest
  const from = `read_csv(${literal(input.path)}, header = true, skip = 0, all_varchar = true, delim = ${literal(input.delimiter ?? ',')})`;
  const headers = (await all<{ column_name: string }>(conn, `DESCRIBE SELECT * FROM ${from}`)).map((r) => r.column_name);
  return createFrom(conn, table, headers, (k) => `#${k + 1}`, from);
}

/** JSON lines (or one JSON array): every key becomes a text column; nested values stay JSON text. */
async function loadJson(conn: DuckDBConnection, input: FileInput, table: string): Promise<LoadedSource> {
  const objects = `${table}_json`;
  await conn.run(`CREATE TABLE ${objects} AS SELECT json FROM read_json_objects(${literal(input.path)}, format = 'auto')`);
  const keys = await all<{ key: string }>(
    conn,
    `SELECT key FROM (SELECT rowid AS r, unnest(json_keys(json)) AS key, generate_subscripts(json_keys(json), 1) AS pos FROM ${objects})
     GROUP BY key ORDER BY min(r), min(pos)`,
  );
  const headers = keys.map((k) => k.key);
  if (!headers.length) throw new IngestError(`cannot read ${input.name}: it holds no JSON objects with fields`);
  const pointer = (key: string) => literal(`/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
  const loaded = await createFrom(conn, table, headers, (k) => `json ->> ${pointer(headers[k])}`, `${objects} ORDER BY rowid`);
  await conn.run(`DROP TABLE ${objects}`);
  return loaded;
}

async function loadParquet(conn: DuckDBConnection, input: FileInput, table: string): Promise<LoadedSource> {
  const from = `read_parquet(${literal(input.path)})`;
  const headers = (await all<{ column_name: string }>(conn, `DESCRIBE SELECT * FROM ${from}`)).map((r) => r.column_name);
  return createFrom(conn, table, headers, (k) => `CAST(#${k + 1} AS VARCHAR)`, from);
}

export async function loadFile(conn: DuckDBConnection, input: FileInput, table: string): Promise<LoadedSource> {
  if ((await stat(input.path)).size === 0) throw new IngestError(`cannot read ${input.name}: the file is empty`);
  try {
    if (input.reader === 'csv') return await loadCsv(conn, input, table);
    if (input.reader === 'json') return await loadJson(conn, input, table);
    return await loadParquet(conn, input, table);
  } catch (err) {
    throw err instanceof IngestError ? err : readFailure(input, err);
  }
}

/** Rows written in the mapping itself, loaded like a file whose headers are their keys. */
export async function loadInlineRows(conn: DuckDBConnection, inline: InlineRows, table: string): Promise<LoadedSource> {
  const headers = [...new Set(inline.rows.flatMap((r) => Object.keys(r)))];
  const text = (v: Scalar | undefined) => (v === null || v === undefined ? 'NULL::VARCHAR' : literal(String(v)));
  const values = inline.rows.map((r) => `(${headers.map((h) => text(r[h])).join(', ')})`).join(', ');
  const names = headers.map((_, k) => `c${k}`).join(', ');
  return createFrom(conn, table, headers, (k) => `c${k}`, `(VALUES ${values}) AS v(${names})`);
}
