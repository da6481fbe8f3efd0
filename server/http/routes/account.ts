// The signed-in user's own account: password and sessions.
import type { FastifyInstance } from 'fastify';
import { ChangePasswordBody } from '../../auth/accountContract.ts';
import { SESSION_COOKIE, listSessions, revokeSessionById } from '../../auth/sessions.ts';
import { changeOwnPassword } from '../../auth/users.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { addRoute } from '../route.ts';
import { SessionParams } from './users.ts';

export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/api/account/password',
    access: 'signed_in',
    body: ChangePasswordBody,
    handler: async ({ body, user, request, reply }) => {
      await changeOwnPassword(ctx.db, user!, body.current, body.next, request.cookies[SESSION_COOKIE]);
      reply.code(204);
      return null;
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/account/sessions',
    access: 'signed_in',
    handler: async ({ user, request }) => ({ sessions: await listSessions(ctx.db, { username: user!.username }, request.cookies[SESSION_COOKIE]) }),
  });

  addRoute(app, {
    method: 'DELETE',
    url: '/api/account/sessions/:id',
    access: 'signed_in',
    params: SessionParams,
    handler: async ({ params, user, reply }) => {
      // scoped to the caller, so another user's session id is simply not found
      if (!(await revokeSessionById(ctx.db, params.id, { username: user!.username }))) throw notFound(`no live session ${params.id} of yours`);
      reply.code(204);
      return null;
    },
  });
}
