// Each user's run history (query_history): written by every run, read back by the workbench.
import type { AppDb } from '../db/appdb.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import type { HistoryEntry, ParamValues } from './contract.ts';

export interface HistoryRecord {
  username: string;
  sql: string;
  values: ParamValues;
  snapshotId: string | null;
  startedAt: Date;
  elapsedMs: number;
  rowCount: number | null;
  status: HistoryEntry['status'];
  error: string | null;
}

export async function recordRun(db: AppDb, run: HistoryRecord): Promise<void> {
  await db.run(
    `INSERT INTO query_history (username, sql, param_values, snapshot_id, started_at, elapsed_ms, row_count, status, error)
     VALUES ($username, $sql, $values, $snapshot, $started, $elapsed, $rows, $status, $error)`,
    {
      username: run.username, sql: run.sql, values: JSON.stringify(run.values), snapshot: run.snapshotId,
      started: toDbTime(run.startedAt), elapsed: Math.round(run.elapsedMs), rows: run.rowCount, status: run.status, error: run.error,
    },
  );
}

interface HistoryRow {
  id: number;
  sql: string;
  param_values: string;
  snapshot_id: string | null;
  started_at: string;
  elapsed_ms: number;
  row_count: number | null;
  status: HistoryEntry['status'];
  error: string | null;
  [key: string]: string | number | null;
}

/** The user's latest runs, newest first. */
export async function userHistory(db: AppDb, username: string, limit: number): Promise<HistoryEntry[]> {
  const rows = await db.all<HistoryRow>(
    `SELECT id, sql, param_values, snapshot_id, started_at, elapsed_ms, row_count, status, error
     FROM query_history WHERE username = $username ORDER BY id DESC LIMIT $limit`,
    { username, limit },
  );
  return rows.map((r) => ({
    id: r.id, sql: r.sql, values: JSON.parse(r.param_values) as ParamValues, snapshotId: r.snapshot_id,
    startedAt: fromDbTime(r.started_at), elapsedMs: r.elapsed_ms, rowCount: r.row_count, status: r.status, error: r.error,
  }));
}
