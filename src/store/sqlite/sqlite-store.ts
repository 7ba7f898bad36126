import type Database from 'better-sqlite3';
import { isStatorError } from '../../core/errors.js';
import { pageBounds } from '../page.js';
import { storeErrors } from '../store-errors.js';
import type {
  AuditRecord,
  CommitWrite,
  EventRow,
  IdempotencyRow,
  InstanceKey,
  InstanceRow,
  OutboxRow,
  Page,
  SnapshotRow,
  Store,
  TimerRow,
  WriteOutcome,
} from '../types.js';
import { applyWrites } from './commit.js';
import {
  openDatabase,
  type SqliteConfig,
  type SqliteStoreOptions,
  sqliteConfig,
} from './connection.js';
import { toJson } from './json.js';
import {
  toAuditRecord,
  toEventRow,
  toIdempotencyRow,
  toInstanceRow,
  toOutboxRow,
  toSnapshotRow,
  toTimerRow,
} from './rows.js';
import { migrate } from './schema.js';
import { prepareStatements, type Statements } from './statements.js';

export type { SqliteStoreOptions } from './connection.js';

const STORE = 'sqlite';

/**
 * The embedded store: one SQLite file in WAL mode, written through better-sqlite3.
 * `open()` creates the file (and its directory) and applies schema migrations;
 * each `commit` is one `BEGIN IMMEDIATE` transaction, durable when it resolves
 * (with the default `synchronous: 'FULL'`). Several processes may share the
 * file; a writer waits up to `busyTimeoutMs` for another's lock.
 *
 * @example
 * import { sqliteStore } from 'stator/sqlite';
 *
 * const store = sqliteStore({ path: './data/stator.db' });
 * await store.open();
 * const events = await store.readEvents({ machine: 'order', id: 'o-1' }, { limit: 50 });
 * await store.close();
 */
export function sqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(sqliteConfig(options));
}

interface Connection {
  readonly db: Database.Database;
  readonly statements: Statements;
  readonly commit: Database.Transaction<(writes: readonly CommitWrite[]) => WriteOutcome[]>;
}

class SqliteStore implements Store {
  readonly kind = STORE;
  readonly #config: SqliteConfig;
  #connection: Connection | 'new' | 'closed' = 'new';

  constructor(config: SqliteConfig) {
    this.#config = config;
  }

  async open(): Promise<void> {
    if (this.#connection === 'closed') throw storeErrors.closed(STORE);
    if (this.#connection !== 'new') return;
    let db: Database.Database | undefined;
    try {
      db = openDatabase(this.#config);
      migrate(db);
      const statements = prepareStatements(db);
      const commit = db.transaction((writes: readonly CommitWrite[]) =>
        applyWrites(statements, writes),
      );
      this.#connection = { db, statements, commit };
    } catch (cause) {
      db?.close();
      if (isStatorError(cause)) throw cause;
      throw storeErrors.failed(STORE, `open ${this.#config.path}`, cause);
    }
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = 'closed';
    if (typeof connection === 'object') connection.db.close();
  }

  async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
    const { commit } = this.#use();
    if (writes.length === 0) return [];
    try {
      // better-sqlite3 rolls the transaction back before rethrowing.
      return commit.immediate(writes);
    } catch (cause) {
      throw storeErrors.failed(STORE, 'commit', cause);
    }
  }

  async getInstance(key: InstanceKey): Promise<InstanceRow | undefined> {
    const row = this.#read('read an instance', (s) => s.getInstance.get(key.machine, key.id));
    return row === undefined ? undefined : toInstanceRow(row);
  }

  async latestSnapshot(key: InstanceKey): Promise<SnapshotRow | undefined> {
    const row = this.#read('read a snapshot', (s) => s.latestSnapshot.get(key.machine, key.id));
    return row === undefined ? undefined : toSnapshotRow(row);
  }

  async saveSnapshot(row: SnapshotRow): Promise<void> {
    this.#read('save a snapshot', (s) =>
      s.upsertSnapshot.run(
        row.machine,
        row.id,
        row.seq,
        row.version,
        toJson(row.snapshot),
        row.takenAt,
      ),
    );
  }

  async readEvents(key: InstanceKey, page?: Page): Promise<EventRow[]> {
    const rows = this.#read('read events', (s) => {
      const { after, limit } = pageBounds(page);
      return s.readEvents.all(key.machine, key.id, after, limit);
    });
    return rows.map(toEventRow);
  }

  async readAudit(key: InstanceKey, page?: Page): Promise<AuditRecord[]> {
    const rows = this.#read('read the audit log', (s) => {
      const { after, limit } = pageBounds(page);
      return s.readAudit.all(key.machine, key.id, after, limit);
    });
    return rows.map(toAuditRecord);
  }

  async getIdempotency(
    key: InstanceKey,
    idempotencyKey: string,
  ): Promise<IdempotencyRow | undefined> {
    const row = this.#read('read an idempotency key', (s) =>
      s.getIdempotency.get(key.machine, key.id, idempotencyKey),
    );
    return row === undefined ? undefined : toIdempotencyRow(row);
  }

  async listTimers(key: InstanceKey): Promise<TimerRow[]> {
    const rows = this.#read('list timers', (s) => s.listTimers.all(key.machine, key.id));
    return rows.map(toTimerRow);
  }

  async listOutbox(key: InstanceKey): Promise<OutboxRow[]> {
    const rows = this.#read('list the outbox', (s) => s.listOutbox.all(key.machine, key.id));
    return rows.map(toOutboxRow);
  }

  /** Run one statement outside `commit`, reporting driver failures as STORE_ERROR. */
  #read<T>(operation: string, run: (statements: Statements) => T): T {
    const { statements } = this.#use();
    try {
      return run(statements);
    } catch (cause) {
      throw isStatorError(cause) ? cause : storeErrors.failed(STORE, operation, cause);
    }
  }

  #use(): Connection {
    const connection = this.#connection;
    if (typeof connection === 'object') return connection;
    throw connection === 'new' ? storeErrors.notOpen(STORE) : storeErrors.closed(STORE);
  }
}
