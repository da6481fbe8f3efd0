import type { FastifyInstance } from 'fastify';
import { CreateTokenBody, type CreateTokenReply, type TokenInfo } from '../../auth/accountContract.ts';
import { createToken, listTokens, revokeToken } from '../../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { addRoute, z } from '../route.ts';

const TokenParams = z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, 'not an API token id') });

/**
 * The signed-in user's own tokens (Account page) and everyone's (Admin page). Requests made with
 * a token are refused on these routes by access control, so a leaked one cannot mint others.
 */
export function tokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/account/tokens',
    access: 'signed_in',
    handler: async ({ user }): Promise<{ tokens: TokenInfo[] }> => ({ tokens: await listTokens(ctx.db, { username: user!.username }) }),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/account/tokens',
    access: 'signed_in',
    body: CreateTokenBody,
    handler: async ({ reply, body, user }): Promise<CreateTokenReply> => {
      const created = await createToken(ctx.db, user!, body);
      reply.code(201);
      return created;
    },
  });

  addRoute(app, {
    method: 'DELETE',
    url: '/api/account/tokens/:id',
    access: 'signed_in',
    params: TokenParams,
    handler: async ({ reply, params, user }) => {
      await revokeToken(ctx.db, params.id, { username: user!.username });
      return reply.code(204).send();
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/admin/tokens',
    access: ['admin'],
    handler: async (): Promise<{ tokens: TokenInfo[] }> => ({ tokens: await listTokens(ctx.db) }),
  });

  addRoute(app, {
    method: 'DELETE',
    url: '/api/admin/tokens/:id',
    access: ['admin'],
    params: TokenParams,
    handler: async ({ reply, params }) => {
      await revokeToken(ctx.db, params.id);
      return reply.code(204).send();
    },
  });
}
