// Load shedding for the API: a bound on requests in flight and a short wait queue; beyond them the
// server answers 503 at once so that clients retry instead of piling up behind a saturated server.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface Capacity {
  /** API requests being handled at once */
  maxInFlight: number;
  /** requests waiting for a free place once all are taken */
  maxQueue: number;
  /** how long a request waits in the queue before it gets a 503 */
  queueTimeoutMs: number;
}

/**
 * DuckDB runs every query on one thread pool sized to the cores, so past a few dozen concurrent
 * queries each one only gets slower while their results pile up in memory: 64 keeps every core busy
 * with room for the cheap calls (session, catalog, cached answers) that make up most of a page
 * load. A page fires about ten calls at once, so a queue of twice the bound absorbs a burst of
 * page loads. A dashboard user would rather see "retry" after 2 s than stare at a spinner, and a
 * request still waiting after 2 s behind 64 others would be answered too late to matter anyway.
 */
export const DEFAULT_CAPACITY: Capacity = { maxInFlight: 64, maxQueue: 128, queueTimeoutMs: 2000 };

/** Seconds a shed client should wait: the queue drains well within that at the default capacity. */
const RETRY_AFTER_SECONDS = 1;

export const BUSY_MESSAGE = 'server busy, retry shortly';

/** The health check must answer while the API is saturated, or a supervisor would restart a busy server. */
function isShed(url: string): boolean {
  return url.startsWith('/api/') && !/^\/api\/health(?:[/?]|$)/.test(url);
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got '${raw}'`);
  return value;
}

/** The capacity set by VIGIL_MAX_INFLIGHT, VIGIL_MAX_QUEUE and VIGIL_QUEUE_TIMEOUT_MS, each defaulting to DEFAULT_CAPACITY. */
export function capacityFromEnv(env: NodeJS.ProcessEnv): Capacity {
  return {
    maxInFlight: wholeNumber(env, 'VIGIL_MAX_INFLIGHT', DEFAULT_CAPACITY.maxInFlight, 1),
    maxQueue: wholeNumber(env, 'VIGIL_MAX_QUEUE', DEFAULT_CAPACITY.maxQueue, 0),
    queueTimeoutMs: wholeNumber(env, 'VIGIL_QUEUE_TIMEOUT_MS', DEFAULT_CAPACITY.queueTimeoutMs, 0),
  };
}

function busy(reply: FastifyReply): void {
  reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ error: BUSY_MESSAGE, statusCode: 503 });
}

/** Installs the bound as the first onRequest hook, so a shed request costs no session lookup or query. */
export function installLoadShedding(app: FastifyInstance, capacity: Capacity): void {
  let inFlight = 0;
  // first come, first served: a waiting request is admitted by the one whose place it takes
  const waiting: (() => void)[] = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!isShed(request.url)) return done();
    // 'close' comes once the reply is sent or the client has gone, so a place is never lost; a
    // request whose client left gives its place back before its query ends, which the sandbox's
    // time limit and the dashboards' short queries keep brief
    const admit = () => {
      reply.raw.once('close', release);
      done();
    };
    if (inFlight < capacity.maxInFlight) {
      inFlight++;
      return admit();
    }
    if (waiting.length >= capacity.maxQueue) return busy(reply);
    const leave = () => {
      clearTimeout(timer);
      reply.raw.off('close', leave);
      waiting.splice(waiting.indexOf(enter), 1);
    };
    const enter = () => {
      clearTimeout(timer);
      reply.raw.off('close', leave);
      admit();
    };
    const timer = setTimeout(() => {
      leave();
      busy(reply);
    }, capacity.queueTimeoutMs);
    reply.raw.once('close', leave);
    waiting.push(enter);
  });
}
