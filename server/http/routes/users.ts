// Admin: user accounts and everyone's sessions.
import type { FastifyInstance } from 'fastify';
import { CreateUserBody, UpdateUserBody, type CreateUserReply } from '../../auth/accountContract.ts';
import { createSetupLink } from '../../auth/passwordSetup.ts';
import { SESSION_COOKIE, listSessions, revokeSessionById } from '../../auth/sessions.ts';
import { createUser, listUsers, updateUser } from '../../auth/users.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';

const UsernameParams = z.object({ username: z.string().min(1).max(100) });
export const SessionParams = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'a session id is 16 hex characters') });

export function userRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/admin/users',
    access: ['admin'],
    handler: async () => ({ users: await listUsers(ctx.db) }),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/admin/users',
    access: ['admin'],
    body: CreateUserBody,
    handler: async ({ body, user, reply }): Promise<CreateUserReply> => {
      const { password, ...account } = body;
      const created = await createUser(ctx.db, { ...account, password: password ?? null });
      // without a password the account is an invite: its link is how the user chooses one
      const setup = password === undefined ? await createSetupLink(ctx.db, created.username, 'invite', user!.username, ctx.appUrl) : null;
      reply.code(201);
      return { user: created, setup };
    },
  });

  addRoute(app, {
    method: 'PATCH',
    url: '/api/admin/users/:username',
    access: ['admin'],
    params: UsernameParams,
    body: UpdateUserBody,
    handler: async ({ params, body, user }) => ({ user: await updateUser(ctx.db, params.username, body, user!) }),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/admin/users/:username/reset',
    access: ['admin'],
    params: UsernameParams,
    handler: async ({ params, user }) => {
      if (params.username === user!.username) throw new HttpError(409, 'change your own password on your account page instead of resetting it');
      return { setup: await createSetupLink(ctx.db, params.username, 'reset', user!.username, ctx.appUrl) };
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/admin/sessions',
    access: ['admin'],
    query: z.object({ username: z.string().min(1).max(100).optional() }),
    handler: async ({ query, request }) => ({ sessions: await listSessions(ctx.db, { username: query.username }, request.cookies[SESSION_COOKIE]) }),
  });

  addRoute(app, {
    method: 'DELETE',
    url: '/api/admin/sessions/:id',
    access: ['admin'],
    params: SessionParams,
    handler: async ({ params, reply }) => {
      if (!(await revokeSessionById(ctx.db, params.id))) throw notFound(`no live session ${params.id}`);
      reply.code(204);
      return null;
    },
  });
}
