import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { DEMO_USERS, ensureUsers } from '../../server/auth/bootstrap.ts';
import type { Role } from '../../server/auth/roles.ts';
import { dataPaths, type DataPaths } from '../../server/config.ts';
import { buildApp } from '../../server/http/app.ts';
import { openContext, type AppContext } from '../../server/http/context.ts';
import { seedRiskLibrary } from '../../server/risk/seed.ts';

export interface TestApp {
  app: FastifyInstance;
  paths: DataPaths;
  /** the app's context, for tests that drive a domain (e.g. the outbox sender) beside the API */
  ctx: AppContext;
  /** a new session cookie of the demo user holding `role` */
  cookieFor: (role: Role) => Promise<Record<string, string>>;
  close: () => Promise<void>;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `vigil-${prefix}-`));
}

/**
 * A real app on a fresh data folder with the demo users; `dataDir` may already hold snapshots.
 * Without `webRoot` only the API is served.
 */
export async function makeTestApp(dataDir?: string, opts: { webRoot?: string } = {}): Promise<TestApp> {
  const root = dataDir ?? (await tempDir('app'));
  const paths = dataPaths(root);
  const opened = await openContext(paths, 'test');
  await ensureUsers(opened.ctx.db, { demo: true, env: {} });
  await seedRiskLibrary(opened.ctx.db, 'risk');
  const app = await buildApp(opened.ctx, { webRoot: opts.webRoot ?? join(root, 'no-web') });
  return {
    app,
    paths,
    ctx: opened.ctx,
    cookieFor: async (role) => {
      const user = DEMO_USERS.find((u) => u.role === role)!;
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigil-csrf': '1' }, payload: { username: user.username, password: user.password } });
      if (res.statusCode !== 200) throw new Error(`login as ${role} failed: ${res.body}`);
      return { [res.cookies[0].name]: res.cookies[0].value };
    },
    close: async () => {
      await app.close();
      await opened.close();
      if (!dataDir) await rm(root, { recursive: true, force: true });
    },
  };
}

export async function injectAs(t: TestApp, role: Role | undefined, opts: InjectOptions) {
  const cookies = role ? await t.cookieFor(role) : {};
  return t.app.inject({ ...opts, cookies, headers: { 'x-vigil-csrf': '1', ...(opts.headers ?? {}) } });
}
