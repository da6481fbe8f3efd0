// Backup and restore on a generated, ingested sample with app rows (demo users, the seeded risk
// library, a created risk and saved query). Expectations are read independently of the product:
// app tables with SELECT * through a separate DuckDB instance, files hashed here.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyClosedAppDb } from '../server/backup/collect.ts';
import type { BackupManifest } from '../server/backup/format.ts';
import { openArchive } from '../server/backup/read.ts';
import { restoreBackup } from '../server/backup/restore.ts';
import { startBackupSchedule } from '../server/backup/schedule.ts';
import { writeBackup } from '../server/backup/write.ts';
import { dataPaths, type DataPaths } from '../server/config.ts';
import { AppDb } from '../server/db/appdb.ts';
import { startServer } from '../server/http/server.ts';
import { all, openDuck, type Row } from '../server/db/duck.ts';
import { ingest } from '../server/snapshots/ingest.ts';
import { injectAs, makeTestApp, tempDir } from './helpers/app.ts';
import { ingestedSample } from './helpers/sample.ts';
import { treeHashes } from './helpers/files.ts';

const VIGIL = resolve(import.meta.dirname, '../server/vigil.js');
const vigil = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, VIGIL_BACKUP_PASSPHRASE: '', ...env } });

const noPassphrase = () => Promise.reject(new Error('no passphrase expected'));
const passphrase = (p: string) => () => Promise.resolve(p);

/** Every table of the app DB, each row set sorted, read with a DuckDB instance of its own. */
async function appTables(dbFile: string): Promise<Record<string, Row[]>> {
  const duck = await openDuck(dbFile);
  const conn = await duck.connect();
  try {
    const tables = await all<{ name: string }>(conn, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1");
    const out: Record<string, Row[]> = {};
    for (const { name } of tables) out[name] = await all(conn, `SELECT * FROM "${name}" ORDER BY ALL`);
    return out;
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}


/** What a restore must reproduce: the app tables and the snapshot files. */
async function state(paths: DataPaths) {
  return { tables: await appTables(paths.appDb), snapshots: await treeHashes(paths.snapshots) };
}

describe('backup and restore', () => {
  let root: string;
  let paths: DataPaths;
  let scratch: string;
  let original: Awaited<ReturnType<typeof state>>;
  let full: string;

  const backup = (out: string, opts: { encrypt?: string; since?: string } = {}) =>
    writeBackup({ paths, out, copyAppDb: copyClosedAppDb(paths.appDb), version: 'test', encrypt: opts.encrypt !== undefined, passphrase: opts.encrypt ? passphrase(opts.encrypt) : noPassphrase, since: opts.since });

  beforeAll(async () => {
    root = await tempDir('backup');
    scratch = await tempDir('backup-out');
    paths = dataPaths(root);
    await ingestedSample(root, { orders: 2_000, months: 7, end: '2026-11-20', seed: 3 }, []);
    const t = await makeTestApp(root);
    try {
      const risk = await injectAs(t, 'admin', { method: 'POST', url: '/api/risk/risks', payload: { title: 'Carrier delays', category: 'market', owner: 'admin', inherentLikelihood: 3, inherentImpact: 4 } });
      expect(risk.statusCode, risk.body).toBe(201);
      const query = await injectAs(t, 'analyst', { method: 'POST', url: '/api/queries', payload: { name: 'Orders per status', sql: 'SELECT status, count(*) AS n FROM orders GROUP BY status' } });
      expect(query.statusCode, query.body).toBe(200);
    } finally {
      await t.close();
    }
    original = await state(paths);
    full = join(scratch, 'full.vbk');
    await backup(full);
  }, 180_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('has app rows and snapshot files to back up', () => {
    for (const table of ['users', 'risks', 'indicators', 'saved_queries']) expect(original.tables[table].length, table).toBeGreaterThan(0);
    expect(Object.keys(original.snapshots).length).toBeGreaterThan(5);
  });

  it('restores identical app tables and snapshot files after the data folder is wiped', async () => {
    await rm(paths.appDb);
    await rm(paths.snapshots, { recursive: true });
    await restoreBackup({ archive: full, paths, passphrase: noPassphrase, force: false });
    expect(await state(paths)).toEqual(original);
  });

  it('round-trips an encrypted archive through the CLI, and refuses a wrong passphrase leaving the folder untouched', async () => {
    const archive = join(scratch, 'enc.vbk');
    const target = join(scratch, 'enc-target');
    try {
      expect(vigil(['backup', '--data', root, '--encrypt', archive], { VIGIL_BACKUP_PASSPHRASE: 'correct horse' }).status).toBe(0);
      expect((await readFile(archive)).includes(Buffer.from('"vigilVersion"'))).toBe(false);
      const restored = vigil(['restore', '--data', target, archive], { VIGIL_BACKUP_PASSPHRASE: 'correct horse' });
      expect(restored.status, restored.stderr).toBe(0);
      expect(await state(dataPaths(target))).toEqual(original);

      const before = await treeHashes(target);
      const wrong = vigil(['restore', '--data', target, '--force', archive], { VIGIL_BACKUP_PASSPHRASE: 'wrong horse' });
      expect(wrong.status).not.toBe(0);
      expect(wrong.stderr).toContain('wrong passphrase or damaged archive');
      expect(await treeHashes(target)).toEqual(before);
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a truncated archive, plain or encrypted, and changes nothing', async () => {
    const target = join(scratch, 'cut-target');
    for (const [name, encrypt] of [['cut.vbk', undefined], ['cut-enc.vbk', 'pw']] as const) {
      const archive = join(scratch, name);
      await backup(archive, { encrypt });
      const size = (await stat(archive)).size;
      await truncate(archive, Math.floor(size / 2));
      await expect(restoreBackup({ archive, paths: dataPaths(target), passphrase: passphrase('pw'), force: false })).rejects.toThrow(`archive truncated at byte ${Math.floor(size / 2)}`);
      expect(await treeHashes(target)).toEqual({});
    }
  });

  it('refuses an archive with a changed byte: a checksum mismatch, or for an encrypted one the tag', async () => {
    const target = join(scratch, 'corrupt-target');
    for (const [name, encrypt, message] of [['corrupt.vbk', undefined, 'checksum mismatch'], ['corrupt-enc.vbk', 'pw', 'wrong passphrase or damaged archive']] as const) {
      const archive = join(scratch, name);
      await backup(archive, { encrypt });
      const bytes = await readFile(archive);
      // the last byte of the body: inside the last stored file, past the manifest
      const at = bytes.length - (encrypt ? 17 : 1);
      bytes[at] ^= 0xff;
      await writeFile(archive, bytes);
      await expect(restoreBackup({ archive, paths: dataPaths(target), passphrase: passphrase('pw'), force: false })).rejects.toThrow(message);
      expect(await treeHashes(target)).toEqual({});
    }
  });

  it('refuses a folder holding data without --force, and replaces it with --force', async () => {
    const target = dataPaths(join(scratch, 'busy'));
    try {
      await restoreBackup({ archive: full, paths: target, passphrase: noPassphrase, force: false });
      const db = await AppDb.open(target.appDb);
      await db.run("DELETE FROM saved_queries");
      await db.close();
      const before = await treeHashes(target.root);
      const refused = vigil(['restore', '--data', target.root, full]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/already holds an app database or snapshots; pass --force/);
      expect(await treeHashes(target.root)).toEqual(before);
      expect(vigil(['restore', '--data', target.root, '--force', full]).status).toBe(0);
      expect(await state(target)).toEqual(original);
    } finally {
      await rm(target.root, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails with a clear message when a server holds the app database', async () => {
    const db = await AppDb.open(paths.appDb);
    try {
      const res = vigil(['backup', '--data', root, join(scratch, 'locked.vbk')]);
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/in use by another process.*stop the server first, or let it back up on schedule \(VIGIL_BACKUP_DIR\)/);
      expect(await treeHashes(scratch)).not.toHaveProperty('locked.vbk');
      const restore = vigil(['restore', '--data', root, '--force', full]);
      expect(restore.status).not.toBe(0);
      expect(restore.stderr).toMatch(/in use by another process/);
    } finally {
      await db.close();
    }
  });

  it('stores only the changed files in an incremental backup, and restores it completely with its base', async () => {
    const base = await openArchive(full, noPassphrase);
    await base.close();
    await ingest({ input: join(root, 'sample'), snapshotsRoot: paths.snapshots });
    const now = await state(paths);
    const added = Object.keys(now.snapshots).filter((p) => !(p in original.snapshots)).map((p) => `snapshots/${p}`);
    expect(added.length).toBeGreaterThan(0);

    const incremental = join(scratch, 'incremental.vbk');
    const manifest: BackupManifest = await backup(incremental, { since: full });
    const stored = manifest.files.filter((f) => f.archive === manifest.id).map((f) => f.path).filter((p) => p !== 'vigil.duckdb');
    expect(stored.sort()).toEqual(added.sort());
    expect(manifest.files.map((f) => f.path).sort()).toEqual(['vigil.duckdb', ...Object.keys(now.snapshots).map((p) => `snapshots/${p}`)].sort());
    expect(Object.keys(manifest.bases)).toEqual([base.manifest.id]);

    const target = dataPaths(join(scratch, 'incremental-target'));
    try {
      await restoreBackup({ archive: incremental, paths: target, passphrase: noPassphrase, force: false });
      expect(await state(target)).toEqual(now);

      // moved as a folder, the base is found beside the archive instead of at its recorded path
      const moved = join(scratch, 'moved');
      await mkdir(moved);
      await rename(full, join(moved, 'full.vbk'));
      await rename(incremental, join(moved, 'incremental.vbk'));
      try {
        await restoreBackup({ archive: join(moved, 'incremental.vbk'), paths: target, passphrase: noPassphrase, force: true });
        expect(await state(target)).toEqual(now);
      } finally {
        await rename(join(moved, 'full.vbk'), full);
      }
    } finally {
      await rm(target.root, { recursive: true, force: true });
    }
  }, 120_000);

  it('backs up on schedule from the open app database and keeps only the newest KEEP archives', async () => {
    const dir = join(scratch, 'scheduled');
    const db = await AppDb.open(paths.appDb);
    const seen = new Set<string>();
    const problems: string[] = [];
    const schedule = startBackupSchedule({ dir, cron: '* * * * * *', keep: 2 }, db, paths, 'test', (m) => problems.push(m));
    try {
      while (seen.size < 4) {
        for (const name of await readdir(dir).catch(() => [])) if (name.endsWith('.vbk')) seen.add(name);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await schedule.stop();
      await db.close();
    }
    const kept = (await readdir(dir)).filter((n) => n.endsWith('.vbk')).sort();
    expect(problems).toEqual([]);
    expect(kept).toHaveLength(2);
    expect(kept).toEqual([...new Set([...seen, ...kept])].sort().slice(-2));
    const expected = await state(paths);
    const target = dataPaths(join(scratch, 'scheduled-target'));
    await restoreBackup({ archive: join(dir, kept[1]), paths: target, passphrase: noPassphrase, force: false });
    expect(await state(target)).toEqual(expected);
  }, 60_000);

  it('runs the scheduled backup inside a started server, configured by the environment', async () => {
    const dir = join(scratch, 'served');
    const saved = { ...process.env };
    Object.assign(process.env, { VIGIL_BACKUP_DIR: dir, VIGIL_BACKUP_CRON: '* * * * * *', VIGIL_BACKUP_KEEP: '1' });
    const server = await startServer({ paths, port: 0, host: '127.0.0.1', logger: false });
    try {
      while (!(await readdir(dir).catch(() => [])).some((n) => n.endsWith('.vbk'))) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await server.close();
      process.env = saved;
    }
    const kept = (await readdir(dir)).filter((n) => n.endsWith('.vbk'));
    expect(kept).toHaveLength(1);
    const archive = await openArchive(join(dir, kept[0]), noPassphrase);
    await archive.close();
    expect(archive.manifest.files.map((f) => f.path)).toContain('vigil.duckdb');
  }, 60_000);
});
