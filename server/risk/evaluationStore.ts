// The `evaluations` log and the `indicator_states` memory: what each evaluation stored and the
// state each scope is in. An indicator's scopes are written in one statement each, because a
// product-split indicator has hundreds of them.
import type { AppDb } from '../db/appdb.ts';
import type { EvaluationRow, EvaluationRunReply, IndicatorState, Measurement, StateMemory } from './contract.ts';
import type { Tx } from './alerts.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import { num, scopeLabelOf } from './indicatorStore.ts';

export interface StoredState {
  scope: string;
  scopeLabel: string;
  state: IndicatorState;
  step: string;
  memory: StateMemory;
  memoryBefore: StateMemory;
  snoozedUntil: string | null;
}

export async function storedStates(db: AppDb, indicatorId: string): Promise<Map<string, StoredState>> {
  const rows = await db.all('SELECT * FROM indicator_states WHERE indicator_id = $id', { id: indicatorId });
  return new Map(rows.map((r) => [String(r.scope), {
    scope: String(r.scope),
    scopeLabel: scopeLabelOf(r),
    state: r.state as IndicatorState,
    step: String(r.step),
    memory: JSON.parse(String(r.memory)) as StateMemory,
    memoryBefore: JSON.parse(String(r.memory_before)) as StateMemory,
    snoozedUntil: fromDbTime(r.snoozed_until),
  }]));
}

/** One scope's outcome of a step, as both tables store it. */
export interface ScopeWrite {
  scope: string;
  scopeLabel: string;
  step: string;
  m: Measurement;
  state: IndicatorState;
  previous: IndicatorState | null;
  memory: StateMemory;
  memoryBefore: StateMemory;
}

export interface IndicatorWrite {
  indicatorId: string;
  thresholds: { warning: number; critical: number; clear: number };
  snapshotId: string;
  asOf: string;
  trigger: EvaluationRunReply['trigger'];
  at: string;
}

/** Rows travel as one JSON parameter and are unnested by this (constant) shape. */
const ROWS = (fields: string[]) => `unnest(from_json($rows, '[{${fields.map((f) => `"${f}":"${f === 'value' || f === 'numerator' || f === 'denominator' ? 'DOUBLE' : 'VARCHAR'}"`).join(',')}}]'))`;

const sample = (m: Measurement) => ({ value: m.value, numerator: m.numerator ?? null, denominator: m.denominator ?? null });

/** Inserts one evaluation per scope with the thresholds in force; returns their ids by scope. */
export async function insertEvaluations(tx: Tx, w: IndicatorWrite, scopes: ScopeWrite[]): Promise<Map<string, number>> {
  if (!scopes.length) return new Map();
  const rows = scopes.map((s) => ({ scope: s.scope, step: s.step, ...sample(s.m), state: s.state, previous: s.previous, detail: s.m.reason ?? null }));
  const inserted = await tx.all(
    `INSERT INTO evaluations (indicator_id, scope, snapshot_id, as_of, step, evaluated_at, trigger, value, numerator, denominator, warning, critical, clear, state, previous_state, detail)
     SELECT $indicator, r.scope, $snapshot, CAST($as_of AS DATE), r.step, CAST($at AS TIMESTAMP), $trigger, r.value, r.numerator, r.denominator, $warning, $critical, $clear,
            r.state, r.previous, r.detail
     FROM (SELECT ${ROWS(['scope', 'step', 'value', 'numerator', 'denominator', 'state', 'previous', 'detail'])} AS r)
     RETURNING id, scope`,
    { rows: JSON.stringify(rows), indicator: w.indicatorId, snapshot: w.snapshotId, as_of: w.asOf, at: toDbTime(w.at), trigger: w.trigger, ...w.thresholds },
  );
  return new Map(inserted.map((r) => [String(r.scope), Number(r.id)]));
}

/** The scopes' new state and memory; a scope's snooze is left as it is (only the alert's snooze action sets it). */
export async function upsertStates(tx: Tx, w: IndicatorWrite, scopes: ScopeWrite[]): Promise<void> {
  if (!scopes.length) return;
  const rows = scopes.map((s) => ({
    scope: s.scope, label: s.scopeLabel, state: s.state, step: s.step, memory: JSON.stringify(s.memory), before: JSON.stringify(s.memoryBefore), ...sample(s.m),
  }));
  await tx.run(
    `INSERT INTO indicator_states (indicator_id, scope, scope_label, state, step, memory, memory_before, value, numerator, denominator, evaluated_at)
     SELECT $indicator, r.scope, r.label, r.state, r.step, CAST(r.memory AS JSON), CAST(r.before AS JSON), r.value, r.numerator, r.denominator, CAST($at AS TIMESTAMP)
     FROM (SELECT ${ROWS(['scope', 'label', 'state', 'step', 'memory', 'before', 'value', 'numerator', 'denominator'])} AS r)
     ON CONFLICT (indicator_id, scope) DO UPDATE SET scope_label = excluded.scope_label, state = excluded.state, step = excluded.step, memory = excluded.memory,
       memory_before = excluded.memory_before, value = excluded.value, numerator = excluded.numerator, denominator = excluded.denominator, evaluated_at = excluded.evaluated_at`,
    { rows: JSON.stringify(rows), indicator: w.indicatorId, at: toDbTime(w.at) },
  );
}

export async function listEvaluations(db: AppDb, q: { indicator?: string; scope?: string; limit: number }): Promise<EvaluationRow[]> {
  const rows = await db.all(
    `SELECT * FROM evaluations
     WHERE ($indicator IS NULL OR indicator_id = $indicator) AND ($scope IS NULL OR scope = $scope)
     ORDER BY id DESC LIMIT $limit`,
    { indicator: q.indicator ?? null, scope: q.scope ?? null, limit: q.limit },
  );
  return rows.map((row) => ({
    id: Number(row.id),
    indicatorId: String(row.indicator_id),
    scope: String(row.scope),
    snapshotId: row.snapshot_id as string | null,
    asOf: row.as_of as string | null,
    step: String(row.step),
    evaluatedAt: fromDbTime(row.evaluated_at)!,
    trigger: row.trigger as EvaluationRow['trigger'],
    value: num(row.value),
    numerator: num(row.numerator),
    denominator: num(row.denominator),
    warning: Number(row.warning),
    critical: Number(row.critical),
    clear: Number(row.clear),
    state: row.state as IndicatorState,
    previousState: row.previous_state as IndicatorState | null,
    detail: row.detail as string | null,
  }));
}
