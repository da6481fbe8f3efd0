// The outbox table: every email is written here first, keyed so that one transition is one row,
// and the sender delivers rows from here. All SQL on `outbox` lives in this module.
import type { AppDb } from '../db/appdb.ts';
import type { Row } from '../db/duck.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import type { MessageKind, OutboxDetail, OutboxMessage } from '../risk/contract.ts';
import type { Mail } from './transport.ts';

/** A message to queue: the mail itself (its id comes from the table) and what it is about. */
export interface NewMessage extends Omit<Mail, 'id'> {
  indicatorId?: string | null;
  alertId?: number | null;
}


const COLUMNS = `id, key, kind, recipients, subject, indicator_id, alert_id, status, attempts, next_attempt_at,
  last_error, created_at, sent_at, transport, message_id, file`;

function toMessage(row: Row): OutboxMessage {
  return {
    id: Number(row.id),
    key: String(row.key),
    kind: row.kind as MessageKind,
    recipients: JSON.parse(String(row.recipients)) as string[],
    subject: String(row.subject),
    indicatorId: row.indicator_id === null ? null : String(row.indicator_id),
    alertId: row.alert_id === null ? null : Number(row.alert_id),
    status: row.status as OutboxMessage['status'],
    attempts: Number(row.attempts),
    nextAttemptAt: fromDbTime(row.next_attempt_at)!,
    lastError: row.last_error === null ? null : String(row.last_error),
    createdAt: fromDbTime(row.created_at)!,
    sentAt: fromDbTime(row.sent_at),
    transport: row.transport as OutboxMessage['transport'],
    file: row.file === null ? null : String(row.file),
  };
}

/** Writes a message unless one with the same key exists: a repeated transition is not queued twice. */
export async function enqueueMessage(db: AppDb, m: NewMessage, now = new Date()): Promise<{ id: number; inserted: boolean }> {
  const inserted = await db.all<{ id: number }>(
    `INSERT INTO outbox (key, kind, recipients, subject, text, html, indicator_id, alert_id, status, next_attempt_at, created_at)
     VALUES ($key, $kind, $recipients, $subject, $text, $html, $indicatorId, $alertId, 'pending', $now::TIMESTAMP, $now::TIMESTAMP)
     ON CONFLICT (key) DO NOTHING
     RETURNING id`,
    {
      key: m.key, kind: m.kind, recipients: JSON.stringify(m.recipients), subject: m.subject, text: m.text, html: m.html,
      indicatorId: m.indicatorId ?? null, alertId: m.alertId ?? null, now: toDbTime(now),
    },
  );
  if (inserted.length) return { id: Number(inserted[0].id), inserted: true };
  const existing = await db.one<{ id: number }>('SELECT id FROM outbox WHERE key = $key', { key: m.key });
  return { id: Number(existing!.id), inserted: false };
}

/** Account mails carry one-time sign-in links, so only admins may read them in the outbox. */
export interface OutboxReader {
  accountMail: boolean;
}

const SERVER_READER: OutboxReader = { accountMail: true };

/** Newest first, optionally one status. */
export async function listOutbox(db: AppDb, q: { status?: OutboxMessage['status']; limit: number }, reader: OutboxReader = SERVER_READER): Promise<OutboxMessage[]> {
  const rows = await db.all(
    `SELECT ${COLUMNS} FROM outbox WHERE ($status IS NULL OR status = $status) AND ($account OR kind <> 'account') ORDER BY id DESC LIMIT $limit`,
    { status: q.status ?? null, limit: q.limit, account: reader.accountMail },
  );
  return rows.map(toMessage);
}

export async function getOutboxMessage(db: AppDb, id: number, reader: OutboxReader = SERVER_READER): Promise<OutboxDetail | undefined> {
  const row = await db.one(`SELECT ${COLUMNS}, text, html FROM outbox WHERE id = $id AND ($account OR kind <> 'account')`, { id, account: reader.accountMail });
  return row ? { ...toMessage(row), text: String(row.text), html: String(row.html) } : undefined;
}

/** What the sender needs of a row to deliver it. */
export interface DueMessage extends Mail {
  attempts: number;
}

/** Pending rows whose next attempt is due, oldest first. */
export async function dueMessages(db: AppDb, now: Date, limit = 50): Promise<DueMessage[]> {
  const rows = await db.all(
    `SELECT id, key, kind, recipients, subject, text, html, attempts FROM outbox
     WHERE status = 'pending' AND next_attempt_at <= $now::TIMESTAMP ORDER BY id LIMIT $limit`,
    { now: toDbTime(now), limit },
  );
  return rows.map((r) => ({
    id: Number(r.id), key: String(r.key), kind: r.kind as MessageKind, recipients: JSON.parse(String(r.recipients)) as string[],
    subject: String(r.subject), text: String(r.text), html: String(r.html), attempts: Number(r.attempts),
  }));
}

/** Still pending? A row another drain already delivered must not go out again. */
export async function isPending(db: AppDb, id: number): Promise<boolean> {
  return (await db.one<{ status: string }>('SELECT status FROM outbox WHERE id = $id', { id }))?.status === 'pending';
}

export async function markSent(db: AppDb, id: number, d: { at: Date; transport: 'smtp' | 'file'; messageId: string; file: string | null }): Promise<void> {
  await db.run(
    `UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $at::TIMESTAMP, transport = $transport,
       message_id = $messageId, file = $file, last_error = NULL WHERE id = $id`,
    { id, at: toDbTime(d.at), transport: d.transport, messageId: d.messageId, file: d.file },
  );
}

/** Records a failed attempt; `failed` = gave up (an admin can retry). */
export async function markAttemptFailed(db: AppDb, id: number, d: { error: string; nextAttemptAt: Date; failed: boolean }): Promise<void> {
  await db.run(
    `UPDATE outbox SET attempts = attempts + 1, last_error = $error, next_attempt_at = $next::TIMESTAMP,
       status = CASE WHEN $failed THEN 'failed' ELSE 'pending' END WHERE id = $id`,
    { id, error: d.error.slice(0, 2000), next: toDbTime(d.nextAttemptAt), failed: d.failed },
  );
}

/** Puts a given-up row back in the queue, due now; false when the row is not failed. */
export async function retryMessage(db: AppDb, id: number, now = new Date()): Promise<boolean> {
  const rows = await db.all(
    `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $now::TIMESTAMP
     WHERE id = $id AND status = 'failed' RETURNING id`,
    { id, now: toDbTime(now) },
  );
  return rows.length > 0;
}
