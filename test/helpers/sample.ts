// A generated sample ingested into a test folder, and its tables' raw rows read straight from the
// snapshot's Parquet files with SELECT * (none of the product's SQL), for independent expectations.
import { join } from 'node:path';
import { all, openDuck } from '../../server/db/duck.ts';
import { generateSample, type GenerateOptions } from '../../server/sample/generate.ts';
import type { TableName } from '../../server/snapshots/schema.ts';
import { ingest } from '../../server/snapshots/ingest.ts';
import { listSnapshots, snapshotDir, type Manifest } from '../../server/snapshots/store.ts';

export type RawRow = Record<string, string | number | boolean | null>;

/** Generates `root`/sample, ingests it into `root`/snapshots and returns the snapshot with the raw rows of `tables`. */
export async function ingestedSample<T extends TableName>(root: string, opts: Omit<GenerateOptions, 'out'>, tables: readonly T[]): Promise<{ manifest: Manifest; rows: Record<T, RawRow[]> }> {
  await generateSample({ ...opts, out: join(root, 'sample') });
  await ingest({ input: join(root, 'sample'), snapshotsRoot: join(root, 'snapshots') });
  const [manifest] = await listSnapshots(join(root, 'snapshots'));
  const dir = snapshotDir(join(root, 'snapshots'), manifest.id);
  const duck = await openDuck();
  const conn = await duck.connect();
  try {
    const rows = {} as Record<T, RawRow[]>;
    for (const table of tables) {
      rows[table] = await all(conn, `SELECT * FROM read_parquet('${join(dir, manifest.tables[table]!.file).replaceAll("'", "''")}')`);
    }
    return { manifest, rows };
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}
