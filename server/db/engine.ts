import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { isTableName } from '../snapshots/schema.ts';
import { SnapshotDamaged, damagedParts, listSnapshots, readManifest, snapshotDir, type Manifest } from '../snapshots/store.ts';
import { all, ident, literal, openDuck, type Params, type Row } from './duck.ts';

export class NoSnapshot extends Error {
  constructor() {
    super('no snapshot has been published yet: run `npx vigil ingest DIR` (or `npm start` for sample data)');
  }
}

/** The body of a view over one Parquet file (the engine's snapshot schemas and the SQL sandbox both use it). */
export function parquetSelect(file: string): string {
  return `SELECT * FROM read_parquet(${literal(file)})`;
}

/** DuckDB's errors for a Parquet file it cannot read: missing, truncated or with corrupt pages. */
const FILE_READ_FAILURE = /Failed to read file|IO Error|Invalid Input Error|Corrupt|Decompression|magic bytes|No files found/i;

/** One queryable snapshot: its manifest and the schema whose views point at its Parquet files. */
export interface OpenSnapshot {
  manifest: Manifest;
  /** the snapshot's folder, where its Parquet files and rollups are */
  dir: string;
  schema: string;
  tables: Set<string>;
}

/**
 * Owns the analytical DuckDB: every snapshot gets a schema of views named after the canonical
 * tables over its Parquet files, so a query reads `orders` and sees the chosen snapshot.
 */
export class QueryEngine {
  private readonly opened = new Map<string, Promise<OpenSnapshot>>();

  private constructor(private readonly instance: DuckDBInstance, private readonly snapshotsRoot: string) {}

  static async create(snapshotsRoot: string, options: Record<string, string> = {}): Promise<QueryEngine> {
    return new QueryEngine(await openDuck(':memory:', options), snapshotsRoot);
  }

  async newest(): Promise<Manifest | undefined> {
    return (await listSnapshots(this.snapshotsRoot))[0];
  }

  /** The snapshot by id, or the newest published one. */
  async snapshot(id?: string): Promise<OpenSnapshot> {
    const resolvedId = id ?? (await this.newest())?.id;
    if (!resolvedId) throw new NoSnapshot();
    let entry = this.opened.get(resolvedId);
    if (!entry) {
      entry = this.openSnapshot(resolvedId);
      this.opened.set(resolvedId, entry);
      entry.catch(() => this.opened.delete(resolvedId));
    }
    return entry;
  }

  private async openSnapshot(id: string): Promise<OpenSnapshot> {
    const manifest = await readManifest(this.snapshotsRoot, id);
    const schema = `snap_${id.replaceAll('-', '_')}`;
    const dir = snapshotDir(this.snapshotsRoot, id);
    const conn = await this.instance.connect();
    try {
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
      const tables = new Set<string>();
      for (const [table, entry] of Object.entries(manifest.tables)) {
        if (!isTableName(table)) continue;
        await conn.run(`CREATE OR REPLACE VIEW ${ident(schema)}.${ident(table)} AS ${parquetSelect(join(dir, entry.file))}`);
        tables.add(table);
      }
      return { manifest, dir, schema, tables };
    } finally {
      conn.closeSync();
    }
  }

  /** Runs `work` on a fresh connection whose unqualified table names resolve to the snapshot. */
  async withSnapshot<T>(id: string | undefined, work: (conn: DuckDBConnection, snap: OpenSnapshot) => Promise<T>): Promise<T> {
    const snap = await this.snapshot(id);
    const conn = await this.instance.connect();
    try {
      await conn.run(`SET SESSION search_path = ${literal(snap.schema)}`);
      return await work(conn, snap);
    } catch (err) {
      throw await this.damageOr(snap, err);
    } finally {
      conn.closeSync();
    }
  }

  /**
   * Files are verified when a snapshot is opened; one damaged later makes a read fail, which is
   * checked against the manifest's checksums again: the error names the damaged parts (not DuckDB's
   * message with a server path) and the snapshot leaves the cache, so a restored copy is picked up.
   */
  private async damageOr(snap: OpenSnapshot, err: unknown): Promise<unknown> {
    if (!(err instanceof Error) || !FILE_READ_FAILURE.test(err.message)) return err;
    const damaged = await damagedParts(this.snapshotsRoot, snap.manifest);
    if (!damaged.length) return err;
    this.opened.delete(snap.manifest.id);
    return new SnapshotDamaged(snap.manifest.id, damaged);
  }

  /** A parameterised query over a snapshot's tables. */
  query<T extends Row = Row>(snapshotId: string | undefined, sql: string, params?: Params): Promise<T[]> {
    return this.withSnapshot(snapshotId, (conn) => all<T>(conn, sql, params));
  }

  close(): void {
    this.instance.closeSync();
  }
}
