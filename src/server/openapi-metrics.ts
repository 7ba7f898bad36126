import type { OpBuilders } from './openapi-versioning.js';

type Json = Record<string, unknown>;

/**
 * Who may scrape `/metrics` (see routes/metrics.ts): exactly the scrape
 * token; anyone; or any caller the server authenticates.
 */
export type MetricsAccess = 'token' | 'public' | 'authenticated';

/** The security scheme of a scrape token: a bearer, but not an API key or JWT. */
export const METRICS_TOKEN_SCHEME: Json = {
  type: 'http',
  scheme: 'bearer',
  description: 'The metrics scrape token the server was started with (not an API key)',
};

/** `GET /metrics` in the OpenAPI document, with who may read it. */
export function metricsPaths(access: MetricsAccess, b: Pick<OpBuilders, 'op'>): Json {
  const get = b.op(
    'Prometheus metrics (text exposition format) of the engine and its store',
    [],
    {
      200: {
        description: 'Prometheus text format, version 0.0.4',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
    { tags: ['observability'], public: access === 'public' },
  );
  return {
    '/metrics': {
      // 'authenticated' inherits the document's bearer (any role will do).
      get: access === 'token' ? { ...get, security: [{ metricsToken: [] }] } : get,
    },
  };
}
