import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

export function tokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  void app;
  void ctx;
}
