import type { FastifyInstance } from 'fastify';
import { ALL_ROLES, type Role } from '../../auth/roles.ts';
import { sendTestEmail } from '../../risk/alerts.ts';
import { AlertsQuery, EvaluationsQuery, IndicatorInput, isoDate, PreviewBody, SeriesRequest, SnoozeBody } from '../../risk/contract.ts';
import {
  acknowledgeAlert, checkIndicator, createIndicator, deleteIndicator, getIndicatorWithState, IndicatorInvalid, indicatorsWithState, listAlerts,
  parseIndicatorInput, requireIndicator, RiskRecordNotFound, snoozeAlert, updateIndicator,
} from '../../risk/indicatorStore.ts';
import { listEvaluations } from '../../risk/evaluationStore.ts';
import { SnapshotNotFound } from '../../snapshots/store.ts';
import type { AppContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';

/** Who may change indicators, run evaluations and handle alerts; executives read. */
const EDITORS: readonly Role[] = ['analyst', 'risk_owner', 'admin'];

const IdParams = z.object({ id: z.string().min(1).max(100) });
const AlertParams = z.object({ id: z.coerce.number().int().min(1) });
const EvaluateBody = z.object({
  snapshot: z.string().optional(),
  asOf: isoDate.optional(),
  indicators: z.array(z.string()).max(500).optional(),
});

/** The domain's refusals in the route's terms; `prefix` places an indicator field inside the body. */
async function answer<T>(work: () => Promise<T>, prefix = ''): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof IndicatorInvalid) throw badRequest(`body parameter '${prefix}${err.field}': ${err.message}`);
    if (err instanceof RiskRecordNotFound || err instanceof SnapshotNotFound) throw notFound(err.message);
    throw err;
  }
}

export function riskIndicatorRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  const changed = async () => {
    await ctx.riskMonitor?.reload();
  };

  addRoute(app, { method: 'GET', url: '/api/risk/indicators', access: ALL_ROLES, handler: async () => ({ indicators: await indicatorsWithState(db) }) });

  addRoute(app, { method: 'GET', url: '/api/risk/indicators/:id', access: ALL_ROLES, params: IdParams, handler: ({ params }) => answer(() => getIndicatorWithState(db, params.id)) });

  addRoute(app, {
    method: 'POST',
    url: '/api/risk/indicators',
    access: EDITORS,
    body: IndicatorInput,
    handler: async ({ body, user, reply }) => {
      await answer(() => createIndicator(db, body, user!.username));
      await changed();
      reply.code(201);
      return getIndicatorWithState(db, body.id);
    },
  });

  addRoute(app, {
    method: 'PUT',
    url: '/api/risk/indicators/:id',
    access: EDITORS,
    params: IdParams,
    body: IndicatorInput,
    handler: async ({ params, body, user }) => {
      await answer(() => updateIndicator(db, params.id, body, user!.username));
      await changed();
      return getIndicatorWithState(db, params.id);
    },
  });

  addRoute(app, {
    method: 'DELETE',
    url: '/api/risk/indicators/:id',
    access: EDITORS,
    params: IdParams,
    handler: async ({ params }) => {
      await answer(() => deleteIndicator(db, params.id));
      await changed();
      return { deleted: params.id };
    },
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/risk/indicators/preview',
    access: EDITORS,
    body: PreviewBody,
    handler: ({ body }) => answer(async () => {
      const indicator = parseIndicatorInput(body.indicator);
      await checkIndicator(db, indicator);
      return ctx.evaluator.series(indicator, { days: body.days, snapshotId: body.snapshot });
    }, 'indicator.'),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/risk/indicators/:id/series',
    access: ALL_ROLES,
    params: IdParams,
    query: SeriesRequest,
    handler: ({ params, query }) => answer(async () => ctx.evaluator.series(await requireIndicator(db, params.id), { days: query.days, snapshotId: query.snapshot, maxScopes: query.maxScopes })),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/risk/indicators/:id/test-email',
    access: EDITORS,
    params: IdParams,
    handler: ({ params }) => answer(async () => sendTestEmail(ctx, await requireIndicator(db, params.id))),
  });

  addRoute(app, { method: 'GET', url: '/api/risk/evaluations', access: ALL_ROLES, query: EvaluationsQuery, handler: async ({ query }) => ({ evaluations: await listEvaluations(db, query) }) });

  addRoute(app, {
    method: 'POST',
    url: '/api/risk/evaluate',
    access: EDITORS,
    body: EvaluateBody,
    handler: ({ body }) => answer(() => ctx.evaluator.run({ trigger: 'manual', snapshotId: body.snapshot, asOf: body.asOf, indicatorIds: body.indicators })),
  });

  addRoute(app, { method: 'GET', url: '/api/risk/alerts', access: ALL_ROLES, query: AlertsQuery, handler: async ({ query }) => ({ alerts: await listAlerts(db, query) }) });

  addRoute(app, {
    method: 'POST',
    url: '/api/risk/alerts/:id/acknowledge',
    access: EDITORS,
    params: AlertParams,
    handler: ({ params, user }) => answer(() => acknowledgeAlert(db, params.id, user!.username)),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/risk/alerts/:id/snooze',
    access: EDITORS,
    params: AlertParams,
    body: SnoozeBody,
    handler: ({ params, body }) => answer(() => snoozeAlert(db, params.id, body.until)),
  });
}
