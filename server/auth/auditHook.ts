// The one place requests are audited: after each response to a registered /api route, sign-ins,
// state-changing requests and downloads are written to the audit log with the route pattern,
// the user, the client's address, the status and the API token used, if any.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDb } from '../db/appdb.ts';
import { outcomeOf, recordAudit } from './audit.ts';
import type { AuditEvent } from './auditContract.ts';

const LOGIN_URL = '/api/auth/login';
/** Opening an invite or reset link sets a password and signs the user in. */
const SETUP_URL = '/api/auth/setup';
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

/** Ids of records created by POSTs, read from their replies in onSend and written in onResponse. */
const createdIds = new WeakMap<FastifyRequest, string>();

const idText = (value: unknown): string | null => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);

/**
 * The created record's id in a reply: `{id}`, or one level down (`{risk: {id}}`, `{info: {id}}`),
 * or the username of a created user. Only these fields are read, because a reply can carry a
 * secret (a new API token, an invite link) that must never reach the log.
 */
function createdIdOf(reply: unknown): string | null {
  if (typeof reply !== 'object' || reply === null) return null;
  const top = reply as Record<string, unknown>;
  const own = idText(top.id);
  if (own !== null) return own;
  for (const [key, value] of Object.entries(top)) {
    if (typeof value !== 'object' || value === null) continue;
    const nested = idText((value as Record<string, unknown>).id) ?? (key === 'user' ? idText((value as Record<string, unknown>).username) : null);
    if (nested !== null) return nested;
  }
  return null;
}

function parsedJson(payload: unknown): unknown {
  if (typeof payload !== 'string') return null;
  try {
    return JSON.parse(payload);
  } catch {
    return null;
  }
}

/** The route's path parameters (a risk id, a query id ...) as the row's target. */
function targetOf(request: FastifyRequest): string | null {
  const values = Object.values((request.params ?? {}) as Record<string, unknown>).map(String);
  return values.length ? values.join('/') : null;
}

/** POSTs audited as writes: not sign-ins, runs or downloads, whose replies name no created record. */
const isWritePost = (method: string, route: string): boolean =>
  method === 'POST' && route !== LOGIN_URL && route !== SETUP_URL && !EXPORT_URL.test(route) && !RUN_URLS.has(route);

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
  if (route === SETUP_URL) {
    // the link's token and the new password stay out of the log; the user is known only once the link was valid
    return { ...base, kind: status === 200 ? 'sign_in' : 'sign_in_failed', username: request.user?.username ?? null, action: 'setup', detail: {} };
  }
  const action = `${request.method} ${route}`;
  const username = request.user?.username ?? null;
  const token = request.apiToken ? { token: request.apiToken.id } : {};
  if (EXPORT_URL.test(route)) {
    const sql = bodyField(request, 'sql');
    return { ...base, kind: 'export', username, action, detail: { query: request.query ?? {}, ...(sql === null ? {} : { sql }), ...token } };
  }
  if (!STATE_CHANGING.has(request.method)) return null;
  if (!RUN_URLS.has(route)) return { ...base, target: base.target ?? createdIds.get(request) ?? null, kind: 'write', username, action, detail: token };
  if (route === AD_HOC_RUN_URL && base.outcome !== 'refused') return null;
  return { ...base, kind: 'query', username, action, detail: token };
}

export function installAuditLog(app: FastifyInstance, db: AppDb): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if (route && request.routeOptions.config?.access && reply.statusCode < 300 && isWritePost(request.method, route) && targetOf(request) === null) {
      const id = createdIdOf(parsedJson(payload));
      if (id !== null) createdIds.set(request, id);
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const event = eventOf(request, reply);
    if (event) await recordAudit(db, event);
  });
}
