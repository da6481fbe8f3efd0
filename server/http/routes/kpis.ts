import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import type { User } from '../../auth/users.ts';
import { BreakdownQuery, KpiQuery, SeriesQuery } from '../../metrics/contract.ts';
import { KpiQueryError } from '../../metrics/errors.ts';
import { SnapshotNotFound } from '../../snapshots/store.ts';
import type { AppContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';

const CatalogQuery = z.object({ snapshot: z.string().optional() });

/** What a user may see decides which cached answers they share: for now, role and PII access. */
export function scopeOf(user: User | undefined): string {
  return user ? `${user.role}:${user.pii ? 'pii' : 'masked'}` : 'anonymous';
}

/** The engine's own refusals in the route's terms: a bad parameter is a 400, an unknown snapshot a 404. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof KpiQueryError) throw badRequest(`query parameter '${err.param}': ${err.detail}`);
    if (err instanceof SnapshotNotFound) throw notFound(err.message);
    throw err;
  }
}

export function kpiRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/kpis',
    access: ALL_ROLES,
    query: KpiQuery,
    handler: ({ query, user }) => answer(() => ctx.kpis.kpis(query, scopeOf(user))),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/kpis/series',
    access: ALL_ROLES,
    query: SeriesQuery,
    handler: ({ query, user }) => answer(() => ctx.kpis.series(query, scopeOf(user))),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/kpis/breakdown',
    access: ALL_ROLES,
    query: BreakdownQuery,
    handler: ({ query, user }) => answer(() => ctx.kpis.breakdown(query, scopeOf(user))),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/kpis/catalog',
    access: ALL_ROLES,
    query: CatalogQuery,
    handler: ({ query, user }) => answer(() => ctx.kpis.catalog(query.snapshot, scopeOf(user))),
  });
}
