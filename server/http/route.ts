import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { z, type ZodType } from 'zod';
import type { Access } from '../auth/roles.ts';
import type { User } from '../auth/users.ts';
import { badRequest } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user?: User;
    /** set when the request came with an API token instead of a session cookie */
    apiToken?: { id: string; readOnly: boolean };
  }
}

export interface RouteInput<Q, B, P> {
  query: Q;
  body: B;
  params: P;
  user: User | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<Q, B, P> {
  method: HTTPMethods;
  url: string;
  /** every /api route says who may call it; registering one without this fails */
  access: Access;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  params?: ZodType<P>;
  handler: (input: RouteInput<Q, B, P>) => Promise<unknown>;
}

function parsePart<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue.path.length ? issue.path.join('.') : where;
  throw badRequest(`${where} parameter '${name}': ${issue.message}`);
}

/** Registers a route whose query, body and params are validated by one schema each. */
export function addRoute<Q = undefined, B = undefined, P = undefined>(app: FastifyInstance, spec: RouteSpec<Q, B, P>): void {
  app.route({
    method: spec.method,
    url: spec.url,
    config: { access: spec.access },
    handler: async (request, reply) => {
      const input: RouteInput<Q, B, P> = {
        query: parsePart(spec.query, request.query, 'query'),
        body: parsePart(spec.body, request.body, 'body'),
        params: parsePart(spec.params, request.params, 'path'),
        user: request.user,
        request,
        reply,
      };
      return spec.handler(input);
    },
  });
}

export { z };
