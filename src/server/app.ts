import { type Context, Hono } from 'hono';
import { eventTypes } from '../analysis/mermaid.js';
import { isStatorError, StatorError } from '../core/errors.js';
import { type Logger, silentLogger } from '../host/logger.js';
import type { Engine } from '../runtime/types.js';
import { type AuthOptions, authEnabled, authenticator } from './auth/authenticate.js';
import { DEFAULT_BODY_LIMIT } from './body.js';
import type { AppContext, AppEnv } from './context.js';
import { PROBLEM_CODES } from './http-errors.js';
import { openApiDocument } from './openapi.js';
import { httpError, problemResponse } from './problem.js';
import { type RateLimit, rateLimiter } from './rate-limit.js';
import { BULK_SEND, bulkRoutes } from './routes/bulk.js';
import {
  DEAD_EFFECT,
  DEAD_LETTER_ACTIONS,
  DEAD_LETTERS,
  DEAD_TIMER,
  deadLetterRoutes,
} from './routes/dead-letters.js';
import { EMIT_CURSOR, EMIT_STREAM, EMITS, emitRoutes } from './routes/emits.js';
import { inspectRoutes, PERMISSIONS, STATE_AT, WHOAMI } from './routes/inspect.js';
import { EVENTS, HISTORY, INSTANCE, INSTANCES, instanceRoutes } from './routes/instances.js';
import { MACHINE, MACHINES, machineRoutes } from './routes/machines.js';
import { type MetricsEndpoint, metricsAccess, metricsRoute } from './routes/metrics.js';
import { AUDIT, operatorRoutes, PENDING, RETRY_EFFECT, STOP } from './routes/operator.js';
import { DIFF, MIGRATE, SHADOW, VERSIONS, versionRoutes } from './routes/versions.js';
import { WATCH, watchRoute } from './routes/watch.js';
import { type InspectorOptions, inspectorRoutes } from './static.js';
import { HTTP_STATUS } from './status.js';
import type { Policies } from './types.js';

export interface AppOptions {
  readonly engine: Engine;
  /** API keys and/or JWT. Without either every request is anonymous and policies are not enforced. */
  readonly auth?: AuthOptions;
  /**
   * Read policies (enforced here) and event policies (enforced by the engine:
   * create it with `authorize: authorizer(policies)`), when auth is configured.
   */
  readonly policies?: Policies;
  /** Largest request body in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** SSE heartbeat comment interval. Default 15 s. */
  readonly heartbeatMs?: number;
  /**
   * Most bytes of transitions a watch stream may have waiting for a client that
   * reads slowly; past it the stream is dropped and the client resumes with
   * Last-Event-ID. Default 4 MiB.
   */
  readonly watchBufferBytes?: number;
  /**
   * Most bytes of event payload in one page of history (GET …/history): a page
   * ends early when its events are large, and `next` says where to read on.
   * Default 4 MiB.
   */
  readonly historyPageBytes?: number;
  /** How often watch streams check that the caller's key or token is still valid. Default 5 s. */
  readonly authRecheckMs?: number;
  /** Abort to drain: `/healthz` turns 503, watch streams end, new requests get 503. */
  readonly shutdown?: AbortSignal;
  readonly logger?: Logger;
  /** Reported in the OpenAPI document. */
  readonly version?: string;
  /** Requests per caller (actor, or client address when anonymous). Default: no limit. */
  readonly rateLimit?: RateLimit;
  /** The inspector web UI at `/` (default: the package's built `web/dist`); `false` turns it off. */
  readonly inspector?: InspectorOptions | false;
  /** `GET /metrics` (Prometheus text format) and who may scrape it; absent, there is no such route. */
  readonly metrics?: MetricsEndpoint;
}

/** Whom a request counts against: its actor, or the client's address when it has none. */
function callerOf(c: Context<AppEnv>): string {
  const actor = c.get('principal')?.actor.id;
  if (actor !== undefined) return `actor:${actor}`;
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  return `ip:${incoming?.socket?.remoteAddress ?? 'unknown'}`;
}

/** Routes and the methods they allow, for 405 answers. */
const ROUTES: readonly [string, string][] = [
  [INSTANCES, 'GET, POST'],
  [INSTANCE, 'GET'],
  [EVENTS, 'POST'],
  [HISTORY, 'GET'],
  [WATCH, 'GET'],
  [STATE_AT, 'GET'],
  [PERMISSIONS, 'GET'],
  [WHOAMI, 'GET'],
  [MACHINE, 'GET'],
  [VERSIONS, 'GET'],
  [DIFF, 'GET'],
  [SHADOW, 'POST'],
  [MIGRATE, 'POST'],
  [MACHINES, 'GET'],
  [AUDIT, 'GET'],
  [PENDING, 'GET'],
  [STOP, 'POST'],
  [RETRY_EFFECT, 'POST'],
  [DEAD_LETTERS, 'GET'],
  [DEAD_EFFECT, 'GET'],
  [DEAD_TIMER, 'GET'],
  ...DEAD_LETTER_ACTIONS.map((path): [string, string] => [path, 'POST']),
  [EMITS, 'GET'],
  [BULK_SEND, 'POST'],
  [EMIT_STREAM, 'GET'],
  [EMIT_CURSOR, 'GET, POST'],
  ['/healthz', 'GET'],
  ['/readyz', 'GET'],
  ['/openapi.json', 'GET'],
];

/**
 * The HTTP API as a Fetch-standard Hono app (`app.fetch(request)`), over an
 * engine. Test it in-process with `app.request(path, init)`.
 *
 * @example
 * const engine = await createEngine({ store: memoryStore(), machines: [orderMachine] });
 * const app = createApp({ engine });
 * const res = await app.request('/v1/machines/order/instances', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ id: 'o-1', input: { total: 40 } }),
 * });
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const secured = authEnabled(options.auth);
  const ctx: AppContext = {
    engine: options.engine,
    policies: secured ? (options.policies ?? {}) : undefined,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    watchBufferBytes: options.watchBufferBytes ?? 4 * 1024 * 1024,
    historyPageBytes: options.historyPageBytes ?? 4 * 1024 * 1024,
    authRecheckMs: options.authRecheckMs ?? 5000,
    shutdown: options.shutdown ?? new AbortController().signal,
    logger: options.logger ?? silentLogger,
  };
  const authenticate = options.auth && secured ? authenticator(options.auth) : undefined;
  const app = new Hono<AppEnv>();

  app.onError((error, c) => {
    const known = isStatorError(error, PROBLEM_CODES) ? error : undefined;
    const status = known ? HTTP_STATUS[known.code] : 500;
    if (status >= 500) ctx.logger.error({ err: error, path: c.req.path }, 'request failed');
    const headers: Record<string, string> = {};
    if (known?.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer';
    if (status === 503) headers['retry-after'] = '1';
    if (known?.code === 'RATE_LIMITED') headers['retry-after'] = String(known.details.retryAfter);
    if (known?.code === 'METHOD_NOT_ALLOWED') headers.allow = String(known.details.allow);
    return problemResponse(error, c.req.path, headers);
  });
  app.notFound((c) =>
    problemResponse(
      httpError(
        'NOT_FOUND',
        `No route ${c.req.method} ${c.req.path}. See /openapi.json for the API.`,
      ),
      c.req.path,
    ),
  );

  app.use('*', async (c, next) => {
    const started = performance.now();
    if (ctx.shutdown.aborted && c.req.path !== '/healthz') {
      throw new StatorError('ENGINE_CLOSED', 'The server is shutting down. Retry shortly.');
    }
    await next();
    ctx.logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  // Liveness: the process serves. Readiness: it can also commit (the store takes writes).
  app.get('/healthz', (c) =>
    ctx.shutdown.aborted ? c.json({ status: 'draining' }, 503) : c.json({ status: 'ok' }),
  );
  app.get('/readyz', async (c) => {
    if (ctx.shutdown.aborted) return c.json({ status: 'draining' }, 503);
    const health = await options.engine.ready();
    return health.ready
      ? c.json({ status: 'ready' })
      : c.json({ status: 'not-ready', reason: health.reason }, 503);
  });
  app.get('/openapi.json', (c) =>
    c.json(
      openApiDocument({
        machines: options.engine.machines().map(({ name }) => ({
          name,
          events: eventTypes(options.engine.getMachine(name)),
          schemas: options.engine.definition(name).schemas,
        })),
        authenticated: secured,
        version: options.version ?? '0.0.0',
        ...(options.metrics && { metrics: metricsAccess(options.metrics, secured) }),
      }),
    ),
  );

  if (options.metrics) metricsRoute(app, options.metrics, authenticate);
  app.use('/v1/*', async (c, next) => {
    c.set('principal', authenticate ? await authenticate(c.req.raw) : undefined);
    await next();
  });
  if (options.rateLimit) app.use('/v1/*', rateLimiter(options.rateLimit, callerOf));
  machineRoutes(app, ctx);
  instanceRoutes(app, ctx);
  versionRoutes(app, ctx);
  watchRoute(app, ctx);
  inspectRoutes(app, ctx);
  operatorRoutes(app, ctx);
  deadLetterRoutes(app, ctx);
  emitRoutes(app, ctx);
  bulkRoutes(app, ctx);

  for (const [path, allow] of ROUTES) {
    app.all(path, () => {
      throw httpError('METHOD_NOT_ALLOWED', `This route allows ${allow} only.`, { allow });
    });
  }
  if (options.inspector !== false) inspectorRoutes(app, options.inspector);
  return app;
}
