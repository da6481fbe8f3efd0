import type { DataPaths } from '../config.ts';
import { AppDb } from '../db/appdb.ts';
import { QueryEngine } from '../db/engine.ts';
import { KpiEngine } from '../metrics/engine.ts';

/** What every route module is given: the data folder, the app-state database, the query engine and the KPI engine over it. */
export interface AppContext {
  paths: DataPaths;
  db: AppDb;
  engine: QueryEngine;
  kpis: KpiEngine;
  version: string;
}

export interface OpenedContext {
  ctx: AppContext;
  close: () => Promise<void>;
}

/** Opens everything a data folder serves; the server, the tests and the browser tests all start here. */
export async function openContext(paths: DataPaths, version: string): Promise<OpenedContext> {
  const db = await AppDb.open(paths.appDb);
  let engine: QueryEngine | undefined;
  try {
    engine = await QueryEngine.create(paths.snapshots);
    const opened = engine;
    const kpis = await KpiEngine.create(opened);
    return {
      ctx: { paths, db, engine: opened, kpis, version },
      close: async () => {
        opened.close();
        await db.close();
      },
    };
  } catch (err) {
    engine?.close();
    await db.close();
    throw err;
  }
}
