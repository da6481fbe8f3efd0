// The register's SQL: risks, their actions, field history and timeline. Every user value is a
// bound parameter; column names come only from the whitelists below.
import type { AppDb } from '../../db/appdb.ts';
import { ident, type Params, type Row } from '../../db/duck.ts';
import { fromDbTime } from '../../db/time.ts';
import type { ActionStatus, Category, HistoryEntry, Response, RiskStatus, TimelineEntry } from '../contract.ts';

/** What runs statements: the database itself or an open transaction. */
export type Exec = Pick<AppDb, 'run' | 'all'>;

export interface RiskRow extends Row {
  id: string;
  title: string;
  description: string;
  category: Category;
  owner: string;
  inherent_likelihood: number;
  inherent_impact: number;
  residual_likelihood: number | null;
  residual_impact: number | null;
  response: Response | null;
  acceptance_approver: string | null;
  acceptance_expires: string | null;
  status: RiskStatus;
  next_review: string;
  review_flagged: boolean;
  review_reason: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  open_actions: number;
  overdue_actions: number;
}

/** The columns a change may set, by the API's field name. */
export const RISK_FIELDS = {
  title: 'title',
  description: 'description',
  category: 'category',
  owner: 'owner',
  inherentLikelihood: 'inherent_likelihood',
  inherentImpact: 'inherent_impact',
  residualLikelihood: 'residual_likelihood',
  residualImpact: 'residual_impact',
  response: 'response',
  acceptanceApprover: 'acceptance_approver',
  acceptanceExpires: 'acceptance_expires',
  status: 'status',
  nextReview: 'next_review',
  reviewFlagged: 'review_flagged',
  reviewReason: 'review_reason',
} as const;
export type RiskField = keyof typeof RISK_FIELDS;
export type RiskColumn = (typeof RISK_FIELDS)[RiskField];
export type RiskValues = { [K in RiskColumn]: RiskRow[K] };

export interface RiskFilter {
  category?: Category;
  status?: RiskStatus;
  owner?: string;
  flagged?: boolean;
  q?: string;
  id?: string;
}

/** Risks with their open and overdue action counts; `today` decides what is overdue. */
export async function selectRisks(db: Exec, filter: RiskFilter, today: string): Promise<RiskRow[]> {
  const where: string[] = [];
  const params: Record<string, string | boolean> = { today };
  const equal = (column: string, value: string | boolean | undefined) => {
    if (value === undefined) return;
    where.push(`r.${ident(column)} = $${column}`);
    params[column] = value;
  };
  equal('id', filter.id);
  equal('category', filter.category);
  equal('status', filter.status);
  equal('owner', filter.owner);
  equal('review_flagged', filter.flagged);
  if (filter.q) {
    where.push('(contains(lower(r.title), lower($q)) OR contains(lower(r.description), lower($q)))');
    params.q = filter.q;
  }
  return db.all<RiskRow>(
    `SELECT r.* EXCLUDE (next_review, acceptance_expires, created_at, updated_at),
            strftime(r.next_review, '%Y-%m-%d') AS next_review,
            strftime(r.acceptance_expires, '%Y-%m-%d') AS acceptance_expires,
            CAST(r.created_at AS VARCHAR) AS created_at,
            CAST(r.updated_at AS VARCHAR) AS updated_at,
            count(a.id) FILTER (WHERE a.status IN ('open', 'in_progress')) AS open_actions,
            count(a.id) FILTER (WHERE a.status IN ('open', 'in_progress') AND a.due < CAST($today AS DATE)) AS overdue_actions
     FROM risks r LEFT JOIN risk_actions a ON a.risk_id = r.id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     GROUP BY ALL
     ORDER BY r.id`,
    params,
  );
}

export async function riskExists(db: Exec, id: string): Promise<boolean> {
  return (await db.all('SELECT 1 FROM risks WHERE id = $id', { id })).length > 0;
}

/** The next free 'R-NNN' id; the sequence skips ids taken by seeded risks created with fixed ids. */
export async function nextRiskId(db: Exec): Promise<string> {
  for (;;) {
    const [{ n }] = await db.all<{ n: number }>("SELECT nextval('risk_seq') AS n");
    const id = `R-${String(n).padStart(3, '0')}`;
    if (!(await riskExists(db, id))) return id;
  }
}

export async function insertRisk(db: Exec, id: string, values: RiskValues, by: string, at: string): Promise<void> {
  const columns = Object.keys(values) as RiskColumn[];
  await db.run(
    `INSERT INTO risks (id, ${columns.map(ident).join(', ')}, created_at, created_by, updated_at)
     VALUES ($id, ${columns.map((c) => `$${c}`).join(', ')}, $at, $by, $at)`,
    { ...(values as Params), id, by, at } as Params,
  );
}

export async function updateRisk(db: Exec, id: string, values: Partial<RiskValues>, at: string): Promise<void> {
  const columns = Object.keys(values) as RiskColumn[];
  await db.run(
    `UPDATE risks SET ${columns.map((c) => `${ident(c)} = $${c}`).join(', ')}, updated_at = $at WHERE id = $id`,
    { ...(values as Params), id, at } as Params,
  );
}

export interface Change {
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

export async function insertHistory(db: Exec, riskId: string, username: string, at: string, changes: Change[]): Promise<void> {
  for (const c of changes) {
    await db.run(
      'INSERT INTO risk_history (risk_id, "at", username, field, old_value, new_value) VALUES ($riskId, $at, $username, $field, $old, $new)',
      { riskId, at, username, field: c.field, old: c.oldValue, new: c.newValue },
    );
  }
}

export async function selectHistory(db: Exec, riskId: string): Promise<HistoryEntry[]> {
  const rows = await db.all<{ at: string; username: string; field: string; old_value: string | null; new_value: string | null }>(
    'SELECT CAST("at" AS VARCHAR) AS "at", username, field, old_value, new_value FROM risk_history WHERE risk_id = $riskId ORDER BY id DESC',
    { riskId },
  );
  return rows.map((r) => ({ at: fromDbTime(r.at), username: r.username, field: r.field, oldValue: r.old_value, newValue: r.new_value }));
}

export type NewTimelineEntry = Omit<TimelineEntry, 'id' | 'at'>;

export async function insertTimeline(db: Exec, riskId: string, at: string, e: NewTimelineEntry): Promise<void> {
  await db.run(
    `INSERT INTO risk_timeline (risk_id, "at", kind, username, indicator_id, alert_id, text)
     VALUES ($riskId, $at, $kind, $username, $indicatorId, $alertId, $text)`,
    { riskId, at, kind: e.kind, username: e.username, indicatorId: e.indicatorId, alertId: e.alertId, text: e.text },
  );
}

export async function selectTimeline(db: Exec, riskId: string): Promise<TimelineEntry[]> {
  const rows = await db.all<{ id: number; at: string; kind: TimelineEntry['kind']; username: string | null; indicator_id: string | null; alert_id: number | null; text: string }>(
    'SELECT id, CAST("at" AS VARCHAR) AS "at", kind, username, indicator_id, alert_id, text FROM risk_timeline WHERE risk_id = $riskId ORDER BY id DESC',
    { riskId },
  );
  return rows.map((r) => ({ id: r.id, at: fromDbTime(r.at), kind: r.kind, username: r.username, indicatorId: r.indicator_id, alertId: r.alert_id, text: r.text }));
}

export interface ActionRow extends Row {
  id: number;
  title: string;
  owner: string;
  due: string;
  status: ActionStatus;
  updated_at: string;
}
export type ActionValues = Pick<ActionRow, 'title' | 'owner' | 'due' | 'status'>;
const ACTION_COLUMNS: readonly (keyof ActionValues)[] = ['title', 'owner', 'due', 'status'];

export async function selectActions(db: Exec, riskId: string, actionId?: number): Promise<ActionRow[]> {
  return db.all<ActionRow>(
    `SELECT id, title, owner, strftime(due, '%Y-%m-%d') AS due, status, CAST(updated_at AS VARCHAR) AS updated_at
     FROM risk_actions WHERE risk_id = $riskId ${actionId === undefined ? '' : 'AND id = $actionId'} ORDER BY due, id`,
    actionId === undefined ? { riskId } : { riskId, actionId },
  );
}

export async function insertAction(db: Exec, riskId: string, values: ActionValues, at: string): Promise<number> {
  const [{ id }] = await db.all<{ id: number }>(
    `INSERT INTO risk_actions (risk_id, title, owner, due, status, created_at, updated_at)
     VALUES ($riskId, $title, $owner, $due, $status, $at, $at) RETURNING id`,
    { riskId, ...values, at },
  );
  return id;
}

export async function updateAction(db: Exec, actionId: number, values: Partial<ActionValues>, at: string): Promise<void> {
  const columns = ACTION_COLUMNS.filter((c) => values[c] !== undefined);
  await db.run(
    `UPDATE risk_actions SET ${columns.map((c) => `${ident(c)} = $${c}`).join(', ')}, updated_at = $at WHERE id = $actionId`,
    { ...Object.fromEntries(columns.map((c) => [c, values[c]!])), actionId, at },
  );
}

/** Links an indicator, and the alert that opened the risk, to the risk opened for its breach. */
export async function linkIndicator(db: Exec, indicatorId: string, riskId: string, alertId: number): Promise<void> {
  await db.run('UPDATE indicators SET risk_id = $riskId WHERE id = $indicatorId', { riskId, indicatorId });
  await db.run('UPDATE alerts SET risk_id = $riskId WHERE id = $alertId AND risk_id IS NULL', { riskId, alertId });
}
