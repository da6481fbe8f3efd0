import { createRequire } from 'node:module';
import { DEMO_USERS, ensureUsers } from '../auth/bootstrap.ts';
import type { NewUser } from '../auth/users.ts';
import type { DataPaths } from '../config.ts';
import { backupScheduleFromEnv, startBackupSchedule } from '../backup/schedule.ts';
import { pollMsFromEnv, startRiskMonitor } from '../risk/monitor.ts';
import { libraryOwner, seedRiskLibrary } from '../risk/seed.ts';
import { buildApp } from './app.ts';
import { openContext } from './context.ts';
import { startAnswerWarmer } from './warmup.ts';

export const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const DEMO_SETTING = 'demo';

export interface RunningServer {
  url: string;
  demoUsers: readonly NewUser[];
  close: () => Promise<void>;
}

export interface ServeOptions {
  paths: DataPaths;
  port: number;
  host: string;
  logger?: boolean;
  askAdmin?: () => Promise<{ username: string; password: string }>;
}

/** Opens the data folder, makes sure someone can sign in, and listens until closed. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const opened = await openContext(opts.paths, version);
  try {
    const { db } = opened.ctx;
    const backupSchedule = backupScheduleFromEnv(process.env);
    const demo = (await db.getSetting(DEMO_SETTING)) === 'true';
    await ensureUsers(db, { demo, env: process.env, ask: opts.askAdmin });
    const demoUsers = demo ? DEMO_USERS : [];
    await seedRiskLibrary(db, await libraryOwner(db, demo));
    const app = await buildApp(opened.ctx, { logger: opts.logger ?? true });
    await app.listen({ port: opts.port, host: opts.host });
    // messages queued before a crash or while the mail server was down go out now
    opened.ctx.outbox.start();
    const warmer = startAnswerWarmer(opened.ctx, (m) => app.log.info(m));
    const digestCron = process.env.VIGIL_DIGEST_CRON;
    const monitor = startRiskMonitor(opened.ctx.evaluator, db, {
      snapshotsRoot: opts.paths.snapshots,
      pollMs: pollMsFromEnv(process.env),
      log: (m) => app.log.warn(m),
      digest: digestCron ? { cron: digestCron, deps: opened.ctx } : undefined,
      onNewest: (id) => void warmer.warm(id),
    });
    opened.ctx.riskMonitor = monitor;
    const backups = backupSchedule && startBackupSchedule(backupSchedule, db, opts.paths, version, (m) => app.log.warn(m));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const close = async () => {
      await backups?.stop();
      await monitor.stop();
      await warmer.stop();
      await app.close();
      await opened.close();
    };
    return { url: `http://${opts.host === '0.0.0.0' ? 'localhost' : opts.host}:${port}`, demoUsers, close };
  } catch (err) {
    await opened.close();
    throw err;
  }
}

/** Stops cleanly on Ctrl-C or a service manager's SIGTERM: in-flight requests finish, files close. */
export function closeOnSignals(server: RunningServer): void {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      server.close().then(
        () => process.exit(0),
        (err) => {
          process.stderr.write(`vigil: error while shutting down: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
}
