import { Command, Option } from 'commander';
import { DEFAULT_DATA_DIR, dataPaths, type DataPaths } from '../config.ts';
import { AppDb, AppDbLocked } from '../db/appdb.ts';

/** Every command names its data folder the same way. */
export function command(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(new Option('--data <dir>', 'data folder holding the snapshot store and app-state database').env('VIGIL_DATA_DIR').default(DEFAULT_DATA_DIR));
}

export function pathsOf(opts: { data: string }): DataPaths {
  return dataPaths(opts.data);
}

/** A one-line reason and a non-zero exit, for errors a user can act on. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(code);
}

export function parseIntOption(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

export function parseDateOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new Error(`expected a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** Opens something that holds the app-state database; a server holding it is a user error with a one-line reason. */
export async function failWhenLocked<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (err instanceof AppDbLocked) fail(err.message);
    throw err;
  }
}

export const openAppDbOrFail = (paths: DataPaths): Promise<AppDb> => failWhenLocked(() => AppDb.open(paths.appDb));
