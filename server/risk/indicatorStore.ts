// The indicators table and what hangs off it for reading (live states, alerts): the one place
// that maps their rows to the contract's shapes.
import { Cron } from 'croner';
import { findUser } from '../auth/users.ts';
import type { AppDb } from '../db/appdb.ts';
import type { Row } from '../db/duck.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import { definitionInfo, kpiById } from '../metrics/catalog.ts';
import {
  IndicatorInput, type Alert, type AlertStatus, type Indicator, type IndicatorState, type IndicatorWithState, type ScopeState,
} from './contract.ts';
import { SHIPPED_QUERIES_DIR } from '../queries/shipped.ts';
import { SavedQueries, SavedQueryForbidden, SavedQueryNotFound } from '../queries/store.ts';
import { indicatorQuery, unitOf } from './measure.ts';

/** A refused indicator or alert change; `field` names the offending input field (for a 400 'body parameter …'). */
export class IndicatorInvalid extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export class RiskRecordNotFound extends Error {}


export const num = (v: string | number | boolean | null): number | null => (v === null ? null : Number(v));

/** Worst first: an alert level outranks an error, which outranks the quiet states. */
const SEVERITY: Record<IndicatorState, number> = { critical: 6, warning: 5, error: 4, recovering: 3, pending: 2, insufficient_data: 1, ok: 0 };

export function worstState(states: IndicatorState[]): IndicatorState | null {
  return states.reduce<IndicatorState | null>((worst, s) => (worst === null || SEVERITY[s] > SEVERITY[worst] ? s : worst), null);
}

/** Validates raw input against the contract; the first issue becomes an IndicatorInvalid naming its field. */
export function parseIndicatorInput(raw: unknown): IndicatorInput {
  const result = IndicatorInput.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new IndicatorInvalid(issue.path.length ? issue.path.join('.') : 'indicator', issue.message);
}

/** The checks the schema cannot make alone: the KPI, its breakdowns, the owner, the risk, the cron expression. */
export async function checkIndicator(db: AppDb, input: IndicatorInput): Promise<void> {
  if (input.source === 'kpi') {
    const kpi = kpiById(input.kpi ?? '');
    if (!kpi) throw new IndicatorInvalid('kpi', `unknown KPI '${input.kpi}'`);
    const breakdowns = definitionInfo(kpi).breakdowns;
    if (input.splitBy && !breakdowns.includes(input.splitBy)) {
      throw new IndicatorInvalid('splitBy', `the KPI '${kpi.id}' cannot be split by ${input.splitBy} (it can by: ${breakdowns.join(', ') || 'nothing'})`);
    }
  } else if (input.splitBy) {
    throw new IndicatorInvalid('splitBy', `a ${input.source} indicator has a single scope and cannot be split`);
  }
  if (input.source === 'query') await checkQuery(db, input);
  if (!(await findUser(db, input.owner))) throw new IndicatorInvalid('owner', `no user '${input.owner}'`);
  if (input.riskId && !(await db.one('SELECT id FROM risks WHERE id = $id', { id: input.riskId }))) throw new IndicatorInvalid('riskId', `no risk '${input.riskId}'`);
  try {
    new Cron(input.schedule, { paused: true }).stop();
  } catch (err) {
    throw new IndicatorInvalid('schedule', `not a cron expression: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A query indicator measures a saved query its owner can see, as it is: no comparison period. */
async function checkQuery(db: AppDb, input: IndicatorInput): Promise<void> {
  if (input.compare !== 'none') throw new IndicatorInvalid('compare', 'a query indicator measures the query as it is; compare it with nothing (put any comparison in the SQL)');
  try {
    await indicatorQuery(new SavedQueries(db, SHIPPED_QUERIES_DIR), input);
  } catch (err) {
    if (err instanceof SavedQueryNotFound || err instanceof SavedQueryForbidden) throw new IndicatorInvalid('queryId', `${err.message} (the query must be shared with everyone or be the owner's own)`);
    throw err;
  }
}

function toIndicator(row: Row): Indicator {
  return {
    id: String(row.id),
    name: String(row.name),
    description: String(row.description),
    source: row.source as Indicator['source'],
    kpi: row.kpi as string | null,
    queryId: row.query_id as string | null,
    filters: JSON.parse(String(row.filters)) as Indicator['filters'],
    splitBy: row.split_by as Indicator['splitBy'],
    windowDays: Number(row.window_days),
    compare: row.compare as Indicator['compare'],
    direction: row.direction as Indicator['direction'],
    warning: Number(row.warning),
    critical: Number(row.critical),
    clear: Number(row.clear),
    minSample: Number(row.min_sample),
    consecutive: Number(row.consecutive),
    statRule: row.stat_rule as Indicator['statRule'],
    owner: String(row.owner),
    recipients: JSON.parse(String(row.recipients)) as string[],
    renotifyHours: Number(row.renotify_hours),
    snoozedUntil: fromDbTime(row.snoozed_until),
    riskId: row.risk_id as string | null,
    schedule: String(row.schedule),
    enabled: row.enabled === true,
    builtin: row.builtin === true,
    createdAt: fromDbTime(row.created_at)!,
    updatedAt: fromDbTime(row.updated_at)!,
    updatedBy: String(row.updated_by),
  };
}

/** The editable columns as bound parameters, shared by insert and update. */
function indicatorParams(input: IndicatorInput) {
  return {
    id: input.id,
    name: input.name,
    description: input.description,
    source: input.source,
    kpi: input.kpi,
    query_id: input.queryId,
    filters: JSON.stringify(input.filters),
    split_by: input.splitBy,
    window_days: input.windowDays,
    compare: input.compare,
    direction: input.direction,
    warning: input.warning,
    critical: input.critical,
    clear: input.clear,
    min_sample: input.minSample,
    consecutive: input.consecutive,
    stat_rule: input.statRule,
    owner: input.owner,
    recipients: JSON.stringify(input.recipients),
    renotify_hours: input.renotifyHours,
    snoozed_until: input.snoozedUntil && toDbTime(input.snoozedUntil),
    risk_id: input.riskId,
    schedule: input.schedule,
    enabled: input.enabled,
  };
}

const valueOf = (column: string) => (column === 'snoozed_until' ? 'CAST($snoozed_until AS TIMESTAMP)' : column === 'filters' || column === 'recipients' ? `CAST($${column} AS JSON)` : `$${column}`);

export async function listIndicators(db: AppDb, filter: { riskIds?: string[]; ids?: string[] } = {}): Promise<Indicator[]> {
  const rows = await db.all(
    `SELECT * FROM indicators
     WHERE ($all_risks OR list_contains(CAST($risk_ids AS VARCHAR[]), risk_id))
       AND ($all_ids OR list_contains(CAST($ids AS VARCHAR[]), id))
     ORDER BY builtin DESC, name`,
    { all_risks: !filter.riskIds, risk_ids: JSON.stringify(filter.riskIds ?? []), all_ids: !filter.ids, ids: JSON.stringify(filter.ids ?? []) },
  );
  return rows.map(toIndicator);
}

export async function getIndicator(db: AppDb, id: string): Promise<Indicator | undefined> {
  const row = await db.one('SELECT * FROM indicators WHERE id = $id', { id });
  return row && toIndicator(row);
}

export async function requireIndicator(db: AppDb, id: string): Promise<Indicator> {
  const indicator = await getIndicator(db, id);
  if (!indicator) throw new RiskRecordNotFound(`no indicator '${id}'`);
  return indicator;
}

export async function createIndicator(db: AppDb, input: IndicatorInput, username: string, opts: { builtin?: boolean } = {}): Promise<Indicator> {
  await checkIndicator(db, input);
  if (await getIndicator(db, input.id)) throw new IndicatorInvalid('id', `an indicator '${input.id}' exists already`);
  const now = new Date().toISOString();
  const params = indicatorParams(input);
  const columns = Object.keys(params);
  await db.run(
    `INSERT INTO indicators (${columns.join(', ')}, builtin, created_at, updated_at, updated_by)
     VALUES (${columns.map(valueOf).join(', ')}, $builtin, CAST($now AS TIMESTAMP), CAST($now AS TIMESTAMP), $username)`,
    { ...params, builtin: opts.builtin === true, now, username },
  );
  return requireIndicator(db, input.id);
}

/** A value as text with object keys sorted, so filters given in another order compare equal. */
const canonical = (v: unknown): string => JSON.stringify(v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v).sort(([a], [b]) => a.localeCompare(b)) : v);

/** The fields that decide which scopes exist and what is measured in them. */
const SCOPE_FIELDS = ['source', 'kpi', 'queryId', 'filters', 'splitBy'] as const;

/**
 * Saves an edit. Thresholds and rules apply from the next evaluation on; a change of what is
 * measured (KPI, source, filters, split) makes the old scopes meaningless, so their states are
 * dropped and their open alerts closed.
 */
export async function updateIndicator(db: AppDb, id: string, input: IndicatorInput, username: string): Promise<Indicator> {
  const before = await requireIndicator(db, id);
  if (input.id !== id) throw new IndicatorInvalid('id', `the id cannot change (was '${id}')`);
  await checkIndicator(db, input);
  const params = indicatorParams(input);
  const columns = Object.keys(params).filter((c) => c !== 'id');
  const now = new Date().toISOString();
  const rescoped = SCOPE_FIELDS.some((f) => canonical(before[f]) !== canonical(input[f]));
  await db.transaction(async (tx) => {
    await tx.run(
      `UPDATE indicators SET ${columns.map((c) => `${c} = ${valueOf(c)}`).join(', ')}, updated_at = CAST($now AS TIMESTAMP), updated_by = $username WHERE id = $id`,
      { ...params, now, username },
    );
    if (!rescoped) return;
    await tx.run('DELETE FROM indicator_states WHERE indicator_id = $id', { id });
    await tx.run(`UPDATE alerts SET status = 'closed', closed_at = CAST($now AS TIMESTAMP), updated_at = CAST($now AS TIMESTAMP) WHERE indicator_id = $id AND status <> 'closed'`, { id, now });
  });
  return requireIndicator(db, id);
}

/** Removes a user-made indicator with its states, evaluations and alerts; the built-in library stays (disable it instead). */
export async function deleteIndicator(db: AppDb, id: string): Promise<void> {
  const indicator = await requireIndicator(db, id);
  if (indicator.builtin) throw new IndicatorInvalid('id', `'${id}' is a built-in indicator; disable it instead of deleting it`);
  await db.transaction(async (tx) => {
    for (const table of ['indicator_states', 'evaluations', 'alerts']) await tx.run(`DELETE FROM ${table} WHERE indicator_id = $id`, { id });
    await tx.run('DELETE FROM indicators WHERE id = $id', { id });
  });
}

/** Sets (or clears, with null) the snooze of one indicator, without touching anything else. */
export async function setIndicatorSnooze(db: AppDb, id: string, until: string | null): Promise<void> {
  await requireIndicator(db, id);
  await db.run('UPDATE indicators SET snoozed_until = CAST($until AS TIMESTAMP) WHERE id = $id', { id, until: until && toDbTime(until) });
}

/** Rows written before labels were stored show the scope key. */
export const scopeLabelOf = (row: Row) => String(row.scope_label ?? row.scope);

function toScopeState(row: Row): ScopeState {
  return {
    scope: String(row.scope),
    scopeLabel: scopeLabelOf(row),
    state: row.state as IndicatorState,
    value: num(row.value),
    numerator: num(row.numerator),
    denominator: num(row.denominator),
    evaluatedAt: fromDbTime(row.evaluated_at)!,
    step: String(row.step),
    alertId: (JSON.parse(String(row.memory)) as { alertId: number | null }).alertId,
    snoozedUntil: fromDbTime(row.snoozed_until),
  };
}

export async function indicatorsWithState(db: AppDb, filter: { riskIds?: string[]; ids?: string[] } = {}): Promise<IndicatorWithState[]> {
  const indicators = await listIndicators(db, filter);
  const rows = await db.all(
    'SELECT * FROM indicator_states WHERE list_contains(CAST($ids AS VARCHAR[]), indicator_id) ORDER BY indicator_id, scope',
    { ids: JSON.stringify(indicators.map((i) => i.id)) },
  );
  return indicators.map((indicator) => {
    const states = rows.filter((r) => r.indicator_id === indicator.id).map(toScopeState);
    return { ...indicator, unit: unitOf(indicator), worst: worstState(states.map((s) => s.state)), states };
  });
}

export async function getIndicatorWithState(db: AppDb, id: string): Promise<IndicatorWithState> {
  const [found] = await indicatorsWithState(db, { ids: [id] });
  if (!found) throw new RiskRecordNotFound(`no indicator '${id}'`);
  return found;
}

const ACTIVE: AlertStatus[] = ['open', 'recovering'];

export interface AlertFilter {
  status?: 'active' | 'all';
  indicator?: string;
  risk?: string;
  ids?: number[];
  limit?: number;
}

export async function listAlerts(db: AppDb, q: AlertFilter = {}): Promise<Alert[]> {
  const rows = await db.all(
    `SELECT a.*, i.name AS indicator_name, s.state AS scope_state, s.snoozed_until AS scope_snoozed, r.title AS risk_title
     FROM alerts a
     JOIN indicators i ON i.id = a.indicator_id
     LEFT JOIN indicator_states s ON s.indicator_id = a.indicator_id AND s.scope = a.scope
     LEFT JOIN risks r ON r.id = a.risk_id
     WHERE ($all_status OR list_contains(CAST($statuses AS VARCHAR[]), a.status))
       AND ($indicator IS NULL OR a.indicator_id = $indicator)
       AND ($risk IS NULL OR a.risk_id = $risk)
       AND ($all_ids OR list_contains(CAST($ids AS BIGINT[]), a.id))
     ORDER BY a.opened_at DESC, a.id DESC
     LIMIT $limit`,
    {
      all_status: q.status === 'all',
      statuses: JSON.stringify(ACTIVE),
      indicator: q.indicator ?? null,
      risk: q.risk ?? null,
      all_ids: !q.ids,
      ids: JSON.stringify(q.ids ?? []),
      limit: q.limit ?? 200,
    },
  );
  const indicators = new Map((await listIndicators(db, { ids: [...new Set(rows.map((r) => String(r.indicator_id)))] })).map((i) => [i.id, i]));
  return rows.map((row) => {
    const indicator = indicators.get(String(row.indicator_id))!;
    const status = row.status as AlertStatus;
    return {
      id: Number(row.id),
      indicatorId: indicator.id,
      indicatorName: indicator.name,
      scope: String(row.scope),
      scopeLabel: scopeLabelOf(row),
      level: row.level as Alert['level'],
      status,
      state: status === 'closed' ? 'ok' : ((row.scope_state as IndicatorState | null) ?? (row.level as IndicatorState)),
      openedAt: fromDbTime(row.opened_at)!,
      openedAsOf: row.opened_as_of as string | null,
      closedAt: fromDbTime(row.closed_at),
      value: num(row.value),
      numerator: num(row.numerator),
      denominator: num(row.denominator),
      unit: unitOf(indicator),
      thresholds: { warning: indicator.warning, critical: indicator.critical, clear: indicator.clear },
      riskId: row.risk_id as string | null,
      riskTitle: row.risk_title as string | null,
      acknowledgedBy: row.acknowledged_by as string | null,
      acknowledgedAt: fromDbTime(row.acknowledged_at),
      snoozedUntil: fromDbTime(row.scope_snoozed) ?? indicator.snoozedUntil,
    };
  });
}

export async function getAlert(db: AppDb, id: number): Promise<Alert> {
  const [alert] = await listAlerts(db, { status: 'all', ids: [id], limit: 1 });
  if (!alert) throw new RiskRecordNotFound(`no alert ${id}`);
  return alert;
}

/** Open (or recovering) alerts per risk id; risks without one are absent. */
export async function openAlertCounts(db: AppDb, riskIds: string[]): Promise<Map<string, number>> {
  const rows = await db.all<{ risk_id: string; n: number }>(
    `SELECT a.risk_id, count(*) AS n FROM alerts a JOIN indicators i ON i.id = a.indicator_id
     WHERE list_contains(CAST($statuses AS VARCHAR[]), a.status) AND list_contains(CAST($risk_ids AS VARCHAR[]), a.risk_id)
     GROUP BY a.risk_id`,
    { statuses: JSON.stringify(ACTIVE), risk_ids: JSON.stringify(riskIds) },
  );
  return new Map(rows.map((r) => [r.risk_id, Number(r.n)]));
}

export async function acknowledgeAlert(db: AppDb, id: number, username: string): Promise<Alert> {
  await getAlert(db, id);
  const now = new Date().toISOString();
  await db.run(
    'UPDATE alerts SET acknowledged_by = $username, acknowledged_at = CAST($now AS TIMESTAMP), updated_at = CAST($now AS TIMESTAMP) WHERE id = $id',
    { id, username, now },
  );
  return getAlert(db, id);
}

/** Snoozes the alert's scope: its state keeps changing, but nothing is sent until `until`. */
export async function snoozeAlert(db: AppDb, id: number, until: string): Promise<Alert> {
  const alert = await getAlert(db, id);
  await db.run(
    'UPDATE indicator_states SET snoozed_until = CAST($until AS TIMESTAMP) WHERE indicator_id = $indicator AND scope = $scope',
    { indicator: alert.indicatorId, scope: alert.scope, until: toDbTime(until) },
  );
  return getAlert(db, id);
}
