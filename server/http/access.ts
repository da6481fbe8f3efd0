import type { FastifyInstance, RouteOptions } from 'fastify';
import { allows } from '../auth/roles.ts';
import { SESSION_COOKIE, sessionUser } from '../auth/sessions.ts';
import { tokenUser } from '../auth/tokens.ts';
import type { AppDb } from '../db/appdb.ts';
import { HttpError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const READ_ONLY_METHODS = new Set(['GET', 'HEAD']);
export const CSRF_HEADER = 'x-vigil-csrf';
const BEARER = /^Bearer\s+(\S+)\s*$/i;
/**
 * Routes that manage accounts, sessions and tokens: only a signed-in person may, so a leaked script
 * token cannot mint more credentials or lock people out. Refused here, before the body is
 * validated, so a script learns it may not call them whatever it sends.
 */
const ACCOUNT_MANAGEMENT = /^\/api\/(account|admin\/(users|sessions|tokens))(\/|$)/;

export class MissingAccessRule extends Error {}

/** Every registered /api route, with the access rule it declared; the access test walks this list. */
export function registeredApiRoutes(app: FastifyInstance): RouteOptions[] {
  return (app as unknown as { vigilRoutes: RouteOptions[] }).vigilRoutes;
}

/**
 * Session or API-token lookup, role check and CSRF check for every /api route. A route that does
 * not declare who may call it is refused at registration, so a forgotten rule cannot ship.
 */
export function installAccessControl(app: FastifyInstance, db: AppDb): void {
  const routes: RouteOptions[] = [];
  app.decorate('vigilRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    if (route.method === 'HEAD') return;
    if (!route.config?.access) throw new MissingAccessRule(`route ${String(route.method)} ${route.url} declares no access rule`);
    routes.push(route);
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!request.url.startsWith('/api/') || !access) return;
    const bearer = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      // No CSRF check: a token is not an ambient credential the browser adds by itself, and a
      // cross-site page cannot set an Authorization header without a CORS preflight we never grant.
      // A bad token is refused outright rather than falling back to a cookie sent alongside it.
      const caller = await tokenUser(db, bearer);
      if (!caller) throw new HttpError(401, 'invalid or revoked API token');
      request.user = caller.user;
      request.apiToken = caller.token;
      if (ACCOUNT_MANAGEMENT.test(request.routeOptions.url ?? '')) throw new HttpError(403, 'API tokens cannot manage accounts');
      if (caller.token.readOnly && !READ_ONLY_METHODS.has(request.method)) throw new HttpError(403, 'this API token is read-only');
    } else {
      if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1') {
        throw new HttpError(403, `missing ${CSRF_HEADER} header on a state-changing request`);
      }
      const token = request.cookies[SESSION_COOKIE];
      request.user = token ? await sessionUser(db, token) : undefined;
    }
    if (access === 'public') return;
    if (!request.user) throw new HttpError(401, 'sign in required');
    if (!allows(access, request.user.role)) throw new HttpError(403, `your role (${request.user.role}) may not do this`);
  });
}
