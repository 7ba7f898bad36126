import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errors } from '../../core/errors.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created if missing. `:memory:` for a private in-memory database. */
  readonly path: string;
  /** `PRAGMA synchronous`. Default `FULL`: a commit survives power loss once `commit` resolves. */
  readonly synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** How long a commit waits for another process's write lock before failing. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Hold the file for this store alone while it is open (default true): a
   * second store opening it — another `stator serve`, or another engine — is
   * refused with CONFIG_INVALID. `false` lets several stores share the file
   * (each commit then waits for SQLite's write lock), for tools that look at a
   * file a server is using; to run several engines on one database, use
   * PostgreSQL.
   */
  readonly exclusive?: boolean;
}

export type SqliteConfig = Readonly<Required<SqliteStoreOptions>>;

const SYNCHRONOUS = ['FULL', 'NORMAL', 'OFF'] as const;

/** Check the options and fill in defaults; the result is frozen. */
export function sqliteConfig(options: SqliteStoreOptions): SqliteConfig {
  const { path, synchronous = 'FULL', busyTimeoutMs = 5000, exclusive = true } = options;
  if (typeof path !== 'string' || path === '') {
    throw errors.validation('sqliteStore needs a "path": a database file, or ":memory:".');
  }
  if (!SYNCHRONOUS.includes(synchronous)) {
    throw errors.validation(
      `sqliteStore "synchronous" must be one of ${SYNCHRONOUS.join(', ')}, got "${String(synchronous)}".`,
      { synchronous },
    );
  }
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw errors.validation(
      `sqliteStore "busyTimeoutMs" must be a whole number of milliseconds >= 0, got ${String(busyTimeoutMs)}.`,
      { busyTimeoutMs },
    );
  }
  return Object.freeze({ path, synchronous, busyTimeoutMs, exclusive });
}

/** Open the database file with the pragmas the store relies on (WAL, durable commits, busy wait). */
export function openDatabase(config: SqliteConfig): Database.Database {
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  const db = new Database(config.path, { timeout: config.busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${config.synchronous}`);
    db.pragma(`busy_timeout = ${config.busyTimeoutMs}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
