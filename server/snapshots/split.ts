// A denormalised file (one row per order line, as most platform exports are) split into several
// canonical tables by a declarative mapping. Line by line, in this order:
//   1. declared source types are parsed (bad_number / bad_date / bad_boolean);
//   2. lookups attach a value from another line (the latest earlier matching one: ASOF join);
//   3. the mapping's rules reject lines, first matching rule wins;
//   4. an exact duplicate of an earlier accepted line is rejected (`duplicate`);
//   5. each split target selects, groups and computes its rows from the accepted lines, as text
//      candidates for the ordinary table checks (checks.ts), remembering which lines made them.
// After the table checks, a line that built a rejected row is rejected with that row's reason
// (rejectLinesOfRejectedRows), so that every line is accepted or rejected for a stated reason.
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, ident, literal } from '../db/duck.ts';
import type { Candidate } from './checks.ts';
import { compileCond, compileExpr, compileOutput, MappingError, type Scope } from './expressions.ts';
import { IngestError } from './failure.ts';
import type { SplitSource } from './inputs.ts';
import { cleanText, parseFailure, parseSql, shownValue } from './normalise.ts';
import { findHeader, type LoadedSource } from './read.ts';
import { TABLE_ORDER, TABLES, type ColumnType } from './schema.ts';

export async function createLineRejectionsTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TABLE line_rejections (src INTEGER, "row" BIGINT, reason VARCHAR, detail VARCHAR)`);
}

const err = (reason: string, detail: string) => `{'reason': ${literal(reason)}, 'detail': ${detail}}`;

export async function splitSource(conn: DuckDBConnection, source: SplitSource, loaded: LoadedSource): Promise<Candidate[]> {
  try {
    return await split(conn, source, loaded);
  } catch (e) {
    if (e instanceof MappingError) throw new IngestError(`mapping for ${source.origin.name}: ${e.message}`);
    throw e;
  }
}

async function split(conn: DuckDBConnection, source: SplitSource, loaded: LoadedSource): Promise<Candidate[]> {
  const { spec, id } = source;
  const headers = loaded.headers;
  const header = (name: string, path: string): number => {
    const k = findHeader(headers, name);
    if (k === undefined) throw new MappingError(`${path}: the file has no column "${name}" (it has ${headers.join(', ')})`);
    return k;
  };
  const types = new Map<number, ColumnType>(Object.entries(spec.types).map(([name, type]) => [header(name, `types.${name}`), type]));
  const lookupNames = Object.keys(spec.lookups);
  const scope = (alias: string, withLookups: boolean, used?: Set<string>): Scope => ({
    column: (name) => {
      const k = findHeader(headers, name);
      return k === undefined ? undefined : `${alias}${types.has(k) ? 'v' : 't'}${k}`;
    },
    lookup: withLookups ? (name) => (lookupNames.includes(name) ? `${alias}lk${lookupNames.indexOf(name)}` : undefined) : undefined,
    conditions: spec.conditions,
    used,
  });

  // 1. cleaned text t<k> of every column, typed value v<k> of the declared ones
  const texts = headers.map((_, k) => `${cleanText(`c${k}`)} AS t${k}`).join(', ');
  const typed = [...types].map(([k, type]) => `, ${parseSql(type, `t${k}`)} AS v${k}`).join('');
  await conn.run(`CREATE TABLE lines_${id} AS SELECT *${typed} FROM (SELECT rowid + 1 AS __row, ${texts} FROM ${loaded.table})`);

  // 2. lookups: one ASOF join each
  const joins = lookupNames.map((name, j) => {
    const lookup = spec.lookups[name];
    const at = `lookups.${name}`;
    const inner = scope('', false);
    const outer = scope('l.', false);
    const keys = lookup.match.map((m, i) => ({ inner: compileExpr(m, inner, `${at}.match[${i}]`), outer: compileExpr(m, outer, `${at}.match[${i}]`) }));
    const time = { inner: compileExpr(lookup.latestBefore, inner, `${at}.latestBefore`), outer: compileExpr(lookup.latestBefore, outer, `${at}.latestBefore`) };
    const candidates = `SELECT ${keys.map((k, i) => `${k.inner} AS k${i}`).join(', ')}, ${time.inner} AS t, ${compileExpr(lookup.value, inner, `${at}.value`)} AS v
      FROM lines_${id} WHERE ${compileCond(lookup.from, inner, `${at}.from`)}`;
    const on = [...keys.map((k, i) => `${k.outer} = m${j}.k${i}`), `${time.outer} >= m${j}.t`].join(' AND ');
    return { select: `m${j}.v AS lk${j}`, join: `ASOF LEFT JOIN (${candidates}) m${j} ON ${on}` };
  });

  // 3. type failures, then rules in order
  const whens = [...types].map(([k, type]) => {
    const { reason, expected } = parseFailure({ type });
    return `WHEN t${k} IS NOT NULL AND v${k} IS NULL THEN ${err(reason, `${literal(`${headers[k]} `)} || ${shownValue(`t${k}`)} || ${literal(` ${expected}`)}`)}`;
  });
  spec.rules.forEach((rule, r) => {
    const used = new Set<string>();
    const cond = compileCond(rule.when, scope('', true, used), `rules[${r}].when`);
    const shown = (rule.columns ?? [...used]).map((name) => {
      const k = header(name, `rules[${r}].columns`);
      return `${literal(`${headers[k]} `)} || ${shownValue(`t${k}`)}`;
    });
    const detail = shown.length ? `${shown.join(` || ', ' || `)} || ${literal(`: ${rule.detail}`)}` : literal(rule.detail);
    whens.push(`WHEN ${cond} THEN ${err(rule.reason, detail)}`);
  });

  // 4. exact duplicates among the lines no rule rejected
  const allTexts = headers.map((_, k) => `t${k}`).join(', ');
  await conn.run(`CREATE TABLE judged_${id} AS
    SELECT * EXCLUDE (__n, __first, __err),
      CASE WHEN __err IS NOT NULL THEN __err WHEN __n > 1 THEN ${err('duplicate', `'same as row ' || __first`)} END AS __verdict
    FROM (
      SELECT *, row_number() OVER w AS __n, first_value(__row) OVER w AS __first
      FROM (SELECT *, ${whens.length ? `CASE ${whens.join('\n')} END` : 'NULL'} AS __err
            FROM (SELECT l.*${joins.map((j) => `, ${j.select}`).join('')} FROM lines_${id} l ${joins.map((j) => j.join).join('\n')}))
      WINDOW w AS (PARTITION BY __err IS NULL, ${allTexts} ORDER BY __row))`);
  await conn.run(`DROP TABLE lines_${id}`);
  await conn.run(`INSERT INTO line_rejections SELECT ${id}, __row, __verdict.reason, __verdict.detail FROM judged_${id} WHERE __verdict IS NOT NULL`);

  // 5. the split targets
  const candidates: Candidate[] = [];
  const lineScope = scope('', true);
  for (const [t, target] of spec.split.entries()) {
    const at = `split[${t}]`;
    const outputs = TABLES[target.table].columns.map((c) => {
      const value = c.name in target.columns ? compileOutput(target.columns[c.name], lineScope, `${at}.columns.${c.name}`, target.groupBy) : 'NULL';
      return `CAST(${value} AS VARCHAR) AS ${ident(c.name)}`;
    });
    const where = target.where === undefined ? '' : `AND ${compileCond(target.where, lineScope, `${at}.where`)}`;
    const groupBy = target.groupBy?.map((g, i) => compileExpr(g, lineScope, `${at}.groupBy[${i}]`));
    const lines = groupBy ? `min(__row) AS __row, list(__row ORDER BY __row) AS __rows` : `__row, [__row] AS __rows`;
    const table = `cand_${target.table}_${id}`;
    await conn.run(`CREATE TABLE ${table} AS SELECT ${id} AS __src, ${lines}, ${outputs.join(', ')}
      FROM judged_${id} WHERE __verdict IS NULL ${where} ${groupBy ? `GROUP BY ${groupBy.join(', ')}` : ''}`);
    const columns = TABLES[target.table].columns.map((c) => c.name);
    candidates.push({
      src: id,
      label: source.origin.name,
      select: `SELECT * EXCLUDE (__rows) FROM ${table}`,
      values: { from: table, row: '__row', columns: columns.map(ident), headers: columns },
    });
  }
  await conn.run(`DROP TABLE judged_${id}`);
  return candidates;
}

/**
 * Lines that built a row the table checks rejected are rejected too, with that row's reason and
 * the table named in the detail (a line in several rejected rows takes the first in TABLE_ORDER).
 * Rows of other tables built from the same lines stay accepted; the returned count lets the
 * caller warn about that.
 */
export async function rejectLinesOfRejectedRows(conn: DuckDBConnection, source: SplitSource): Promise<number> {
  const parts = source.spec.split.map(
    ({ table }) => `SELECT unnest(c.__rows) AS line, r.reason, ${literal(`${table}: `)} || r.detail AS detail, ${TABLE_ORDER.indexOf(table)} AS prio
      FROM rejections r JOIN cand_${table}_${source.id} c ON r.tbl = ${literal(table)} AND r.src = ${source.id} AND r."row" = c.__row`,
  );
  // DuckDB answers an INSERT with the number of rows it inserted
  const [{ Count }] = await all<{ Count: number }>(
    conn,
    `INSERT INTO line_rejections SELECT ${source.id}, line, reason, detail FROM (${parts.join(' UNION ALL ')})
     QUALIFY row_number() OVER (PARTITION BY line ORDER BY prio) = 1`,
  );
  return Count;
}
