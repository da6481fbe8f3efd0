// Runs evaluations inside the server: a cron job per indicator schedule, and a watcher that
// evaluates each newly published snapshot once. The evaluator queues runs, so a schedule firing
// during a publish evaluation waits its turn; failures are logged and never stop the server.
import { Cron } from 'croner';
import type { AppDb } from '../db/appdb.ts';
import { listSnapshots } from '../snapshots/store.ts';
import { queueDigest, type DigestDeps } from './digest.ts';
import type { Evaluator } from './evaluator.ts';
import { listIndicators } from './indicatorStore.ts';

export const LAST_EVALUATED_SETTING = 'risk.last_evaluated_snapshot';
const DEFAULT_POLL_MS = 5_000;

export interface MonitorOptions {
  snapshotsRoot: string;
  /** how often the snapshots folder is checked for a new publication (env VIGIL_SNAPSHOT_POLL_MS) */
  pollMs?: number;
  log?: (message: string) => void;
  /** the daily digest of open alerts, when a schedule is configured (env VIGIL_DIGEST_CRON, e.g. '0 8 * * *') */
  digest?: { cron: string; deps: DigestDeps };
  /** told the newest snapshot's id at the first check and whenever a newer one is published, once it is evaluated (the answer warm-up) */
  onNewest?: (snapshotId: string) => void;
}

export interface RiskMonitor {
  /** rebuilds the cron jobs after indicators changed */
  reload(): Promise<void>;
  /** evaluates the newest snapshot if it has not been yet; resolves when done */
  checkPublished(): Promise<void>;
  stop(): Promise<void>;
}

export function pollMsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const ms = Number(env.VIGIL_SNAPSHOT_POLL_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

export function startRiskMonitor(evaluator: Evaluator, db: AppDb, opts: MonitorOptions): RiskMonitor {
  const log = opts.log ?? ((message: string) => process.stderr.write(`vigil: risk monitor: ${message}\n`));
  const report = (err: unknown) => log(err instanceof Error ? err.message : String(err));
  let jobs: Cron[] = [];
  let stopped = false;
  let polling: Promise<void> | null = null;
  let newestSeen: string | undefined;

  const evaluateNewest = async () => {
    const newest = (await listSnapshots(opts.snapshotsRoot))[0];
    if (!newest) return;
    const seen = newest.id === newestSeen;
    newestSeen = newest.id;
    try {
      if (newest.id === (await db.getSetting(LAST_EVALUATED_SETTING))) return;
      const reply = await evaluator.run({ trigger: 'publish', snapshotId: newest.id });
      for (const e of reply.errors) log(`indicator ${e.indicatorId}: ${e.message}`);
      await db.setSetting(LAST_EVALUATED_SETTING, newest.id);
    } finally {
      // after the evaluation, even a failed one: alerts must not wait for the page warm-up's use of the cores
      if (!seen) opts.onNewest?.(newest.id);
    }
  };

  /** One check at a time: a slow evaluation is not started again by the next tick. */
  const checkPublished = () => {
    polling ??= evaluateNewest().catch(report).finally(() => {
      polling = null;
    });
    return polling;
  };

  const reload = async () => {
    const bySchedule = new Map<string, string[]>();
    for (const i of (await listIndicators(db)).filter((i) => i.enabled)) bySchedule.set(i.schedule, [...(bySchedule.get(i.schedule) ?? []), i.id]);
    for (const job of jobs) job.stop();
    if (stopped) return;
    jobs = [...bySchedule].map(([schedule, indicatorIds]) => new Cron(schedule, { unref: true, catch: report }, async () => {
      const reply = await evaluator.run({ trigger: 'schedule', indicatorIds });
      for (const e of reply.errors) log(`indicator ${e.indicatorId}: ${e.message}`);
    }));
  };

  const digest = opts.digest && new Cron(opts.digest.cron, { unref: true, catch: report }, async () => {
    await queueDigest(opts.digest!.deps);
  });

  const timer = setInterval(() => void checkPublished(), opts.pollMs ?? DEFAULT_POLL_MS);
  timer.unref();
  void checkPublished();
  reload().catch(report);

  return {
    reload: () => reload().catch(report),
    checkPublished,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      for (const job of jobs) job.stop();
      digest?.stop();
      await polling;
      await evaluator.idle();
    },
  };
}
