import type { CommitFailure } from '../store-errors.js';

/** SQLSTATE classes after which retrying the same commit may succeed. */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '55', '57']);

/**
 * What a failed PostgreSQL commit left behind. The commit is one statement in
 * its own transaction, so an error the server reports for it (it has a
 * SQLSTATE) means the transaction was rolled back, except for connection
 * errors (class 08) and shutdowns (57P01–57P02), which may also arrive after
 * the server committed. Without a SQLSTATE the failure is the client's (the
 * socket closed, the query timed out): the statement may have run to its
 * commit, so the outcome is unknown. `sent` is false when the connection could
 * not even be had: then nothing was sent.
 */
export function postgresCommitFailure(cause: unknown, sent: boolean): CommitFailure {
  if (!sent) return { outcome: 'not-committed', transient: true };
  // Errors the server sent carry a severity (pg's DatabaseError); socket errors (EPIPE…) do not.
  const { code, severity } = (cause ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof severity !== 'string' || typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) {
    return { outcome: 'unknown', transient: true };
  }
  const sqlClass = code.slice(0, 2);
  if (sqlClass === '08' || code === '57P01' || code === '57P02') {
    return { outcome: 'unknown', transient: true };
  }
  return { outcome: 'not-committed', transient: TRANSIENT_CLASSES.has(sqlClass) };
}
