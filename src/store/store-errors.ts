import { StatorError } from '../core/errors.js';

/**
 * What a failed commit left behind, as far as the adapter that saw it can tell:
 * `not-committed` when the store reported that the transaction was rolled back
 * (or it was never sent), `unknown` when it may have committed (the connection
 * dropped after the statement was sent, an I/O error in the middle of a commit).
 */
export type CommitOutcome = 'not-committed' | 'unknown';

/**
 * How a failed commit is to be handled: its outcome, and whether trying again
 * may succeed (a lost connection, a busy database, a full disk) or not (a
 * constraint the data breaks, a store that has stopped accepting work).
 */
export interface CommitFailure {
  readonly outcome: CommitOutcome;
  readonly transient: boolean;
}

/** The STORE_ERROR failures every adapter reports the same way. */
export const storeErrors = {
  notOpen: (store: string) =>
    new StatorError(
      'STORE_ERROR',
      `The ${store} store is not open. Call store.open() before using it.`,
      { store },
    ),
  closed: (store: string) =>
    new StatorError(
      'STORE_ERROR',
      `The ${store} store is closed. Create and open a new store to continue.`,
      { store },
    ),
  /** A read, or a write outside `commit`, that failed: it changed nothing. */
  failed: (store: string, operation: string, cause: unknown) =>
    new StatorError(
      'STORE_ERROR',
      `The ${store} store failed to ${operation}: ${describe(cause)}. Retry it, and check the database if the error persists.`,
      { store, operation, ...driverCode(cause) },
      { cause },
    ),
  /** A commit that failed, saying whether it may have been kept (see `CommitFailure`). */
  commitFailed: (store: string, cause: unknown, failure: CommitFailure) =>
    new StatorError(
      'STORE_ERROR',
      failure.outcome === 'not-committed'
        ? `The ${store} store failed to commit: ${describe(cause)}. Nothing of this commit was kept; ${failure.transient ? 'retry it' : 'the data it wrote was refused, so retrying the same write will fail again'}.`
        : `The ${store} store failed to commit: ${describe(cause)}. The commit may or may not have been kept.`,
      { store, operation: 'commit', ...failure, ...driverCode(cause) },
      { cause },
    ),
  notDurable: (store: string, cause: unknown) =>
    new StatorError(
      'STORE_ERROR',
      `The ${store} store could not flush its log to disk: ${describe(cause)}. Commits since the last good flush may be lost on power failure, so this store accepts no more work; check the disk and restart the process.`,
      { store, operation: 'flush', outcome: 'unknown', transient: false, ...driverCode(cause) },
      { cause },
    ),
} as const;

/**
 * The failure a store error describes. Errors that say nothing about it (a bug,
 * a driver error that escaped classification) count as `unknown` and transient:
 * the caller then finds out whether the commit was kept before doing anything else.
 */
export function commitFailureOf(error: unknown): CommitFailure {
  const details = (error as { details?: { outcome?: unknown; transient?: unknown } } | null)
    ?.details;
  return {
    outcome: details?.outcome === 'not-committed' ? 'not-committed' : 'unknown',
    transient: details?.transient !== false,
  };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The driver's own error code (`SQLITE_BUSY`, `23505`, …) when it has one. */
function driverCode(cause: unknown): { driverCode?: string } {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { driverCode: code } : {};
}
