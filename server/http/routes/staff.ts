import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import { SnapshotNotFound } from '../../snapshots/store.ts';
import { StaffPerformanceQuery, StaffPersonParams, StaffPersonQuery } from '../../staff/contract.ts';
import { StaffNotFound } from '../../staff/errors.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { addRoute } from '../route.ts';

/** An unknown person or snapshot is a 404. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StaffNotFound || err instanceof SnapshotNotFound) throw notFound(err.message);
    throw err;
  }
}

export function staffRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { staff } = ctx;

  addRoute(app, {
    method: 'GET',
    url: '/api/staff/performance',
    access: ALL_ROLES,
    query: StaffPerformanceQuery,
    handler: ({ query }) => answer(() => staff.performance(query)),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/staff/:id',
    access: ALL_ROLES,
    query: StaffPersonQuery,
    params: StaffPersonParams,
    handler: ({ query, params }) => answer(() => staff.person(params.id, query)),
  });
}
