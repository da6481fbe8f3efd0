import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import { getOutboxMessage, listOutbox, retryMessage } from '../../notify/outbox.ts';
import { OutboxQuery, type OutboxDetail, type OutboxReply } from '../../risk/contract.ts';
import type { User } from '../../auth/users.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';

const IdParams = z.object({ id: z.coerce.number().int().min(1) });

export function outboxRoutes(app: FastifyInstance, ctx: AppContext): void {
  const isAdmin = (user: User | undefined) => user?.role === 'admin';
  const readerOf = (user: User | undefined) => ({ accountMail: isAdmin(user) });
  const detail = async (id: number, user: User | undefined): Promise<OutboxDetail> => {
    const message = await getOutboxMessage(ctx.db, id, readerOf(user));
    if (!message) throw notFound(`no outbox message ${id}`);
    return message;
  };

  addRoute(app, {
    method: 'GET',
    url: '/api/notify/outbox',
    access: ALL_ROLES,
    query: OutboxQuery,
    handler: async ({ query, user }): Promise<OutboxReply> => {
      const transport = ctx.outbox.transport();
      // the server's folder and mail host are deployment details only admins need
      return { transport: isAdmin(user) ? transport : { kind: transport.kind }, messages: await listOutbox(ctx.db, query, readerOf(user)) };
    },
  });

  addRoute(app, { method: 'GET', url: '/api/notify/outbox/:id', access: ALL_ROLES, params: IdParams, handler: ({ params, user }) => detail(params.id, user) });

  addRoute(app, {
    method: 'POST',
    url: '/api/notify/outbox/:id/retry',
    access: ['admin'],
    params: IdParams,
    handler: async ({ params, user }) => {
      const current = await detail(params.id, user);
      if (!(await retryMessage(ctx.db, params.id))) throw new HttpError(409, `outbox message ${params.id} is ${current.status}; only a failed message can be retried`);
      ctx.outbox.wake();
      return detail(params.id, user);
    },
  });
}
