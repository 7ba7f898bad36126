import type { MiddlewareHandler } from 'hono';
import { StatorError } from '../core/errors.js';
import type { AppEnv } from './context.js';

/** Requests per caller: a token bucket refilled at `perSecond`, holding at most `burst`. */
export interface RateLimit {
  readonly perSecond: number;
  /** Default twice `perSecond`. */
  readonly burst?: number;
}

/** Buckets kept at once; the least recently seen caller is forgotten first. */
const MAX_CALLERS = 100_000;

/**
 * Limits requests per caller: the authenticated actor, or the client address
 * for anonymous requests. Over the limit a request is refused with 429
 * RATE_LIMITED and `Retry-After` (seconds until a token is back), before it
 * reaches the engine. `now` is injectable for tests.
 */
export function rateLimiter(
  limit: RateLimit,
  callerOf: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string,
  now: () => number = () => performance.now(),
): MiddlewareHandler<AppEnv> {
  const burst = limit.burst ?? limit.perSecond * 2;
  const perMs = limit.perSecond / 1000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const caller = callerOf(c);
    const t = now();
    const bucket = buckets.get(caller) ?? { tokens: burst, at: t };
    buckets.delete(caller);
    buckets.set(caller, bucket);
    if (buckets.size > MAX_CALLERS) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new StatorError(
        'RATE_LIMITED',
        `Too many requests from ${caller.startsWith('ip:') ? 'this address' : 'this caller'}: the limit is ${limit.perSecond} per second (bursts of ${burst}). Retry after ${retryAfter} s.`,
        { retryAfter, perSecond: limit.perSecond, burst },
      );
    }
    bucket.tokens -= 1;
    await next();
  };
}
