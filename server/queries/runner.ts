// Runs analysts' SQL (the workbench, the CLI, saved queries, dashboards and query indicators all
// come through here): picks the snapshot, opens a sandbox for the user, enforces the time and
// row limits, lets a run be cancelled by its owner, and records each run in the user's history
// and the audit log.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { recordAudit } from '../auth/audit.ts';
import type { User } from '../auth/users.ts';
import type { DataPaths } from '../config.ts';
import type { AppDb } from '../db/appdb.ts';
import type { OpenSnapshot, QueryEngine } from '../db/engine.ts';
import { isTableName } from '../snapshots/schema.ts';
import { DEFAULT_TIMEOUT_MS, type HistoryEntry, type RunBody, type RunReply, type SchemaReply } from './contract.ts';
import { recordRun, userHistory, type HistoryRecord } from './history.ts';
import { resultColumns } from './jsonValues.ts';
import { maskedCustomers } from './maskedCustomers.ts';
import { Sandbox, SandboxError, type SandboxFiles } from './sandbox.ts';
import { snapshotSchema } from './schema.ts';
import { statementBody } from './sqlText.ts';

export { SandboxError } from './sandbox.ts';

export interface RunnerDeps {
  db: AppDb;
  engine: QueryEngine;
  paths: DataPaths;
}

export interface RunOptions {
  timeoutMs?: number;
  /** false: not written to the user's history nor the audit log (dashboard tiles, indicator evaluation) */
  record?: boolean;
  /** the client's address, for the audit log */
  source?: string;
  /** the API token the request came with, for the audit log */
  tokenId?: string;
}

const STATUS_OF: Partial<Record<SandboxError['code'], HistoryEntry['status']>> = { timeout: 'timeout', cancelled: 'cancelled' };

/** The client's id (so that it can cancel), or a fresh one. */
const runIdOf = (body: RunBody) => body.runId ?? randomBytes(12).toString('hex');

/** The same run in the audit log, where an admin sees everyone's queries. */
function auditRun(db: AppDb, runId: string, run: HistoryRecord, opts: RunOptions): Promise<void> {
  return recordAudit(db, {
    username: run.username, source: opts.source ?? null, kind: 'query', action: 'run', target: runId, outcome: run.status === 'ok' ? 'ok' : 'error', status: null,
    detail: {
      sql: run.sql, values: run.values, rowCount: run.rowCount, elapsedMs: Math.round(run.elapsedMs), status: run.status,
      snapshotId: run.snapshotId, error: run.error, ...(opts.tokenId ? { token: opts.tokenId } : {}),
    },
  });
}

interface Running {
  username: string;
  /** set once the sandbox is open */
  sandbox?: Sandbox;
  cancelled?: boolean;
}

export class QueryRunner {
  /** runs in progress by run id, registered before anything is awaited so that a cancel never misses one */
  private readonly running = new Map<string, Running>();

  constructor(private readonly deps: RunnerDeps) {}

  /** The files a user's sandbox may read: the snapshot's tables, customers masked unless the user has pii. */
  private async views(snap: OpenSnapshot, user: User): Promise<Record<string, string>> {
    const views: Record<string, string> = {};
    for (const [table, entry] of Object.entries(snap.manifest.tables)) {
      if (!isTableName(table) || !entry) continue;
      const file = join(snap.dir, entry.file);
      views[table] = table === 'customers' && !user.pii ? await maskedCustomers(this.deps.paths, snap.manifest.id, file) : file;
    }
    return views;
  }

  /**
   * Registers the run under `runId`, opens a sandbox over the files `prepare` names, runs `work`
   * within the time limit and closes the sandbox whatever happened.
   */
  private async inSandbox<T>(runId: string, user: User, timeoutMs: number, prepare: () => Promise<SandboxFiles>, work: (sandbox: Sandbox) => Promise<T>): Promise<T> {
    if (this.running.has(runId)) throw new SandboxError('sql_error', `a run with id ${runId} is already running`);
    const run: Running = { username: user.username };
    this.running.set(runId, run);
    try {
      const sandbox = await Sandbox.open(await prepare());
      run.sandbox = sandbox;
      if (run.cancelled) sandbox.stop('cancelled');
      return await sandbox.limited(timeoutMs, () => work(sandbox));
    } finally {
      this.running.delete(runId);
      run.sandbox?.close();
    }
  }

  async run(body: RunBody, user: User, opts: RunOptions = {}): Promise<RunReply> {
    const runId = runIdOf(body);
    const startedAt = new Date();
    let snap: OpenSnapshot | undefined;
    const record = async (rowCount: number | null, status: HistoryEntry['status'], error: string | null) => {
      if (opts.record === false) return;
      const run = {
        username: user.username, sql: body.sql, values: body.values, snapshotId: snap?.manifest.id ?? null, startedAt,
        elapsedMs: Date.now() - startedAt.getTime(), rowCount, status, error,
      };
      await recordRun(this.deps.db, run);
      await auditRun(this.deps.db, runId, run, opts);
    };
    try {
      const result = await this.inSandbox(runId, user, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, async () => {
        snap = await this.deps.engine.snapshot(body.snapshot);
        return { views: await this.views(snap, user) };
      }, async (sandbox) => sandbox.read(await sandbox.prepare(body.sql, body.params, body.values), body.limit));
      const { manifest } = snap!;
      const reply: RunReply = {
        runId,
        snapshot: { id: manifest.id, asOf: manifest.asOf },
        columns: resultColumns(result.names, result.types),
        rows: result.rows,
        rowCount: result.rows.length,
        truncated: result.truncated,
        elapsedMs: Date.now() - startedAt.getTime(),
        masked: !user.pii,
      };
      await record(reply.rowCount, 'ok', null);
      return reply;
    } catch (err) {
      if (err instanceof SandboxError) await record(null, STATUS_OF[err.code] ?? 'error', err.message);
      throw err;
    }
  }

  /** Stops a run of the user's own (an admin may stop anyone's); false when there is no such run. */
  cancel(runId: string, user: User): boolean {
    const run = this.running.get(runId);
    if (!run || (run.username !== user.username && user.role !== 'admin')) return false;
    run.cancelled = true;
    run.sandbox?.stop('cancelled');
    return true;
  }

  /** The same for every user: masking changes the values, not the tables or columns. */
  async schema(snapshotId: string | undefined, _user: User): Promise<SchemaReply> {
    return snapshotSchema(await this.deps.engine.snapshot(snapshotId));
  }

  history(user: User, limit = 100): Promise<HistoryEntry[]> {
    return userHistory(this.deps.db, user.username, limit);
  }

  /**
   * Writes the whole result to `path` (downloads): the statement is checked exactly as for a run,
   * then wrapped as `COPY (<statement>) TO <path>` in the same sandbox, where `path` is the only
   * file that may be written.
   */
  async toFile(body: RunBody, user: User, format: 'csv' | 'parquet', path: string): Promise<{ rowCount: number }> {
    const runId = runIdOf(body);
    const rowCount = await this.inSandbox(runId, user, DEFAULT_TIMEOUT_MS, async () => {
      const snap = await this.deps.engine.snapshot(body.snapshot);
      return { views: await this.views(snap, user), output: path };
    }, async (sandbox) => {
      await sandbox.prepare(body.sql, body.params, body.values);
      return sandbox.copy(statementBody(body.sql), body.params, body.values, path, format);
    });
    return { rowCount };
  }
}
