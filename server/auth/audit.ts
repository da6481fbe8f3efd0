// The audit log table: written by the request hook (auditHook.ts), the query runner and the
// outbox sender, read by the Admin page. All SQL on `audit_log` lives here, and it is only ever
// INSERT and SELECT: an audit row cannot be changed or deleted through the app.
import type { AppDb } from '../db/appdb.ts';
import type { Row } from '../db/duck.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import { toCsv } from '../segments/csv.ts';
import type { AuditEntry, AuditEvent, AuditFilter, AuditKind, AuditOutcome } from './auditContract.ts';

export async function recordAudit(db: AppDb, event: AuditEvent): Promise<void> {
  await db.run(
    `INSERT INTO audit_log ("at", username, source, kind, action, target, outcome, status, detail)
     VALUES ($at, $username, $source, $kind, $action, $target, $outcome, $status, $detail)`,
    {
      at: toDbTime(new Date()), username: event.username, source: event.source, kind: event.kind, action: event.action,
      target: event.target, outcome: event.outcome, status: event.status, detail: JSON.stringify(event.detail),
    },
  );
}

/** 'ok' below 400, 'refused' when access control said no (401/403), 'error' otherwise. */
export const outcomeOf = (status: number): AuditOutcome => (status < 400 ? 'ok' : status === 401 || status === 403 ? 'refused' : 'error');

// Every filter is a fixed fragment that a null parameter switches off, so user values are only ever bound.
const WHERE = `WHERE ($kind IS NULL OR kind = $kind)
  AND ($username IS NULL OR username = $username)
  AND ($outcome IS NULL OR outcome = $outcome)
  AND ($from IS NULL OR "at" >= CAST($from AS DATE))
  AND ($to IS NULL OR "at" < CAST($to AS DATE) + INTERVAL 1 DAY)
  AND ($q IS NULL OR contains(lower(action || ' ' || coalesce(target, '') || ' ' || CAST(detail AS VARCHAR)), lower($q)))`;

const filterParams = (f: AuditFilter) => ({
  kind: f.kind ?? null, username: f.username ?? null, outcome: f.outcome ?? null, from: f.from ?? null, to: f.to ?? null, q: f.q ?? null,
});

function toEntry(row: Row): AuditEntry {
  return {
    id: Number(row.id),
    at: fromDbTime(row.at as string),
    username: row.username === null ? null : String(row.username),
    source: row.source === null ? null : String(row.source),
    kind: row.kind as AuditKind,
    action: String(row.action),
    target: row.target === null ? null : String(row.target),
    outcome: row.outcome as AuditOutcome,
    status: row.status === null ? null : Number(row.status),
    detail: JSON.parse(String(row.detail)) as Record<string, unknown>,
  };
}

/** The rows matching the filters, newest first, one page of them, and how many match in all. */
export async function listAudit(db: AppDb, f: AuditFilter): Promise<{ entries: AuditEntry[]; total: number }> {
  const rows = await db.all(
    `SELECT id, "at", username, source, kind, action, target, outcome, status, detail FROM audit_log ${WHERE}
     ORDER BY id DESC LIMIT $limit OFFSET $offset`,
    { ...filterParams(f), limit: f.limit, offset: f.offset },
  );
  const count = await db.one<{ n: number }>(`SELECT count(*) AS n FROM audit_log ${WHERE}`, filterParams(f));
  return { entries: rows.map(toEntry), total: count?.n ?? 0 };
}

const CSV_COLUMNS = ['id', 'at', 'username', 'source', 'kind', 'action', 'target', 'outcome', 'status', 'detail'] as const;

export const auditCsv = (entries: AuditEntry[]): string =>
  toCsv(CSV_COLUMNS, entries.map((e) => ({ ...e, detail: JSON.stringify(e.detail) })));
