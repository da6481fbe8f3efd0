// Decides, for one frame, which KPIs can be answered and from where: a KPI whose tables the
// snapshot lacks, or whose relation has no column for a filter or split, gets a reason instead
// of a number; every measure of the others is read from the smallest rollup that covers it
// exactly, or from the base tables.
import type { BreakdownDimension } from './contract.ts';
import { isLineDimension, kpiMeasures, type KpiDefinition } from './catalog.ts';
import { BASE, frameDims, type Frame, type Source } from './query.ts';
import { joinTables, measureRelation, type Relation } from './relations.ts';
import type { RollupEntry } from './rollups.ts';

export interface SnapshotData {
  tables: ReadonlySet<string>;
  /** empty when rollups are off or the snapshot has none */
  rollups: readonly RollupEntry[];
}

/** Measures of one relation read from one source in one statement. */
export interface Task {
  relation: Relation;
  source: Source;
  measures: string[];
}

export interface Plan {
  /** KPI id → why it has no value in this frame */
  unavailable: Map<string, string>;
  tasks: Task[];
}

export function isLineContext(frame: Frame): boolean {
  return Boolean(frame.filters.category?.length) || isLineDimension(frame.by);
}

const noTable = (table: string) => `no data: the snapshot has no ${table} table`;

/** Why a KPI has no value in this frame, or undefined when it can be computed. */
function unavailableReason(kpi: KpiDefinition, frame: Frame, data: SnapshotData): string | undefined {
  const line = isLineContext(frame);
  const reads = kpiMeasures(kpi).map((m) => ({ measure: m, relation: measureRelation(m, line) }));
  const missing = (tables: string[]) => tables.find((t) => !data.tables.has(t));
  for (const { measure, relation } of reads) {
    const table = missing([...relation.tables, ...joinTables(relation, relation.measures[measure].joins ?? [])]);
    if (table) return noTable(table);
  }
  const uses: [BreakdownDimension, string][] = [
    ...Object.keys(frame.filters).map((d) => [d, 'filtered'] as [BreakdownDimension, string]),
    ...(frame.by ? [[frame.by, 'split'] as [BreakdownDimension, string]] : []),
  ];
  for (const [dim, how] of uses) {
    const without = reads.find((r) => !r.relation.dims[dim]);
    if (without) return `cannot be ${how} by ${dim}: ${without.relation.tables[0]} has no ${dim}`;
  }
  for (const [dim] of uses) {
    for (const { relation } of reads) {
      const table = missing(joinTables(relation, relation.dims[dim]!.joins ?? []));
      if (table) return noTable(table);
    }
  }
  return undefined;
}

/** Dimensions each output group holds a single value of: the split, and filters with one value. */
function singleValued(frame: Frame): Set<BreakdownDimension> {
  const dims = Object.entries(frame.filters).filter(([, values]) => values.length === 1).map(([d]) => d as BreakdownDimension);
  return new Set(frame.by ? [...dims, frame.by] : dims);
}

/**
 * The smallest rollup of `relation` that has every dimension in `dims` and, when given, holds
 * `measure` exactly for this frame; the base tables when there is none.
 */
export function chooseSource(relation: Relation, measure: string | undefined, dims: BreakdownDimension[], single: Set<BreakdownDimension>, rollups: readonly RollupEntry[]): Source {
  const kind = measure === undefined ? undefined : relation.measures[measure].kind;
  // never summed across rows: each customer's orders, every value of a quantile
  if (kind === 'customer' || kind === 'quantile') return BASE;
  const covering = rollups.filter((r) => r.relation === relation.id
    && dims.every((d) => r.dims.includes(d))
    && (measure === undefined || r.measures.includes(measure))
    && (kind !== 'entity' || (r.multi !== undefined && single.has(r.multi))));
  const smallest = covering.sort((a, b) => a.rows - b.rows)[0];
  return smallest ? { kind: 'rollup', rollup: smallest } : BASE;
}

export function plan(kpis: readonly KpiDefinition[], frame: Frame, data: SnapshotData): Plan {
  const unavailable = new Map<string, string>();
  const measures = new Set<string>();
  for (const kpi of kpis) {
    const reason = unavailableReason(kpi, frame, data);
    if (reason) unavailable.set(kpi.id, reason);
    else kpiMeasures(kpi).forEach((m) => measures.add(m));
  }
  const line = isLineContext(frame);
  const dims = frameDims(frame);
  const single = singleValued(frame);
  const tasks = new Map<string, Task>();
  for (const measure of measures) {
    const relation = measureRelation(measure, line);
    const source = chooseSource(relation, measure, dims, single, data.rollups);
    // customer measures group per customer first: a statement of their own
    const customer = relation.measures[measure].kind === 'customer';
    const id = `${relation.id}|${source.kind === 'rollup' ? source.rollup.name : 'base'}|${customer}`;
    const task = tasks.get(id) ?? { relation, source, measures: [] };
    task.measures.push(measure);
    tasks.set(id, task);
  }
  return { unavailable, tasks: [...tasks.values()] };
}
