/**
 * Errors for the authors of activities and custom actions, to tell the
 * engine's retry policy what a failure means. Recognised by `name`, so they
 * work across bundled copies of Stator.
 */

/**
 * A failure retrying cannot mend (a declined card, a validation error
 * downstream): no further attempt is made. An activity's machine hears it at
 * once in `xstate.error.actor.*`; a custom action is dead-lettered.
 *
 * @example
 * fromPromise(async ({ input }) => {
 *   const res = await payments.charge(input);
 *   if (res.declined) throw new TerminalError(`card declined: ${res.reason}`);
 *   return res;
 * });
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/**
 * A failure worth retrying after a given time (a rate limit's Retry-After):
 * the next attempt waits `retryAfter` milliseconds instead of the policy's
 * backoff. Attempts still count toward `maxAttempts`.
 *
 * @example
 * if (res.status === 429) throw new RetryableError('rate limited', { retryAfter: 30_000 });
 */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  readonly retryAfter: number | undefined;

  constructor(message: string, options: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfter = options.retryAfter;
  }
}

export function isTerminalError(error: unknown): boolean {
  return error instanceof Error && error.name === 'TerminalError';
}

/** The delay a RetryableError asks for, in ms, if it asks for one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'RetryableError') return undefined;
  const after = (error as { retryAfter?: unknown }).retryAfter;
  return typeof after === 'number' && Number.isFinite(after) && after >= 0 ? after : undefined;
}
