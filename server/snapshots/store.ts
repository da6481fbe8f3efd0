import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
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
  constructor(id: string) {
    super(`snapshot not found: ${id}`);
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
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

export async function readManifest(snapshotsRoot: string, id: string): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(join(snapshotDir(snapshotsRoot, id), MANIFEST), 'utf8')) as Manifest;
  } catch {
    throw new SnapshotNotFound(id);
  }
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
