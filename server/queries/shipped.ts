// The queries that ship with the product: queries/*.sql at the top of the repository, read once,
// read-only for everyone, owned by 'vigil'. The file name is the id: queries/top_products.sql is
// 'file:top_products'.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SavedQuery } from './contract.ts';
import { parse } from './sqlFile.ts';

export const SHIPPED_QUERIES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'queries');
export const SHIPPED_OWNER = 'vigil';
export const SHIPPED_PREFIX = 'file:';

/** Every shipped query; a file that does not parse is an error naming the file and line. */
export async function loadShipped(dir: string): Promise<SavedQuery[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(files.map(async (file) => {
    const path = join(dir, file);
    let input;
    try {
      input = parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new Error(`shipped query ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const at = (await stat(path)).mtime.toISOString();
    // shipped queries are shared by definition, whatever their header says
    return { ...input, visibility: 'everyone', id: `${SHIPPED_PREFIX}${basename(file, '.sql')}`, owner: SHIPPED_OWNER, version: 1, createdAt: at, updatedAt: at, readonly: true, canEdit: false } satisfies SavedQuery;
  }));
}
