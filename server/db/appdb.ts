import { readdir, readFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { all, one, openDuck, type Params, type Row } from './duck.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export class AppDbLocked extends Error {}

/**
 * The app-state database (users, sessions, and later saved queries, rules, risks, outbox, audit).
 * One process owns it; statements run one at a time on a single connection, which keeps
 * DuckDB's single-writer rule and makes each write see the previous one.
 */
export class AppDb {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection) {}

  static async open(path: string): Promise<AppDb> {
    await mkdir(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await openDuck(path);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/lock/i.test(message)) {
        throw new AppDbLocked(`the app-state database ${path} is in use by another process (is another Vigil server running on this data folder?)`);
      }
      throw err;
    }
    const db = new AppDb(instance, await instance.connect());
    await db.migrate();
    return db;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  all<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.serial(() => all<T>(this.conn, sql, params));
  }

  one<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.serial(() => one<T>(this.conn, sql, params));
  }

  run(sql: string, params?: Params): Promise<void> {
    return this.serial(async () => {
      await this.conn.run(sql, params as never);
    });
  }

  /** Several statements that succeed or fail together. */
  transaction<T>(work: (tx: { run: (sql: string, params?: Params) => Promise<void>; all: <R extends Row = Row>(sql: string, params?: Params) => Promise<R[]> }) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.conn.run('BEGIN TRANSACTION');
      try {
        const result = await work({
          run: async (sql, params) => {
            await this.conn.run(sql, params as never);
          },
          all: (sql, params) => all(this.conn, sql, params),
        });
        await this.conn.run('COMMIT');
        return result;
      } catch (err) {
        await this.conn.run('ROLLBACK');
        throw err;
      }
    });
  }

  /** Runs `work` inside the serial queue, so no other statement runs meanwhile (e.g. to copy the database file). */
  exclusive<T>(work: (run: (sql: string) => Promise<void>) => Promise<T>): Promise<T> {
    return this.serial(() => work(async (sql) => {
      await this.conn.run(sql);
    }));
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.one<{ value: string }>('SELECT value FROM settings WHERE key = $key', { key }))?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.run('INSERT OR REPLACE INTO settings (key, value) VALUES ($key, $value)', { key, value });
  }

  /** Applies every migration file not yet applied, in file-name order, each in its own transaction. */
  private async migrate(): Promise<void> {
    await this.run('CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)');
    const applied = new Set((await this.all<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const pending = files.filter((f) => !applied.has(f));
    for (const file of pending) {
      const sql = await readFile(join(MIGRATIONS_DIR, file), 'utf8');
      await this.transaction(async (tx) => {
        await tx.run(sql);
        await tx.run('INSERT INTO schema_migrations (name) VALUES ($name)', { name: file });
      });
    }
    // Schema changes go from the write-ahead log into the file at once: DuckDB cannot replay an
    // ALTER TABLE from the log after a crash (duckdb/duckdb#18259, #20543), so a server killed
    // before its first clean close could not open its database again.
    if (pending.length) await this.run('CHECKPOINT');
  }

  async close(): Promise<void> {
    await this.queue;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
