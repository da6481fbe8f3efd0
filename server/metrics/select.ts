// Composes one relation's SELECT from the columns a caller needs, pulling in only the joins those
// columns read. The query builder calls it per period (with that period's date predicate) and the
// rollup builder once for all time, so a rollup's rows are the base rows, summed.
import type { BreakdownDimension } from './contract.ts';
import { joinClosure, type RangeFn, type Relation } from './relations.ts';

export interface Columns {
  dims: readonly BreakdownDimension[];
  /** measures with a per-row column (every kind but `customer`) */
  measures: readonly string[];
  /** the counted fact's id, for distinct counts */
  entity?: boolean;
  customer?: boolean;
}

/** Rows of all time: the rollup builder aggregates everything. */
export const ALL_TIME: RangeFn = () => 'true';

export function relationSelect(relation: Relation, columns: Columns, range: RangeFn): string {
  const select = [`${relation.day} AS day`];
  const joins: string[] = [];
  for (const dim of columns.dims) {
    const fragment = relation.dims[dim];
    if (!fragment) throw new Error(`relation ${relation.id} has no dimension ${dim}`);
    select.push(`${fragment.sql} AS ${dim}`);
    joins.push(...(fragment.joins ?? []));
  }
  for (const id of columns.measures) {
    const measure = relation.measures[id];
    if (!measure || measure.kind === 'customer') throw new Error(`relation ${relation.id} has no column for measure ${id}`);
    select.push(`${measure.sql} AS ${id}`);
    joins.push(...(measure.joins ?? []));
  }
  if (columns.entity) select.push(`${relation.entity} AS entity_id`);
  if (columns.customer) select.push(`${relation.customer} AS customer_id`);
  const joinSql = joinClosure(relation, joins).map((name) => {
    const sql = relation.joins[name].sql;
    return typeof sql === 'function' ? sql(range) : sql;
  });
  return `SELECT ${select.join(', ')} FROM ${relation.from} ${joinSql.join(' ')} WHERE ${relation.where(range)}`;
}
