import type { DataPaths } from '../config.ts';
import type { AppDb } from '../db/appdb.ts';
import type { QueryEngine } from '../db/engine.ts';

/** What every route module is given: the data folder, the app-state database and the query engine. */
export interface AppContext {
  paths: DataPaths;
  db: AppDb;
  engine: QueryEngine;
  version: string;
}
