// The server's own daily backup, for a data folder whose app DB it holds (the CLI cannot open
// it then). Archives are encrypted when VIGIL_BACKUP_PASSPHRASE is set; the newest KEEP stay.
import { Cron } from 'croner';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataPaths } from '../config.ts';
import type { AppDb } from '../db/appdb.ts';
import { newSnapshotId } from '../snapshots/store.ts';
import { copyOpenAppDb } from './collect.ts';
import { writeBackup } from './write.ts';

export interface BackupSchedule {
  dir: string;
  cron: string;
  keep: number;
  passphrase?: string;
}

const PREFIX = 'vigil-backup-';
const SUFFIX = '.vbk';

/** VIGIL_BACKUP_DIR (off when unset), VIGIL_BACKUP_CRON (default 02:30 daily), VIGIL_BACKUP_KEEP (default 7). */
export function backupScheduleFromEnv(env: NodeJS.ProcessEnv): BackupSchedule | undefined {
  if (!env.VIGIL_BACKUP_DIR) return undefined;
  const keep = env.VIGIL_BACKUP_KEEP === undefined ? 7 : Number(env.VIGIL_BACKUP_KEEP);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`VIGIL_BACKUP_KEEP must be a positive integer, got "${env.VIGIL_BACKUP_KEEP}"`);
  return { dir: env.VIGIL_BACKUP_DIR, cron: env.VIGIL_BACKUP_CRON || '30 2 * * *', keep, passphrase: env.VIGIL_BACKUP_PASSPHRASE || undefined };
}

/** One scheduled backup, then the oldest archives beyond `keep` removed; names sort by time. */
export async function runScheduledBackup(schedule: BackupSchedule, db: AppDb, paths: DataPaths, version: string): Promise<string> {
  await mkdir(schedule.dir, { recursive: true });
  const out = join(schedule.dir, `${PREFIX}${newSnapshotId()}${SUFFIX}`);
  await writeBackup({
    paths,
    out,
    copyAppDb: copyOpenAppDb(db, paths.appDb),
    version,
    encrypt: schedule.passphrase !== undefined,
    passphrase: async () => schedule.passphrase!,
  });
  const archives = (await readdir(schedule.dir)).filter((n) => n.startsWith(PREFIX) && n.endsWith(SUFFIX)).sort().reverse();
  for (const name of archives.slice(schedule.keep)) await rm(join(schedule.dir, name), { force: true });
  return out;
}

export function startBackupSchedule(schedule: BackupSchedule, db: AppDb, paths: DataPaths, version: string, log: (message: string) => void): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  // protect: a backup still running when the next is due is not started twice
  const job = new Cron(schedule.cron, { unref: true, protect: true, catch: (err) => log(`backup: ${err instanceof Error ? err.message : String(err)}`) }, async () => {
    running = runScheduledBackup(schedule, db, paths, version);
    await running;
  });
  return {
    stop: async () => {
      job.stop();
      await running.catch(() => undefined);
    },
  };
}
