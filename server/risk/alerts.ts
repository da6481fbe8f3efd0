// What a state-machine step does beyond the state: the `alerts` row of the episode (opened by a
// breach, moved by escalation / recovering, closed by recovery), the risk register's entry, and
// the one outbox message per transition.
import type { AppDb } from '../db/appdb.ts';
import { alertMessage, testMessage } from '../notify/messages.ts';
import { enqueueMessage } from '../notify/outbox.ts';
import type { Indicator, IndicatorPoint, IndicatorState, Measurement, StateMemory, Transition, TransitionKind } from './contract.ts';
import { IndicatorInvalid } from './indicatorStore.ts';
import { unitOf } from './measure.ts';
import { RiskRegister } from './register/service.ts';

/** The statement runner of an AppDb transaction. */
export type Tx = Parameters<Parameters<AppDb['transaction']>[0]>[0];

export interface AlertStep {
  indicator: Indicator;
  scope: string;
  scopeLabel: string;
  asOf: string | null;
  measurement: Measurement;
  state: IndicatorState;
  transition: TransitionKind | null;
  /** the memory the step started from; its alertId is the episode's alert */
  memoryBefore: StateMemory;
  /** whether a transition of this step is sent (not snoozed) */
  notified: boolean;
  /** ISO time of the evaluation */
  at: string;
}

/** The alert the memory keeps after the step, and whether the step's transition happened now rather than in an earlier run of the same step. */
export interface AlertRowResult {
  alertId: number | null;
  fresh: boolean;
}

const nowParams = (s: AlertStep) => ({
  at: s.at,
  value: s.measurement.value,
  numerator: s.measurement.numerator ?? null,
  denominator: s.measurement.denominator ?? null,
  notified: s.notified,
});

const MOVE = `value = $value, numerator = $numerator, denominator = $denominator, updated_at = CAST($at AS TIMESTAMP),
  last_notified_at = CASE WHEN $notified THEN CAST($at AS TIMESTAMP) ELSE last_notified_at END`;

/** A breach reuses the scope's unclosed alert: that is a re-run of the step that opened it. */
async function openAlert(tx: Tx, s: AlertStep): Promise<AlertRowResult> {
  const [existing] = await tx.all(`SELECT id FROM alerts WHERE indicator_id = $indicator AND scope = $scope AND status <> 'closed' ORDER BY id DESC LIMIT 1`, { indicator: s.indicator.id, scope: s.scope });
  if (existing) return { alertId: Number(existing.id), fresh: false };
  const [row] = await tx.all(
    `INSERT INTO alerts (indicator_id, scope, scope_label, level, status, opened_at, opened_as_of, value, numerator, denominator, risk_id, last_notified_at, updated_at)
     VALUES ($indicator, $scope, $label, $level, 'open', CAST($at AS TIMESTAMP), CAST($as_of AS DATE), $value, $numerator, $denominator, $risk,
             CASE WHEN $notified THEN CAST($at AS TIMESTAMP) END, CAST($at AS TIMESTAMP))
     RETURNING id`,
    { ...nowParams(s), indicator: s.indicator.id, scope: s.scope, label: s.scopeLabel, level: s.state, as_of: s.asOf, risk: s.indicator.riskId },
  );
  return { alertId: Number(row.id), fresh: true };
}

/** Moves the episode's alert along the step; `fresh` tells a transition from its repetition by a re-run. */
async function moveAlert(tx: Tx, s: AlertStep, alertId: number): Promise<AlertRowResult> {
  const [row] = await tx.all('SELECT level, status FROM alerts WHERE id = $id', { id: alertId });
  if (!row) return { alertId: null, fresh: false };
  const params = { ...nowParams(s), id: alertId };
  switch (s.transition) {
    case 'escalation':
      await tx.run(`UPDATE alerts SET level = 'critical', status = 'open', ${MOVE} WHERE id = $id`, params);
      return { alertId, fresh: row.level === 'warning' };
    case 'recovery':
      await tx.run(`UPDATE alerts SET status = 'closed', closed_at = coalesce(closed_at, CAST($at AS TIMESTAMP)), ${MOVE} WHERE id = $id`, params);
      return { alertId: null, fresh: row.status !== 'closed' };
    default: {
      const status = s.state === 'recovering' ? 'recovering' : 'open';
      await tx.run(`UPDATE alerts SET status = $status, ${MOVE} WHERE id = $id`, { ...params, status });
      return { alertId, fresh: s.transition === 'renotify' };
    }
  }
}

/** Inside the evaluation's transaction: the alert row this step opens, moves or closes. */
export async function writeAlertRow(tx: Tx, s: AlertStep): Promise<AlertRowResult> {
  if (s.transition === 'breach') return openAlert(tx, s);
  const alertId = s.memoryBefore.alertId;
  return alertId === null ? { alertId: null, fresh: false } : moveAlert(tx, s, alertId);
}

export interface ConsequenceDeps {
  db: AppDb;
  outbox: { wake(): void };
  appUrl: string;
  /** the scope's recent daily points for the message's table/chart */
  recent: (indicator: Indicator, scope: string) => Promise<IndicatorPoint[]>;
}

/** The message key: one per transition of an alert, and per step for a reminder. */
export const messageKey = (t: Transition) => `alert:${t.alertId}:${t.kind === 'renotify' ? `renotify:${t.step}` : t.kind}`;

async function riskOf(db: AppDb, riskId: string | null): Promise<{ id: string; title: string } | null> {
  if (!riskId) return null;
  const row = await db.one('SELECT id, title FROM risks WHERE id = $id', { id: riskId });
  return row ? { id: String(row.id), title: String(row.title) } : null;
}

/**
 * After the step is stored: a breach or escalation goes on the risk register (opening a risk for
 * an unlinked indicator), and, unless snoozed or nobody is to be told, one message is queued.
 */
export async function applyConsequences(deps: ConsequenceDeps, indicator: Indicator, t: Transition, snoozed: boolean): Promise<void> {
  let riskId = indicator.riskId;
  if (t.kind === 'breach' || t.kind === 'escalation') {
    riskId = (await new RiskRegister(deps.db).recordAlert({ indicator, transition: t, indicatorName: indicator.name })).riskId;
    await deps.db.run('UPDATE alerts SET risk_id = $risk WHERE id = $id', { risk: riskId, id: t.alertId });
  }
  if (snoozed || !indicator.recipients.length) return;
  const message = alertMessage({
    transition: t,
    indicator: { ...indicator, riskId },
    unit: unitOf(indicator),
    recent: await deps.recent(indicator, t.scope),
    risk: await riskOf(deps.db, riskId),
    appUrl: deps.appUrl,
  });
  await enqueueMessage(deps.db, { key: messageKey(t), kind: t.kind, recipients: indicator.recipients, ...message, indicatorId: indicator.id, alertId: t.alertId });
  deps.outbox.wake();
}

/** The indicator's "send test email": a message to its recipients, keyed by the moment it was asked for. */
export async function sendTestEmail(deps: Pick<ConsequenceDeps, 'db' | 'outbox' | 'appUrl'>, indicator: Indicator, now = new Date()): Promise<{ outboxId: number }> {
  if (!indicator.recipients.length) throw new IndicatorInvalid('recipients', `the indicator '${indicator.id}' has no recipients to send a test email to`);
  const message = testMessage(indicator, unitOf(indicator), deps.appUrl);
  const { id } = await enqueueMessage(deps.db, { key: `test:${indicator.id}:${now.toISOString()}`, kind: 'test', recipients: indicator.recipients, ...message, indicatorId: indicator.id });
  deps.outbox.wake();
  return { outboxId: id };
}
