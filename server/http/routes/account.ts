import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  void app;
  void ctx;
}
