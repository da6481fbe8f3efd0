// Live evaluation over a real generated snapshot: evaluations and states are stored, transitions
// open / move / close alerts, reach the risk register and the outbox exactly once each, a snooze
// silences without freezing the state, one failing indicator does not stop the others, and the
// monitor evaluates a newly published snapshot by itself.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUser, type User } from '../server/auth/users.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { IndicatorInput } from '../server/risk/contract.ts';
import { Evaluator } from '../server/risk/evaluator.ts';
import { listEvaluations } from '../server/risk/evaluationStore.ts';
import { createIndicator, getIndicator, indicatorsWithState, listAlerts, updateIndicator } from '../server/risk/indicatorStore.ts';
import { queueDigest } from '../server/risk/digest.ts';
import { LAST_EVALUATED_SETTING, startRiskMonitor } from '../server/risk/monitor.ts';
import { RiskRegister } from '../server/risk/register/service.ts';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

let root: string;
let t: TestApp;
let evaluator: Evaluator;
let admin: User;
/** the as-of days evaluated, oldest first, and the custom indicator's value on each */
let days: string[];
let values: number[];
const LINKED_RISK = 'R-003';

const base = (id: string, extra: Partial<IndicatorInput> = {}) => IndicatorInput.parse({
  id, name: `Test ${id}`, kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse',
  warning: 0.5, critical: 0.9, clear: 0.4, owner: 'risk', recipients: ['ops@example.com'], ...extra,
});

/** Thresholds as multiples of the value measured on day `i`, so a test decides which side of each the value is on. */
const around = (i: number, f: { warning: number; critical: number; clear: number }) => ({ warning: values[i] * f.warning, critical: values[i] * f.critical, clear: values[i] * f.clear });
const WARN = { warning: 0.5, critical: 10, clear: 0.4 };
const CRIT = { warning: 0.5, critical: 0.9, clear: 0.4 };
const GOOD = { warning: 3, critical: 4, clear: 2 };

async function outbox(indicatorId: string) {
  return t.ctx.db.all<{ kind: string; key: string; alert_id: number; subject: string }>('SELECT kind, key, alert_id, subject FROM outbox WHERE indicator_id = $id ORDER BY id', { id: indicatorId });
}

async function setThresholds(id: string, th: { warning: number; critical: number; clear: number }, extra: Partial<IndicatorInput> = {}) {
  const current = (await getIndicator(t.ctx.db, id))!;
  await updateIndicator(t.ctx.db, id, IndicatorInput.parse({ ...current, ...th, ...extra }), 'analyst');
}

const run = (ids: string[], asOf: string) => evaluator.run({ trigger: 'manual', indicatorIds: ids, asOf });

beforeAll(async () => {
  root = await tempDir('risk-evaluate');
  await generateSample({ out: join(root, 'export'), orders: 20_000, months: 7, end: '2026-06-30', seed: 5 });
  await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots') });
  t = await makeTestApp(root);
  // these tests walk the state machine from a blank memory, one chosen day at a time
  evaluator = new Evaluator({ ...t.ctx, warmupDays: 0 });
  admin = (await findUser(t.ctx.db, 'admin'))!;
  const series = await evaluator.series(base('probe'), { days: 8 });
  days = series.series[0].points.map((p) => p.date).slice(-6);
  values = series.series[0].points.map((p) => p.value!).slice(-6);
}, 180_000);

afterAll(async () => {
  await t?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('evaluation', () => {
  it('measured a refund rate on every day the tests use', () => {
    expect(days).toHaveLength(6);
    for (const v of values) expect(v).toBeGreaterThan(0);
  });

  it('stores an evaluation per scope with the thresholds in force, and the state', async () => {
    const input = base('evaluated', { splitBy: 'platform', ...around(0, GOOD) });
    await createIndicator(t.ctx.db, input, 'analyst');
    const reply = await run(['evaluated'], days[0]);
    const rows = await listEvaluations(t.ctx.db, { indicator: 'evaluated', limit: 100 });
    expect(rows.length).toBeGreaterThan(1);
    expect(reply.evaluated).toBe(1);
    expect(Object.values(reply.states).reduce((a, b) => a + b, 0)).toBe(rows.length);
    for (const row of rows) {
      expect(row).toMatchObject({ trigger: 'manual', asOf: days[0], step: days[0], warning: input.warning, critical: input.critical, clear: input.clear, previousState: null });
      expect(['ok', 'insufficient_data', 'warning', 'critical', 'pending']).toContain(row.state);
    }
    const [withState] = await indicatorsWithState(t.ctx.db, { ids: ['evaluated'] });
    expect(withState.states.map((s) => s.scope).sort()).toEqual(rows.map((r) => r.scope).sort());
  });

  it('walks one alert from breach through escalation to recovery, one message and one register entry per transition', async () => {
    await createIndicator(t.ctx.db, base('walk', { riskId: LINKED_RISK, ...around(0, WARN) }), 'analyst');

    const breach = await run(['walk'], days[0]);
    expect(breach.transitions.map((x) => [x.kind, x.to])).toEqual([['breach', 'warning']]);
    const alertId = breach.transitions[0].alertId;
    expect(await listAlerts(t.ctx.db, { indicator: 'walk' })).toMatchObject([{ id: alertId, level: 'warning', status: 'open', riskId: LINKED_RISK }]);
    let risk = await new RiskRegister(t.ctx.db).get(LINKED_RISK, admin);
    expect(risk.reviewFlagged).toBe(true);
    expect(risk.timeline.filter((e) => e.kind === 'alert' && e.alertId === alertId)).toHaveLength(1);
    expect((await outbox('walk')).map((m) => m.key)).toEqual([`alert:${alertId}:breach`]);

    // the same evaluation again: nothing new is sent or recorded
    const again = await run(['walk'], days[0]);
    expect(again.transitions).toEqual([]);
    expect(await outbox('walk')).toHaveLength(1);
    risk = await new RiskRegister(t.ctx.db).get(LINKED_RISK, admin);
    expect(risk.timeline.filter((e) => e.alertId === alertId)).toHaveLength(1);
    expect(await listAlerts(t.ctx.db, { indicator: 'walk', status: 'all' })).toHaveLength(1);

    await setThresholds('walk', around(1, CRIT));
    const escalation = await run(['walk'], days[1]);
    expect(escalation.transitions.map((x) => [x.kind, x.to, x.alertId])).toEqual([['escalation', 'critical', alertId]]);
    expect((await listAlerts(t.ctx.db, { indicator: 'walk' }))[0]).toMatchObject({ level: 'critical', status: 'open' });
    risk = await new RiskRegister(t.ctx.db).get(LINKED_RISK, admin);
    expect(risk.timeline.filter((e) => e.alertId === alertId)).toHaveLength(2);

    await setThresholds('walk', around(2, GOOD));
    const recovering = await run(['walk'], days[2]);
    expect(recovering.transitions).toEqual([]);
    expect(recovering.states.recovering).toBe(1);
    expect((await listAlerts(t.ctx.db, { indicator: 'walk' }))[0]).toMatchObject({ status: 'recovering', state: 'recovering' });

    await setThresholds('walk', around(3, GOOD));
    const recovery = await run(['walk'], days[3]);
    expect(recovery.transitions.map((x) => [x.kind, x.to, x.alertId])).toEqual([['recovery', 'ok', alertId]]);
    expect(await listAlerts(t.ctx.db, { indicator: 'walk' })).toEqual([]);
    expect((await listAlerts(t.ctx.db, { indicator: 'walk', status: 'all' }))[0]).toMatchObject({ status: 'closed', state: 'ok' });
    await run(['walk'], days[3]);

    const messages = await outbox('walk');
    expect(messages.map((m) => m.key)).toEqual(['breach', 'escalation', 'recovery'].map((k) => `alert:${alertId}:${k}`));
    expect(messages.map((m) => m.kind)).toEqual(['breach', 'escalation', 'recovery']);
    for (const m of messages) expect(m.subject).toContain('Test walk');
  });

  it('does not count a repeated day towards the consecutive evaluations', async () => {
    await createIndicator(t.ctx.db, base('streak', { consecutive: 2, ...around(0, WARN) }), 'analyst');
    expect((await run(['streak'], days[0])).states.pending).toBe(1);
    const repeated = await run(['streak'], days[0]);
    expect(repeated.states.pending).toBe(1);
    expect(repeated.transitions).toEqual([]);
    await setThresholds('streak', around(1, WARN));
    const second = await run(['streak'], days[1]);
    expect(second.transitions.map((x) => x.kind)).toEqual(['breach']);
    expect(await outbox('streak')).toHaveLength(1);
  });

  it("opens a new risk in status identified for an unlinked indicator's breach and links it", async () => {
    await createIndicator(t.ctx.db, base('orphan', around(0, WARN)), 'analyst');
    const reply = await run(['orphan'], days[0]);
    expect(reply.transitions.map((x) => x.kind)).toEqual(['breach']);
    const riskId = (await getIndicator(t.ctx.db, 'orphan'))!.riskId;
    expect(riskId).not.toBeNull();
    const risk = await new RiskRegister(t.ctx.db).get(riskId!, admin);
    expect(risk).toMatchObject({ status: 'identified', owner: 'risk' });
    expect(risk.timeline.some((e) => e.kind === 'alert' && e.alertId === reply.transitions[0].alertId)).toBe(true);
    expect((await listAlerts(t.ctx.db, { indicator: 'orphan' }))[0].riskId).toBe(riskId);
  });

  it('changes the state of a snoozed indicator but sends nothing', async () => {
    await createIndicator(t.ctx.db, base('sleepy', { ...around(0, WARN), snoozedUntil: '2999-01-01T00:00:00Z' }), 'analyst');
    const reply = await run(['sleepy'], days[0]);
    expect(reply.states.warning).toBe(1);
    expect(await listAlerts(t.ctx.db, { indicator: 'sleepy' })).toHaveLength(1);
    expect(await outbox('sleepy')).toEqual([]);
  });

  it('sends nothing for an indicator without recipients, but still opens the alert', async () => {
    await createIndicator(t.ctx.db, base('silent', { ...around(0, WARN), recipients: [] }), 'analyst');
    const reply = await run(['silent'], days[0]);
    expect(reply.transitions.map((x) => x.kind)).toEqual(['breach']);
    expect(await listAlerts(t.ctx.db, { indicator: 'silent' })).toHaveLength(1);
    expect(await outbox('silent')).toEqual([]);
  });

  it('drops the states and closes the alerts of scopes an edit made meaningless', async () => {
    await createIndicator(t.ctx.db, base('resplit', around(0, WARN)), 'analyst');
    await run(['resplit'], days[0]);
    expect(await listAlerts(t.ctx.db, { indicator: 'resplit' })).toHaveLength(1);
    await setThresholds('resplit', around(0, WARN), { splitBy: 'platform' });
    expect(await listAlerts(t.ctx.db, { indicator: 'resplit' })).toEqual([]);
    expect((await indicatorsWithState(t.ctx.db, { ids: ['resplit'] }))[0].states).toEqual([]);
    const reply = await run(['resplit'], days[0]);
    expect(Object.values(reply.states).reduce((a, b) => a + b, 0)).toBeGreaterThan(1);
  });

  it("replays the days before an indicator's first evaluation, so an alert already in force opens", async () => {
    // thresholds from the 61 days ending on the last test day: some earlier day breaches, the last
    // day lies in the hysteresis band, and nothing falls past the clear threshold
    const history = (await evaluator.series(base('warm_probe'), { days: 61, to: days[5] })).series[0].points.map((p) => p.value!);
    const last = history.at(-1)!;
    const peak = Math.max(...history.slice(0, -1));
    expect(peak).toBeGreaterThan(last);
    const th = { warning: (peak + last) / 2, critical: peak * 10, clear: Math.min(...history) / 2 };
    await createIndicator(t.ctx.db, base('warm', th), 'analyst');
    await createIndicator(t.ctx.db, base('cold', th), 'analyst');

    const warm = await new Evaluator({ ...t.ctx, warmupDays: 60 }).run({ trigger: 'manual', indicatorIds: ['warm'], asOf: days[5] });
    expect(warm.transitions.map((x) => [x.kind, x.to])).toEqual([['breach', 'warning']]);
    expect(await listAlerts(t.ctx.db, { indicator: 'warm' })).toHaveLength(1);
    expect(await outbox('warm')).toHaveLength(1);

    // the same day without the replay: the value alone is below the warning threshold
    const cold = await run(['cold'], days[5]);
    expect(cold.transitions).toEqual([]);
    expect(cold.states.ok).toBe(1);
  });

  it('isolates an indicator that fails: its state is error, the others are evaluated', async () => {
    await createIndicator(t.ctx.db, base('broken', around(0, GOOD)), 'analyst');
    await createIndicator(t.ctx.db, base('healthy', around(0, WARN)), 'analyst');
    // a KPI that has left the catalog since the indicator was saved
    await t.ctx.db.run(`UPDATE indicators SET kpi = 'retired_kpi' WHERE id = 'broken'`);
    const reply = await run(['broken', 'healthy'], days[0]);
    expect(reply.errors).toEqual([{ indicatorId: 'broken', message: expect.stringContaining('retired_kpi') }]);
    expect(reply.states.error).toBe(1);
    expect(reply.transitions.map((x) => [x.indicatorId, x.kind])).toEqual([['healthy', 'breach']]);
    const [row] = await listEvaluations(t.ctx.db, { indicator: 'broken', limit: 1 });
    expect(row).toMatchObject({ state: 'error', detail: expect.stringContaining('retired_kpi') });
  });
});

describe('risk monitor', () => {
  it('evaluates a newly published snapshot within the poll interval', async () => {
    const monitor = startRiskMonitor(evaluator, t.ctx.db, { snapshotsRoot: t.paths.snapshots, pollMs: 200, log: () => undefined });
    try {
      const evaluatedSnapshot = () => t.ctx.db.getSetting(LAST_EVALUATED_SETTING);
      await waitFor(async () => (await evaluatedSnapshot()) !== undefined);
      const first = await evaluatedSnapshot();
      const { manifest } = await ingest({ input: join(root, 'export'), snapshotsRoot: t.paths.snapshots });
      expect(manifest.id).not.toBe(first);
      await waitFor(async () => (await evaluatedSnapshot()) === manifest.id);
      const rows = await t.ctx.db.all(`SELECT DISTINCT trigger FROM evaluations WHERE snapshot_id = $id`, { id: manifest.id });
      expect(rows).toEqual([{ trigger: 'publish' }]);

      // an indicator due every second gets scheduled evaluations once the jobs are rebuilt
      await createIndicator(t.ctx.db, base('ticking', { ...around(0, GOOD), schedule: '* * * * * *' }), 'analyst');
      await monitor.reload();
      const scheduled = () => t.ctx.db.all(`SELECT id FROM evaluations WHERE indicator_id = 'ticking' AND trigger = 'schedule'`);
      await waitFor(async () => (await scheduled()).length > 0);
    } finally {
      await monitor.stop();
    }
  }, 180_000);
});

describe('daily digest', () => {
  it('lists every open alert once a day, to the recipients of their indicators, on its schedule', async () => {
    const open = await listAlerts(t.ctx.db, { status: 'active' });
    expect(open.length).toBeGreaterThan(0);
    const monitor = startRiskMonitor(evaluator, t.ctx.db, { snapshotsRoot: t.paths.snapshots, log: () => undefined, digest: { cron: '* * * * * *', deps: t.ctx } });
    const digests = () => t.ctx.db.all<{ key: string; recipients: string; text: string }>(`SELECT key, recipients, text FROM outbox WHERE kind = 'digest'`);
    try {
      await waitFor(async () => (await digests()).length > 0);
    } finally {
      await monitor.stop();
    }
    const [digest] = await digests();
    expect(digest.key).toBe(`digest:${new Date().toISOString().slice(0, 10)}`);
    const indicators = await Promise.all([...new Set(open.map((a) => a.indicatorId))].map((id) => getIndicator(t.ctx.db, id)));
    expect(JSON.parse(digest.recipients)).toEqual([...new Set(indicators.flatMap((i) => i!.recipients))].sort());
    for (const alert of open) expect(digest.text).toContain(alert.indicatorName);
    // again the same day: the key is taken, nothing new is queued
    expect(await queueDigest(t.ctx)).toMatchObject({ inserted: false });
    expect(await digests()).toHaveLength(1);
  });
});

/** Polls until `done` holds; the test's own timeout bounds the wait. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((r) => setTimeout(r, 100));
}
