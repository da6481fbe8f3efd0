import type { FastifyInstance } from 'fastify';
import type { ZodType } from 'zod';
import { ALL_ROLES, type Role } from '../../auth/roles.ts';
import type { User } from '../../auth/users.ts';
import { ActionInput, ActionPatch, NoteBody, ReviewBody, RiskInput, RiskPatch, RisksQuery, type RisksReply } from '../../risk/contract.ts';
import { RegisterRefusal } from '../../risk/register/errors.ts';
import { InvalidMatrix } from '../../risk/register/matrix.ts';
import { RiskRegister } from '../../risk/register/service.ts';
import type { AppContext } from '../context.ts';
import { badRequest, HttpError } from '../errors.ts';
import { addRoute, z } from '../route.ts';

/** The register's refusals in HTTP terms. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RegisterRefusal) throw new HttpError(err.status, err.message);
    if (err instanceof InvalidMatrix) throw badRequest(err.message);
    throw err;
  }
}

const EDITORS: readonly Role[] = ['risk_owner', 'admin'];
const RiskParams = z.object({ id: z.string().regex(/^R-\d{3,}$/, "expected a risk id like 'R-001'") });
const ActionParams = RiskParams.extend({ actionId: z.coerce.number().int().min(1) });

export function riskRegisterRoutes(app: FastifyInstance, ctx: AppContext): void {
  const register = new RiskRegister(ctx.db);

  addRoute(app, {
    method: 'GET',
    url: '/api/risk/risks',
    access: ALL_ROLES,
    query: RisksQuery,
    handler: async ({ query }): Promise<RisksReply> => ({ risks: await answer(() => register.list(query)) }),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/risk/risks.csv',
    access: ALL_ROLES,
    query: RisksQuery,
    handler: async ({ query, reply }) => {
      const csv = await answer(() => register.csv(query));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="risk-register.csv"').send(csv);
    },
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/risk/risks',
    access: EDITORS,
    body: RiskInput,
    handler: async ({ body, user, reply }) => {
      const detail = await answer(async () => register.get(await register.createFor(body, user!), user!));
      return reply.code(201).send(detail);
    },
  });

  addRoute(app, { method: 'GET', url: '/api/risk/risks/:id', access: ALL_ROLES, params: RiskParams, handler: ({ params, user }) => answer(() => register.get(params.id, user!)) });

  /** A change to one risk (owner or admin, checked by the register) answers with the risk as its author now sees it. */
  function change<P extends { id: string }, B>(method: 'POST' | 'PATCH', url: string, params: ZodType<P>, body: ZodType<B>, apply: (params: P, body: B, user: User) => Promise<unknown>): void {
    addRoute(app, {
      method,
      url,
      access: EDITORS,
      params,
      body,
      handler: ({ params: p, body: b, user }) => answer(async () => {
        await apply(p, b, user!);
        return register.get(p.id, user!);
      }),
    });
  }

  change('PATCH', '/api/risk/risks/:id', RiskParams, RiskPatch, (p, b, user) => register.update(p.id, b, user));
  change('POST', '/api/risk/risks/:id/actions', RiskParams, ActionInput, (p, b, user) => register.addAction(p.id, b, user));
  change('PATCH', '/api/risk/risks/:id/actions/:actionId', ActionParams, ActionPatch, (p, b, user) => register.updateAction(p.id, p.actionId, b, user));
  change('POST', '/api/risk/risks/:id/review', RiskParams, ReviewBody, (p, b, user) => register.review(p.id, b.note, user));
  change('POST', '/api/risk/risks/:id/notes', RiskParams, NoteBody, (p, b, user) => register.addNote(p.id, b.note, user));

  addRoute(app, { method: 'GET', url: '/api/risk/heatmap', access: ALL_ROLES, handler: () => answer(() => register.heatmap()) });

  addRoute(app, { method: 'GET', url: '/api/risk/matrix', access: ALL_ROLES, handler: () => answer(() => register.matrix()) });

  addRoute(app, { method: 'PUT', url: '/api/risk/matrix', access: ['admin'], body: z.unknown(), handler: ({ body }) => answer(() => register.setMatrix(body)) });
}
