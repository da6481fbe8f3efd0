// Restores an archive (and the base archives an incremental one needs) into a data folder.
// Everything is written into a temporary sibling folder and checked against the manifest's
// sha256 first; only then are the app DB and the snapshot store moved into place, so a failure
// leaves the data folder as it was.
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DataPaths } from '../config.ts';
import { listSnapshots } from '../snapshots/store.ts';
import { APP_DB_ENTRY } from './collect.ts';
import { ArchiveError, DAMAGED, type BackupFile, type BackupManifest } from './format.ts';
import { openArchive, type OpenedArchive, type Passphrase } from './read.ts';

export class RestoreRefused extends Error {}

const exists = (path: string) => access(path).then(() => true, () => false);

/** An app DB or a published snapshot makes a data folder non-empty. */
async function holdsData(paths: DataPaths): Promise<boolean> {
  return (await exists(paths.appDb)) || (await listSnapshots(paths.snapshots)).length > 0;
}

// only the two things a backup holds, never a path climbing out of the data folder
const SAFE_PATH = /^(vigil\.duckdb|snapshots(\/(?!\.\.?\/)(?!\.\.?$)[^/\\]+)+)$/;

/** A base archive at the path recorded in the manifest, or else a file of that name beside the archive. */
async function openBase(latest: string, id: string, recorded: string, passphrase: Passphrase): Promise<OpenedArchive> {
  const beside = join(dirname(resolve(latest)), basename(recorded));
  const path = (await exists(recorded)) ? recorded : beside;
  if (!(await exists(path))) throw new ArchiveError(`this incremental backup needs its base archive ${recorded} (not found there nor at ${beside})`);
  const base = await openArchive(path, passphrase);
  if (base.manifest.id !== id) {
    await base.close();
    throw new ArchiveError(`${path} is not the base archive this backup was made against`);
  }
  return base;
}

async function extract(archive: OpenedArchive, wanted: Map<string, BackupFile>, staging: string): Promise<void> {
  for await (const { file, chunks } of archive.files()) {
    const target = wanted.get(file.path);
    if (!target || target.archive !== archive.manifest.id || target.sha256 !== file.sha256) {
      for await (const _ of chunks);
      continue;
    }
    if (!SAFE_PATH.test(file.path)) throw new ArchiveError(DAMAGED);
    const dest = join(staging, file.path);
    await mkdir(dirname(dest), { recursive: true });
    const hash = createHash('sha256');
    const fh = await open(dest, 'wx');
    try {
      for await (const chunk of chunks) {
        hash.update(chunk);
        await fh.write(chunk);
      }
    } finally {
      await fh.close();
    }
    if (hash.digest('hex') !== file.sha256) throw new ArchiveError(`${file.path}: checksum mismatch (${DAMAGED})`);
    wanted.delete(file.path);
  }
}

/**
 * Moves the staged app DB and snapshot store over the data folder's. The replaced ones wait in
 * `staging/old` (deleted with the staging folder) and are put back if a move fails.
 */
async function moveIntoPlace(staging: string, paths: DataPaths): Promise<void> {
  await mkdir(paths.root, { recursive: true });
  const old = join(staging, 'old');
  await mkdir(old);
  const moves: [string, string][] = [];
  const move = async (from: string, to: string) => {
    await rename(from, to);
    moves.push([from, to]);
  };
  try {
    // a write-ahead log left from the replaced database must not be replayed into the restored one
    for (const [from, name] of [[paths.appDb, 'db'], [`${paths.appDb}.wal`, 'wal'], [paths.snapshots, 'snapshots']] as const) {
      if (await exists(from)) await move(from, join(old, name));
    }
    await move(join(staging, APP_DB_ENTRY), paths.appDb);
    if (await exists(join(staging, 'snapshots'))) await move(join(staging, 'snapshots'), paths.snapshots);
  } catch (err) {
    for (const [from, to] of moves.reverse()) await rename(to, from);
    throw err;
  }
}

export async function restoreBackup(opts: { archive: string; paths: DataPaths; passphrase: Passphrase; force: boolean }): Promise<BackupManifest> {
  if (!opts.force && (await holdsData(opts.paths))) {
    throw new RestoreRefused(`${opts.paths.root} already holds an app database or snapshots; pass --force to replace them`);
  }
  const latest = await openArchive(opts.archive, opts.passphrase);
  const { manifest } = latest;
  const archives = [latest];
  const staging = join(dirname(opts.paths.root), `.${basename(opts.paths.root)}.restore-${randomBytes(4).toString('hex')}`);
  try {
    for (const [id, recorded] of Object.entries(manifest.bases)) archives.push(await openBase(opts.archive, id, recorded, opts.passphrase));
    const wanted = new Map(manifest.files.map((f) => [f.path, f]));
    if (!wanted.has(APP_DB_ENTRY)) throw new ArchiveError(DAMAGED);
    await mkdir(staging, { recursive: true });
    for (const archive of archives) await extract(archive, wanted, staging);
    if (wanted.size) throw new ArchiveError(`missing from the archives: ${[...wanted.keys()].join(', ')}`);
    await moveIntoPlace(staging, opts.paths);
    return manifest;
  } finally {
    for (const archive of archives) await archive.close();
    await rm(staging, { recursive: true, force: true });
  }
}
