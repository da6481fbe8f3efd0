import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installAuditLog } from '../auth/auditHook.ts';
import { installAccessControl } from './access.ts';
import type { AppContext } from './context.ts';
import { capacityFromEnv, installLoadShedding, type Capacity } from './loadShed.ts';
import { installSecurityHeaders } from './securityHeaders.ts';
import { BODY_LIMIT, handleError } from './errors.ts';
import { accountRoutes } from './routes/account.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { dashboardRoutes } from './routes/dashboards.ts';
import { healthRoutes } from './routes/health.ts';
import { kpiRoutes } from './routes/kpis.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { queryRunRoutes } from './routes/queryRuns.ts';
import { savedQueryRoutes } from './routes/savedQueries.ts';
import { riskIndicatorRoutes } from './routes/riskIndicators.ts';
import { riskRegisterRoutes } from './routes/riskRegister.ts';
import { segmentRoutes } from './routes/segments.ts';
import { snapshotRoutes } from './routes/snapshots.ts';
import { staffRoutes } from './routes/staff.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';

export const WEB_ROOT = resolve('build');

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** folder of the built SvelteKit app; the API works without it */
  webRoot?: string;
  /** the API's capacity, each bound defaulting to the environment's (see loadShed.ts) */
  capacity?: Partial<Capacity>;
}

const ROUTE_MODULES = [healthRoutes, authRoutes, accountRoutes, tokenRoutes, snapshotRoutes, userRoutes, kpiRoutes, segmentRoutes, staffRoutes, outboxRoutes, auditRoutes, riskRegisterRoutes, riskIndicatorRoutes, queryRunRoutes, savedQueryRoutes, dashboardRoutes];

/** Sign-in, invite/reset and password bodies are a few hundred bytes; a tighter cap there blunts floods on the unauthenticated routes. */
const SMALL_BODY_LIMIT = 16 * 1024;
const SMALL_BODY_ROUTES = /^\/api\/(auth|account)\//;

export async function buildApp(ctx: AppContext, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: BODY_LIMIT, trustProxy: false });
  app.addHook('onRoute', (route) => {
    if (SMALL_BODY_ROUTES.test(route.url)) route.bodyLimit = Math.min(route.bodyLimit ?? SMALL_BODY_LIMIT, SMALL_BODY_LIMIT);
  });
  // every body the API takes is JSON; a text/plain body would only reach the schemas as a string
  app.removeContentTypeParser('text/plain');
  installLoadShedding(app, { ...capacityFromEnv(process.env), ...opts.capacity });
  await app.register(cookie);
  const webRoot = opts.webRoot ?? WEB_ROOT;
  installSecurityHeaders(app, webRoot);
  installAccessControl(app, ctx.db);
  installAuditLog(app, ctx.db);
  app.setErrorHandler(handleError);

  for (const register of ROUTE_MODULES) register(app, ctx);

  const hasWeb = existsSync(join(webRoot, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webRoot, wildcard: true, index: 'index.html' });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !hasWeb || request.method !== 'GET') {
      return reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}`, statusCode: 404 });
    }
    // client-side routes of the single-page app all load the same shell
    return reply.type('text/html').sendFile('index.html');
  });
  return app;
}
