import type { FastifyInstance, RouteOptions } from 'fastify';
import { allows } from '../auth/roles.ts';
import { SESSION_COOKIE, sessionUser } from '../auth/sessions.ts';
import type { AppDb } from '../db/appdb.ts';
import { HttpError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-vigil-csrf';

export class MissingAccessRule extends Error {}

/** Every registered /api route, with the access rule it declared; the access test walks this list. */
export function registeredApiRoutes(app: FastifyInstance): RouteOptions[] {
  return (app as unknown as { vigilRoutes: RouteOptions[] }).vigilRoutes;
}

/**
 * Session lookup, role check and CSRF check for every /api route. A route that does not declare
 * who may call it is refused at registration, so a forgotten rule cannot ship.
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
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1') {
      throw new HttpError(403, `missing ${CSRF_HEADER} header on a state-changing request`);
    }
    const token = request.cookies[SESSION_COOKIE];
    request.user = token ? await sessionUser(db, token) : undefined;
    if (access === 'public') return;
    if (!request.user) throw new HttpError(401, 'sign in required');
    if (!allows(access, request.user.role)) throw new HttpError(403, `your role (${request.user.role}) may not do this`);
  });
}
