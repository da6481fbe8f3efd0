// The one way the web client talks to the server.
//
// - sends the session cookie (same-origin credentials);
// - sets `x-vigil-csrf: 1` on every state-changing request;
// - turns error replies (`{ "error": "message", "statusCode": N }`) into an ApiError whose
//   message is what the server said, so pages can show it as is;
// - on 401 (session missing or expired) sends the user to /login?next=<where they were>.

import { goto } from '$app/navigation';
import { t } from './i18n.svelte';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  /** serialised as JSON */
  body?: unknown;
  /** SvelteKit's `fetch` when called from a load function */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /**
   * What to do on 401: 'redirect' (default) navigates to the sign-in page and then throws;
   * 'throw' only throws (for the sign-in form and for load functions that redirect themselves).
   */
  on401?: 'redirect' | 'throw';
  /** 'blob' for a file the server sends (a download), default JSON */
  as?: 'json' | 'blob';
}

const STATE_CHANGING: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The path (with query) to come back to after signing in, or null when it is not safe. */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return null;
  return next;
}

export function loginUrl(from: URL | Location): string {
  const next = safeNext(from.pathname + from.search);
  return next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

async function errorMessage(res: Response): Promise<string> {
  const fallback = t('error.status', { status: res.status });
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return fallback;
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object') {
      const { error, message } = body as { error?: unknown; message?: unknown };
      // Our routes answer { error: "what went wrong" }. Fastify's own errors answer
      // { error: "Not Found", message: "what went wrong" }: prefer the more specific message.
      if (typeof message === 'string' && message && (typeof error !== 'string' || error === res.statusText)) {
        return message;
      }
      if (typeof error === 'string' && error) return error;
      if (typeof message === 'string' && message) return message;
    }
  } catch {
    // not JSON after all
  }
  return fallback;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (STATE_CHANGING.has(method)) headers['x-vigil-csrf'] = '1';
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, t('error.network'));
  }

  if (!res.ok) {
    const message = await errorMessage(res);
    if (res.status === 401 && (options.on401 ?? 'redirect') === 'redirect' && typeof location !== 'undefined') {
      if (!location.pathname.startsWith('/login')) await goto(loginUrl(location));
    }
    throw new ApiError(res.status, message);
  }

  if (res.status === 204) return undefined as T;
  if (options.as === 'blob') return (await res.blob()) as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, t('error.status', { status: res.status }));
  }
}

export const get = <T>(path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  api<T>(path, { ...options, method: 'GET' });

export const post = <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  api<T>(path, { ...options, method: 'POST', body });

/** A message to show for any error thrown while loading or saving. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return t('error.title');
}
