// The version rows of saved queries. Saving never overwrites: every save, and every restore,
// adds a row; the saved_queries row only points at the newest.
import type { AppDb } from '../db/appdb.ts';
import type { Row } from '../db/duck.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import type { ChartSpec, QueryParam, SavedQueryVersion } from './contract.ts';

/** What one version holds; tags and visibility belong to the query, not to its versions. */
export type VersionContent = Pick<SavedQueryVersion, 'name' | 'description' | 'sql' | 'params' | 'chart'>;

type Tx = { run: AppDb['run'] };

export function toVersion(row: Row): SavedQueryVersion {
  return {
    version: Number(row.version),
    name: String(row.name),
    description: String(row.description),
    sql: String(row.sql),
    params: JSON.parse(String(row.params)) as QueryParam[],
    chart: row.chart === null ? null : (JSON.parse(String(row.chart)) as ChartSpec),
    savedAt: fromDbTime(row.saved_at as string),
    savedBy: String(row.saved_by),
  };
}

export async function insertVersion(tx: Tx, queryId: string, version: number, content: VersionContent, by: string, at: string): Promise<void> {
  await tx.run(
    `INSERT INTO saved_query_versions (query_id, version, name, description, sql, params, chart, saved_at, saved_by)
     VALUES ($id, $version, $name, $description, $sql, CAST($params AS JSON), CAST($chart AS JSON), CAST($at AS TIMESTAMP), $by)`,
    {
      id: queryId, version, name: content.name, description: content.description, sql: content.sql,
      params: JSON.stringify(content.params), chart: content.chart && JSON.stringify(content.chart), at: toDbTime(at), by,
    },
  );
}

/** Newest first. */
export async function listVersions(db: AppDb, queryId: string): Promise<SavedQueryVersion[]> {
  const rows = await db.all('SELECT * FROM saved_query_versions WHERE query_id = $id ORDER BY version DESC', { id: queryId });
  return rows.map(toVersion);
}

export async function findVersion(db: AppDb, queryId: string, version: number): Promise<SavedQueryVersion | undefined> {
  const row = await db.one('SELECT * FROM saved_query_versions WHERE query_id = $id AND version = $version', { id: queryId, version });
  return row && toVersion(row);
}
