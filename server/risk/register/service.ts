// The risk register: risks, their actions, reviews, notes and alerts, with field-level history
// of every change and the owner-or-admin rule for edits. Routes and the evaluator call this.
import { findUser, listUsers, type User } from '../../auth/users.ts';
import type { AppDb } from '../../db/appdb.ts';
import { fromDbTime, toDbTime } from '../../db/time.ts';
import type { z } from 'zod';
import type {
  ActionInput, ActionPatch, HeatmapReply, Indicator, IndicatorWithState, RiskDetail, RiskInput, RiskMatrix, RiskPatch, RisksQuery, RiskSummary, Transition,
} from '../contract.ts';
import { indicatorsWithState, openAlertCounts } from '../indicatorStore.ts';
import { unitOf } from '../measure.ts';
import { alertText, categoryOf } from './alerts.ts';
import { changedPart, diff } from './changes.ts';
import { registerCsv } from './csv.ts';
import { RegisterRefusal } from './errors.ts';
import { assess, loadMatrix, saveMatrix } from './matrix.ts';
import { dayOf, isPast, nextReviewFrom } from './reviews.ts';
import {
  insertAction, insertHistory, insertRisk, insertTimeline, linkIndicator, nextRiskId, riskExists, selectActions, selectHistory, selectRisks,
  selectTimeline, updateAction, updateRisk, type Exec, type RiskRow, type RiskValues,
} from './store.ts';
import { toSummary, type LiveState } from './summary.ts';
import { assertConsistent, governingAssessment, toColumns } from './values.ts';
import { assertMove } from './workflow.ts';

type NewAction = z.infer<typeof ActionInput>;
type ActionChange = z.infer<typeof ActionPatch>;

/** The name history and timeline show for changes the monitor makes. */
export const SYSTEM_USER = 'vigil';

export function mayEdit(owner: string, user: User): boolean {
  return user.role === 'admin' || (user.role === 'risk_owner' && owner === user.username);
}

export class RiskRegister {
  constructor(private readonly db: AppDb, private readonly clock: () => Date = () => new Date()) {}

  private moment(now = this.clock()) {
    return { today: dayOf(now), at: toDbTime(now) };
  }

  private async row(id: string, db: Exec = this.db): Promise<RiskRow> {
    const [row] = await selectRisks(db, { id }, this.moment().today);
    if (!row) throw new RegisterRefusal(404, `no risk ${id}`);
    return row;
  }

  private async editable(id: string, user: User): Promise<RiskRow> {
    const row = await this.row(id);
    if (!mayEdit(row.owner, user)) throw new RegisterRefusal(403, `only the risk's owner or an admin can change ${id}`);
    return row;
  }

  /** Indicators and open alerts per risk, from the indicator store. */
  private async live(ids: string[]): Promise<(id: string) => LiveState> {
    if (!ids.length) return () => ({ indicators: [], openAlerts: 0 });
    const [indicators, alerts] = await Promise.all([indicatorsWithState(this.db, { riskIds: ids }), openAlertCounts(this.db, ids)]);
    const byRisk = new Map<string, IndicatorWithState[]>();
    for (const i of indicators) if (i.riskId) byRisk.set(i.riskId, [...(byRisk.get(i.riskId) ?? []), i]);
    return (id) => ({ indicators: byRisk.get(id) ?? [], openAlerts: alerts.get(id) ?? 0 });
  }

  async list(q: RisksQuery): Promise<RiskSummary[]> {
    const { today } = this.moment();
    const [m, rows] = await Promise.all([loadMatrix(this.db), selectRisks(this.db, { category: q.category, status: q.status, owner: q.owner, q: q.q, flagged: q.flagged === undefined ? undefined : q.flagged === 'true' }, today)]);
    const live = await this.live(rows.map((r) => r.id));
    const position = (s: RiskSummary) => (q.position === 'residual' ? (s.residual ?? s.inherent) : s.inherent);
    return rows
      .map((r) => toSummary(r, m, today, live(r.id)))
      .filter((s) => !q.level || position(s).level === q.level)
      // a heat-map cell shows the risks still open there, as the heat map counts them
      .filter((s) => !q.cell || (s.status !== 'closed' && `${position(s).likelihood}-${position(s).impact}` === q.cell));
  }

  async csv(q: RisksQuery): Promise<string> {
    return registerCsv(await this.list(q));
  }

  async get(id: string, viewer: User): Promise<RiskDetail> {
    const { today } = this.moment();
    const [row, m] = await Promise.all([this.row(id), loadMatrix(this.db)]);
    const [live, actions, history, timeline] = await Promise.all([this.live([id]), selectActions(this.db, id), selectHistory(this.db, id), selectTimeline(this.db, id)]);
    const state = live(id);
    return {
      ...toSummary(row, m, today, state),
      description: row.description,
      createdAt: fromDbTime(row.created_at),
      createdBy: row.created_by,
      actions: actions.map((a) => ({ id: a.id, title: a.title, owner: a.owner, due: a.due, status: a.status, overdue: isPast(a.due, today) && (a.status === 'open' || a.status === 'in_progress'), updatedAt: fromDbTime(a.updated_at) })),
      history,
      timeline,
      indicators: state.indicators,
      canEdit: mayEdit(row.owner, viewer),
    };
  }

  private async assertUser(username: string): Promise<void> {
    if (!(await findUser(this.db, username))) throw new RegisterRefusal(400, `the owner '${username}' is not a user`);
  }

  /** Creates a risk for a signed-in user: a risk owner may only own what they create. */
  async createFor(input: RiskInput, user: User): Promise<string> {
    if (user.role !== 'admin' && input.owner !== user.username) throw new RegisterRefusal(403, `a risk owner can only create risks they own (owner must be ${user.username})`);
    await this.assertUser(input.owner);
    return this.create(input, user.username);
  }

  /** Creates a risk (seeded ones keep their fixed id) and returns its id. */
  async create(input: RiskInput, username: string, opts: { id?: string; now?: Date } = {}): Promise<string> {
    const m = await loadMatrix(this.db);
    return this.db.transaction((tx) => this.insert(tx, m, input, username, opts));
  }

  /** Inside a transaction: `m` is loaded before it, as the database runs one statement at a time. */
  private async insert(tx: Exec, m: RiskMatrix, input: RiskInput, username: string, opts: { id?: string; now?: Date; flag?: string }): Promise<string> {
    const { today, at } = this.moment(opts.now);
    const values = { ...toColumns(input), review_flagged: opts.flag !== undefined, review_reason: opts.flag ?? null } as RiskValues;
    values.next_review = nextReviewFrom(today, governingAssessment(values, m).level, m);
    assertConsistent(values);
    if (opts.id && (await riskExists(tx, opts.id))) throw new RegisterRefusal(400, `risk ${opts.id} already exists`);
    const id = opts.id ?? (await nextRiskId(tx));
    await insertRisk(tx, id, values, username, at);
    const score = assess(values.inherent_likelihood, values.inherent_impact, m);
    await insertTimeline(tx, id, at, { kind: 'created', username, indicatorId: null, alertId: null, text: `Risk created by ${username}: ${input.status}, inherent ${score.likelihood}×${score.impact} = ${score.score} (${score.level})` });
    return id;
  }

  /** Writes the fields of `values` that differ from `row`, with one history row each. */
  private async write(tx: Exec, row: RiskRow, values: Partial<RiskValues>, username: string, at: string): Promise<void> {
    const changed = changedPart(row as RiskValues, values);
    if (!Object.keys(changed).length) return;
    await updateRisk(tx, row.id, changed, at);
    await insertHistory(tx, row.id, username, at, diff(row as RiskValues, changed));
  }

  async update(id: string, patch: RiskPatch, user: User): Promise<void> {
    const row = await this.editable(id, user);
    if (patch.owner !== undefined && patch.owner !== row.owner && user.role !== 'admin' && patch.owner !== user.username) {
      throw new RegisterRefusal(403, `only an admin can make someone else the owner of ${id}`);
    }
    if (patch.owner !== undefined) await this.assertUser(patch.owner);
    if (patch.status) assertMove(row.status, patch.status);
    const { today, at } = this.moment();
    const m = await loadMatrix(this.db);
    const values = toColumns(patch);
    const after = { ...(row as RiskValues), ...values };
    assertConsistent(after);
    const level = governingAssessment(after, m).level;
    if (patch.nextReview === undefined && level !== governingAssessment(row, m).level) values.next_review = nextReviewFrom(today, level, m);
    await this.db.transaction((tx) => this.write(tx, row, values, user.username, at));
  }

  /** Marks the risk reviewed today: the next review moves by its level's period and the review flag clears. */
  async review(id: string, note: string, user: User): Promise<void> {
    const row = await this.editable(id, user);
    const { today, at } = this.moment();
    const m = await loadMatrix(this.db);
    const values = { next_review: nextReviewFrom(today, governingAssessment(row, m).level, m), review_flagged: false, review_reason: null };
    await this.db.transaction(async (tx) => {
      await this.write(tx, row, values, user.username, at);
      await insertTimeline(tx, id, at, { kind: 'review', username: user.username, indicatorId: null, alertId: null, text: note });
    });
  }

  async addNote(id: string, note: string, user: User): Promise<void> {
    await this.editable(id, user);
    await insertTimeline(this.db, id, this.moment().at, { kind: 'note', username: user.username, indicatorId: null, alertId: null, text: note });
  }

  async addAction(id: string, input: NewAction, user: User): Promise<number> {
    await this.editable(id, user);
    const { at } = this.moment();
    return this.db.transaction(async (tx) => {
      const actionId = await insertAction(tx, id, input, at);
      await insertHistory(tx, id, user.username, at, [{ field: `action ${actionId}`, oldValue: null, newValue: `${input.title} (owner ${input.owner}, due ${input.due}, ${input.status})` }]);
      return actionId;
    });
  }

  async updateAction(id: string, actionId: number, patch: ActionChange, user: User): Promise<void> {
    await this.editable(id, user);
    const [action] = await selectActions(this.db, id, actionId);
    if (!action) throw new RegisterRefusal(404, `risk ${id} has no action ${actionId}`);
    const changed = changedPart(action, patch);
    if (!Object.keys(changed).length) return;
    const { at } = this.moment();
    await this.db.transaction(async (tx) => {
      await updateAction(tx, actionId, changed, at);
      await insertHistory(tx, id, user.username, at, diff(action, changed, (field) => `action ${actionId} ${field}`));
    });
  }

  async heatmap(): Promise<HeatmapReply> {
    const [matrix, rows] = await Promise.all([loadMatrix(this.db), selectRisks(this.db, {}, this.moment().today)]);
    const grid = () => Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
    const inherent = grid();
    const residual = grid();
    for (const r of rows.filter((row) => row.status !== 'closed')) {
      inherent[r.inherent_likelihood - 1][r.inherent_impact - 1]++;
      const assessed = r.residual_likelihood !== null && r.residual_impact !== null;
      residual[(assessed ? r.residual_likelihood! : r.inherent_likelihood) - 1][(assessed ? r.residual_impact! : r.inherent_impact) - 1]++;
    }
    return { matrix, inherent, residual, total: inherent.flat().reduce((a, b) => a + b, 0) };
  }

  matrix(): Promise<RiskMatrix> {
    return loadMatrix(this.db);
  }

  setMatrix(m: unknown): Promise<RiskMatrix> {
    return saveMatrix(this.db, m);
  }

  /**
   * Who owns a risk the monitor opens for an indicator: its owner when they may edit risks, else the first
   * enabled admin by username, since a risk nobody can edit could never be assessed.
   */
  private async breachOwner(indicatorOwner: string): Promise<string> {
    const owner = await findUser(this.db, indicatorOwner);
    if (owner && mayEdit(owner.username, owner)) return owner.username;
    const admin = (await listUsers(this.db)).find((u) => u.role === 'admin' && !u.disabled);
    // the last enabled admin can be neither disabled nor demoted (users.ts), so this is only a safety net
    return admin?.username ?? indicatorOwner;
  }

  /**
   * An indicator breached: its risk's timeline gets the alert and the risk is flagged for review;
   * an indicator without a (still existing) risk opens one, linked to it (owner: see breachOwner).
   */
  async recordAlert(input: { indicator: Indicator; transition: Transition; indicatorName: string }): Promise<{ riskId: string; created: boolean }> {
    const { indicator, transition, indicatorName } = input;
    const text = alertText(indicatorName, transition, unitOf(indicator));
    const entry = { kind: 'alert' as const, username: SYSTEM_USER, indicatorId: indicator.id, alertId: transition.alertId, text };
    const { at } = this.moment();
    const m = await loadMatrix(this.db);
    // looked up before the transaction, as the database runs one statement at a time
    const owner = await this.breachOwner(indicator.owner);
    return this.db.transaction(async (tx) => {
      const linked = indicator.riskId && (await riskExists(tx, indicator.riskId)) ? await this.row(indicator.riskId, tx) : null;
      if (linked) {
        await this.write(tx, linked, { review_flagged: true, review_reason: text }, SYSTEM_USER, at);
        await insertTimeline(tx, linked.id, at, entry);
        return { riskId: linked.id, created: false };
      }
      const riskId = await this.insert(tx, m, {
        title: `${indicatorName} breach`,
        description: `Opened by the monitor when the unlinked indicator ${indicatorName} (${indicator.id}, owned by ${indicator.owner}) breached. Assess it and set its category, scores and response.`,
        category: categoryOf(indicator),
        owner,
        inherentLikelihood: 3,
        inherentImpact: 3,
        residualLikelihood: null,
        residualImpact: null,
        response: null,
        acceptanceApprover: null,
        acceptanceExpires: null,
        status: 'identified',
      }, SYSTEM_USER, { flag: text });
      await linkIndicator(tx, indicator.id, riskId, transition.alertId);
      await insertTimeline(tx, riskId, at, entry);
      return { riskId, created: true };
    });
  }
}
