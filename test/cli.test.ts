import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../server/cli/commands.ts';
import { dataPaths } from '../server/config.ts';
import { AppDb } from '../server/db/appdb.ts';
import { tempDir } from './helpers/app.ts';

const VIGIL = resolve(import.meta.dirname, '../server/vigil.js');
const vigil = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

describe('vigil command line', () => {
  it('lists every command in its help', () => {
    const res = vigil(['--help']);
    expect(res.status).toBe(0);
    for (const cmd of commands()) expect(res.stdout).toContain(cmd.name());
  });

  for (const cmd of commands()) {
    it(`${cmd.name()} --help describes it and its --data option`, () => {
      const res = vigil([cmd.name(), '--help']);
      expect(res.status).toBe(0);
      expect(res.stdout).toContain(`Usage: vigil ${cmd.name()}`);
      expect(res.stdout).toContain('--data <dir>');
      expect(res.stdout).toContain('VIGIL_DATA_DIR');
    });
  }

  it('refuses to serve a data folder whose app-state database another process holds, with a clear message', async () => {
    const dir = await tempDir('locked');
    const db = await AppDb.open(dataPaths(dir).appDb);
    try {
      const res = vigil(['serve', '--data', dir, '--port', '0'], { VIGIL_ADMIN_USER: 'boss', VIGIL_ADMIN_PASSWORD: 'a-long-password-1' });
      expect(res.status).not.toBe(0);
      expect(res.stderr.trim()).toMatch(/^vigil: the app-state database .*vigil\.duckdb is in use by another process/);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on real data without an admin account, saying how to give one', async () => {
    const dir = await tempDir('noadmin');
    try {
      const res = vigil(['serve', '--data', dir, '--port', '0'], { VIGIL_ADMIN_USER: '', VIGIL_ADMIN_PASSWORD: '' });
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/VIGIL_ADMIN_USER and VIGIL_ADMIN_PASSWORD/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
