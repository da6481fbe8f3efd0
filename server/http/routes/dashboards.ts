import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import { DashboardInput, type DashboardsReply } from '../../queries/contract.ts';
import { Dashboards } from '../../queries/dashboards.ts';
import type { AppContext } from '../context.ts';
import { addRoute } from '../route.ts';
import { WORKBENCH_ROLES } from './queryRuns.ts';
import { IdParams, savedAnswer } from './savedQueries.ts';

export function dashboardRoutes(app: FastifyInstance, ctx: AppContext): void {
  const dashboards = new Dashboards(ctx.db, ctx.savedQueries);

  addRoute(app, { method: 'GET', url: '/api/dashboards', access: ALL_ROLES, handler: async ({ user }): Promise<DashboardsReply> => ({ dashboards: await dashboards.list(user!) }) });

  addRoute(app, { method: 'POST', url: '/api/dashboards', access: WORKBENCH_ROLES, body: DashboardInput, handler: ({ body, user }) => savedAnswer(() => dashboards.create(body, user!)) });

  addRoute(app, { method: 'GET', url: '/api/dashboards/:id', access: ALL_ROLES, params: IdParams, handler: ({ params, user }) => savedAnswer(() => dashboards.get(params.id, user!)) });

  addRoute(app, {
    method: 'PUT',
    url: '/api/dashboards/:id',
    access: WORKBENCH_ROLES,
    params: IdParams,
    body: DashboardInput,
    handler: ({ params, body, user }) => savedAnswer(() => dashboards.update(params.id, body, user!)),
  });

  addRoute(app, {
    method: 'DELETE',
    url: '/api/dashboards/:id',
    access: WORKBENCH_ROLES,
    params: IdParams,
    handler: async ({ params, user }) => {
      await savedAnswer(() => dashboards.remove(params.id, user!));
      return { deleted: params.id };
    },
  });
}
