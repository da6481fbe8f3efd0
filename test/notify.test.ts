import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppDb } from '../server/db/appdb.ts';
import { alertMessage, digestMessage, testMessage } from '../server/notify/messages.ts';
import { enqueueMessage, getOutboxMessage, listOutbox } from '../server/notify/outbox.ts';
import { OutboxSender } from '../server/notify/sender.ts';
import { messageIdOf } from '../server/notify/transport.ts';
import type { Alert, OutboxDetail, OutboxReply } from '../server/risk/contract.ts';
import { injectAs, makeTestApp, tempDir, type TestApp } from './helpers/app.ts';
import { APP_URL, RISK, breach, breachMessage, indicator, recent } from './fixtures/notifyData.ts';
import { freePort, parseMail, startSmtpPeer, type SmtpPeer } from './fixtures/smtpPeer.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const thousands = (n: number) => n.toLocaleString('en-US');

describe('outbox over a real SMTP peer', () => {
  let dir: string;
  let db: AppDb;
  let peer: SmtpPeer | undefined;
  const senders: OutboxSender[] = [];
  const sender = (opts: Partial<Parameters<typeof OutboxSender.create>[1]>) => {
    const s = OutboxSender.create(db, { outboxDir: join(dir, 'outbox'), ...opts });
    senders.push(s);
    return s;
  };

  beforeEach(async () => {
    dir = await tempDir('notify');
    db = await AppDb.open(join(dir, 'app.duckdb'));
  });

  afterEach(async () => {
    for (const s of senders.splice(0)) await s.stop();
    await peer?.close();
    peer = undefined;
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers an alert email whose subject, text and HTML carry the value, sample, thresholds, risk, link and weekly table', async () => {
    peer = await startSmtpPeer();
    const message = breachMessage(41);
    await enqueueMessage(db, message);
    expect(await sender({ smtpUrl: peer.url, from: 'Vigil <alerts@example.test>' }).drain()).toBe(1);

    expect(peer.received).toHaveLength(1);
    const mail = parseMail(peer.received[0]);
    const t = breach(41);
    const value = pct(t.measurement.value!);
    const sample = `${thousands(t.measurement.numerator!)} of ${thousands(t.measurement.denominator!)}`;

    expect(mail.headers.get('subject')).toContain('[Vigil CRITICAL]');
    expect(mail.headers.get('subject')).toContain(`${indicator.name} — JD`);
    expect(mail.headers.get('subject')).toContain(value);
    expect(mail.headers.get('subject')).toContain(pct(indicator.critical));
    expect(mail.headers.get('to')).toBe('risk@example.test');
    expect(mail.headers.get('from')).toContain('alerts@example.test');
    expect(mail.headers.get('message-id')).toBe(messageIdOf(message.key));

    const weekEnds = [0, 7, 14].map((back) => recent[recent.length - 1 - back]);
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(value);
      expect(body).toContain(sample);
      for (const threshold of [indicator.warning, indicator.critical, indicator.clear]) expect(body).toContain(pct(threshold));
      expect(body).toContain(RISK.id);
      expect(body).toContain(`${APP_URL}/risk?alert=41`);
      expect(body).toContain(`${APP_URL}/risk/indicators/${indicator.id}`);
      for (const week of weekEnds) {
        expect(body).toContain(week.date);
        expect(body).toContain(pct(week.value!));
      }
    }
    expect(mail.text).toContain(RISK.title);
    // every value is escaped in the HTML, and the bars are table cells, not images
    expect(mail.html).toContain('Refunds &lt;rising&gt; &amp; margin &quot;leak&quot;');
    expect(mail.html).not.toContain('<rising>');
    expect(mail.html).toMatch(/<td style="background:#[0-9a-f]{6};width:\d+px/);
    expect(mail.html).not.toContain('<img');

    const row = (await listOutbox(db, { limit: 10 }))[0];
    expect(row).toMatchObject({ status: 'sent', transport: 'smtp', attempts: 1, lastError: null, alertId: 41, indicatorId: indicator.id });
  });

  it('queues a repeated key once and delivers it once', async () => {
    peer = await startSmtpPeer();
    const first = await enqueueMessage(db, breachMessage(5));
    const again = await enqueueMessage(db, breachMessage(5));
    expect(first.inserted).toBe(true);
    expect(again).toEqual({ id: first.id, inserted: false });
    expect(await listOutbox(db, { limit: 10 })).toHaveLength(1);

    const s = sender({ smtpUrl: peer.url });
    expect(await s.drain()).toBe(1);
    expect(await s.drain()).toBe(0);
    expect(peer.received).toHaveLength(1);
  });

  it('never has one row in flight twice when drains overlap', async () => {
    peer = await startSmtpPeer();
    for (const alertId of [1, 2, 3]) await enqueueMessage(db, breachMessage(alertId));
    const s = sender({ smtpUrl: peer.url });
    s.wake();
    const counts = await Promise.all([s.drain(), s.drain(), s.drain()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3);
    expect(peer.received).toHaveLength(3);
    expect(new Set(peer.received.map((raw) => parseMail(raw).headers.get('message-id'))).size).toBe(3);
  });

  it('keeps the message pending while the peer is down and delivers it exactly once when the peer comes up', async () => {
    const port = await freePort();
    let clock = new Date();
    const s = sender({ smtpUrl: `smtp://127.0.0.1:${port}`, backoffMs: 60_000, now: () => clock });
    const { id } = await enqueueMessage(db, breachMessage(9), clock);

    expect(await s.drain()).toBe(0);
    const afterFailure = await getOutboxMessage(db, id);
    expect(afterFailure).toMatchObject({ status: 'pending', attempts: 1, sentAt: null });
    expect(afterFailure!.lastError).toBeTruthy();

    peer = await startSmtpPeer(port);
    expect(await s.drain()).toBe(0); // the backoff has not passed yet
    expect(peer.received).toHaveLength(0);

    clock = new Date(clock.getTime() + 61_000);
    expect(await s.drain()).toBe(1);
    expect(await s.drain()).toBe(0);
    expect(peer.received).toHaveLength(1);
    expect(parseMail(peer.received[0]).headers.get('message-id')).toBe(messageIdOf(breachMessage(9).key));
    expect(await getOutboxMessage(db, id)).toMatchObject({ status: 'sent', attempts: 2, transport: 'smtp' });
  });

  it('gives a row up as failed after the maximum attempts, with the backoff doubling', async () => {
    const port = await freePort();
    let clock = new Date();
    const s = sender({ smtpUrl: `smtp://127.0.0.1:${port}`, backoffMs: 1_000, maxAttempts: 3, now: () => clock });
    const { id } = await enqueueMessage(db, breachMessage(3), clock);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = clock.getTime();
      await s.drain();
      const row = (await getOutboxMessage(db, id))!;
      delays.push(Date.parse(row.nextAttemptAt) - before);
      clock = new Date(Date.parse(row.nextAttemptAt));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    expect(await getOutboxMessage(db, id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await s.drain()).toBe(0);
  });
});

describe('outbox without SMTP and its API', () => {
  let t: TestApp;
  let peer: SmtpPeer | undefined;
  const saved = process.env.VIGIL_SMTP_URL;

  beforeEach(async () => {
    delete process.env.VIGIL_SMTP_URL;
    t = await makeTestApp();
  });

  afterEach(async () => {
    await peer?.close();
    peer = undefined;
    await t.close();
    if (saved !== undefined) process.env.VIGIL_SMTP_URL = saved;
  });

  it('writes a parseable .eml into data/outbox, marks the row sent by file and lists it', async () => {
    const message = breachMessage(12);
    const { id } = await enqueueMessage(t.ctx.db, message);
    expect(await t.ctx.outbox.drain()).toBe(1);

    const files = await readdir(t.paths.outbox);
    expect(files).toEqual([`${id}-breach.eml`]);
    const mail = parseMail(await readFile(join(t.paths.outbox, files[0]), 'utf8'));
    expect(mail.headers.get('subject')).toBe(message.subject);
    expect(mail.headers.get('to')).toBe('risk@example.test');
    expect(mail.headers.get('message-id')).toBe(messageIdOf(message.key));
    expect(mail.text).toBe(message.text);
    expect(mail.html).toBe(message.html);

    const list = await injectAs(t, 'executive', { method: 'GET', url: '/api/notify/outbox' });
    expect(list.statusCode).toBe(200);
    const reply = list.json<OutboxReply>();
    // the folder is a server path: only admins see where messages go, everyone else only how
    expect(reply.transport).toEqual({ kind: 'file' });
    for (const role of ['analyst', 'risk_owner'] as const) {
      expect((await injectAs(t, role, { method: 'GET', url: '/api/notify/outbox' })).json<OutboxReply>().transport).toEqual({ kind: 'file' });
    }
    expect((await injectAs(t, 'admin', { method: 'GET', url: '/api/notify/outbox' })).json<OutboxReply>().transport).toEqual({ kind: 'file', folder: t.paths.outbox });
    expect(reply.messages).toHaveLength(1);
    expect(reply.messages[0]).toMatchObject({ id, key: message.key, status: 'sent', transport: 'file', file: join(t.paths.outbox, files[0]), subject: message.subject });

    const detail = await injectAs(t, 'risk_owner', { method: 'GET', url: `/api/notify/outbox/${id}` });
    expect(detail.statusCode).toBe(200);
    expect(detail.json<OutboxDetail>()).toMatchObject({ id, text: message.text, html: message.html });

    expect((await injectAs(t, 'analyst', { method: 'GET', url: '/api/notify/outbox?status=pending' })).json<OutboxReply>().messages).toEqual([]);
    expect((await injectAs(t, 'analyst', { method: 'GET', url: `/api/notify/outbox/${id + 100}` })).statusCode).toBe(404);
    expect((await injectAs(t, 'analyst', { method: 'GET', url: '/api/notify/outbox?status=lost' })).statusCode).toBe(400);
    expect((await injectAs(t, undefined, { method: 'GET', url: '/api/notify/outbox' })).statusCode).toBe(401);
  });

  it('lets only an admin put a failed message back in the queue', async () => {
    const port = await freePort();
    const failing = OutboxSender.create(t.ctx.db, { smtpUrl: `smtp://127.0.0.1:${port}`, outboxDir: t.paths.outbox, maxAttempts: 1 });
    const { id } = await enqueueMessage(t.ctx.db, breachMessage(20));
    await failing.drain();
    await failing.stop();
    expect(await getOutboxMessage(t.ctx.db, id)).toMatchObject({ status: 'failed', attempts: 1 });

    expect((await injectAs(t, 'risk_owner', { method: 'POST', url: `/api/notify/outbox/${id}/retry` })).statusCode).toBe(403);
    const retried = await injectAs(t, 'admin', { method: 'POST', url: `/api/notify/outbox/${id}/retry` });
    expect(retried.statusCode).toBe(200);
    expect(retried.json<OutboxDetail>()).toMatchObject({ id, status: 'pending', attempts: 0 });

    await t.ctx.outbox.drain();
    expect(await getOutboxMessage(t.ctx.db, id)).toMatchObject({ status: 'sent', transport: 'file' });
    expect((await injectAs(t, 'admin', { method: 'POST', url: `/api/notify/outbox/${id}/retry` })).statusCode).toBe(409);
  });
});

describe('message kinds', () => {
  const render = (kind: 'escalation' | 'recovery' | 'renotify', patch: Partial<ReturnType<typeof breach>> = {}) =>
    alertMessage({ transition: { ...breach(8), kind, ...patch }, indicator, unit: 'percent', recent, risk: null, appUrl: APP_URL });

  it('tags a recovery as recovered against the clear threshold and says the alert is closed', () => {
    const value = 0.018;
    const m = render('recovery', { from: 'recovering', to: 'ok', level: 'ok', measurement: { value, numerator: 36, denominator: 2000 } });
    expect(m.subject).toMatch(/^\[Vigil RECOVERED\] Refund rate — JD: /);
    expect(m.subject).toContain(pct(value));
    expect(m.subject).toContain(pct(indicator.clear));
    expect(m.text).toContain('closed');
    expect(m.text).toContain('Risk:');
    expect(m.text).toContain('not linked');
  });

  it('names an escalation and a reminder in subject and text', () => {
    const escalation = render('escalation', { from: 'warning' });
    expect(escalation.subject).toMatch(/^\[Vigil CRITICAL\]/);
    expect(escalation.text).toContain('warning to critical');
    const reminder = render('renotify', { from: 'critical' });
    expect(reminder.subject).toMatch(/^\[Vigil CRITICAL\].*still open/);
  });

  it('writes a test email and a digest of open alerts', () => {
    const test = testMessage(indicator, 'percent', APP_URL);
    expect(test.subject).toContain(indicator.name);
    expect(test.text).toContain(`${APP_URL}/risk/indicators/${indicator.id}`);
    expect(test.text).toContain(pct(indicator.critical));

    const alert = (id: number, level: Alert['level'], scopeLabel: string, value: number): Alert => ({
      id, indicatorId: indicator.id, indicatorName: indicator.name, scope: scopeLabel, scopeLabel, level, status: 'open', state: level,
      openedAt: '2026-11-20T07:00:00Z', openedAsOf: '2026-11-19', closedAt: null, value, numerator: null, denominator: null, unit: 'percent',
      thresholds: { warning: indicator.warning, critical: indicator.critical, clear: indicator.clear }, riskId: RISK.id, riskTitle: RISK.title,
      acknowledgedBy: null, acknowledgedAt: null, snoozedUntil: null,
    });
    const digest = digestMessage([alert(1, 'critical', 'JD', 0.05), alert(2, 'warning', 'Tmall', 0.03)], APP_URL);
    expect(digest.subject).toContain('2 open alerts (1 critical)');
    for (const part of ['JD', 'Tmall', pct(0.05), pct(0.03), RISK.id]) expect(digest.text).toContain(part);
    expect(digest.html).toContain('Refunds &lt;rising&gt;');
  });
});
