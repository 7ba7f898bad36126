import { StatorError } from '../core/errors.js';

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
  failed: (store: string, operation: string, cause: unknown) =>
    new StatorError(
      'STORE_ERROR',
      `The ${store} store failed to ${operation}: ${describe(cause)}. Nothing of this operation was kept; retry it, and check the database if the error persists.`,
      { store, operation, ...driverCode(cause) },
      { cause },
    ),
  notDurable: (store: string, cause: unknown) =>
    new StatorError(
      'STORE_ERROR',
      `The ${store} store could not flush its log to disk: ${describe(cause)}. Commits since the last good flush may be lost on power failure, so this store accepts no more work; check the disk and restart the process.`,
      { store, operation: 'flush', ...driverCode(cause) },
      { cause },
    ),
} as const;

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The driver's own error code (`SQLITE_BUSY`, `23505`, …) when it has one. */
function driverCode(cause: unknown): { driverCode?: string } {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { driverCode: code } : {};
}
