import type { CommitFailure } from '../store-errors.js';

/**
 * What a failed SQLite commit left behind, by the driver's error code. The
 * transaction runs inside one synchronous call, and better-sqlite3 rolls it
 * back before rethrowing, so most failures are known to have kept nothing: a
 * constraint the data breaks (permanent), a lock held by another process or a
 * full disk (transient). An I/O error or corruption may strike while the
 * commit is being written, so its outcome is unknown; the engine then reads
 * whether the write is there (on SQLite, with no other writer in flight, that
 * read is authoritative).
 */
export function sqliteCommitFailure(cause: unknown): CommitFailure {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) {
    // Thrown by the store's own code inside the transaction (bad data): rolled back.
    return { outcome: 'not-committed', transient: false };
  }
  if (
    code.startsWith('SQLITE_CONSTRAINT') ||
    code === 'SQLITE_TOOBIG' ||
    code === 'SQLITE_MISMATCH'
  )
    return { outcome: 'not-committed', transient: false };
  if (
    code.startsWith('SQLITE_BUSY') ||
    code.startsWith('SQLITE_LOCKED') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_NOMEM' ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return { outcome: 'not-committed', transient: true };
  }
  return { outcome: 'unknown', transient: true };
}
