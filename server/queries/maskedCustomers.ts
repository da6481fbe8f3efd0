// The customers table as users without `pii` may read it: a Parquet copy per snapshot with the
// personal columns already masked (server/auth/masking.ts). The sandbox of such a user points its
// `customers` view at this copy and cannot reach the raw file at all, so no SQL can unmask it.
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { customerColumns } from '../auth/masking.ts';
import type { DataPaths } from '../config.ts';
import { literal, openDuck } from '../db/duck.ts';

const writing = new Map<string, Promise<string>>();

export function maskedCustomersPath(paths: DataPaths, snapshotId: string): string {
  return join(paths.root, 'cache', 'masked', snapshotId, 'customers.parquet');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** Written once (temp file, then rename, so a reader never sees half a file); later calls reuse it. */
async function write(rawFile: string, target: string): Promise<string> {
  if (await exists(target)) return target;
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.tmp-${randomBytes(4).toString('hex')}.parquet`);
  const instance = await openDuck();
  try {
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT ${customerColumns({ pii: false }, 'c')} FROM read_parquet(${literal(rawFile)}) c) TO ${literal(temp)} (FORMAT parquet)`);
    conn.closeSync();
    await rename(temp, target);
    return target;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  } finally {
    instance.closeSync();
  }
}

/** The masked copy of a snapshot's customers file, writing it on first use. */
export function maskedCustomers(paths: DataPaths, snapshotId: string, rawFile: string): Promise<string> {
  const target = maskedCustomersPath(paths, snapshotId);
  let entry = writing.get(target);
  if (!entry) {
    entry = write(rawFile, target);
    writing.set(target, entry);
    entry.catch(() => writing.delete(target));
  }
  return entry;
}
