// The query builder: one aggregate statement over one relation, read either from its base tables
// or from a rollup, for every period of a frame at once. Identifiers come only from the relation
// declarations and the contract's dimension lists; every user value (dates, filter values) is a
// bound parameter.
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { literal } from '../db/duck.ts';
import type { BreakdownDimension, FilterDimension, Grain } from './contract.ts';
import { addDays, type NamedPeriod } from './periods.ts';
import type { Measure, RangeFn, Relation } from './relations.ts';
import type { RollupEntry } from './rollups.ts';
import { ALL_TIME, relationSelect, type Columns } from './select.ts';

export type Filters = Partial<Record<FilterDimension, string[]>>;

/** What a query asks: its periods, how each is grouped, and the rows it keeps. */
export interface Frame {
  periods: NamedPeriod[];
  grain?: Grain;
  by?: BreakdownDimension;
  /** only dimensions with at least one value */
  filters: Filters;
}

export type Source = { kind: 'base' } | { kind: 'rollup'; rollup: RollupEntry };

export const BASE: Source = { kind: 'base' };

export interface Statement {
  sql: string;
  params: Record<string, DuckDBValue>;
}

/** The key of a null dimension value (an order without a promotion, a complaint without an order). */
export const NONE_KEY = '(none)';

export function frameDims(frame: Frame): BreakdownDimension[] {
  const dims = Object.keys(frame.filters) as BreakdownDimension[];
  return frame.by && !dims.includes(frame.by) ? [...dims, frame.by] : dims;
}

const BUCKET: Record<Grain, string> = {
  day: 'CAST(day AS VARCHAR)',
  week: `CAST(CAST(date_trunc('week', day) AS DATE) AS VARCHAR)`,
  month: `CAST(CAST(date_trunc('month', day) AS DATE) AS VARCHAR)`,
};

function rangeOf(index: number): RangeFn {
  return (column, type = 'TIMESTAMP') => `${column} >= CAST($from${index} AS ${type}) AND ${column} < CAST($end${index} AS ${type})`;
}

/** A grouping column: its name and the expression computing it from the rows. */
export interface GroupKey {
  name: string;
  expr: string;
}

function flatAggregate(id: string, measure: Measure): string {
  return measure.kind === 'quantile' ? `quantile_cont(${id}, ${measure.q})` : `coalesce(sum(${id}), 0)`;
}

/**
 * Aggregates `measures` of a source's rows per `keys`. The query builder groups by period,
 * bucket and key; the rollup builder by day and the rollup's dimensions, over the same rows with
 * the same SQL, so that a rollup cell holds what the base query computes for it. Base rows of a
 * line relation are first reduced to one row per fact (its lines' flags are the fact's), and
 * customer measures to one row per customer; a rollup row is already a cell, and adds up.
 */
export function groupedStatement(relation: Relation, source: Source, measures: string[], keys: GroupKey[], rows: string): string {
  const keyColumns = keys.map((k) => `${k.expr} AS ${k.name}`).join(', ');
  const names = keys.map((k) => k.name).join(', ');
  const spec = (m: string) => relation.measures[m];
  if (measures.some((m) => spec(m).kind === 'customer')) {
    const orders = relation.grain === 'line' ? 'count(DISTINCT entity_id)' : 'count(*)';
    return `SELECT ${names}, ${measures.map((m) => `${spec(m).sql} AS ${m}`).join(', ')} FROM (
      SELECT ${keyColumns}, customer_id, ${orders} AS orders_of_customer FROM (${rows})
      WHERE customer_id IS NOT NULL GROUP BY ALL) GROUP BY ${names}`;
  }
  if (relation.grain === 'line' && source.kind === 'base') {
    const perFact = measures.map((m) => (spec(m).kind === 'entity' ? `max(${m}) AS ${m}` : `sum(${m}) AS ${m}`)).join(', ');
    return `SELECT ${names}, ${measures.map((m) => `coalesce(sum(${m}), 0) AS ${m}`).join(', ')} FROM (
      SELECT ${keyColumns}, entity_id, ${perFact} FROM (${rows}) GROUP BY ALL) GROUP BY ${names}`;
  }
  return `SELECT ${keyColumns}, ${measures.map((m) => `${flatAggregate(m, spec(m))} AS ${m}`).join(', ')} FROM (${rows}) GROUP BY ALL`;
}

/** A source's rows within a range: the relation composed over base tables, or the rollup file. */
function sourceRows(relation: Relation, source: Source, columns: Columns, range: RangeFn): string {
  return source.kind === 'base'
    ? relationSelect(relation, columns, range)
    : `SELECT * FROM read_parquet(${literal(source.rollup.file)}) WHERE ${range('day', 'DATE')}`;
}

/** The rows of every period, each tagged with its period's name and filtered. */
function periodRows(relation: Relation, source: Source, frame: Frame, measures: string[]): string {
  const dims = frameDims(frame);
  const customer = measures.some((m) => relation.measures[m].kind === 'customer');
  const columns = {
    dims,
    measures: measures.filter((m) => relation.measures[m].kind !== 'customer'),
    entity: customer || relation.grain === 'line',
    customer,
  };
  const where = (Object.keys(frame.filters) as FilterDimension[]).map((d) => `list_contains($f_${d}, ${d})`);
  const filtered = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  return frame.periods
    .map((period, i) => `SELECT '${period.name}' AS period, * FROM (${sourceRows(relation, source, columns, rangeOf(i))})${filtered}`)
    .join('\nUNION ALL\n');
}

function params(frame: Frame): Record<string, DuckDBValue> {
  const values: Record<string, DuckDBValue> = {};
  frame.periods.forEach((p, i) => {
    values[`from${i}`] = p.from;
    values[`end${i}`] = addDays(p.to, 1);
  });
  for (const [dim, list] of Object.entries(frame.filters)) values[`f_${dim}`] = listValue(list);
  return values;
}

/**
 * One statement answering `measures` of `relation` for every (period, bucket, key) of the frame:
 * columns period, bucket, key and one per measure. Customer measures (buyers, repeat buyers) group
 * each customer's orders first, so they must not be mixed with the others in one statement.
 */
export function measureStatement(relation: Relation, source: Source, frame: Frame, measures: string[]): Statement {
  const keys: GroupKey[] = [
    { name: 'period', expr: 'period' },
    { name: 'bucket', expr: frame.grain ? BUCKET[frame.grain] : 'NULL' },
    { name: 'key', expr: frame.by ? `coalesce(CAST(${frame.by} AS VARCHAR), '${NONE_KEY}')` : 'NULL' },
  ];
  return { sql: groupedStatement(relation, source, measures, keys, periodRows(relation, source, frame, measures)), params: params(frame) };
}

/** Distinct values of one dimension over all time, for the filter bar. */
export function dimensionValuesStatement(relation: Relation, source: Source, dim: BreakdownDimension): string {
  const rows = sourceRows(relation, source, { dims: [dim], measures: [] }, ALL_TIME);
  return `SELECT DISTINCT ${dim} AS value FROM (${rows}) WHERE ${dim} IS NOT NULL ORDER BY 1`;
}

/** First and last day of a relation's rows. */
export function dateRangeStatement(relation: Relation, source: Source): string {
  const rows = sourceRows(relation, source, { dims: [], measures: [] }, ALL_TIME);
  return `SELECT CAST(min(day) AS VARCHAR) AS min_day, CAST(max(day) AS VARCHAR) AS max_day FROM (${rows})`;
}
