import type { FastifyInstance } from 'fastify';
import { listUsers } from '../../auth/users.ts';
import type { AppContext } from '../context.ts';
import { addRoute } from '../route.ts';

export function userRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/admin/users',
    access: ['admin'],
    handler: async () => ({ users: await listUsers(ctx.db) }),
  });
}
