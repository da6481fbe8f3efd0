// The one place requests are audited: after each response to a registered /api route, sign-ins,
// state-changing requests and downloads are written to the audit log with the route pattern,
// the user, the client's address and the status.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDb } from '../db/appdb.ts';
import { outcomeOf, recordAudit } from './audit.ts';
import type { AuditEvent } from './auditContract.ts';

const LOGIN_URL = '/api/auth/login';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const EXPORT_URL = /(\.csv|\/download|\/export)$/;
/** Runs of SQL: audited as queries, not writes, though they are POSTs. */
const RUN_URLS = new Set(['/api/queries/run', '/api/queries/:id/run']);
/**
 * Ad-hoc runs are audited by the query runner, which knows the statement, the row count and the
 * duration; here they are recorded only when refused before the runner was reached.
 */
const AD_HOC_RUN_URL = '/api/queries/run';

const bodyField = (request: FastifyRequest, name: string): string | null => {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : null;
};

/** The route's path parameters (a risk id, a query id ...) as the row's target. */
function targetOf(request: FastifyRequest): string | null {
  const values = Object.values((request.params ?? {}) as Record<string, unknown>).map(String);
  return values.length ? values.join('/') : null;
}

/** The audit row for this request, or null when it is not one that is audited. */
function eventOf(request: FastifyRequest, reply: FastifyReply): AuditEvent | null {
  const route = request.routeOptions.url;
  if (!route || !request.routeOptions.config?.access) return null;
  const status = reply.statusCode;
  const base = { source: request.ip, status, outcome: outcomeOf(status), target: targetOf(request) };
  if (route === LOGIN_URL) {
    // the attempted name only: the body's password never reaches the log
    return { ...base, kind: status === 200 ? 'sign_in' : 'sign_in_failed', username: bodyField(request, 'username'), action: 'login', detail: {} };
  }
  const action = `${request.method} ${route}`;
  const username = request.user?.username ?? null;
  if (EXPORT_URL.test(route)) {
    const sql = bodyField(request, 'sql');
    return { ...base, kind: 'export', username, action, detail: { query: request.query ?? {}, ...(sql === null ? {} : { sql }) } };
  }
  if (!STATE_CHANGING.has(request.method)) return null;
  if (!RUN_URLS.has(route)) return { ...base, kind: 'write', username, action, detail: {} };
  if (route === AD_HOC_RUN_URL && base.outcome !== 'refused') return null;
  return { ...base, kind: 'query', username, action, detail: {} };
}

export function installAuditLog(app: FastifyInstance, db: AppDb): void {
  app.addHook('onResponse', async (request, reply) => {
    const event = eventOf(request, reply);
    if (event) await recordAudit(db, event);
  });
}
