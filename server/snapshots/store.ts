import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile, open, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { TableName } from './schema.ts';

export interface TableEntry {
  file: string;
  rows: number;
  sha256: string;
  schema: { name: string; type: string }[];
}

export interface Manifest {
  id: string;
  asOf: string;
  createdAt: string;
  source: string;
  tables: Partial<Record<TableName, TableEntry>>;
  /** sha256 of every other file (rollups, quality report) by path inside the snapshot; absent in older snapshots */
  files?: Record<string, string>;
}

export const MANIFEST = 'manifest.json';
export const QUALITY = 'quality.json';
const TEMP_PREFIX = '.tmp-';

/** Ids sort by creation time (to the millisecond), so the newest snapshot is the greatest id. */
export function newSnapshotId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 18);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export const SNAPSHOT_ID = /^[0-9]{8}-[0-9]{9}-[0-9a-f]{4}$/;

export function snapshotDir(snapshotsRoot: string, id: string): string {
  if (!SNAPSHOT_ID.test(id)) throw new SnapshotNotFound(id);
  return join(snapshotsRoot, id);
}

export class SnapshotNotFound extends Error {
  constructor(id: string, message = `snapshot not found: ${id}`) {
    super(message);
  }
}

/**
 * A published snapshot whose files are missing or no longer match the checksums of its manifest.
 * It cannot be served, like a missing one, so every caller that answers "not found" answers this
 * too, with a message naming the snapshot and the damaged tables and files (never a server path).
 */
export class SnapshotDamaged extends SnapshotNotFound {
  constructor(id: string, readonly parts: string[]) {
    super(id, `snapshot ${id} is damaged: ${parts.join(', ')} ${parts.length > 1 ? 'are' : 'is'} missing or no longer match${parts.length > 1 ? '' : 'es'} the checksum recorded when it was published; restore the snapshot from a backup or ingest its exports again`);
  }
}

/** A publish that could not write into the snapshot store (permissions, read-only or full disk). */
export class SnapshotWriteFailed extends Error {}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  // large reads: with the default 64 KB chunks the stream's overhead halves the hashing speed
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Published snapshots, newest first. Temporary folders of unfinished publishes are never listed. */
export async function listSnapshots(snapshotsRoot: string): Promise<Manifest[]> {
  let names: string[];
  try {
    names = await readdir(snapshotsRoot);
  } catch {
    return [];
  }
  const manifests: Manifest[] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).sort().reverse()) {
    try {
      manifests.push(JSON.parse(await readFile(join(snapshotsRoot, name, MANIFEST), 'utf8')) as Manifest);
    } catch {
      // a folder without a readable manifest is not a published snapshot
    }
  }
  return manifests;
}

/** sha256 by file identity: a snapshot's files are immutable, so each is hashed once per process. */
const verifiedHashes = new Map<string, string>();

async function fileHash(path: string): Promise<string | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  const key = `${path}\0${info.ino}\0${info.size}\0${info.mtimeMs}`;
  let hash = verifiedHashes.get(key);
  if (!hash) {
    hash = await sha256File(path);
    verifiedHashes.set(key, hash);
  }
  return hash;
}

/** Checksums of the staged files that are not table files, recorded in the manifest beside the tables'. */
async function otherFileHashes(dir: string, manifest: Manifest): Promise<Record<string, string>> {
  const tableFiles = new Set(Object.values(manifest.tables).map((e) => e.file));
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = relative(dir, join(entry.parentPath, entry.name));
    if (entry.isFile() && file !== MANIFEST && !tableFiles.has(file)) files[file] = await sha256File(join(dir, file));
  }
  return files;
}

/** Every file a manifest names: tables as "table <name>", other files by their path inside the snapshot. */
function partsOf(manifest: Manifest): { part: string; file: string; sha256: string }[] {
  return [
    ...Object.entries(manifest.tables).map(([table, e]) => ({ part: `table ${table}`, file: e.file, sha256: e.sha256 })),
    ...Object.entries(manifest.files ?? {}).map(([file, sha256]) => ({ part: file, file, sha256 })),
  ];
}

/** What no longer matches the checksums recorded at publish, or is missing (about 0.12 s per 100 MB the first time). */
export async function damagedParts(snapshotsRoot: string, manifest: Manifest): Promise<string[]> {
  const dir = snapshotDir(snapshotsRoot, manifest.id);
  const damaged: string[] = [];
  for (const { part, file, sha256 } of partsOf(manifest)) {
    if ((await fileHash(join(dir, file))) !== sha256) damaged.push(part);
  }
  return damaged;
}

/**
 * The manifest of a snapshot that can be served: published, and every file as it was written, so a
 * damaged file is never read into an answer (Parquet pages need not carry checksums of their own).
 * The first call for a snapshot hashes its files (about 0.12 s per 100 MB), later calls only stat them.
 */
export async function readManifest(snapshotsRoot: string, id: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(snapshotDir(snapshotsRoot, id), MANIFEST), 'utf8')) as Manifest;
  } catch {
    throw new SnapshotNotFound(id);
  }
  const damaged = await damagedParts(snapshotsRoot, manifest);
  if (damaged.length) throw new SnapshotDamaged(id, damaged);
  return manifest;
}

export async function readSnapshotFile<T>(snapshotsRoot: string, id: string, file: string): Promise<T> {
  return JSON.parse(await readFile(join(snapshotDir(snapshotsRoot, id), file), 'utf8')) as T;
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface StagedSnapshot {
  id: string;
  dir: string;
}

/**
 * Atomic publish: `fill` writes every file into a temporary folder; the manifest is written last,
 * files are flushed, and one rename makes the snapshot visible. A crash or an error at any point
 * leaves at most a temporary folder, which listing ignores and the next publish removes.
 */
export async function publishSnapshot(
  snapshotsRoot: string,
  fill: (staged: StagedSnapshot) => Promise<Omit<Manifest, 'id' | 'createdAt'>>,
  extraFiles: Record<string, unknown> = {},
): Promise<Manifest> {
  try {
    return await stageAndRename(snapshotsRoot, fill, extraFiles);
  } catch (err) {
    throw writeFailure(snapshotsRoot, err);
  }
}

const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is where a folder should be',
  EIO: 'input/output error',
};

/** File-system errors inside the store in one line that says what to fix; other errors unchanged. */
function writeFailure(snapshotsRoot: string, err: unknown): unknown {
  const { code, path } = err as NodeJS.ErrnoException;
  if (!code || !(code in WRITE_ERRORS) || !path || !resolve(path).startsWith(resolve(snapshotsRoot))) return err;
  return new SnapshotWriteFailed(
    `cannot write the snapshot into ${snapshotsRoot}: ${WRITE_ERRORS[code]} (${code}); nothing was published and the previous snapshots are unchanged`,
  );
}

async function stageAndRename(
  snapshotsRoot: string,
  fill: (staged: StagedSnapshot) => Promise<Omit<Manifest, 'id' | 'createdAt'>>,
  extraFiles: Record<string, unknown>,
): Promise<Manifest> {
  await mkdir(snapshotsRoot, { recursive: true });
  await removeStaleTemp(snapshotsRoot);
  const now = new Date();
  const id = newSnapshotId(now);
  // the pid in the name tells a crashed publish's leftovers from one still running
  const dir = join(snapshotsRoot, `${TEMP_PREFIX}${id}-${process.pid}`);
  await mkdir(dir);
  try {
    const partial = await fill({ id, dir });
    const manifest: Manifest = { id, createdAt: now.toISOString(), ...partial };
    for (const [table, entry] of Object.entries(manifest.tables)) {
      const size = (await stat(join(dir, entry.file))).size;
      if (size === 0) throw new Error(`table ${table}: empty file ${entry.file}`);
      await fsyncPath(join(dir, entry.file));
    }
    for (const [file, content] of Object.entries(extraFiles)) {
      await writeFile(join(dir, file), JSON.stringify(content, null, 2));
    }
    manifest.files = await otherFileHashes(dir, manifest);
    await writeFile(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
    await fsyncPath(join(dir, MANIFEST));
    await pauseBeforeRename(dir);
    await rename(dir, join(snapshotsRoot, id));
    await fsyncPath(snapshotsRoot);
    return manifest;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Test hook: with VIGIL_TEST_PAUSE_BEFORE_PUBLISH=<ms> a publish waits that long with every file
 * written but before the rename, and says so on stderr, so that a test can kill it right there.
 */
async function pauseBeforeRename(dir: string): Promise<void> {
  const ms = Number(process.env.VIGIL_TEST_PAUSE_BEFORE_PUBLISH);
  if (!ms) return;
  process.stderr.write(`vigil: paused before publishing ${dir}\n`);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what publishes of dead processes left behind (also files named after their staging folder). */
async function removeStaleTemp(snapshotsRoot: string): Promise<void> {
  for (const name of await readdir(snapshotsRoot)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(/^\.tmp-\d{8}-\d+-[0-9a-f]{4}-(\d+)/.exec(name)?.[1]);
    if (pid && isRunning(pid)) continue;
    await rm(join(snapshotsRoot, name), { recursive: true, force: true });
  }
}
