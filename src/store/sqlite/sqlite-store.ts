import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { errors, isStatorError } from '../../core/errors.js';
import { pageBounds } from '../page.js';
import {
  checkAttempt,
  checkCursor,
  checkTime,
  instanceQueryBounds,
  leaseBounds,
  renewalBounds,
} from '../query.js';
import { toJson } from '../sql/json.js';
import {
  type OutboxRecord,
  type TimerRecord,
  toApiKeyRow,
  toAuditRecord,
  toEmitRecord,
  toEventRow,
  toIdempotencyRow,
  toInstanceRow,
  toOutboxRow,
  toSnapshotRow,
  toTimerRow,
} from '../sql/rows.js';
import { storeErrors } from '../store-errors.js';
import type {
  ApiKeyRow,
  Attempt,
  AuditRecord,
  CommitWrite,
  EmitRecord,
  EventRow,
  IdempotencyRow,
  InstanceKey,
  InstanceQuery,
  InstanceRow,
  Lease,
  OutboxRow,
  Page,
  SnapshotRow,
  Store,
  TimerRow,
  WriteOutcome,
  WriteRef,
} from '../types.js';
import { Checkpointer } from './checkpointer.js';
import { applyWrites } from './commit.js';
import { sqliteCommitFailure } from './commit-failure.js';
import {
  openDatabase,
  type SqliteConfig,
  type SqliteStoreOptions,
  sqliteConfig,
} from './connection.js';
import { FileLock } from './file-lock.js';
import { InstanceLister } from './list-instances.js';
import { migrate } from './schema.js';
import { prepareStatements, type Statements } from './statements.js';
import { type FileSync, WalSync } from './wal-sync.js';

export type { SqliteStoreOptions } from './connection.js';

const STORE = 'sqlite';
/** The probe writes this much (a few pages), so it fails where a real commit would. */
const PROBE_BYTES = 16 * 1024;

/**
 * The embedded store: one SQLite file in WAL mode, written through better-sqlite3.
 * `open()` creates the file (and its directory) and applies schema migrations;
 * each `commit` is one `BEGIN IMMEDIATE` transaction, durable when it resolves
 * (with the default `synchronous: 'FULL'`). The file is held by this store
 * alone while it is open (`exclusive`, default true); with `exclusive: false`
 * several stores may share it, a writer waiting up to `busyTimeoutMs` for
 * another's lock.
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

/** What tests may reach into: the WAL flushes (see wal-sync.ts), and the connection once open. */
export interface SqliteTestHooks {
  readonly fileSync?: FileSync;
  /** Called with the store's connection after migrations (e.g. to cap its size: a full disk). */
  readonly onOpen?: (db: Database.Database) => void;
}

/** For tests: a store with `hooks` (see SqliteTestHooks). */
export function sqliteStoreForTests(options: SqliteStoreOptions, hooks: SqliteTestHooks): Store {
  return new SqliteStore(sqliteConfig(options), hooks);
}

interface Connection {
  readonly db: Database.Database;
  readonly statements: Statements;
  readonly commit: Database.Transaction<(writes: readonly CommitWrite[]) => WriteOutcome[]>;
  readonly claimTimers: (lease: Lease) => TimerRecord[];
  readonly claimOutbox: (lease: Lease) => OutboxRecord[];
  readonly instances: InstanceLister;
  /** Flushes the WAL off the event loop (synchronous FULL on a file); else undefined. */
  readonly wal: WalSync | undefined;
  /** Checkpoints the WAL on a worker thread (a file); else undefined. */
  readonly checkpointer: Checkpointer | undefined;
  /** The file held for this store alone (`exclusive`); else undefined. */
  readonly lock: FileLock | undefined;
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

class SqliteStore implements Store {
  readonly kind = STORE;
  readonly #config: SqliteConfig;
  #connection: Connection | 'new' | 'closed' = 'new';

  readonly #hooks: SqliteTestHooks;

  constructor(config: SqliteConfig, hooks: SqliteTestHooks = {}) {
    this.#config = config;
    this.#hooks = hooks;
  }

  async open(): Promise<void> {
    if (this.#connection === 'closed') throw storeErrors.closed(STORE);
    if (this.#connection !== 'new') return;
    let db: Database.Database | undefined;
    let lock: FileLock | undefined;
    try {
      if (this.#config.exclusive && this.#config.path !== ':memory:') {
        mkdirSync(dirname(this.#config.path), { recursive: true });
        lock = FileLock.acquire(this.#config.path);
      }
      db = openDatabase(this.#config);
      migrate(db);
      this.#hooks.onOpen?.(db);
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
      const checkpointer = db.memory ? undefined : new Checkpointer(db, this.#config);
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
      const wal = this.#walSync(db);
      this.#connection = {
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
      throw storeErrors.failed(STORE, `open ${this.#config.path}`, cause);
    }
  }

  /**
   * With `synchronous: 'FULL'` on a file, the connection commits at NORMAL and
   * `WalSync` flushes the WAL before a commit resolves (see wal-sync.ts): the same
   * guarantee, with the event loop free during the flush.
   */
  #walSync(db: Database.Database): WalSync | undefined {
    if (this.#config.synchronous !== 'FULL' || db.memory) return undefined;
    db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get(); // the WAL file exists from here on
    db.pragma('synchronous = NORMAL');
    return WalSync.open(`${db.name}-wal`, this.#hooks.fileSync);
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = 'closed';
    if (typeof connection !== 'object') return;
    await connection.checkpointer?.close();
    await connection.wal?.close();
    connection.db.close();
    connection.lock?.release();
  }

  async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
    const { commit, wal, checkpointer } = this.#use();
    if (writes.length === 0) return [];
    let outcomes: WriteOutcome[];
    try {
      // better-sqlite3 rolls the transaction back before rethrowing.
      outcomes = commit.immediate(writes);
    } catch (cause) {
      throw storeErrors.commitFailed(STORE, cause, sqliteCommitFailure(cause));
    }
    checkpointer?.wrote(writes.length);
    // A lone write is flushed on the spot; a batch (load) has its flush overlap the next.
    await this.#flushed(wal?.written(writes.length === 1));
    return outcomes;
  }

  async findWrites(refs: readonly WriteRef[]): Promise<boolean[]> {
    return this.#read('look for writes', (s) =>
      refs.map((ref) =>
        ref.kind === 'event'
          ? s.eventWriteId.get(ref.machine, ref.id, ref.seq) === ref.writeId
          : s.auditHasTransition.get(ref.machine, ref.id, ref.transitionId) !== undefined,
      ),
    );
  }

  async probe(): Promise<void> {
    await this.#write('commit the readiness probe', (s) => s.probe.run(PROBE_BYTES));
  }

  async getInstance(key: InstanceKey): Promise<InstanceRow | undefined> {
    const row = await this.#read('read an instance', (s) => s.getInstance.get(key.machine, key.id));
    return row === undefined ? undefined : toInstanceRow(row);
  }

  async latestSnapshot(key: InstanceKey): Promise<SnapshotRow | undefined> {
    const row = await this.#read('read a snapshot', (s) =>
      s.latestSnapshot.get(key.machine, key.id),
    );
    return row === undefined ? undefined : toSnapshotRow(row);
  }

  async saveSnapshot(row: SnapshotRow): Promise<void> {
    await this.#write('save a snapshot', (s) =>
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
    const rows = await this.#read('read events', (s) => {
      const { after, limit, maxBytes } = pageBounds(page);
      return s.readEvents.all({ machine: key.machine, id: key.id, after, limit, maxBytes });
    });
    return rows.map(toEventRow);
  }

  async readAudit(key: InstanceKey, page?: Page): Promise<AuditRecord[]> {
    const rows = await this.#read('read the audit log', (s) => {
      const { after, limit } = pageBounds(page);
      return s.readAudit.all(key.machine, key.id, after, limit);
    });
    return rows.map(toAuditRecord);
  }

  async getIdempotency(
    key: InstanceKey,
    idempotencyKey: string,
  ): Promise<IdempotencyRow | undefined> {
    const row = await this.#read('read an idempotency key', (s) =>
      s.getIdempotency.get(key.machine, key.id, idempotencyKey),
    );
    return row === undefined ? undefined : toIdempotencyRow(row);
  }

  async listTimers(key: InstanceKey): Promise<TimerRow[]> {
    const rows = await this.#read('list timers', (s) => s.listTimers.all(key.machine, key.id));
    return rows.map(toTimerRow);
  }

  async listOutbox(key: InstanceKey): Promise<OutboxRow[]> {
    const rows = await this.#read('list the outbox', (s) => s.listOutbox.all(key.machine, key.id));
    return rows.map(toOutboxRow);
  }

  async listInstances(query: InstanceQuery): Promise<InstanceRow[]> {
    const { instances } = this.#use();
    const rows = await this.#read('list instances', () =>
      instances.list(instanceQueryBounds(query)),
    );
    return rows.map(toInstanceRow);
  }

  // ---- timers ----

  async getTimer(key: InstanceKey, timerId: string): Promise<TimerRow | undefined> {
    const row = await this.#read('read a timer', (s) =>
      s.getTimer.get(key.machine, key.id, timerId),
    );
    return row === undefined ? undefined : toTimerRow(row);
  }

  async nextTimerDue(now?: number): Promise<number | undefined> {
    const due = this.#peek('find the next due timer', (s) =>
      now === undefined ? s.nextTimerDue.get() : s.nextFreeTimerDue.get(now),
    );
    return due ?? undefined;
  }

  async claimDueTimers(lease: Lease): Promise<TimerRow[]> {
    const { claimTimers } = this.#use();
    const rows = this.#peek('claim due timers', () => claimTimers(leaseBounds(lease)));
    return rows.map(toTimerRow);
  }

  async retryTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
    await this.#write('retry a timer', (s) => {
      const { attempts, lastError, at } = checkAttempt(attempt);
      s.retryTimer.run(attempts, lastError, at, key.machine, key.id, timerId);
    });
  }

  async deadLetterTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
    await this.#write('dead-letter a timer', (s) => {
      const { attempts, lastError } = checkAttempt(attempt);
      s.deadLetterTimer.run(attempts, lastError, key.machine, key.id, timerId);
    });
  }

  async listDeadTimers(limit?: number): Promise<TimerRow[]> {
    const rows = await this.#read('list dead timers', (s) =>
      s.listDeadTimers.all(pageBounds(limit === undefined ? undefined : { limit }).limit),
    );
    return rows.map(toTimerRow);
  }

  async reviveTimer(key: InstanceKey, timerId: string, dueAt: number): Promise<boolean> {
    const { changes } = await this.#write('revive a timer', (s) =>
      s.reviveTimer.run(checkTime('dueAt', dueAt), key.machine, key.id, timerId),
    );
    return changes > 0;
  }

  // ---- outbox ----

  async getOutbox(effectId: string): Promise<OutboxRow | undefined> {
    const row = await this.#read('read an outbox row', (s) => s.getOutbox.get(effectId));
    return row === undefined ? undefined : toOutboxRow(row);
  }

  async nextOutboxDue(now?: number): Promise<number | undefined> {
    const due = this.#peek('find the next due outbox row', (s) =>
      now === undefined ? s.nextOutboxDue.get() : s.nextFreeOutboxDue.get(now),
    );
    return due ?? undefined;
  }

  async claimOutbox(lease: Lease): Promise<OutboxRow[]> {
    const { claimOutbox } = this.#use();
    const rows = await this.#read('claim outbox rows', () => claimOutbox(leaseBounds(lease)));
    return rows.map(toOutboxRow);
  }

  async markOutboxStarted(effectId: string): Promise<void> {
    await this.#write('mark an outbox row started', (s) => s.markOutboxStarted.run(effectId));
  }

  async renewOutboxLease(effectId: string, owner: string, until: number): Promise<boolean> {
    const { changes } = this.#peek('renew an outbox lease', (s) => {
      const renewal = renewalBounds(owner, until);
      return s.renewOutboxLease.run(renewal.until, effectId, renewal.owner);
    });
    return changes > 0;
  }

  async retryOutbox(effectId: string, attempt: Attempt): Promise<void> {
    await this.#write('retry an outbox row', (s) => {
      const { attempts, lastError, at } = checkAttempt(attempt);
      s.retryOutbox.run(attempts, lastError, at, effectId);
    });
  }

  async deadLetterOutbox(effectId: string, attempt: Attempt): Promise<void> {
    await this.#write('dead-letter an outbox row', (s) => {
      const { attempts, lastError } = checkAttempt(attempt);
      s.deadLetterOutbox.run(attempts, lastError, effectId);
    });
  }

  async listDeadOutbox(limit?: number): Promise<OutboxRow[]> {
    const rows = await this.#read('list dead outbox rows', (s) =>
      s.listDeadOutbox.all(pageBounds(limit === undefined ? undefined : { limit }).limit),
    );
    return rows.map(toOutboxRow);
  }

  async reviveOutbox(effectId: string, at: number): Promise<boolean> {
    const { changes } = await this.#write('revive an outbox row', (s) =>
      s.reviveOutbox.run(checkTime('at', at), effectId),
    );
    return changes > 0;
  }

  // ---- API keys ----

  async putApiKey(key: ApiKeyRow): Promise<void> {
    try {
      await this.#write('store an API key', (s) =>
        s.insertApiKey.run(
          key.keyId,
          key.hash,
          key.name,
          key.subject,
          JSON.stringify(key.roles),
          key.createdAt,
          key.revokedAt,
        ),
      );
    } catch (error) {
      const code = (error as { details?: { driverCode?: unknown } }).details?.driverCode;
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw errors.validation(
          `An API key with id "${key.keyId}" or the same hash is already stored. Generate a new key.`,
          { keyId: key.keyId },
        );
      }
      throw error;
    }
  }

  async findApiKey(hash: string): Promise<ApiKeyRow | undefined> {
    const row = await this.#read('find an API key', (s) => s.findApiKey.get(hash));
    return row === undefined ? undefined : toApiKeyRow(row);
  }

  async listApiKeys(): Promise<ApiKeyRow[]> {
    return (await this.#read('list API keys', (s) => s.listApiKeys.all())).map(toApiKeyRow);
  }

  async revokeApiKey(keyId: string, at: number): Promise<boolean> {
    const { changes } = await this.#write('revoke an API key', (s) =>
      s.revokeApiKey.run(checkTime('at', at), keyId),
    );
    return changes > 0;
  }

  // ---- emit log and cursors ----

  async readEmits(after: number, limit?: number): Promise<EmitRecord[]> {
    const rows = await this.#read('read the emit log', (s) => {
      const bounds = pageBounds(limit === undefined ? { after } : { after, limit });
      return s.readEmits.all(bounds.after, bounds.limit);
    });
    return rows.map(toEmitRecord);
  }

  async getCursor(subscriber: string): Promise<number> {
    const position = await this.#read('read a cursor', (s) => {
      checkCursor(subscriber);
      return s.getCursor.get(subscriber);
    });
    return position ?? 0;
  }

  async setCursor(subscriber: string, position: number): Promise<void> {
    await this.#write('save a cursor', (s) => {
      checkCursor(subscriber, position);
      s.setCursor.run(subscriber, position);
    });
  }

  /** Run one statement outside `commit`, reporting driver failures as STORE_ERROR. */
  #peek<T>(operation: string, run: (statements: Statements) => T): T {
    const { statements } = this.#use();
    try {
      return run(statements);
    } catch (cause) {
      throw isStatorError(cause) ? cause : storeErrors.failed(STORE, operation, cause);
    }
  }

  /** A read whose rows are shown or acted on: answered once what it saw is on disk. */
  async #read<T>(operation: string, run: (statements: Statements) => T): Promise<T> {
    const { wal } = this.#use();
    const result = this.#peek(operation, run);
    await this.#flushed(wal?.barrier());
    return result;
  }

  /** A write outside `commit`: answered once it is on disk. */
  async #write<T>(operation: string, run: (statements: Statements) => T): Promise<T> {
    const { wal, checkpointer } = this.#use();
    const result = this.#peek(operation, run);
    checkpointer?.wrote();
    await this.#flushed(wal?.written(true));
    return result;
  }

  async #flushed(flush: Promise<void> | undefined): Promise<void> {
    try {
      await flush;
    } catch (cause) {
      throw storeErrors.notDurable(STORE, cause);
    }
  }

  #use(): Connection {
    const connection = this.#connection;
    if (typeof connection === 'object') return connection;
    throw connection === 'new' ? storeErrors.notOpen(STORE) : storeErrors.closed(STORE);
  }
}
