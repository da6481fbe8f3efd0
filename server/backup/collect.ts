// What a backup holds: a consistent copy of the app-state database and every file of the
// published snapshots. Unfinished publishes (dot-folders) are left out, as listSnapshots does.
import { copyFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DataPaths } from '../config.ts';
import { AppDb } from '../db/appdb.ts';
import { sha256File } from '../snapshots/store.ts';

export const APP_DB_ENTRY = 'vigil.duckdb';

export interface SourceFile {
  path: string;
  /** where the bytes are read from when the archive is written */
  source: string;
  size: number;
  sha256: string;
}

/** Copies the app-state database to `dest` with everything committed in the file itself. */
export type AppDbCopier = (dest: string) => Promise<void>;

/** For a database no process holds: open, checkpoint the log into the file, close, copy. Throws AppDbLocked if a server holds it. */
export function copyClosedAppDb(appDbPath: string): AppDbCopier {
  return async (dest) => {
    const db = await AppDb.open(appDbPath);
    try {
      await db.run('CHECKPOINT');
    } finally {
      await db.close();
    }
    await copyFile(appDbPath, dest);
  };
}

/** For the database a running server holds: checkpoint and copy while no statement runs. */
export function copyOpenAppDb(db: AppDb, appDbPath: string): AppDbCopier {
  return (dest) => db.exclusive(async (run) => {
    await run('CHECKPOINT');
    await copyFile(appDbPath, dest);
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const e of entries.filter((e) => !e.name.startsWith('.'))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await filesUnder(full)));
    else if (e.isFile()) files.push(full);
  }
  return files;
}

async function described(path: string, source: string): Promise<SourceFile> {
  return { path, source, size: (await stat(source)).size, sha256: await sha256File(source) };
}

/** The app DB copy (made into `workDir`) and the snapshot files, sorted by path. */
export async function collectFiles(paths: DataPaths, copyAppDb: AppDbCopier, workDir: string): Promise<SourceFile[]> {
  const dbCopy = join(workDir, APP_DB_ENTRY);
  await copyAppDb(dbCopy);
  const files = [await described(APP_DB_ENTRY, dbCopy)];
  for (const file of (await filesUnder(paths.snapshots)).sort()) {
    files.push(await described(relative(paths.root, file).split(sep).join('/'), file));
  }
  return files;
}
