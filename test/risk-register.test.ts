// The risk register on a real app database: the scoring matrix, review dates by level, acceptance
// expiry, overdue actions, the status workflow, field-level history and timeline, alerts from
// indicators (linked and unlinked), access by role over the API, CSV quoting and the heat map.
// Expected dates and scores are computed here from the rules in DESIGN.md, not taken from the code.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUsers } from '../server/auth/bootstrap.ts';
import { createUser, updateUser, type User } from '../server/auth/users.ts';
import { AppDb } from '../server/db/appdb.ts';
import {
  IndicatorInput, RISK_STATUSES, RiskInput, type HeatmapReply, type RiskDetail, type RiskLevel, type RiskMatrix, type RisksReply, type RiskStatus, type Transition,
} from '../server/risk/contract.ts';
import { createIndicator, getIndicator } from '../server/risk/indicatorStore.ts';
import { RegisterRefusal } from '../server/risk/register/errors.ts';
import { RiskRegister } from '../server/risk/register/service.ts';
import { canMove } from '../server/risk/register/workflow.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

const admin: User = { username: 'admin', displayName: 'Admin', role: 'admin', pii: true };
const owner: User = { username: 'risk', displayName: 'Risk Owner', role: 'risk_owner', pii: false };
const otherOwner: User = { username: 'risk2', displayName: 'Other Owner', role: 'risk_owner', pii: false };
const executive: User = { username: 'exec', displayName: 'Exec', role: 'executive', pii: false };

/** DESIGN.md: low below 5, medium 5–9, high 10–15, critical from 16; reviews after 360/180/90/90 days. */
const bandOf = (score: number): RiskLevel => (score >= 16 ? 'critical' : score >= 10 ? 'high' : score >= 5 ? 'medium' : 'low');
const REVIEW_DAYS: Record<RiskLevel, number> = { low: 360, medium: 180, high: 90, critical: 90 };

/** The calendar day `days` after the given day, counted with Date.UTC's own day arithmetic. */
function plusDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const risk = (fields: Partial<RiskInput> & Pick<RiskInput, 'title'>): RiskInput =>
  RiskInput.parse({ category: 'operational', owner: 'risk', inherentLikelihood: 2, inherentImpact: 2, ...fields });

// ---------------------------------------------------------------- domain, with a settable clock

describe('register domain', () => {
  let dir: string;
  let db: AppDb;
  let now: Date;
  let register: RiskRegister;
  const today = () => now.toISOString().slice(0, 10);

  beforeAll(async () => {
    dir = await tempDir('register');
    db = await AppDb.open(join(dir, 'app.duckdb'));
    await ensureUsers(db, { demo: true, env: {} });
    now = new Date('2026-03-10T09:30:00Z');
    register = new RiskRegister(db, () => now);
  });

  afterAll(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sets the next review by the level of the residual assessment when set, else the inherent one', async () => {
    const cases: [number, number, number | null, number | null][] = [[1, 3, null, null], [2, 4, null, null], [3, 4, null, null], [4, 5, null, null], [5, 5, 1, 2], [1, 1, 3, 3]];
    for (const [il, ii, rl, ri] of cases) {
      const id = await register.create(risk({ title: `review ${il}${ii}`, inherentLikelihood: il, inherentImpact: ii, residualLikelihood: rl, residualImpact: ri }), 'admin');
      const detail = await register.get(id, admin);
      const governing = rl !== null && ri !== null ? rl * ri : il * ii;
      expect(detail.nextReview, `inherent ${il}×${ii}, residual ${rl}×${ri}`).toBe(plusDays(today(), REVIEW_DAYS[bandOf(governing)]));
      expect(detail.reviewOverdue).toBe(false);
    }
  });

  it('recomputes the next review when the level changes, not when it stays', async () => {
    const id = await register.create(risk({ title: 'level change', inherentLikelihood: 1, inherentImpact: 2 }), 'risk');
    const created = (await register.get(id, owner)).nextReview;
    now = new Date('2026-04-01T08:00:00Z');
    await register.update(id, { inherentImpact: 3 }, owner); // 1×3 = 3, still low
    expect((await register.get(id, owner)).nextReview).toBe(created);
    await register.update(id, { inherentLikelihood: 4, inherentImpact: 4 }, owner); // 16: critical
    expect((await register.get(id, owner)).nextReview).toBe(plusDays(today(), REVIEW_DAYS.critical));
    await register.update(id, { residualLikelihood: 2, residualImpact: 3 }, owner); // residual 6: medium governs
    expect((await register.get(id, owner)).nextReview).toBe(plusDays(today(), REVIEW_DAYS.medium));
    await register.update(id, { nextReview: plusDays(today(), -1) }, owner);
    const overdue = await register.get(id, owner);
    expect(overdue.reviewOverdue).toBe(true);

    now = new Date('2026-05-02T10:00:00Z');
    await register.review(id, 'looked at it with the team', owner);
    const reviewed = await register.get(id, owner);
    expect(reviewed.nextReview).toBe(plusDays(today(), REVIEW_DAYS.medium));
    expect(reviewed.reviewOverdue).toBe(false);
    expect(reviewed.timeline.find((e) => e.kind === 'review')).toMatchObject({ username: 'risk', text: 'looked at it with the team' });
  });

  it('refuses an acceptance without approver and expiry, and flags an expired one', async () => {
    const missing = register.create(risk({ title: 'accept without approver', response: 'accept', acceptanceExpires: '2027-01-01' }), 'admin');
    await expect(missing).rejects.toThrow(/approver.*expiry/);
    await expect(missing).rejects.toBeInstanceOf(RegisterRefusal);
    const id = await register.create(risk({ title: 'accepted' }), 'risk');
    await expect(register.update(id, { response: 'accept', acceptanceApprover: 'cfo' }, owner)).rejects.toThrow(/approver.*expiry/);

    await register.update(id, { response: 'accept', acceptanceApprover: 'cfo', acceptanceExpires: plusDays(today(), 30) }, owner);
    expect((await register.get(id, owner)).acceptance).toEqual({ approver: 'cfo', expires: plusDays(today(), 30), expired: false });
    await register.update(id, { acceptanceExpires: plusDays(today(), -1) }, owner);
    expect((await register.get(id, owner)).acceptance).toEqual({ approver: 'cfo', expires: plusDays(today(), -1), expired: true });
  });

  it('flags open and in-progress actions past their due date as overdue', async () => {
    const id = await register.create(risk({ title: 'actions' }), 'risk');
    const late = await register.addAction(id, { title: 'late', owner: 'risk', due: plusDays(today(), -3), status: 'open' }, owner);
    await register.addAction(id, { title: 'late but working', owner: 'risk', due: plusDays(today(), -1), status: 'in_progress' }, owner);
    await register.addAction(id, { title: 'late and done', owner: 'risk', due: plusDays(today(), -10), status: 'done' }, owner);
    await register.addAction(id, { title: 'due today', owner: 'risk', due: today(), status: 'open' }, owner);
    let detail = await register.get(id, owner);
    const overdue = (title: string) => detail.actions.find((a) => a.title === title)!.overdue;
    expect([overdue('late'), overdue('late but working'), overdue('late and done'), overdue('due today')]).toEqual([true, true, false, false]);
    expect(detail.overdueActions).toBe(2);
    expect(detail.openActions).toBe(3);

    await register.updateAction(id, late, { status: 'done' }, owner);
    detail = await register.get(id, owner);
    expect(detail.overdueActions).toBe(1);
    expect(detail.history[0]).toMatchObject({ field: `action ${late} status`, oldValue: 'open', newValue: 'done', username: 'risk' });
  });

  it('moves the status forward one step or back to any earlier one; a closed risk reopens only to monitoring', async () => {
    for (const from of RISK_STATUSES) {
      for (const to of RISK_STATUSES) {
        if (from === to) continue;
        const a = RISK_STATUSES.indexOf(from);
        const b = RISK_STATUSES.indexOf(to);
        const expected = from === 'closed' ? to === 'monitoring' : b === a + 1 || b < a;
        expect(canMove(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
    const id = await register.create(risk({ title: 'workflow' }), 'risk');
    await expect(register.update(id, { status: 'treating' }, owner)).rejects.toThrow(/identified.*treating/);
    const path: RiskStatus[] = ['assessed', 'treating', 'monitoring', 'closed'];
    for (const status of path) await register.update(id, { status }, owner);
    await expect(register.update(id, { status: 'identified' }, owner)).rejects.toThrow(/closed.*identified/);
    await register.update(id, { status: 'monitoring' }, owner);
    await register.update(id, { status: 'assessed' }, owner);
    const statuses = (await register.get(id, owner)).history.filter((h) => h.field === 'status').reverse().map((h) => `${h.oldValue}→${h.newValue}`);
    expect(statuses).toEqual(['identified→assessed', 'assessed→treating', 'treating→monitoring', 'monitoring→closed', 'closed→monitoring', 'monitoring→assessed']);
  });

  it('writes one history row per changed field with who, old and new, and a created timeline entry', async () => {
    const id = await register.create(risk({ title: 'history', description: 'before' }), 'risk');
    const created = await register.get(id, owner);
    expect(created.history).toEqual([]);
    expect(created.timeline.map((e) => e.kind)).toEqual(['created']);

    const patch = { title: 'history, renamed', description: 'before', category: 'legal' as const, residualLikelihood: 1, residualImpact: 1 };
    await register.update(id, patch, owner);
    const detail = await register.get(id, owner);
    const rows = detail.history.map((h) => ({ field: h.field, old: h.oldValue, new: h.newValue, who: h.username }));
    // the description is sent unchanged, so it has no row; inherent 2×2 and residual 1×1 are both low, so the review date stays
    expect(rows).toEqual(expect.arrayContaining([
      { field: 'title', old: 'history', new: 'history, renamed', who: 'risk' },
      { field: 'category', old: 'operational', new: 'legal', who: 'risk' },
      { field: 'residual_likelihood', old: null, new: '1', who: 'risk' },
      { field: 'residual_impact', old: null, new: '1', who: 'risk' },
    ]));
    expect(rows).toHaveLength(4);

    await register.update(id, { owner: 'admin' }, admin);
    expect((await register.get(id, admin)).history[0]).toMatchObject({ field: 'owner', oldValue: 'risk', newValue: 'admin', username: 'admin' });

    await register.addNote(id, 'supplier confirmed', admin);
    const timeline = (await register.get(id, admin)).timeline;
    expect(timeline[0]).toMatchObject({ kind: 'note', username: 'admin', text: 'supplier confirmed' });
  });

  it('lets only the owning risk owner or an admin edit, and says so in canEdit', async () => {
    const id = await register.create(risk({ title: 'owned by risk' }), 'risk');
    expect((await register.get(id, owner)).canEdit).toBe(true);
    expect((await register.get(id, admin)).canEdit).toBe(true);
    expect((await register.get(id, otherOwner)).canEdit).toBe(false);
    expect((await register.get(id, executive)).canEdit).toBe(false);
    for (const attempt of [
      () => register.update(id, { title: 'mine now' }, otherOwner),
      () => register.addNote(id, 'hello', otherOwner),
      () => register.review(id, 'reviewed', otherOwner),
      () => register.addAction(id, { title: 'x', owner: 'risk2', due: today(), status: 'open' }, otherOwner),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ status: 403, message: `only the risk's owner or an admin can change ${id}` });
    }
    await expect(register.createFor(risk({ title: 'for someone else', owner: 'admin' }), owner)).rejects.toMatchObject({ status: 403 });
  });

  describe('alerts from indicators', () => {
    const indicator = (id: string, riskId: string | null, indicatorOwner = 'risk') =>
      IndicatorInput.parse({ id, name: `Complaint rate ${id}`, kpi: 'complaint_rate', windowDays: 7, direction: 'higher_is_worse', warning: 0.02, critical: 0.03, clear: 0.015, owner: indicatorOwner, riskId });
    const transition = (indicatorId: string, alertId: number): Transition => ({
      kind: 'breach', indicatorId, scope: 'jd', scopeLabel: 'JD', from: 'ok', to: 'critical', level: 'critical', step: '2026-05-01', asOf: '2026-05-01', snapshotId: null,
      measurement: { value: 0.042, numerator: 84, denominator: 2000 }, thresholds: { warning: 0.02, critical: 0.03, clear: 0.015 }, alertId, evaluationId: 1, at: now.toISOString(),
    });

    it('adds the alert to the linked risk timeline and flags it for review', async () => {
      const riskId = await register.create(risk({ title: 'complaints' }), 'risk');
      const linked = await createIndicator(db, indicator('complaints_linked', riskId), 'risk');
      const result = await register.recordAlert({ indicator: linked, transition: transition(linked.id, 7), indicatorName: linked.name });
      expect(result).toEqual({ riskId, created: false });
      const detail = await register.get(riskId, owner);
      const entry = detail.timeline.find((e) => e.kind === 'alert')!;
      expect(entry).toMatchObject({ indicatorId: linked.id, alertId: 7 });
      expect(entry.text).toContain('Complaint rate complaints_linked — JD');
      expect(entry.text).toContain('critical');
      expect(entry.text).toContain('42.0‰'); // complaint rate is a per-mille KPI in the catalog
      expect(detail.reviewFlagged).toBe(true);
      expect(detail.reviewReason).toBe(entry.text);
      expect(detail.history.find((h) => h.field === 'review_flagged')).toMatchObject({ oldValue: 'false', newValue: 'true', username: 'vigil' });
      expect(detail.indicators.map((i) => i.id)).toEqual([linked.id]);

      await register.review(riskId, 'handled with the carrier', owner);
      expect((await register.get(riskId, owner)).reviewFlagged).toBe(false);
    });

    it('opens a new identified risk for an unlinked indicator and links it', async () => {
      const unlinked = await createIndicator(db, indicator('complaints_unlinked', null), 'risk');
      const result = await register.recordAlert({ indicator: unlinked, transition: transition(unlinked.id, 8), indicatorName: unlinked.name });
      expect(result.created).toBe(true);
      const detail = await register.get(result.riskId, owner);
      expect(detail).toMatchObject({ title: `${unlinked.name} breach`, status: 'identified', owner: 'risk', createdBy: 'vigil', reviewFlagged: true, category: 'operational' });
      expect(detail.inherent).toMatchObject({ likelihood: 3, impact: 3 });
      expect(detail.timeline.map((e) => e.kind).sort()).toEqual(['alert', 'created']);
      expect((await getIndicator(db, unlinked.id))!.riskId).toBe(result.riskId);
      expect(detail.indicators.map((i) => i.id)).toEqual([unlinked.id]);
    });

    it("gives the risk of an analyst's indicator to the first enabled admin by username, as an analyst could never edit it", async () => {
      // 'a.off' sorts before the demo 'admin' but is disabled; 'zz.admin' sorts after it
      for (const username of ['a.off', 'zz.admin']) await createUser(db, { username, displayName: username, role: 'admin', pii: false, password: null });
      await updateUser(db, 'a.off', { disabled: true }, admin);

      const analysts = await createIndicator(db, indicator('complaints_analyst', null, 'analyst'), 'analyst');
      const result = await register.recordAlert({ indicator: analysts, transition: transition(analysts.id, 9), indicatorName: analysts.name });
      expect(result.created).toBe(true);
      const detail = await register.get(result.riskId, admin);
      expect(detail.owner).toBe('admin');
      expect(detail.canEdit).toBe(true);
      expect(detail.description).toContain(`${analysts.id}, owned by analyst`);

      // the owner of an indicator who may edit risks keeps the risk, even with admins around
      const owners = await createIndicator(db, indicator('complaints_owner', null, 'risk'), 'risk');
      const own = await register.recordAlert({ indicator: owners, transition: transition(owners.id, 10), indicatorName: owners.name });
      const ownDetail = await register.get(own.riskId, owner);
      expect(ownDetail.owner).toBe('risk');
      expect(ownDetail.canEdit).toBe(true);
    });
  });
});

// ---------------------------------------------------------------- over the API

describe('register API', () => {
  let t: TestApp;
  const today = () => new Date().toISOString().slice(0, 10);
  const post = async (role: Parameters<typeof injectAs>[1], url: string, payload: object) => injectAs(t, role, { method: 'POST', url, payload });
  const patch = async (role: Parameters<typeof injectAs>[1], url: string, payload: object) => injectAs(t, role, { method: 'PATCH', url, payload });
  const list = async (query = '') => (await injectAs(t, 'executive', { method: 'GET', url: `/api/risk/risks${query}` })).json<RisksReply>().risks;

  beforeAll(async () => {
    t = await makeTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('scores every cell of the default matrix as likelihood × impact with the DESIGN.md bands', async () => {
    const m = (await injectAs(t, 'analyst', { method: 'GET', url: '/api/risk/matrix' })).json<RiskMatrix>();
    expect(m.reviewDays).toEqual(REVIEW_DAYS);
    for (let l = 1; l <= 5; l++) {
      for (let i = 1; i <= 5; i++) {
        const res = await post('admin', '/api/risk/risks', { title: `cell ${l}-${i}`, category: 'market', owner: 'admin', inherentLikelihood: l, inherentImpact: i });
        expect(res.statusCode).toBe(201);
        expect(res.json<RiskDetail>().inherent).toEqual({ likelihood: l, impact: i, score: l * i, level: bandOf(l * i) });
      }
    }
  });

  it('lets an admin change the matrix, which rescores risks; an invalid matrix is refused', async () => {
    const before = (await injectAs(t, 'admin', { method: 'GET', url: '/api/risk/matrix' })).json<RiskMatrix>();
    const additive: RiskMatrix = { ...before, score: before.score.map((row, l) => row.map((_, i) => l + i + 2)), levels: { medium: 4, high: 6, critical: 9 } };
    expect((await injectAs(t, 'executive', { method: 'PUT', url: '/api/risk/matrix', payload: additive })).statusCode).toBe(403);
    const decreasing = { ...before, score: before.score.map((row) => [...row].reverse()) };
    const flatLevels = { ...before, levels: { medium: 5, high: 5, critical: 16 } };
    const refusals: [object, RegExp][] = [[decreasing, /lower/], [flatLevels, /increase/], [{ ...before, score: before.score.slice(1) }, /score/]];
    for (const [bad, why] of refusals) {
      const res = await injectAs(t, 'admin', { method: 'PUT', url: '/api/risk/matrix', payload: bad });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: string }>().error).toMatch(why);
    }
    expect((await injectAs(t, 'admin', { method: 'PUT', url: '/api/risk/matrix', payload: additive })).statusCode).toBe(200);
    const rescored = await list();
    const additiveLevel = (s: number): RiskLevel => (s >= 9 ? 'critical' : s >= 6 ? 'high' : s >= 4 ? 'medium' : 'low');
    for (const r of rescored) {
      const score = r.inherent.likelihood + r.inherent.impact;
      expect(r.inherent, r.id).toMatchObject({ score, level: additiveLevel(score) });
    }
    expect((await injectAs(t, 'admin', { method: 'PUT', url: '/api/risk/matrix', payload: before })).statusCode).toBe(200);
  });

  it('gives executives and analysts read access only', async () => {
    const [first] = await list();
    for (const role of ['executive', 'analyst'] as const) {
      expect((await injectAs(t, role, { method: 'GET', url: `/api/risk/risks/${first.id}` })).json<RiskDetail>().canEdit).toBe(false);
      expect((await injectAs(t, role, { method: 'GET', url: '/api/risk/heatmap' })).statusCode).toBe(200);
      expect((await injectAs(t, role, { method: 'GET', url: '/api/risk/risks.csv' })).statusCode).toBe(200);
      expect((await post(role, '/api/risk/risks', { title: 'x', category: 'market', owner: 'exec', inherentLikelihood: 1, inherentImpact: 1 })).statusCode).toBe(403);
      expect((await patch(role, `/api/risk/risks/${first.id}`, { title: 'x' })).statusCode).toBe(403);
      expect((await post(role, `/api/risk/risks/${first.id}/notes`, { note: 'x' })).statusCode).toBe(403);
      expect((await post(role, `/api/risk/risks/${first.id}/review`, { note: 'x' })).statusCode).toBe(403);
      expect((await post(role, `/api/risk/risks/${first.id}/actions`, { title: 'x', owner: 'exec', due: today() })).statusCode).toBe(403);
    }
    expect((await injectAs(t, undefined, { method: 'GET', url: '/api/risk/risks' })).statusCode).toBe(401);
  });

  it("lets a risk owner create and edit their own risks but not another's; an admin edits all", async () => {
    expect((await post('risk_owner', '/api/risk/risks', { title: 'not mine', category: 'market', owner: 'admin', inherentLikelihood: 1, inherentImpact: 1 })).statusCode).toBe(403);
    expect((await post('admin', '/api/risk/risks', { title: 'nobody', category: 'market', owner: 'ghost', inherentLikelihood: 1, inherentImpact: 1 })).statusCode).toBe(400);
    const own = (await post('risk_owner', '/api/risk/risks', { title: 'mine', category: 'credit', owner: 'risk', inherentLikelihood: 2, inherentImpact: 3 })).json<RiskDetail>();
    expect(own.canEdit).toBe(true);
    const edited = await patch('risk_owner', `/api/risk/risks/${own.id}`, { status: 'assessed', residualLikelihood: 1, residualImpact: 3 });
    expect(edited.statusCode).toBe(200);
    // residual 1×3 is low where inherent 2×3 was medium, so the review date moves too
    const history = edited.json<RiskDetail>().history;
    expect(history.map((h) => h.field).sort()).toEqual(['next_review', 'residual_impact', 'residual_likelihood', 'status']);
    expect(history.find((h) => h.field === 'next_review')).toMatchObject({ oldValue: own.nextReview, newValue: plusDays(today(), REVIEW_DAYS.low), username: 'risk' });
    const withAction = (await post('risk_owner', `/api/risk/risks/${own.id}/actions`, { title: 'train staff', owner: 'risk', due: today() })).json<RiskDetail>();
    const actionId = withAction.actions[0].id;
    expect((await patch('risk_owner', `/api/risk/risks/${own.id}/actions/${actionId}`, { status: 'in_progress' })).statusCode).toBe(200);
    expect((await post('risk_owner', `/api/risk/risks/${own.id}/review`, { note: 'fine' })).statusCode).toBe(200);

    const [adminOwned] = await list('?owner=admin');
    const refused = await patch('risk_owner', `/api/risk/risks/${adminOwned.id}`, { title: 'taken over' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: string }>().error).toBe(`only the risk's owner or an admin can change ${adminOwned.id}`);
    expect((await post('risk_owner', `/api/risk/risks/${adminOwned.id}/notes`, { note: 'x' })).statusCode).toBe(403);
    expect((await patch('admin', `/api/risk/risks/${own.id}`, { title: 'mine, edited by admin' })).statusCode).toBe(200);

    const badMove = await patch('admin', `/api/risk/risks/${own.id}`, { status: 'closed' });
    expect(badMove.statusCode).toBe(400);
    expect(badMove.json<{ error: string }>().error).toMatch(/assessed.*closed/);
    const badAccept = await patch('admin', `/api/risk/risks/${own.id}`, { response: 'accept' });
    expect(badAccept.statusCode).toBe(400);
    expect(badAccept.json<{ error: string }>().error).toMatch(/approver/);
    expect((await injectAs(t, 'executive', { method: 'GET', url: '/api/risk/risks/R-999' })).statusCode).toBe(404);
  });

  it('filters the register and quotes titles with commas and quotes in the CSV', async () => {
    const title = 'Fraud, "chargebacks" and =formulas';
    const created = (await post('admin', '/api/risk/risks', { title, category: 'credit', owner: 'admin', inherentLikelihood: 5, inherentImpact: 4 })).json<RiskDetail>();
    const res = await injectAs(t, 'executive', { method: 'GET', url: `/api/risk/risks.csv?q=${encodeURIComponent('chargebacks')}` });
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 5)).toEqual(['id', 'title', 'category', 'owner', 'status']);
    expect(lines).toHaveLength(2);
    expect(lines[1].startsWith(`${created.id},"Fraud, ""chargebacks"" and =formulas",credit,admin,identified,5,4,20,critical`)).toBe(true);

    expect((await list('?q=CHARGEBACKS')).map((r) => r.id)).toEqual([created.id]);
    const all = await list();
    expect((await list('?category=credit')).map((r) => r.id)).toEqual(all.filter((r) => r.category === 'credit').map((r) => r.id));
    expect((await list('?cell=5-4')).map((r) => r.id)).toEqual(all.filter((r) => r.inherent.likelihood === 5 && r.inherent.impact === 4).map((r) => r.id));
    const residualPosition = (r: RisksReply['risks'][number]) => r.residual ?? r.inherent;
    expect((await list('?level=low&position=residual')).map((r) => r.id)).toEqual(all.filter((r) => residualPosition(r).level === 'low').map((r) => r.id));
    expect((await list('?flagged=true'))).toEqual([]);
    expect((await injectAs(t, 'executive', { method: 'GET', url: '/api/risk/risks?cell=6-1' })).statusCode).toBe(400);
  });

  it('counts the heat map cells of the risks not closed as the register list does, inherent and residual', async () => {
    const closing = (await post('admin', '/api/risk/risks', { title: 'closed one', category: 'legal', owner: 'admin', inherentLikelihood: 5, inherentImpact: 1 })).json<RiskDetail>();
    for (const status of ['assessed', 'treating', 'monitoring', 'closed']) expect((await patch('admin', `/api/risk/risks/${closing.id}`, { status })).statusCode).toBe(200);
    const heat = (await injectAs(t, 'executive', { method: 'GET', url: '/api/risk/heatmap' })).json<HeatmapReply>();
    const all = (await list()).filter((r) => r.status !== 'closed');
    expect((await list()).some((r) => r.id === closing.id)).toBe(true);
    expect((await list('?cell=5-1')).some((r) => r.id === closing.id)).toBe(false);
    expect(heat.total).toBe(all.length);
    for (let l = 1; l <= 5; l++) {
      for (let i = 1; i <= 5; i++) {
        expect(heat.inherent[l - 1][i - 1], `inherent ${l}-${i}`).toBe(all.filter((r) => r.inherent.likelihood === l && r.inherent.impact === i).length);
        const residual = all.filter((r) => (r.residual ?? r.inherent).likelihood === l && (r.residual ?? r.inherent).impact === i).length;
        expect(heat.residual[l - 1][i - 1], `residual ${l}-${i}`).toBe(residual);
      }
    }
    expect(all.some((r) => r.residual !== null)).toBe(true);
  });
});
