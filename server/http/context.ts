import type { DataPaths } from '../config.ts';
import type { AppDb } from '../db/appdb.ts';
import type { QueryEngine } from '../db/engine.ts';
import type { KpiEngine } from '../metrics/engine.ts';

/** What every route module is given: the data folder, the app-state database, the query engine and the KPI engine over it. */
export interface AppContext {
  paths: DataPaths;
  db: AppDb;
  engine: QueryEngine;
  kpis: KpiEngine;
  version: string;
}
