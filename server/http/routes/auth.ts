import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, createSession, revokeSession } from '../../auth/sessions.ts';
import { authenticate } from '../../auth/users.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { addRoute, z } from '../route.ts';

const LoginBody = z.object({
  username: z.string().trim().min(1, 'required').max(100),
  password: z.string().min(1, 'required').max(1000),
});

export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/api/auth/login',
    access: 'public',
    body: LoginBody,
    handler: async ({ body, request, reply }) => {
      const user = await authenticate(ctx.db, body.username, body.password);
      // one message for unknown user and wrong password, so accounts cannot be discovered
      if (!user) throw new HttpError(401, 'invalid username or password');
      const token = await createSession(ctx.db, user.username, request.ip);
      reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
      return { user };
    },
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/auth/logout',
    access: 'signed_in',
    handler: async ({ request, reply }) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await revokeSession(ctx.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.code(204);
      return null;
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/auth/me',
    access: 'signed_in',
    handler: async ({ user }) => ({ user }),
  });
}
