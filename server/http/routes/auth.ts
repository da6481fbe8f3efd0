import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SetupPasswordBody } from '../../auth/accountContract.ts';
import { clearLoginFailures, loginLock, recordLoginFailure } from '../../auth/loginThrottle.ts';
import { useSetupLink } from '../../auth/passwordSetup.ts';
import { SESSION_COOKIE, revokeSession, signIn } from '../../auth/sessions.ts';
import { authenticate, type User } from '../../auth/users.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { addRoute, z } from '../route.ts';

const LoginBody = z.object({
  username: z.string().trim().min(1, 'required').max(100),
  password: z.string().min(1, 'required').max(1000),
});

/** Starts the session of a user who just proved who they are; the audit hook reads `request.user`. */
async function startSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, user: User): Promise<{ user: User }> {
  const token = await signIn(ctx.db, user.username, request.ip, request.headers['user-agent'] ?? null);
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
  request.user = user;
  return { user };
}

export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/api/auth/login',
    access: 'public',
    body: LoginBody,
    handler: async ({ body, request, reply }) => {
      const lock = await loginLock(ctx.db, body.username, request.ip);
      if (lock) {
        reply.code(429).header('retry-after', String(lock.retryAfterSeconds));
        return { error: lock.message, statusCode: 429 };
      }
      const user = await authenticate(ctx.db, body.username, body.password);
      if (!user) {
        await recordLoginFailure(ctx.db, body.username, request.ip);
        // one message for unknown user and wrong password, so accounts cannot be discovered
        throw new HttpError(401, 'invalid username or password');
      }
      await clearLoginFailures(ctx.db, body.username);
      return startSession(ctx, request, reply, user);
    },
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/auth/setup',
    access: 'public',
    body: SetupPasswordBody,
    handler: async ({ body, request, reply }) => startSession(ctx, request, reply, await useSetupLink(ctx.db, body.token, body.password)),
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
