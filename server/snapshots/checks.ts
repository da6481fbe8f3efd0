// The checks every canonical table goes through, set-based in DuckDB, in this order:
//   1. values: missing_required, then bad_date / bad_number / bad_boolean / unknown_enum per
//      column, then out_of_range;
//   2. references (unknown_reference) against the accepted rows of the referenced table, when
//      the input has that table (so tables must be checked in TABLE_ORDER);
//   3. duplicates among the rows still standing: `duplicate` for an exact copy (after
//      normalisation) of an earlier row, `duplicate_key` for a different row with an earlier key.
// References come before duplicates so that a broken row never hides a valid one with its key.
// Each row gets exactly one reason (the first that applies), so read = accepted + rejected.
// Result: view acc_<table> (canonical typed columns + __src, __row) and rows in `rejections`.
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, ident, literal } from '../db/duck.ts';
import { blankSql, cleanText, isParsed, parseFailure, parseSql, rawText, shownValue } from './normalise.ts';
import type { RowValues } from './report.ts';
import { TABLES, type TableName } from './schema.ts';

/** Rows offered for one table by one source. */
export interface Candidate {
  src: number;
  /** the source file, for messages */
  label: string;
  /** SQL yielding __src, __row and every canonical column of the table as text */
  select: string;
  /** where the report finds a rejected row's original values */
  values: RowValues;
}

/** Value ranges the design states (ratings 1–5) or that any sale implies (a line sells ≥ 1 unit). */
const RANGES: Partial<Record<TableName, Record<string, { min?: number; max?: number }>>> = {
  reviews: { rating: { min: 1, max: 5 } },
  complaints: { satisfaction: { min: 1, max: 5 } },
  order_items: { quantity: { min: 1 } },
};

export async function createRejectionsTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TABLE rejections (tbl VARCHAR, src INTEGER, "row" BIGINT, reason VARCHAR, detail VARCHAR)`);
}

const err = (reason: string, detail: string) => `{'reason': ${literal(reason)}, 'detail': ${detail}}`;

function valueChecks(table: TableName): string {
  const columns = TABLES[table].columns;
  const whens: string[] = [];
  // a parsed column's text is untrimmed: all spaces is empty, not a value that fails to parse
  columns.forEach((c, k) => {
    const empty = isParsed(c) ? `t${k} IS NULL OR (v${k} IS NULL AND ${blankSql(`t${k}`)})` : `t${k} IS NULL`;
    if (c.required) whens.push(`WHEN ${empty} THEN ${err('missing_required', literal(`${c.name} is empty`))}`);
  });
  columns.forEach((c, k) => {
    if (!isParsed(c)) return;
    const { reason, expected } = parseFailure(c);
    whens.push(`WHEN t${k} IS NOT NULL AND v${k} IS NULL AND NOT ${blankSql(`t${k}`)} THEN ${err(reason, `${literal(`${c.name} `)} || ${shownValue(`t${k}`)} || ${literal(` ${expected}`)}`)}`);
  });
  columns.forEach((c, k) => {
    const range = RANGES[table]?.[c.name];
    if (!range) return;
    const bounds = range.max === undefined ? `is below ${range.min}` : `is outside ${range.min}–${range.max}`;
    const test = [range.min !== undefined && `v${k} < ${range.min}`, range.max !== undefined && `v${k} > ${range.max}`].filter(Boolean).join(' OR ');
    whens.push(`WHEN ${test} THEN ${err('out_of_range', `${literal(`${c.name} `)} || ${shownValue(`t${k}`)} || ${literal(` ${bounds}`)}`)}`);
  });
  return whens.length ? `CASE ${whens.join('\n')} END` : 'NULL';
}

function referenceChecks(table: TableName, present: Set<TableName>): { joins: string; whens: string[] } {
  const joins: string[] = [];
  const whens: string[] = [];
  for (const c of TABLES[table].columns) {
    if (!c.references || !present.has(c.references.table)) continue;
    const alias = `r${joins.length}`;
    const target = `${c.references.table}.${c.references.column}`;
    joins.push(`LEFT JOIN (SELECT ${ident(c.references.column)} AS k FROM acc_${c.references.table}) ${alias} ON a.${ident(c.name)} = ${alias}.k`);
    whens.push(`WHEN a.${ident(c.name)} IS NOT NULL AND ${alias}.k IS NULL THEN ${err('unknown_reference', `${literal(`${c.name} `)} || ${shownValue(`a.${ident(c.name)}`)} || ${literal(` is not an accepted ${target}`)}`)}`);
  }
  return { joins: joins.join('\n'), whens };
}

/** "row 12", or "row 12 of orders_jd.csv" when a table has several sources. */
function rowRef(src: string, row: string, candidates: Candidate[]): string {
  if (candidates.length === 1) return `'row ' || ${row}`;
  const labels = candidates.map((c) => `WHEN ${c.src} THEN ${literal(` of ${c.label}`)}`).join(' ');
  return `'row ' || ${row} || CASE ${src} ${labels} END`;
}

export interface TableCounts {
  read: number;
  accepted: number;
}

export async function checkTable(conn: DuckDBConnection, table: TableName, candidates: Candidate[], present: Set<TableName>): Promise<TableCounts> {
  const def = TABLES[table];
  const cols = def.columns.map((c) => ident(c.name));
  const union = candidates.map((c) => `(${c.select})`).join(' UNION ALL BY NAME ');

  // The text is materialised first: inlined into the parsers, which read a value several times,
  // the cleaning expressions would be evaluated again for every reference.
  const texts = def.columns.map((c, k) => `${(isParsed(c) ? rawText : cleanText)(ident(c.name))} AS t${k}`).join(', ');
  await conn.run(`CREATE TABLE text_${table} AS SELECT __src, __row, ${texts} FROM (${union})`);
  const typed = def.columns.map((c, k) => `${parseSql(c.type, `t${k}`, c.enum)} AS v${k}`).join(', ');
  await conn.run(`CREATE TABLE typed_${table} AS
    SELECT __src, __row, ${def.columns.map((_, k) => `v${k} AS ${cols[k]}`).join(', ')}, ${valueChecks(table)} AS __err
    FROM (SELECT __src, __row, ${def.columns.map((_, k) => `t${k}`).join(', ')}, ${typed} FROM text_${table})`);
  await conn.run(`DROP TABLE text_${table}`);

  const refs = referenceChecks(table, present);
  await conn.run(`CREATE TABLE refd_${table} AS
    SELECT a.* EXCLUDE (__err), ${refs.whens.length ? `CASE WHEN a.__err IS NOT NULL THEN a.__err ${refs.whens.join('\n')} END` : 'a.__err'} AS __err
    FROM typed_${table} a ${refs.joins}`);
  await conn.run(`DROP TABLE typed_${table}`);

  // Only rows whose key occurs more than once need the (costly) windows over whole rows.
  const key = def.key.map(ident);
  const keyShown = def.key.map((k) => `${literal(`${k} `)} || ${shownValue(`CAST(r.${ident(k)} AS VARCHAR)`)}`).join(` || ', ' || `);
  await conn.run(`CREATE TABLE final_${table} AS
    WITH repeated AS (SELECT ${key.join(', ')} FROM refd_${table} WHERE __err IS NULL GROUP BY ALL HAVING count(*) > 1),
    ranked AS (
      SELECT __src, __row,
        row_number() OVER same_row AS row_n, first_value(__src) OVER same_row AS row_src, first_value(__row) OVER same_row AS row_first,
        row_number() OVER same_key AS key_n, first_value(__src) OVER same_key AS key_src, first_value(__row) OVER same_key AS key_first
      FROM refd_${table} SEMI JOIN repeated USING (${key.join(', ')})
      WHERE __err IS NULL
      WINDOW same_row AS (PARTITION BY ${cols.join(', ')} ORDER BY __src, __row),
             same_key AS (PARTITION BY ${key.join(', ')} ORDER BY __src, __row))
    SELECT r.* EXCLUDE (__err), CASE
      WHEN r.__err IS NOT NULL THEN r.__err
      WHEN d.row_n > 1 THEN ${err('duplicate', `'same as ' || ${rowRef('d.row_src', 'd.row_first', candidates)}`)}
      WHEN d.key_n > 1 THEN ${err('duplicate_key', `${keyShown} || ' is already on ' || ${rowRef('d.key_src', 'd.key_first', candidates)}`)}
    END AS __err
    FROM refd_${table} r LEFT JOIN ranked d USING (__src, __row)`);
  await conn.run(`DROP TABLE refd_${table}`);

  await conn.run(`INSERT INTO rejections SELECT ${literal(table)}, __src, __row, __err.reason, __err.detail FROM final_${table} WHERE __err IS NOT NULL`);
  await conn.run(`CREATE VIEW acc_${table} AS SELECT * EXCLUDE (__err) FROM final_${table} WHERE __err IS NULL`);
  const [counts] = await all<{ read: number; accepted: number }>(
    conn,
    `SELECT count(*) AS read, count(*) FILTER (WHERE __err IS NULL) AS accepted FROM final_${table}`,
  );
  return { read: counts.read, accepted: counts.accepted };
}
