/**
 * Deterministic time for guards and `assign`. The engine records each event's
 * time once and runs the step inside `runAt`; code in the machine reads it with
 * `eventTime()` instead of `Date.now()`, so replay computes the same context.
 */

/**
 * Kept on globalThis under a registered symbol so that two copies of this module
 * (a machine file importing the sources while the engine runs from dist) still
 * share the time of the step in progress.
 */
const KEY = Symbol.for('stator.eventTime');
const slot = globalThis as unknown as Record<symbol, number | undefined>;

/**
 * The recorded time (ms since epoch) of the event being processed. Inside a
 * Stator step this is the event's stored time, identical on replay; outside one
 * (plain XState actors in unit tests) it falls back to the wall clock.
 *
 * @example
 * const machine = setup({}).createMachine({
 *   context: { paidAt: 0 },
 *   on: { Pay: { actions: assign({ paidAt: () => eventTime() }) } },
 * });
 */
export function eventTime(): number {
  return slot[KEY] ?? Date.now();
}

/** Runs `fn` with `eventTime()` fixed to `at`. Steps are synchronous, so no async context is needed. */
export function runAt<T>(at: number, fn: () => T): T {
  const previous = slot[KEY];
  slot[KEY] = at;
  try {
    return fn();
  } finally {
    slot[KEY] = previous;
  }
}
