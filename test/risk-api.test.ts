// The indicator and alert API over a real snapshot: the seeded library, create / edit / delete
// with 400s naming the field, who may write, the editor's preview and the history series,
// manual evaluation, acknowledging and snoozing alerts, and the test email.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../server/auth/roles.ts';
import { BREAKDOWN_DIMENSIONS } from '../server/metrics/contract.ts';
import { definitionInfo, KPIS } from '../server/metrics/catalog.ts';
import { getOutboxMessage } from '../server/notify/outbox.ts';
import type { Alert, EvaluationRow, EvaluationRunReply, IndicatorSeriesReply, IndicatorWithState } from '../server/risk/contract.ts';
import { BUILTIN_RISKS, builtinIndicators } from '../server/risk/library.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.ts';

let root: string;
let t: TestApp;

const indicator = (id: string, extra: Record<string, unknown> = {}) => ({
  id, name: `API ${id}`, kpi: 'refund_rate', windowDays: 14, direction: 'higher_is_worse', warning: 0.5, critical: 0.9, clear: 0.4,
  owner: 'risk', recipients: ['ops@example.com'], ...extra,
});

/** One session per role: signing in hashes a password, too slow to repeat on every call. */
const sessions = new Map<Role, Promise<Record<string, string>>>();

async function call(role: Role | undefined, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  if (role && !sessions.has(role)) sessions.set(role, t.cookieFor(role));
  const cookies = role ? await sessions.get(role)! : {};
  return t.app.inject({ method, url, cookies, headers: { 'x-vigil-csrf': '1' }, ...(payload ? { payload } : {}) });
}

beforeAll(async () => {
  root = await tempDir('risk-api');
  await generateSample({ out: join(root, 'export'), orders: 10_000, months: 7, end: '2026-06-30', seed: 9 });
  await ingest({ input: join(root, 'export'), snapshotsRoot: join(root, 'snapshots') });
  t = await makeTestApp(root);
}, 180_000);

afterAll(async () => {
  await t?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('indicators API', () => {
  it('lists the built-in library, linked to the seeded risks, for every role', async () => {
    const seededRisks = new Set(BUILTIN_RISKS.map((r) => r.id));
    for (const role of ['executive', 'analyst', 'risk_owner', 'admin'] as const) {
      const res = await call(role, 'GET', '/api/risk/indicators');
      expect(res.statusCode).toBe(200);
      const builtins = (res.json().indicators as IndicatorWithState[]).filter((i) => i.builtin);
      expect(builtins.map((i) => i.id).sort()).toEqual(builtinIndicators('risk').map((i) => i.id).sort());
      for (const i of builtins) expect(seededRisks.has(i.riskId!)).toBe(true);
    }
  });

  it('creates, reads, edits and deletes an indicator', async () => {
    const created = await call('analyst', 'POST', '/api/risk/indicators', indicator('crud'));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'crud', builtin: false, updatedBy: 'analyst', unit: 'percent', states: [], worst: null, compare: 'none' });

    const edited = await call('risk_owner', 'PUT', '/api/risk/indicators/crud', indicator('crud', { warning: 0.6, splitBy: 'platform' }));
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ warning: 0.6, splitBy: 'platform', updatedBy: 'risk' });
    expect((await call('executive', 'GET', '/api/risk/indicators/crud')).json()).toMatchObject({ warning: 0.6 });

    expect((await call('admin', 'DELETE', '/api/risk/indicators/crud')).statusCode).toBe(200);
    expect((await call('admin', 'GET', '/api/risk/indicators/crud')).statusCode).toBe(404);
  });

  it('refuses invalid indicators with a 400 naming the field', async () => {
    const kpi = KPIS.find((k) => definitionInfo(k).breakdowns.length < BREAKDOWN_DIMENSIONS.length)!;
    const unsupported = BREAKDOWN_DIMENSIONS.find((d) => !definitionInfo(kpi).breakdowns.includes(d))!;
    await call('analyst', 'POST', '/api/risk/indicators', indicator('taken'));
    const cases: [Record<string, unknown>, string][] = [
      [{ ...indicator('no_window'), windowDays: undefined }, 'windowDays'],
      [indicator('Bad Id'), 'id'],
      [indicator('bad_kpi', { kpi: 'no_such_kpi' }), 'kpi'],
      [indicator('bad_split', { kpi: kpi.id, splitBy: unsupported }), 'splitBy'],
      [indicator('bad_owner', { owner: 'nobody' }), 'owner'],
      [indicator('bad_order', { critical: 0.3 }), 'critical'],
      [indicator('bad_clear', { clear: 0.7 }), 'clear'],
      [indicator('bad_mail', { recipients: ['not-mail'] }), 'recipients.0'],
      [indicator('bad_cron', { schedule: 'every morning' }), 'schedule'],
      [indicator('bad_risk', { riskId: 'R-999' }), 'riskId'],
      [indicator('taken'), 'id'],
    ];
    for (const [body, field] of cases) {
      const res = await call('analyst', 'POST', '/api/risk/indicators', body);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json().error).toContain(`body parameter '${field}'`);
    }
    const renamed = await call('analyst', 'PUT', '/api/risk/indicators/taken', indicator('other'));
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().error).toContain("'id'");
    expect((await call('analyst', 'PUT', '/api/risk/indicators/missing', indicator('missing'))).statusCode).toBe(404);
    const builtin = await call('admin', 'DELETE', `/api/risk/indicators/${builtinIndicators('risk')[0].id}`);
    expect(builtin.statusCode).toBe(400);
  });

  it('lets executives read but not write', async () => {
    await call('analyst', 'POST', '/api/risk/indicators', indicator('readonly'));
    const writes: [('POST' | 'PUT' | 'DELETE'), string, object?][] = [
      ['POST', '/api/risk/indicators', indicator('by_exec')],
      ['PUT', '/api/risk/indicators/readonly', indicator('readonly')],
      ['DELETE', '/api/risk/indicators/readonly'],
      ['POST', '/api/risk/indicators/preview', { indicator: indicator('p') }],
      ['POST', '/api/risk/evaluate', {}],
      ['POST', '/api/risk/indicators/readonly/test-email'],
      ['POST', '/api/risk/alerts/1/acknowledge'],
      ['POST', '/api/risk/alerts/1/snooze', { until: '2999-01-01T00:00:00Z' }],
    ];
    for (const [method, url, body] of writes) expect((await call('executive', method, url, body)).statusCode, `${method} ${url}`).toBe(403);
    for (const url of ['/api/risk/indicators/readonly', '/api/risk/indicators/readonly/series?days=7', '/api/risk/evaluations', '/api/risk/alerts']) {
      expect((await call('executive', 'GET', url)).statusCode, url).toBe(200);
    }
    expect((await call(undefined, 'GET', '/api/risk/indicators')).statusCode).toBe(401);
  });
});

describe('preview and series', () => {
  it('replays an unsaved indicator over the asked days, with its thresholds', async () => {
    const body = { indicator: indicator('draft', { splitBy: 'platform' }), days: 30 };
    const res = await call('analyst', 'POST', '/api/risk/indicators/preview', body);
    expect(res.statusCode).toBe(200);
    const reply = res.json() as IndicatorSeriesReply;
    expect(reply).toMatchObject({ indicatorId: 'draft', thresholds: { warning: 0.5, critical: 0.9, clear: 0.4 }, direction: 'higher_is_worse', unit: 'percent' });
    expect(reply.series.length).toBeGreaterThan(1);
    for (const s of reply.series) expect(s.points).toHaveLength(30);
    expect(reply.to).toBe(reply.snapshot.asOf);
    expect((await call('analyst', 'GET', '/api/risk/indicators/draft')).statusCode).toBe(404);
  });

  it('names the field of an invalid preview inside the indicator', async () => {
    const res = await call('analyst', 'POST', '/api/risk/indicators/preview', { indicator: indicator('draft', { direction: 'sideways' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain("body parameter 'indicator.direction'");
    const kpi = await call('analyst', 'POST', '/api/risk/indicators/preview', { indicator: indicator('draft', { kpi: 'nope' }) });
    expect(kpi.json().error).toContain("body parameter 'indicator.kpi'");
  });

  it("gives a saved indicator's series, as the preview of the same definition does", async () => {
    await call('analyst', 'POST', '/api/risk/indicators', indicator('charted'));
    const series = await call('executive', 'GET', '/api/risk/indicators/charted/series?days=21');
    expect(series.statusCode).toBe(200);
    const preview = await call('analyst', 'POST', '/api/risk/indicators/preview', { indicator: indicator('charted'), days: 21 });
    expect(series.json()).toEqual(preview.json());
    expect((await call('executive', 'GET', '/api/risk/indicators/charted/series?days=3')).statusCode).toBe(400);
  });
});

describe('evaluation and alerts API', () => {
  let alert: Alert;

  beforeAll(async () => {
    const preview = (await call('analyst', 'POST', '/api/risk/indicators/preview', { indicator: indicator('firing'), days: 7 })).json() as IndicatorSeriesReply;
    const value = preview.series[0].points.at(-1)!.value!;
    await call('analyst', 'POST', '/api/risk/indicators', indicator('firing', { warning: value / 2, critical: value * 10, clear: value / 3 }));
    const run = await call('analyst', 'POST', '/api/risk/evaluate', { indicators: ['firing'] });
    expect(run.statusCode).toBe(200);
    const reply = run.json() as EvaluationRunReply;
    expect(reply).toMatchObject({ trigger: 'manual', evaluated: 1, asOf: preview.snapshot.asOf, snapshotId: preview.snapshot.id });
    expect(reply.transitions.map((x) => x.kind)).toEqual(['breach']);
    [alert] = (await call('executive', 'GET', '/api/risk/alerts?indicator=firing')).json().alerts as Alert[];
  });

  it('lists the alert and the stored evaluation', async () => {
    expect(alert).toMatchObject({ indicatorId: 'firing', indicatorName: 'API firing', level: 'warning', status: 'open', unit: 'percent', acknowledgedBy: null });
    const evaluations = (await call('executive', 'GET', '/api/risk/evaluations?indicator=firing')).json().evaluations as EvaluationRow[];
    expect(evaluations).toHaveLength(1);
    expect(evaluations[0]).toMatchObject({ state: 'warning', previousState: null, trigger: 'manual', value: alert.value });
  });

  it('acknowledges an alert', async () => {
    const res = await call('analyst', 'POST', `/api/risk/alerts/${alert.id}/acknowledge`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: alert.id, acknowledgedBy: 'analyst' });
    expect((await call('analyst', 'POST', '/api/risk/alerts/999999/acknowledge')).statusCode).toBe(404);
  });

  it("snoozes an alert's scope", async () => {
    const until = '2999-01-01T00:00:00.000Z';
    const res = await call('risk_owner', 'POST', `/api/risk/alerts/${alert.id}/snooze`, { until });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: alert.id, snoozedUntil: until });
    const indicatorState = (await call('executive', 'GET', '/api/risk/indicators/firing')).json() as IndicatorWithState;
    expect(indicatorState.states).toMatchObject([{ scope: alert.scope, snoozedUntil: until, alertId: alert.id, state: 'warning' }]);
    const bad = await call('risk_owner', 'POST', `/api/risk/alerts/${alert.id}/snooze`, { until: 'tomorrow' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain("'until'");
  });

  it('queues a test email to the recipients, and refuses one without recipients', async () => {
    const res = await call('analyst', 'POST', '/api/risk/indicators/firing/test-email');
    expect(res.statusCode).toBe(200);
    const message = await getOutboxMessage(t.ctx.db, res.json().outboxId);
    expect(message).toMatchObject({ kind: 'test', recipients: ['ops@example.com'], indicatorId: 'firing' });
    expect(message!.subject).toContain('API firing');
    await call('analyst', 'POST', '/api/risk/indicators', indicator('mute', { recipients: [] }));
    const none = await call('analyst', 'POST', '/api/risk/indicators/mute/test-email');
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toContain("'recipients'");
  });
});
