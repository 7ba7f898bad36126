import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { isStatorError } from '../../core/errors.js';
import type { OutboxRecord, TimerRecord } from '../sql/rows.js';
import { storeErrors } from '../store-errors.js';
import type { CommitWrite, Lease } from '../types.js';
import { Checkpointer } from './checkpointer.js';
import { applyWrites } from './commit.js';
import { openDatabase, type SqliteConfig } from './connection.js';
import { FileLock } from './file-lock.js';
import { InstanceLister } from './list-instances.js';
import { type Connection, STORE } from './runner.js';
import { applySchemaMigrations } from './schema-migrations.js';
import { prepareStatements } from './statements.js';
import { type FileSync, WalSync } from './wal-sync.js';

/** What tests may reach into: the WAL flushes (see wal-sync.ts), and the connection once open. */
export interface SqliteTestHooks {
  readonly fileSync?: FileSync;
  /** Called with the store's connection after migrations (e.g. to cap its size: a full disk). */
  readonly onOpen?: (db: Database.Database) => void;
}

/**
 * Opens the file for one store: holds it (`exclusive`), applies schema
 * migrations, prepares every statement and the claim transactions, and starts
 * the WAL flusher and the checkpoint worker.
 */
export function openConnection(config: SqliteConfig, hooks: SqliteTestHooks): Connection {
  let db: Database.Database | undefined;
  let lock: FileLock | undefined;
  try {
    if (config.exclusive && config.path !== ':memory:') {
      mkdirSync(dirname(config.path), { recursive: true });
      lock = FileLock.acquire(config.path);
    }
    db = openDatabase(config);
    applySchemaMigrations(db);
    hooks.onOpen?.(db);
    const statements = prepareStatements(db);
    const commit = db.transaction((writes: readonly CommitWrite[]) =>
      applyWrites(statements, writes),
    );
    // One UPDATE ... RETURNING leases the due rows; RETURNING has no order, so sort them.
    // A claim is a lease, not a fact to keep: it is not flushed (a claim lost to
    // power failure is claimed again).
    const timersTx = db.transaction((lease: Lease) =>
      statements.claimTimers
        .all(lease.owner, lease.until, lease.now, lease.now, lease.limit)
        .sort(byDueTimer),
    );
    const outboxTx = db.transaction((lease: Lease) =>
      statements.claimOutbox
        .all(lease.owner, lease.until, lease.now, lease.now, lease.limit)
        .sort(byDueOutbox),
    );
    const checkpointer = db.memory ? undefined : new Checkpointer(db, config);
    // A claim writes its rows' leases: they count toward the next checkpoint.
    const counted =
      <R>(claim: Database.Transaction<(lease: Lease) => R[]>) =>
      (lease: Lease) => {
        const rows = claim.immediate(lease);
        checkpointer?.wrote(rows.length);
        return rows;
      };
    const claimTimers = counted(timersTx);
    const claimOutbox = counted(outboxTx);
    const instances = new InstanceLister(db);
    const wal = walSync(db, config, hooks);
    return {
      db,
      statements,
      commit,
      claimTimers,
      claimOutbox,
      instances,
      wal,
      checkpointer,
      lock,
    };
  } catch (cause) {
    db?.close();
    lock?.release();
    if (isStatorError(cause)) throw cause;
    throw storeErrors.failed(STORE, `open ${config.path}`, cause);
  }
}

/**
 * With `synchronous: 'FULL'` on a file, the connection commits at NORMAL and
 * `WalSync` flushes the WAL before a commit resolves (see wal-sync.ts): the same
 * guarantee, with the event loop free during the flush.
 */
function walSync(
  db: Database.Database,
  config: SqliteConfig,
  hooks: SqliteTestHooks,
): WalSync | undefined {
  if (config.synchronous !== 'FULL' || db.memory) return undefined;
  db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get(); // the WAL file exists from here on
  db.pragma('synchronous = NORMAL');
  return WalSync.open(`${db.name}-wal`, hooks.fileSync);
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Claim order of timers: due time, then machine, id and timer id. */
function byDueTimer(a: TimerRecord, b: TimerRecord): number {
  return (
    compare(a.due_at, b.due_at) ||
    compare(a.machine, b.machine) ||
    compare(a.id, b.id) ||
    compare(a.timer_id, b.timer_id)
  );
}

/** Claim order of outbox rows: next attempt, then machine, id, seq and index. */
function byDueOutbox(a: OutboxRecord, b: OutboxRecord): number {
  return (
    compare(a.next_attempt_at, b.next_attempt_at) ||
    compare(a.machine, b.machine) ||
    compare(a.id, b.id) ||
    compare(a.seq, b.seq) ||
    compare(a.idx, b.idx)
  );
}
