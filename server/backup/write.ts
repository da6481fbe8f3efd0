// Writes one archive: full, or incremental against a previous one (`since`). The archive is
// written under a temporary name and renamed at the end, so a failed backup leaves no half file.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { DataPaths } from '../config.ts';
import { collectFiles, type AppDbCopier, type SourceFile } from './collect.ts';
import { cipherFor, encodeHeader, manifestPrefix, type BackupFile, type BackupManifest } from './format.ts';
import { openArchive, type Passphrase } from './read.ts';

export interface BackupOptions {
  paths: DataPaths;
  out: string;
  copyAppDb: AppDbCopier;
  version: string;
  encrypt: boolean;
  /** asked only when encrypting or when `since` is encrypted */
  passphrase: Passphrase;
  /** a previous archive: files unchanged since it are not stored again */
  since?: string;
}

/** Each file's holder: this archive unless `since` lists the same bytes, in which case whichever archive holds them there. */
async function planFiles(id: string, files: SourceFile[], since: string | undefined, passphrase: Passphrase): Promise<Pick<BackupManifest, 'bases' | 'files'>> {
  const own = (f: SourceFile): BackupFile => ({ path: f.path, size: f.size, sha256: f.sha256, archive: id });
  if (!since) return { bases: {}, files: files.map(own) };
  const previous = await openArchive(since, passphrase);
  await previous.close();
  const prev = previous.manifest;
  const byPath = new Map(prev.files.map((f) => [f.path, f]));
  const bases: Record<string, string> = {};
  const planned = files.map((f) => {
    const old = byPath.get(f.path);
    if (!old || old.sha256 !== f.sha256) return own(f);
    bases[old.archive] = old.archive === prev.id ? resolve(since) : prev.bases[old.archive];
    return { ...own(f), archive: old.archive };
  });
  return { bases, files: planned };
}

async function writeArchive(out: string, manifest: BackupManifest, sources: Map<string, SourceFile>, passphrase: string | undefined): Promise<void> {
  const held = manifest.files.filter((f) => f.archive === manifest.id);
  const prefix = manifestPrefix(manifest);
  const header = encodeHeader(prefix.length + held.reduce((n, f) => n + f.size, 0), passphrase !== undefined);
  const cipher = header.crypto ? await cipherFor(header, passphrase!) : undefined;
  const partial = `${out}.partial`;
  const fh = await open(partial, 'w');
  try {
    const body = async (bytes: Buffer) => {
      await fh.write(cipher ? cipher.update(bytes) : bytes);
    };
    await fh.write(header.bytes);
    await body(prefix);
    for (const file of held) {
      let size = 0;
      for await (const chunk of createReadStream(sources.get(file.path)!.source)) {
        size += (chunk as Buffer).length;
        await body(chunk as Buffer);
      }
      if (size !== file.size) throw new Error(`${file.path} changed while it was being backed up; try again`);
    }
    if (cipher) await fh.write(Buffer.concat([cipher.final(), cipher.getAuthTag()]));
    await fh.close();
    await rename(partial, out);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw err;
  }
}

export async function writeBackup(opts: BackupOptions): Promise<BackupManifest> {
  const out = resolve(opts.out);
  const workDir = await mkdtemp(join(dirname(out), '.vigil-backup-'));
  try {
    const files = await collectFiles(opts.paths, opts.copyAppDb, workDir);
    const id = randomUUID();
    const manifest: BackupManifest = {
      format: 1,
      id,
      createdAt: new Date().toISOString(),
      vigilVersion: opts.version,
      ...(await planFiles(id, files, opts.since, opts.passphrase)),
    };
    await writeArchive(out, manifest, new Map(files.map((f) => [f.path, f])), opts.encrypt ? await opts.passphrase() : undefined);
    return manifest;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
