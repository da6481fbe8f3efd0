// What the planner needs to know about a snapshot: the tables it has and its rollups.
import { dirname } from 'node:path';
import { all } from '../db/duck.ts';
import type { OpenSnapshot, QueryEngine } from '../db/engine.ts';
import type { SnapshotData } from './plan.ts';
import { loadRollups } from './rollups.ts';

/**
 * The snapshot's folder. QueryEngine does not expose it, but each of its views reads a Parquet
 * file of that folder by absolute path, and DuckDB keeps the view's definition.
 */
async function snapshotFolder(queries: QueryEngine, snap: OpenSnapshot): Promise<string> {
  const [row] = await queries.withSnapshot(snap.manifest.id, (conn) =>
    all(conn, 'SELECT sql FROM duckdb_views() WHERE schema_name = $schema AND NOT internal LIMIT 1', { schema: snap.schema }));
  const file = /read_parquet\('((?:[^']|'')*)'\)/.exec(String(row?.sql ?? ''))?.[1];
  if (!file) throw new Error(`cannot locate the files of snapshot ${snap.manifest.id}`);
  return dirname(file.replaceAll("''", "'"));
}

export async function loadSnapshotData(queries: QueryEngine, snap: OpenSnapshot, withRollups: boolean): Promise<SnapshotData> {
  return { tables: snap.tables, rollups: withRollups ? await loadRollups(await snapshotFolder(queries, snap)) : [] };
}
