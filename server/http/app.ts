import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installAuditLog } from '../auth/auditHook.ts';
import { installAccessControl } from './access.ts';
import type { AppContext } from './context.ts';
import { HttpError } from './errors.ts';
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
import { NoSnapshot } from '../db/engine.ts';

export const WEB_ROOT = resolve('build');

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** folder of the built SvelteKit app; the API works without it */
  webRoot?: string;
}

const ROUTE_MODULES = [healthRoutes, authRoutes, accountRoutes, tokenRoutes, snapshotRoutes, userRoutes, kpiRoutes, segmentRoutes, staffRoutes, outboxRoutes, auditRoutes, riskRegisterRoutes, riskIndicatorRoutes, queryRunRoutes, savedQueryRoutes, dashboardRoutes];

export async function buildApp(ctx: AppContext, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024, trustProxy: false });
  await app.register(cookie);
  installAccessControl(app, ctx.db);
  installAuditLog(app, ctx.db);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message, statusCode: err.statusCode });
    if (err instanceof NoSnapshot) return reply.code(404).send({ error: err.message, statusCode: 404 });
    const status = err.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: err.message, statusCode: status });
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal error; the server log has the details', statusCode: 500 });
  });

  for (const register of ROUTE_MODULES) register(app, ctx);

  const webRoot = opts.webRoot ?? WEB_ROOT;
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
