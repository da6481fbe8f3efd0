import type { DataPaths } from '../config.ts';
import { AppDb } from '../db/appdb.ts';
import { QueryEngine } from '../db/engine.ts';
import { KpiEngine } from '../metrics/engine.ts';
import { OutboxSender } from '../notify/sender.ts';
import { QueryRunner } from '../queries/runner.ts';
import { SHIPPED_QUERIES_DIR } from '../queries/shipped.ts';
import { SavedQueries } from '../queries/store.ts';
import { Evaluator } from '../risk/evaluator.ts';
import { SegmentService } from '../segments/service.ts';
import { StaffEngine } from '../staff/engine.ts';

/** What every route module is given: the data folder, the app-state database, the query engine and the KPI engine over it. */
export interface AppContext {
  paths: DataPaths;
  db: AppDb;
  engine: QueryEngine;
  kpis: KpiEngine;
  /** customer segments; shared so the answers warmed after a publish are the ones the routes find */
  segments: SegmentService;
  staff: StaffEngine;
  /** runs analysts' SQL in the sandbox (workbench, saved queries, dashboards, query indicators) */
  queries: QueryRunner;
  /** saved and shipped queries (queries/*.sql) */
  savedQueries: SavedQueries;
  /** delivers the email outbox over SMTP (VIGIL_SMTP_URL) or into data/outbox; startServer runs its loop */
  outbox: OutboxSender;
  /** evaluates risk indicators (publish, schedule, manual); runs never overlap */
  evaluator: Evaluator;
  /** set by startServer while the risk monitor runs, so indicator edits rebuild its cron jobs */
  riskMonitor?: { reload(): Promise<void> };
  /** the address users open the app at, for links in emails (VIGIL_APP_URL) */
  appUrl: string;
  version: string;
}

export interface OpenedContext {
  ctx: AppContext;
  close: () => Promise<void>;
}

/** Opens everything a data folder serves; the server, the tests and the browser tests all start here. */
export async function openContext(paths: DataPaths, version: string): Promise<OpenedContext> {
  const db = await AppDb.open(paths.appDb);
  let engine: QueryEngine | undefined;
  try {
    engine = await QueryEngine.create(paths.snapshots);
    const opened = engine;
    const kpis = await KpiEngine.create(opened);
    const outbox = OutboxSender.create(db, { smtpUrl: process.env.VIGIL_SMTP_URL, from: process.env.VIGIL_SMTP_FROM, outboxDir: paths.outbox });
    // links in alert emails point here (the address users open the app at)
    const appUrl = process.env.VIGIL_APP_URL ?? 'http://localhost:8080';
    const queries = new QueryRunner({ db, engine: opened, paths });
    const savedQueries = new SavedQueries(db, SHIPPED_QUERIES_DIR);
    const evaluator = new Evaluator({ db, kpis, engine: opened, paths, outbox, appUrl, queries, savedQueries });
    const segments = new SegmentService(opened, db);
    const staff = new StaffEngine(opened);
    return {
      ctx: { paths, db, engine: opened, kpis, segments, staff, queries, savedQueries, outbox, evaluator, appUrl, version },
      close: async () => {
        await evaluator.idle();
        await outbox.stop();
        opened.close();
        await db.close();
      },
    };
  } catch (err) {
    engine?.close();
    await db.close();
    throw err;
  }
}
