// The built-in indicators backtested on a generated sample: every planted incident of
// incidents.json raises an alert of its indicator, in its scope, starting inside its window, and
// no alert turns critical outside the incidents. The same through `vigil evaluate --backtest`;
// and a live `vigil evaluate` run on an incident's last day.
import { spawnSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../server/auth/users.ts';
import { dataPaths } from '../server/config.ts';
import { AppDb } from '../server/db/appdb.ts';
import { QueryEngine } from '../server/db/engine.ts';
import { KpiEngine } from '../server/metrics/engine.ts';
import type { EvaluationRunReply, IndicatorInput } from '../server/risk/contract.ts';
import { backtest, type BacktestRow } from '../server/risk/backtest.ts';
import { builtinIndicators } from '../server/risk/library.ts';
import { generateSample } from '../server/sample/generate.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { tempDir } from './helpers/app.ts';

interface Incident {
  id: string;
  indicator: string;
  scope: Record<string, string>;
  start: string;
  end: string;
}

const VIGIL = resolve(import.meta.dirname, '../server/vigil.js');
const END = '2026-11-25';
// no SMTP server: messages go to the data folder's outbox
const vigil = (args: string[]) => spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, VIGIL_SMTP_URL: '' } });

/** The incident's scope field holding each split dimension's breakdown key (a product's key is its SKU). */
const SCOPE_FIELD: Record<string, string> = { platform: 'platform_id', carrier: 'carrier', product: 'sku', promotion: 'promotion_id' };

const daysBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

describe('backtest of the built-in indicators on generated data', () => {
  let root: string;
  let incidents: Incident[];
  let indicators: IndicatorInput[];
  let rows: BacktestRow[];
  let from: string;

  /** The built-in indicator watching the incident's KPI, and the scope key the incident lives in. */
  function watcher(incident: Incident): { indicator: IndicatorInput; scope: string } {
    const indicator = indicators.find((i) => i.kpi === incident.indicator);
    if (!indicator) throw new Error(`no built-in indicator watches ${incident.indicator}`);
    if (!indicator.splitBy) return { indicator, scope: '' };
    const scope = incident.scope[SCOPE_FIELD[indicator.splitBy]];
    if (!scope) throw new Error(`${indicator.id} splits by ${indicator.splitBy}, which incident ${incident.id} does not name`);
    return { indicator, scope };
  }

  const inIncident = (day: string) => incidents.some((i) => day >= i.start && day <= i.end);

  beforeAll(async () => {
    root = await tempDir('risk-backtest');
    await generateSample({ out: join(root, 'sample'), orders: 60_000, end: END, seed: 7 });
    await ingest({ input: join(root, 'sample'), snapshotsRoot: join(root, 'snapshots') });
    incidents = (JSON.parse(await readFile(join(root, 'sample', 'incidents.json'), 'utf8')) as { incidents: Incident[] }).incidents;
    from = daysBefore(incidents.map((i) => i.start).sort()[0], 30);
    indicators = builtinIndicators('risk');
    const engine = await QueryEngine.create(join(root, 'snapshots'));
    try {
      rows = await backtest({ kpis: await KpiEngine.create(engine), engine, snapshotsRoot: join(root, 'snapshots') }, indicators, { from, to: END });
    } finally {
      engine.close();
    }
  }, 180_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('has planted incidents to find', () => {
    expect(incidents.length).toBeGreaterThanOrEqual(5);
  });

  it('catches every planted incident: an alert of its indicator, in its scope, starting inside its window', () => {
    for (const incident of incidents) {
      const { indicator, scope } = watcher(incident);
      const alerts = rows.filter((r) => r.indicatorId === indicator.id && r.scope === scope && r.kind === 'breach');
      const inWindow = alerts.filter((r) => r.date >= incident.start && r.date <= incident.end);
      expect(inWindow.length, `${incident.id}: breaches of ${indicator.id}/${scope}: ${alerts.map((a) => a.date).join(', ') || 'none'}`).toBeGreaterThan(0);
      expect(['warning', 'critical']).toContain(inWindow[0].to);
    }
  });

  it('raises no critical alert outside the incident windows', () => {
    // an alert that began inside an incident may escalate after the window closes: it is the same alert
    const startedInside = new Map<string, boolean>();
    const outside: BacktestRow[] = [];
    for (const r of rows) {
      const key = `${r.indicatorId}\u0000${r.scope}`;
      if (r.kind === 'breach') startedInside.set(key, inIncident(r.date));
      if (r.to === 'critical' && !inIncident(r.date) && !startedInside.get(key)) outside.push(r);
    }
    expect(outside.map((r) => `${r.date} ${r.indicatorId} ${r.scope}`)).toEqual([]);
  });

  it('`vigil evaluate --backtest` prints each incident\u2019s breach inside its window', () => {
    const res = vigil(['evaluate', '--backtest', '--from', from, '--to', END, '--data', root]);
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(/^date\s+indicator\s+scope\s+transition\s+value$/);
    for (const incident of incidents) {
      const { indicator, scope } = watcher(incident);
      const printed = lines.filter((l) => {
        const date = l.slice(0, 10);
        return date >= incident.start && date <= incident.end && l.includes(` ${indicator.id} `) && l.includes(scope) && l.includes('(breach)');
      });
      expect(printed.length, `${incident.id} in:\n${res.stdout}`).toBeGreaterThan(0);
    }
  }, 120_000);

  it('`vigil evaluate` refuses while another process holds the app-state database', async () => {
    const db = await AppDb.open(dataPaths(root).appDb);
    try {
      const res = vigil(['evaluate', '--data', root]);
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/^vigil: the app-state database .* is in use by another process/);
    } finally {
      await db.close();
    }
  });

  it('`vigil evaluate --as-of` on the last day of an incident opens its alert and writes the email to the outbox', async () => {
    const db = await AppDb.open(dataPaths(root).appDb);
    await createUser(db, { username: 'boss', displayName: 'Boss', role: 'admin', pii: false, password: 'a-long-password-1' });
    await db.close();
    const incident = [...incidents].sort((a, b) => (a.start < b.start ? -1 : 1))[0];
    const { indicator, scope } = watcher(incident);
    const res = vigil(['evaluate', '--as-of', incident.end, '--json', '--data', root]);
    expect(res.status, res.stderr).toBe(0);
    const reply = JSON.parse(res.stdout) as EvaluationRunReply;
    expect(reply.asOf).toBe(incident.end);
    expect(reply.transitions.filter((t) => t.indicatorId === indicator.id && t.scope === scope).map((t) => t.kind)).toEqual(['breach']);
    const emails = await readdir(dataPaths(root).outbox);
    expect(emails.filter((f) => f.endsWith('.eml')).length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
