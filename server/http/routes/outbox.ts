import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import { getOutboxMessage, listOutbox, retryMessage } from '../../notify/outbox.ts';
import { OutboxQuery, type OutboxDetail, type OutboxReply } from '../../risk/contract.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';

const IdParams = z.object({ id: z.coerce.number().int().min(1) });

export function outboxRoutes(app: FastifyInstance, ctx: AppContext): void {
  const detail = async (id: number): Promise<OutboxDetail> => {
    const message = await getOutboxMessage(ctx.db, id);
    if (!message) throw notFound(`no outbox message ${id}`);
    return message;
  };

  addRoute(app, {
    method: 'GET',
    url: '/api/notify/outbox',
    access: ALL_ROLES,
    query: OutboxQuery,
    handler: async ({ query }): Promise<OutboxReply> => ({ transport: ctx.outbox.transport(), messages: await listOutbox(ctx.db, query) }),
  });

  addRoute(app, { method: 'GET', url: '/api/notify/outbox/:id', access: ALL_ROLES, params: IdParams, handler: ({ params }) => detail(params.id) });

  addRoute(app, {
    method: 'POST',
    url: '/api/notify/outbox/:id/retry',
    access: ['admin'],
    params: IdParams,
    handler: async ({ params }) => {
      const current = await detail(params.id);
      if (!(await retryMessage(ctx.db, params.id))) throw new HttpError(409, `outbox message ${params.id} is ${current.status}; only a failed message can be retried`);
      ctx.outbox.wake();
      return detail(params.id);
    },
  });
}
