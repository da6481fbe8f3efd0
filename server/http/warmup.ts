// After a snapshot is published, the Overview, Customers and Staff pages' first visitor would wait
// for answers computed from scratch (tens of seconds at 10M orders). The warm-up asks the engines
// the questions those pages ask on load with their default view, one after another in the
// background, so the answers are in the caches before anyone comes. The questions go through the
// routes' own schemas and the shared engines, so they land under the keys the routes look up.
import { listUsers } from '../auth/users.ts';
import { askEngine, OVERVIEW_KPI_CALLS } from '../metrics/overviewCalls.ts';
import { CohortsQuery, MovementQuery, NewReturningQuery, RfmQuery, TiersQuery } from '../segments/contract.ts';
import { StaffPerformanceQuery } from '../staff/contract.ts';
import type { AppContext } from './context.ts';
import { scopeOf } from './routes/kpis.ts';

export type WarmLog = (message: string) => void;

interface Step {
  name: string;
  run: () => Promise<unknown>;
}

/** The KPI answers are kept per data scope: one set for each scope an enabled user has. */
async function userScopes(ctx: AppContext): Promise<string[]> {
  return [...new Set((await listUsers(ctx.db)).filter((u) => !u.disabled).map((u) => scopeOf(u)))];
}

function kpiSteps(ctx: AppContext, snapshot: string, asOf: string, scope: string): Step[] {
  return [
    { name: `KPI catalog (${scope})`, run: () => ctx.kpis.catalog(snapshot, scope) },
    ...OVERVIEW_KPI_CALLS.map((call) => ({ name: `${call.name} (${scope})`, run: () => askEngine(ctx.kpis, call, asOf, { scope, snapshot }) })),
  ];
}

/** Customer segments and staff answers do not depend on who asks (none of them holds personal data). */
function pageSteps(ctx: AppContext, snapshot: string, asOf: string): Step[] {
  const q = { snapshot };
  return [
    { name: 'staff performance', run: () => ctx.staff.performance(StaffPerformanceQuery.parse({ ...q, period: asOf.slice(0, 7) })) },
    { name: 'RFM segments', run: () => ctx.segments.rfm(RfmQuery.parse(q)) },
    { name: 'member tiers', run: () => ctx.segments.tiers(TiersQuery.parse(q)) },
    { name: 'new vs returning', run: () => ctx.segments.newReturning(NewReturningQuery.parse(q)) },
    { name: 'cohorts', run: () => ctx.segments.cohorts(CohortsQuery.parse(q)) },
    { name: 'segment movement', run: () => ctx.segments.movement(MovementQuery.parse(q)) },
  ];
}

/**
 * Computes the pages' default answers for `snapshotId`, one at a time so visitors' own questions
 * still get their share of the machine. Stops between steps once `signal` is aborted (a newer
 * snapshot was published); a failing step is logged and the rest still run.
 */
export async function warmAnswers(ctx: AppContext, snapshotId: string, log: WarmLog, signal?: AbortSignal): Promise<void> {
  const started = performance.now();
  const { asOf } = (await ctx.engine.snapshot(snapshotId)).manifest;
  // the Overview first: it is the landing page
  const steps = [...(await userScopes(ctx)).flatMap((scope) => kpiSteps(ctx, snapshotId, asOf, scope)), ...pageSteps(ctx, snapshotId, asOf)];
  for (const step of steps) {
    if (signal?.aborted) {
      log(`warm-up of snapshot ${snapshotId} abandoned (a newer snapshot was published or the server is stopping)`);
      return;
    }
    const t0 = performance.now();
    try {
      await step.run();
      log(`warm-up ${snapshotId}: ${step.name} in ${Math.round(performance.now() - t0)} ms`);
    } catch (err) {
      log(`warm-up ${snapshotId}: ${step.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  log(`warm-up of snapshot ${snapshotId} done: ${steps.length} answers in ${Math.round(performance.now() - started)} ms`);
}

export interface AnswerWarmer {
  /** warms `snapshotId` in the background, abandoning a warm-up still running for an older one; resolves when it ends */
  warm(snapshotId: string): Promise<void>;
  /** abandons the running warm-up and waits for its current step, so the engines can close */
  stop(): Promise<void>;
}

export function startAnswerWarmer(ctx: AppContext, log: WarmLog): AnswerWarmer {
  let current: { controller: AbortController; done: Promise<void> } | undefined;
  return {
    warm(snapshotId) {
      current?.controller.abort();
      const controller = new AbortController();
      // the previous warm-up finishes its running step first: the two never compete for the engine
      const previous = current?.done ?? Promise.resolve();
      const done = previous
        .then(() => warmAnswers(ctx, snapshotId, log, controller.signal))
        .catch((err: unknown) => log(`warm-up of snapshot ${snapshotId} failed: ${err instanceof Error ? err.message : String(err)}`));
      current = { controller, done };
      return done;
    },
    async stop() {
      current?.controller.abort();
      await current?.done;
    },
  };
}
