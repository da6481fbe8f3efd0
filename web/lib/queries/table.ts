// Client-side work on a result with Arquero: sort, filter, pivot and column statistics.
// Columns are keyed by position (c0, c1, …) because a result may repeat a column name.
import * as aq from 'arquero';
import type { Cell, ResultColumn } from './types.ts';

type Table = ReturnType<typeof aq.table>;

const ROW = 'row';
const key = (i: number) => `c${i}`;

export interface Sort {
  column: number;
  desc: boolean;
}

/** A result as a columnar Arquero table with each row's position in `row`. */
export function toTable(columns: ResultColumn[], rows: Cell[][]): Table {
  const data: Record<string, Cell[] | Int32Array> = {};
  columns.forEach((_, c) => {
    data[key(c)] = rows.map((r) => r[c]);
  });
  data[ROW] = Int32Array.from(rows, (_, i) => i);
  return aq.table(data);
}

/** Positions of the rows to show, filtered (a row matches when any cell contains `text`, case-insensitive) and sorted. */
export function viewRows(table: Table, columnCount: number, text: string, sort: Sort | null): Int32Array {
  let view = table;
  const needle = text.trim().toLowerCase();
  if (needle) {
    const keys = Array.from({ length: columnCount }, (_, c) => key(c));
    view = view.filter(
      aq.escape((d: Record<string, Cell>) => keys.some((k) => d[k] !== null && String(d[k]).toLowerCase().includes(needle))),
    );
  }
  if (sort) view = view.orderby(sort.desc ? aq.desc(key(sort.column)) : key(sort.column));
  return Int32Array.from(view.array(ROW) as ArrayLike<number>);
}

export interface ColumnStats {
  count: number;
  nulls: number;
  distinct: number;
  min?: number;
  max?: number;
  mean?: number;
}

export function columnStats(table: Table, columns: ResultColumn[]): ColumnStats[] {
  return columns.map((col, c) => {
    const k = key(c);
    const numeric = col.kind === 'number';
    const rolled = table
      .rollup({
        count: aq.op.count(),
        valid: aq.op.valid(k),
        distinct: aq.op.distinct(k),
        ...(numeric ? { min: aq.op.min(k), max: aq.op.max(k), mean: aq.op.mean(k) } : {}),
      })
      .object() as Record<string, number>;
    const nulls = rolled.count - rolled.valid;
    // Arquero counts null as a distinct value; the statistic is about the values present
    const stats: ColumnStats = { count: rolled.count, nulls, distinct: rolled.distinct - (nulls > 0 ? 1 : 0) };
    if (numeric && rolled.valid > 0) Object.assign(stats, { min: Number(rolled.min), max: Number(rolled.max), mean: Number(rolled.mean) });
    return stats;
  });
}

export const AGGREGATES = ['sum', 'count', 'mean', 'min', 'max'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

export interface Pivot {
  rows: number;
  columns: number;
  value: number;
  aggregate: Aggregate;
}

/** A pivot of the result: one row per value of `rows`, one column per value of `columns`. */
export function pivot(table: Table, source: ResultColumn[], spec: Pivot): { columns: ResultColumn[]; rows: Cell[][] } {
  const agg = spec.aggregate === 'count' ? aq.op.count() : aq.op[spec.aggregate](key(spec.value));
  const out = table.groupby(key(spec.rows)).pivot(key(spec.columns), { v: agg } as Parameters<Table['pivot']>[1]).orderby(key(spec.rows));
  const names = out.columnNames();
  const columns: ResultColumn[] = names.map((name, i) =>
    i === 0 ? { ...source[spec.rows] } : { name, type: spec.aggregate === 'count' ? 'BIGINT' : 'DOUBLE', kind: 'number' },
  );
  const rows = (out.objects() as Record<string, Cell | undefined>[]).map((o) => names.map((n) => o[n] ?? null));
  return { columns, rows };
}
