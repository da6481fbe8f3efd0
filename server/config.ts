import { resolve, join } from 'node:path';

export const DEFAULT_DATA_DIR = './data';

/** The folders and files inside one data folder; several data folders can coexist. */
export interface DataPaths {
  root: string;
  snapshots: string;
  appDb: string;
  sample: string;
  outbox: string;
}

export function dataPaths(dir: string = process.env.VIGIL_DATA_DIR ?? DEFAULT_DATA_DIR): DataPaths {
  const root = resolve(dir);
  return {
    root,
    snapshots: join(root, 'snapshots'),
    appDb: join(root, 'vigil.duckdb'),
    sample: join(root, 'sample'),
    outbox: join(root, 'outbox'),
  };
}
