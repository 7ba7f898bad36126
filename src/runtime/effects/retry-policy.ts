/** How an effect (activity, action, timer delivery) is retried after it fails. */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Delay before the second attempt. Default 1000 ms. */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay. Default 60,000 ms. */
  readonly maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Randomize each delay within [50%, 100%] to spread retries ("equal jitter"). Default true. */
  readonly jitter?: boolean;
  /** Errors for which retrying is pointless: the failure is final at once. */
  readonly isTerminal?: (error: unknown) => boolean;
}

export const DEFAULT_RETRY = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  factor: 2,
  jitter: true,
} as const;

/** Delay before attempt `attempt + 1`, after `attempt` attempts failed (attempt >= 1). */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const initial = policy.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs;
  const max = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const factor = policy.factor ?? DEFAULT_RETRY.factor;
  const base = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
  if (policy.jitter === false) return base;
  return Math.round(base / 2 + random() * (base / 2));
}

/** True when no further attempt should be made after `attempt` attempts. */
export function exhausted(policy: RetryPolicy, attempt: number, error: unknown): boolean {
  if (policy.isTerminal?.(error)) return true;
  return attempt >= (policy.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}
