import { isTerminalError, retryAfterOf } from '../../core/retry-errors.js';
import type { ActivityPolicy, RetryPolicy } from './types.js';

export const DEFAULT_RETRY = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  factor: 2,
  jitter: true,
} as const;

/**
 * Delay before attempt `attempt + 1`, after `attempt` attempts failed (attempt >= 1):
 * a `RetryableError`'s `retryAfter` when the failure gave one, else the policy's backoff.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  error?: unknown,
): number {
  const asked = retryAfterOf(error);
  if (asked !== undefined) return asked;
  const initial = policy.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs;
  const max = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const factor = policy.factor ?? DEFAULT_RETRY.factor;
  const base = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
  if (policy.jitter === false) return base;
  return Math.round(base / 2 + random() * (base / 2));
}

/** True when no further attempt should be made after `attempt` attempts. */
export function exhausted(policy: RetryPolicy, attempt: number, error: unknown): boolean {
  if (isTerminalError(error) || policy.isTerminal?.(error)) return true;
  return attempt >= (policy.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

/** The key of `activities` that applies to every activity without an entry of its own. */
export const ANY_ACTIVITY = '*';

/**
 * The policy of one activity: by its `setup({ actors })` name; for inline
 * logic (whose src is XState's `xstate.invoke.<i>.<state>`) by its invoke id;
 * else the `'*'` entry; else the defaults (5 attempts).
 */
export function activityPolicy(
  policies: Readonly<Record<string, ActivityPolicy>>,
  src: string,
  activityId: string,
): ActivityPolicy {
  const own =
    policies[src] ?? (src.startsWith('xstate.invoke.') ? policies[activityId] : undefined);
  return own ?? policies[ANY_ACTIVITY] ?? {};
}
