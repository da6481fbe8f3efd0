import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Role } from '../../auth/roles.ts';
import { RunBody } from '../../queries/contract.ts';
import { SandboxError } from '../../queries/runner.ts';
import { SnapshotNotFound } from '../../snapshots/store.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';
import { sendResultFile } from './resultFile.ts';

/** Who writes SQL in the workbench; executives only see saved queries' results on dashboards. */
export const WORKBENCH_ROLES: readonly Role[] = ['analyst', 'risk_owner', 'admin'];

/**
 * A sandbox refusal (a forbidden statement, a parameter, the time limit) is a 400 whose `code`
 * tells the page which kind it was and whose `error` is the reason to show; an unknown snapshot is a 404.
 */
export async function sandboxAnswer<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SandboxError) return reply.code(400).send({ error: err.message, code: err.code, statusCode: 400 });
    if (err instanceof SnapshotNotFound) throw notFound(err.message);
    throw err;
  }
}

const RunParams = z.object({ runId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });
const SchemaQuery = z.object({ snapshot: z.string().optional() });
const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

export function queryRunRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/api/queries/run',
    access: WORKBENCH_ROLES,
    body: RunBody,
    handler: ({ body, user, request, reply }) => sandboxAnswer(reply, () => ctx.queries.run(body, user!, { source: request.ip, tokenId: request.apiToken?.id })),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/queries/run/download',
    access: WORKBENCH_ROLES,
    body: RunBody.extend({ format: z.enum(['csv', 'parquet']) }),
    handler: ({ body, user, reply }) => sendResultFile(ctx.queries, reply, { body, user: user!, format: body.format, stem: 'query-result' }),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/queries/runs/:runId/cancel',
    access: WORKBENCH_ROLES,
    params: RunParams,
    handler: async ({ params, user }) => {
      if (!ctx.queries.cancel(params.runId, user!)) throw notFound(`no query of yours is running with id ${params.runId}`);
      return { cancelled: true };
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/queries/schema',
    access: WORKBENCH_ROLES,
    query: SchemaQuery,
    handler: ({ query, user, reply }) => sandboxAnswer(reply, () => ctx.queries.schema(query.snapshot, user!)),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/queries/history',
    access: WORKBENCH_ROLES,
    query: HistoryQuery,
    handler: async ({ query, user }) => ({ history: await ctx.queries.history(user!, query.limit) }),
  });
}
