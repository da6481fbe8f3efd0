import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { addRoute } from '../route.ts';

export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/health',
    access: 'public',
    handler: async () => ({ status: 'ok', snapshot: (await ctx.engine.newest())?.id ?? null, version: ctx.version }),
  });
}
