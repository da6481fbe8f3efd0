import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NoSnapshot } from '../db/engine.ts';

/** An error whose message is safe and useful to show the caller, with its HTTP status. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

/** The largest request body any route takes. */
export const BODY_LIMIT = 1024 * 1024;

const sizeText = (bytes: number): string => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${Math.round(bytes / 1024)} KB`);

/**
 * Fastify's own refusals of a request's body, in words that say what to change. Its default texts
 * are fine, but the JSON parser's can carry a fragment of the body, so none is passed through unread.
 */
function requestRefusal(err: FastifyError, request: FastifyRequest): string | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body too large (limit ${sizeText(request.routeOptions.bodyLimit ?? BODY_LIMIT)})`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'request body is not valid JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is empty but its content type says JSON';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported content type '${String(request.headers['content-type'] ?? '').slice(0, 100)}': send application/json`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'request body size did not match its Content-Length header';
    default:
      return null;
  }
}

/** A short id shown to the user and logged beside the full error, so a report can be matched to the log. */
const newRef = (): string => randomBytes(4).toString('hex').toUpperCase();

/**
 * The one error handler. Our own HttpErrors say what was wrong; anything else is unexpected and may
 * hold SQL, file paths or a stack: only admins see its message, everyone gets a reference to the log.
 */
export function handleError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message, statusCode: err.statusCode });
  if (err instanceof NoSnapshot) return reply.code(404).send({ error: err.message, statusCode: 404 });
  const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  if (status < 500) {
    const message = requestRefusal(err, request) ?? (STATUS_CODES[status] ?? 'request refused').toLowerCase();
    return reply.code(status).send({ error: message, statusCode: status });
  }
  const ref = newRef();
  request.log.error({ err, ref }, 'request failed');
  const shown = request.user?.role === 'admin' ? `${err.message} (ref ${ref})` : `internal error (ref ${ref})`;
  return reply.code(500).send({ error: shown, ref, statusCode: 500 });
}
