import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { collectDefaultMetrics } from 'prom-client';
import { StatorError } from '../core/errors.js';
import { createLogger } from '../host/logger.js';
import { type LoadedModule, normalizeModule } from '../host/module.js';
import { createEngine, type ObservedEngine } from '../observability/engine.js';
import type { TransitionLogLevel } from '../observability/logging.js';
import type { MetricsOptions } from '../observability/metrics.js';
import type { Engine, EngineOptions } from '../runtime/types.js';
import type { Store } from '../store/types.js';
import { type AppOptions, createApp } from './app.js';
import { authEnabled } from './auth/authenticate.js';
import type { AppEnv } from './context.js';
import { authorizer } from './policies.js';
import { httpError, problemResponse, toProblem } from './problem.js';
import type { RateLimit } from './rate-limit.js';
import type { MachineModule } from './types.js';

export interface ServerOptions
  extends Omit<AppOptions, 'engine' | 'shutdown' | 'policies' | 'rateLimit' | 'metrics'> {
  /**
   * The engine's metrics and `GET /metrics` (on by default). `token`: only
   * `Authorization: Bearer <token>` may scrape; `public`: anyone may, on an
   * authenticated server (without either, scraping needs an API key or JWT
   * there; a server without authentication serves anyone). `process`: the
   * Node.js process's own metrics beside them (prom-client's default metrics:
   * resident memory, CPU, heap, GC, event loop lag), for a server that owns its
   * process, as `stator serve` does. `false`: no metrics.
   */
  readonly metrics?:
    | (MetricsOptions & {
        readonly token?: string;
        readonly public?: boolean;
        readonly process?: boolean;
      })
    | false;
  /**
   * Requests per second per caller (429 beyond). Default 100 per second, bursts
   * of 200, when authentication is on or the address is not loopback; no limit
   * for unauthenticated development on loopback. `false` turns it off.
   */
  readonly rateLimit?: RateLimit | false;
  /**
   * One structured line per transition through `logger` (on by default, at
   * `info`; `sample` is the share of instances whose transitions are logged,
   * rejections always). `false` turns it off.
   */
  readonly transitionLog?:
    | { readonly level?: TransitionLogLevel; readonly sample?: number }
    | false;
  /** Longest wait for a request's headers before the connection is closed. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Longest wait for a whole request (headers and body). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** The machines, policies and schemas: a loaded module (`loadModule`) or a module object. */
  readonly module: LoadedModule | MachineModule;
  readonly store: Store;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. Other addresses need authentication or `insecure`. */
  readonly host?: string;
  /** Allow a non-loopback address without authentication. */
  readonly insecure?: boolean;
  /** How long `close()` waits for in-flight requests before cutting connections. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /** Further engine options (clock, snapshot policy, cache size, …). */
  readonly engineOptions?: Omit<EngineOptions, 'store' | 'machines' | 'authorize'>;
}

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly engine: ObservedEngine;
  readonly app: Hono<AppEnv>;
  /** Drains: stops accepting, ends watch streams, waits for in-flight requests, closes the engine. Idempotent. */
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Starts the HTTP server: the engine over `store` with the module's machines
 * (event policies become the engine's `authorize` hook when authentication is
 * configured), listening on `host:port`. Refuses a non-loopback address
 * without authentication unless `insecure`.
 *
 * @example
 * const server = await createServer({
 *   module: await loadModule('examples/module.ts'),
 *   store: sqliteStore({ path: '.stator/stator.db' }),
 *   port: 8080,
 * });
 * process.once('SIGTERM', () => void server.close());
 */
export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const secured = authEnabled(options.auth);
  if (!secured && !isLoopback(host) && !options.insecure) {
    throw new StatorError(
      'CONFIG_INVALID',
      `Refusing to listen on ${host} without authentication: anyone who can reach it could drive every instance. Enable API keys (--api-keys) or JWT (--jwt-secret / --jwks-url), bind to 127.0.0.1, or pass --insecure if a proxy in front authenticates.`,
      { host },
    );
  }
  const mod = 'registrations' in options.module ? options.module : normalizeModule(options.module);
  const logger = options.logger ?? createLogger();
  const {
    token,
    public: publicMetrics,
    process: processMetrics,
    ...metricsOptions
  } = options.metrics || {};
  const engine = await createEngine({
    log: (message, error) => logger.warn({ err: error }, message),
    ...options.engineOptions,
    metrics: options.metrics === false ? false : metricsOptions,
    ...(options.transitionLog !== false && {
      transitionLog: { logger, ...options.transitionLog },
    }),
    store: options.store,
    machines: mod.registrations,
    ...(secured && { authorize: authorizer(mod.policies) }),
    ...(mod.activities !== undefined && { activities: mod.activities }),
    ...(mod.migrations !== undefined && { migrations: mod.migrations }),
    ...(mod.rollout !== undefined && { rollout: mod.rollout }),
    ...(mod.shadow !== undefined && { shadow: mod.shadow }),
  });
  if (processMetrics) {
    collectDefaultMetrics({ register: engine.metrics });
  }
  const shutdown = new AbortController();
  const rateLimit =
    options.rateLimit ?? (secured || !isLoopback(host) ? DEFAULT_RATE_LIMIT : false);
  const { rateLimit: _given, metrics: _metrics, transitionLog: _log, ...appOptions } = options;
  const app = createApp({
    ...appOptions,
    ...(options.metrics !== false && {
      metrics: {
        registry: engine.metrics,
        ...(token !== undefined && { token }),
        ...(publicMetrics !== undefined && { public: publicMetrics }),
      },
    }),
    ...(rateLimit !== false && { rateLimit }),
    engine,
    logger,
    policies: mod.policies,
    shutdown: shutdown.signal,
  });
  let listening: Listening;
  try {
    listening = await listen(app, options.port ?? 8080, host, {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const { port } = listening.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logStart(logger, url, secured, host, engine);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info({}, 'draining: finishing in-flight requests');
      shutdown.abort();
      await stopListening(listening, options.shutdownTimeoutMs ?? 10_000);
      await engine.close();
      logger.info({}, 'stopped');
    })();
    return closing;
  };
  return { url, port, engine, app, close };
}

/** An HTTP server that counts requests in flight (watch streams aside: they end on shutdown). */
interface Listening {
  readonly server: Server;
  readonly inFlight: () => number;
}

/** The default per-caller limit of a server that is authenticated or public. */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 100, burst: 200 };

function listen(
  app: Hono<AppEnv>,
  port: number,
  host: string,
  timeouts: { readonly headersTimeout: number; readonly requestTimeout: number },
): Promise<Listening> {
  const listener = getRequestListener(app.fetch, {
    errorHandler: () =>
      problemResponse(httpError('VALIDATION_FAILED', 'Malformed HTTP request.'), '/'),
  });
  let active = 0;
  // Half-open requests (headers or body never finished) are cut after their timeout; Node checks
  // at connectionsCheckingInterval, so keep it short for the timeouts to hold.
  const checkEvery = Math.max(100, Math.min(1000, timeouts.headersTimeout / 2));
  const server = createHttpServer(
    { ...timeouts, connectionsCheckingInterval: checkEvery },
    (req, res) => {
      if (!/\/watch(\?|$)/.test(req.url ?? '')) {
        active++;
        res.once('close', () => active--);
      }
      void listener(req, res);
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    rejectClient(error, socket),
  );
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new StatorError(
          'CONFIG_INVALID',
          error.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is already in use. Stop the other process or pass --port.`
            : `Cannot listen on ${host}:${port}: ${error.message}`,
          { host, port },
        ),
      );
    });
    server.listen(port, host, () => resolve({ server, inFlight: () => active }));
  });
}

/** Requests Node rejects before routing (bad syntax, huge headers) still get problem+json. */
function rejectClient(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [code, message, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? (['PAYLOAD_TOO_LARGE', 'The request headers are too large.', 'Payload Too Large'] as const)
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ([
            'REQUEST_TIMEOUT',
            'The request was not received in time (headers or body too slow). Send it whole, promptly.',
            'Request Timeout',
          ] as const)
        : (['VALIDATION_FAILED', 'Malformed HTTP request.', 'Bad Request'] as const);
  const problem = toProblem(httpError(code, message), '/');
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${reason}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * Stops accepting connections, waits for requests in flight (at most
 * `timeoutMs`), then closes every connection left: idle keep-alives and
 * watch streams whose client went quiet.
 */
function stopListening({ server, inFlight }: Listening, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const closed = new Promise<void>((done) => server.close(() => done()));
    const deadline = Date.now() + timeoutMs;
    const sweep = setInterval(() => {
      server.closeIdleConnections();
      if (inFlight() === 0 || Date.now() >= deadline) {
        clearInterval(sweep);
        server.closeAllConnections();
        void closed.then(resolve);
      }
    }, 10);
  });
}

function logStart(
  logger: ReturnType<typeof createLogger>,
  url: string,
  secured: boolean,
  host: string,
  engine: Engine,
): void {
  const machines = engine.machines().map((m) => `${m.name}@${m.latest}`);
  logger.info({ url, machines }, `Stator listening on ${url}`);
  if (!secured) {
    logger.warn(
      { host },
      isLoopback(host)
        ? 'Authentication is OFF (development mode): every request is anonymous and policies are not enforced. Configure --api-keys or --jwt-secret/--jwks-url before exposing this server.'
        : 'Authentication is OFF on a non-loopback address (--insecure): whoever can reach this port can drive every instance.',
    );
  }
}
