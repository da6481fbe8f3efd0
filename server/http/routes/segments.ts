import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import type { User } from '../../auth/users.ts';
import {
  CohortsQuery, CustomersCsvQuery, CustomersQuery, MovementQuery, NewReturningQuery, RfmQuery, RulesBody, TiersQuery,
} from '../../segments/contract.ts';
import { SegmentQueryError } from '../../segments/dates.ts';
import { UncoveredCells } from '../../segments/rules.ts';
import { SnapshotNotFound } from '../../snapshots/store.ts';
import type { AppContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { addRoute } from '../route.ts';

/** The domain's refusals in the route's terms: a bad parameter is a 400, an unknown snapshot a 404. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SegmentQueryError) throw badRequest(`query parameter '${err.param}': ${err.detail}`);
    if (err instanceof UncoveredCells) throw badRequest(`body parameter 'rules': ${err.message}`);
    if (err instanceof SnapshotNotFound) throw notFound(err.message);
    throw err;
  }
}

/** No user means no pii: masking is the default. */
const viewerOf = (user: User | undefined) => ({ pii: user?.pii === true });

export function segmentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { segments } = ctx;

  addRoute(app, { method: 'GET', url: '/api/segments/rfm', access: ALL_ROLES, query: RfmQuery, handler: ({ query }) => answer(() => segments.rfm(query)) });

  addRoute(app, { method: 'GET', url: '/api/segments/rules', access: ALL_ROLES, handler: () => answer(() => segments.rules()) });

  addRoute(app, {
    method: 'PUT',
    url: '/api/segments/rules',
    access: ['admin'],
    body: RulesBody,
    handler: ({ body, user }) => answer(() => segments.saveRules(body.rules, user!.username)),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/segments/customers',
    access: ALL_ROLES,
    query: CustomersQuery,
    handler: ({ query, user }) => answer(() => segments.customers(query, viewerOf(user))),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/segments/customers.csv',
    access: ALL_ROLES,
    query: CustomersCsvQuery,
    handler: async ({ query, user, reply }) => {
      const csv = await answer(() => segments.customersCsv(query, viewerOf(user)));
      const name = `customers-${query.segment ?? 'all'}${query.asOf ? `-${query.asOf}` : ''}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(csv);
    },
  });

  addRoute(app, { method: 'GET', url: '/api/segments/cohorts', access: ALL_ROLES, query: CohortsQuery, handler: ({ query }) => answer(() => segments.cohorts(query)) });

  addRoute(app, { method: 'GET', url: '/api/segments/tiers', access: ALL_ROLES, query: TiersQuery, handler: ({ query }) => answer(() => segments.tiers(query)) });

  addRoute(app, { method: 'GET', url: '/api/segments/movement', access: ALL_ROLES, query: MovementQuery, handler: ({ query }) => answer(() => segments.movement(query)) });

  addRoute(app, {
    method: 'GET',
    url: '/api/segments/new-returning',
    access: ALL_ROLES,
    query: NewReturningQuery,
    handler: ({ query }) => answer(() => segments.newReturning(query)),
  });
}
