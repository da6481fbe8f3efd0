import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import { DEFAULT_ROW_LIMIT, DownloadQuery, ParamValues, QueriesListQuery, RestoreBody, RunSavedBody, SavedQueryInput, type QueriesReply } from '../../queries/contract.ts';
import { savedRunBody } from '../../queries/savedRun.ts';
import { SqlFileError } from '../../queries/sqlFile.ts';
import { fileStem, SavedQueryForbidden, SavedQueryInvalid, SavedQueryNotFound } from '../../queries/store.ts';
import type { AppContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';
import { sandboxAnswer, WORKBENCH_ROLES } from './queryRuns.ts';
import { sendResultFile } from './resultFile.ts';

/** The saved queries' refusals in HTTP terms: unknown 404, not yours 403, a bad input or file 400. */
export async function savedAnswer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SavedQueryNotFound) throw notFound(err.message);
    if (err instanceof SavedQueryForbidden) throw new HttpError(403, err.message);
    if (err instanceof SavedQueryInvalid) throw badRequest(`body parameter '${err.field}': ${err.message}`);
    if (err instanceof SqlFileError) throw badRequest(`body parameter 'text': ${err.message}`);
    throw err;
  }
}

export const IdParams = z.object({ id: z.string().min(1).max(100) });
const ImportBody = z.object({ text: z.string().min(1).max(200_000) });

/** The download's `values` query parameter: a JSON object of parameter values. */
function downloadValues(text: string | undefined): ParamValues {
  if (text === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badRequest("query parameter 'values': not JSON");
  }
  const result = ParamValues.safeParse(raw);
  if (!result.success) throw badRequest(`query parameter 'values': ${result.error.issues[0].message}`);
  return result.data;
}

export function savedQueryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const saved = ctx.savedQueries;

  addRoute(app, {
    method: 'GET',
    url: '/api/queries',
    access: ALL_ROLES,
    query: QueriesListQuery,
    handler: async ({ query, user }): Promise<QueriesReply> => ({ queries: await saved.list(user!, query) }),
  });

  addRoute(app, { method: 'POST', url: '/api/queries', access: WORKBENCH_ROLES, body: SavedQueryInput, handler: ({ body, user }) => savedAnswer(() => saved.create(body, user!)) });

  addRoute(app, { method: 'GET', url: '/api/queries/:id', access: ALL_ROLES, params: IdParams, handler: ({ params, user }) => savedAnswer(() => saved.get(params.id, user!)) });

  addRoute(app, {
    method: 'PUT',
    url: '/api/queries/:id',
    access: WORKBENCH_ROLES,
    params: IdParams,
    body: SavedQueryInput,
    handler: ({ params, body, user }) => savedAnswer(() => saved.update(params.id, body, user!)),
  });

  addRoute(app, {
    method: 'DELETE',
    url: '/api/queries/:id',
    access: WORKBENCH_ROLES,
    params: IdParams,
    handler: async ({ params, user }) => {
      await savedAnswer(() => saved.remove(params.id, user!));
      return { deleted: params.id };
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/queries/:id/versions',
    access: ALL_ROLES,
    params: IdParams,
    handler: async ({ params, user }) => ({ versions: await savedAnswer(() => saved.versions(params.id, user!)) }),
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/queries/:id/restore',
    access: WORKBENCH_ROLES,
    params: IdParams,
    body: RestoreBody,
    handler: ({ params, body, user }) => savedAnswer(() => saved.restore(params.id, body.version, user!)),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/queries/:id/export',
    access: ALL_ROLES,
    params: IdParams,
    handler: async ({ params, user, reply }) => {
      const file = await savedAnswer(() => saved.exportFile(params.id, user!));
      return reply.type('text/plain; charset=utf-8').header('content-disposition', `attachment; filename="${file.name}"`).send(file.text);
    },
  });

  addRoute(app, { method: 'POST', url: '/api/queries/import', access: WORKBENCH_ROLES, body: ImportBody, handler: ({ body, user }) => savedAnswer(() => saved.importFile(body.text, user!)) });

  // every role: dashboards run the queries they may see for executives too
  addRoute(app, {
    method: 'POST',
    url: '/api/queries/:id/run',
    access: ALL_ROLES,
    params: IdParams,
    body: RunSavedBody,
    handler: async ({ params, body, user, reply }) => {
      const query = await savedAnswer(() => saved.get(params.id, user!));
      return sandboxAnswer(reply, () => ctx.queries.run(savedRunBody(query, body), user!, { record: false }));
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/queries/:id/download',
    access: ALL_ROLES,
    params: IdParams,
    query: DownloadQuery,
    handler: async ({ params, query, user, reply }) => {
      const found = await savedAnswer(() => saved.get(params.id, user!));
      // a file holds every row: the row limit applies to runs shown on a page only
      const body = savedRunBody(found, { values: downloadValues(query.values), snapshot: query.snapshot, limit: DEFAULT_ROW_LIMIT });
      return sendResultFile(ctx.queries, reply, { body, user: user!, format: query.format, stem: fileStem(found) });
    },
  });
}
