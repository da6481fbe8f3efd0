import type { Command } from 'commander';
import { access } from 'node:fs/promises';
import { copyClosedAppDb } from '../backup/collect.ts';
import { ArchiveError } from '../backup/format.ts';
import type { Passphrase } from '../backup/read.ts';
import { restoreBackup, RestoreRefused } from '../backup/restore.ts';
import { writeBackup } from '../backup/write.ts';
import type { DataPaths } from '../config.ts';
import { AppDb, AppDbLocked } from '../db/appdb.ts';
import { version } from '../http/server.ts';
import { command, fail, pathsOf } from './options.ts';
import { askPassphrase } from './prompt.ts';

/** From VIGIL_BACKUP_PASSPHRASE, else asked once on a terminal (twice when it will encrypt, to catch a typo). */
function passphraseSource(confirm: boolean): Passphrase {
  let answer: Promise<string> | undefined;
  const ask = async () => {
    const fromEnv = process.env.VIGIL_BACKUP_PASSPHRASE;
    if (fromEnv) return fromEnv;
    if (!process.stdin.isTTY) throw new ArchiveError('a passphrase is needed: set VIGIL_BACKUP_PASSPHRASE or run on a terminal to be asked');
    const first = await askPassphrase('Backup passphrase: ');
    if (confirm && (await askPassphrase('Repeat the passphrase: ')) !== first) throw new ArchiveError('the passphrases differ');
    if (!first) throw new ArchiveError('the passphrase is empty');
    return first;
  };
  return () => (answer ??= ask());
}

/** Known failures become one-line reasons; anything else is a bug and keeps its stack. */
async function reported(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof AppDbLocked) fail(`${err.message}; stop the server first, or let it back up on schedule (VIGIL_BACKUP_DIR)`);
    if (err instanceof ArchiveError || err instanceof RestoreRefused) fail(err.message);
    throw err;
  }
}

/** Replacing the database of a running server would pull it from under the server. */
async function assertNotHeld(paths: DataPaths): Promise<void> {
  if (!(await access(paths.appDb).then(() => true, () => false))) return;
  await (await AppDb.open(paths.appDb)).close();
}

export function backupCommand(): Command {
  return command('backup', 'write the app-state database and the snapshot store into one archive file')
    .argument('<out>', 'the archive file to write')
    .option('--encrypt', 'encrypt with a passphrase (VIGIL_BACKUP_PASSPHRASE, or asked on a terminal)')
    .option('--since <archive>', 'store only the files changed since this earlier archive; restoring needs both')
    .action((out: string, opts: { data: string; encrypt?: boolean; since?: string }) => reported(async () => {
      const paths = pathsOf(opts);
      const manifest = await writeBackup({
        paths,
        out,
        copyAppDb: copyClosedAppDb(paths.appDb),
        version,
        encrypt: opts.encrypt ?? false,
        passphrase: passphraseSource(true),
        since: opts.since,
      });
      const stored = manifest.files.filter((f) => f.archive === manifest.id);
      process.stdout.write(`wrote ${out}: ${stored.length} of ${manifest.files.length} files stored${opts.encrypt ? ', encrypted' : ''}\n`);
    }));
}

export function restoreCommand(): Command {
  return command('restore', 'restore a backup archive into the data folder')
    .argument('<archive>', 'the archive to restore; an incremental one also reads the base archives it names')
    .option('--force', 'replace the app database and snapshots already in the data folder')
    .action((archive: string, opts: { data: string; force?: boolean }) => reported(async () => {
      const paths = pathsOf(opts);
      await assertNotHeld(paths);
      const manifest = await restoreBackup({ archive, paths, passphrase: passphraseSource(false), force: opts.force ?? false });
      process.stdout.write(`restored ${manifest.files.length} files from the backup of ${manifest.createdAt} into ${paths.root}\n`);
    }));
}
