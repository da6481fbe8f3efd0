// Runs a plan's statements and turns their measure values into KPI values per (period, bucket,
// key) cell. The same code serves rollup and base statements: they return the same columns.
import type { DuckDBValue } from '@duckdb/node-api';
import type { Row } from '../db/duck.ts';
import { isRate, type KpiDefinition } from './catalog.ts';
import type { KpiValue } from './contract.ts';
import type { PeriodName } from './periods.ts';
import { isLineContext, plan, type SnapshotData } from './plan.ts';
import { measureStatement, type Frame } from './query.ts';
import { measureRelation } from './relations.ts';

export type RunSql = (sql: string, params: Record<string, DuckDBValue>) => Promise<Row[]>;

export interface Evaluation {
  /** the KPI's value in one cell; a cell no row reached has zero sums */
  value(kpi: KpiDefinition, period: PeriodName, bucket?: string | null, key?: string | null): KpiValue;
  /** the (bucket, key) pairs that have rows in a period */
  cells(period: PeriodName): { bucket: string | null; key: string | null }[];
}

const cellId = (period: string, bucket: string | null | undefined, key: string | null | undefined) => `${period}\u0000${bucket ?? ''}\u0000${key ?? ''}`;

/** (num − less) / den, with the numerator and denominator of a rate and a reason when there is no value. */
function formulaValue(kpi: KpiDefinition, measure: (id: string) => number | null): KpiValue {
  const { num, less, den, empty } = kpi.formula;
  const n = measure(num);
  const l = less === undefined ? 0 : measure(less);
  const numerator = n === null || l === null ? null : n - l;
  if (den === undefined) return numerator === null ? { value: null, reason: empty ?? 'no data in this period' } : { value: numerator };
  const denominator = measure(den);
  const parts = isRate(kpi) && numerator !== null && denominator !== null ? { numerator, denominator } : {};
  if (numerator === null || !denominator) return { value: null, ...parts, reason: empty };
  return { value: numerator / denominator, ...parts };
}

export async function evaluate(run: RunSql, kpis: readonly KpiDefinition[], frame: Frame, data: SnapshotData): Promise<Evaluation> {
  const { unavailable, tasks } = plan(kpis, frame, data);
  const results = await Promise.all(tasks.map((task) => {
    const { sql, params } = measureStatement(task.relation, task.source, frame, task.measures);
    return run(sql, params).then((rows) => ({ task, rows }));
  }));

  const values = new Map<string, Record<string, number | null>>();
  const seen = new Map<PeriodName, Map<string, { bucket: string | null; key: string | null }>>();
  for (const { task, rows } of results) {
    for (const row of rows) {
      const period = row.period as PeriodName;
      const bucket = row.bucket as string | null;
      const key = row.key as string | null;
      const id = cellId(period, bucket, key);
      const cell = values.get(id) ?? {};
      for (const m of task.measures) cell[m] = row[m] as number | null;
      values.set(id, cell);
      const periodCells = seen.get(period) ?? new Map();
      periodCells.set(id, { bucket, key });
      seen.set(period, periodCells);
    }
  }

  const line = isLineContext(frame);
  // with no row a sum is zero, a quantile does not exist
  const absent = (m: string) => (measureRelation(m, line).measures[m].kind === 'quantile' ? null : 0);
  return {
    value(kpi, period, bucket, key) {
      const reason = unavailable.get(kpi.id);
      if (reason) return { value: null, reason };
      const cell = values.get(cellId(period, bucket, key));
      return formulaValue(kpi, (m) => (cell && m in cell ? cell[m] : absent(m)));
    },
    cells: (period) => [...(seen.get(period)?.values() ?? [])],
  };
}
