import { timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { StatorError } from '../../core/errors.js';
import type { Authenticate } from '../auth/authenticate.js';
import type { AppEnv } from '../context.js';
import type { MetricsAccess } from '../openapi-metrics.js';
import { httpError } from '../problem.js';

export const METRICS = '/metrics';

/** What `/metrics` serves (a prom-client `Registry` fits) and who may read it. */
export interface MetricsEndpoint {
  readonly registry: { metrics(): Promise<string>; readonly contentType: string };
  /**
   * A scrape token: when set, `/metrics` answers only `Authorization: Bearer <token>`
   * (set it as the scrape job's `authorization.credentials`).
   */
  readonly token?: string;
  /** Without a token on an authenticated server: serve anyone (a network policy guards it). */
  readonly public?: boolean;
}

/** Who may scrape, as the OpenAPI document says it (the same rules as the route below). */
export function metricsAccess(endpoint: MetricsEndpoint, authenticated: boolean): MetricsAccess {
  if (endpoint.token !== undefined) return 'token';
  return authenticated && !endpoint.public ? 'authenticated' : 'public';
}

/**
 * `GET /metrics` in Prometheus text format. Who may read it: with `token`,
 * exactly that bearer token; else on a server without authentication,
 * anyone (like the rest of its API); else, with `public`, anyone; else any
 * caller the server authenticates (an API key or JWT, whatever its roles).
 */
export function metricsRoute(
  app: Hono<AppEnv>,
  endpoint: MetricsEndpoint,
  authenticate: Authenticate | undefined,
): void {
  const token = endpoint.token === undefined ? undefined : Buffer.from(endpoint.token);
  app.get(METRICS, async (c) => {
    if (token !== undefined) {
      const given = /^Bearer +(\S+)$/i.exec(c.req.header('authorization')?.trim() ?? '')?.[1];
      const bytes = Buffer.from(given ?? '');
      if (bytes.length !== token.length || !timingSafeEqual(bytes, token)) {
        throw new StatorError(
          'UNAUTHORIZED',
          'Scraping /metrics needs "Authorization: Bearer <the metrics token>" (the server was started with one).',
        );
      }
    } else if (authenticate !== undefined && !endpoint.public) {
      await authenticate(c.req.raw);
    }
    const body = await endpoint.registry.metrics();
    return c.body(body, 200, { 'content-type': endpoint.registry.contentType });
  });
  app.all(METRICS, () => {
    throw httpError('METHOD_NOT_ALLOWED', 'This route allows GET only.', { allow: 'GET' });
  });
}
