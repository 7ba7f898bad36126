/**
 * The storage contract as small named ports. The runtime depends on them, never
 * on a driver: the commit path on the commit log and instance reads, the timer
 * scheduler on the timer queue, the outbox dispatcher on the outbox queue,
 * emit subscribers on the emit log, the server's authentication on the API key
 * store. A `Store` is all of them; an adapter may be built from one object per
 * port, as the PostgreSQL and memory adapters are.
 */
import type {
  ApiKeyRow,
  Attempt,
  AuditRecord,
  CommitWrite,
  EmitBacklog,
  EmitRecord,
  EventRow,
  IdempotencyRow,
  InstanceKey,
  InstanceQuery,
  InstanceRow,
  Lease,
  MachineVersionRow,
  OutboxRow,
  Page,
  SnapshotRow,
  StateCount,
  TimerRow,
  VersionCount,
  WakeTopic,
  WorkCount,
  WriteOutcome,
  WriteRef,
} from './rows.js';

/** Opening, closing and naming a store, and waking other processes' schedulers. */
export interface StoreLifecycle {
  /** Adapter name for messages and metrics: `memory`, `sqlite`, `postgres`. */
  readonly kind: string;
  /** Create or upgrade the schema (schema migrations). Idempotent. */
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional, for stores shared by several processes: calls `listener` when
   * another process committed timers, outbox rows or emits (PostgreSQL:
   * LISTEN/NOTIFY), so idle processes wake instead of polling tightly.
   * Returns the function that stops listening.
   */
  onWake?(listener: (what: WakeTopic) => void): () => void;
}

/** Where transitions are committed, and found again after a commit whose outcome is unknown. */
export interface CommitLog {
  /**
   * Commit writes for (usually) different instances in ONE transaction. Each
   * EventWrite is checked independently: `create` requires that the instance does
   * not exist, `event` that its seq equals `expectedSeq`; an idempotency row whose
   * key already exists fails with IDEMPOTENCY_MISMATCH. Failed writes leave no
   * trace; the others commit. Outcomes are returned in input order. Throws only
   * when the transaction itself fails (then nothing of the batch is kept, or —
   * `details.outcome: 'unknown'` — it may have been).
   */
  commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]>;
  /**
   * Whether each write is in the store, for writes of a commit whose outcome
   * is unknown. Answered only once no transaction that could still write them
   * is in progress where the store can tell (PostgreSQL waits for the
   * instances' commit locks); an event write that is not there cannot land
   * later over a newer write, because its expected-sequence check would fail.
   */
  findWrites(refs: readonly WriteRef[]): Promise<boolean[]>;
  /**
   * A small write that proves the store can commit now (readiness): resolves
   * when it committed, throws STORE_ERROR when it could not (disk full, lost
   * connection, read-only database).
   */
  probe(): Promise<void>;
}

/** One instance's rows and history, and listing a machine's instances. */
export interface InstanceReads {
  getInstance(key: InstanceKey): Promise<InstanceRow | undefined>;
  /** The snapshot with the highest seq, if any. */
  latestSnapshot(key: InstanceKey): Promise<SnapshotRow | undefined>;
  /** Store a snapshot outside a transition (manual snapshots). Replaces one at the same seq. */
  saveSnapshot(row: SnapshotRow): Promise<void>;
  /** Events with seq > after, in seq order: at most `limit`, and `maxBytes` of payload (at least one). */
  readEvents(key: InstanceKey, page?: Page): Promise<EventRow[]>;
  /** Audit rows with position > after, in order. */
  readAudit(key: InstanceKey, page?: Page): Promise<AuditRecord[]>;
  getIdempotency(key: InstanceKey, idempotencyKey: string): Promise<IdempotencyRow | undefined>;
  /** Pending timers of one instance, by due time. */
  listTimers(key: InstanceKey): Promise<TimerRow[]>;
  /** Undispatched outbox rows of one instance (any status), in (seq, index) order. */
  listOutbox(key: InstanceKey): Promise<OutboxRow[]>;
  /** Instances of a machine, filtered, ordered by id (keyset paging with `afterId`). */
  listInstances(query: InstanceQuery): Promise<InstanceRow[]>;
}

/** Durable timers: claimed under leases, retried, dead-lettered. */
export interface TimerQueue {
  getTimer(key: InstanceKey, timerId: string): Promise<TimerRow | undefined>;
  /**
   * Earliest `dueAt` of pending timers, or undefined when none. With `now`,
   * timers leased past `now` (claimed and about to fire) are left out, so a
   * scheduler can sleep until the next timer nobody holds.
   */
  nextTimerDue(now?: number): Promise<number | undefined>;
  /**
   * Leases up to `limit` pending timers with dueAt <= now whose lease is free or
   * expired, earliest first (ties by machine, id, timerId). A leased row is not
   * returned to another owner until its lease expires; the commit that fires a
   * timer deletes it (timersCancelled).
   */
  claimDueTimers(lease: Lease): Promise<TimerRow[]>;
  /** Records a failed delivery, releases the lease and moves dueAt to `attempt.at`. */
  retryTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void>;
  /** Marks the timer dead (never claimed again), keeping it for inspection. */
  deadLetterTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void>;
  /** Dead timers store-wide, ordered by (machine, id, timerId); `after` unused. */
  listDeadTimers(limit?: number): Promise<TimerRow[]>;
  /** Makes a dead timer pending again, due at `dueAt`, attempts reset. False if no such dead timer. */
  reviveTimer(key: InstanceKey, timerId: string, dueAt: number): Promise<boolean>;
}

/** Effects waiting to run after their commit: claimed under leases, retried, dead-lettered. */
export interface OutboxQueue {
  getOutbox(effectId: string): Promise<OutboxRow | undefined>;
  /** Earliest `nextAttemptAt` of pending or started rows, or undefined; with `now`, leaving out rows leased past `now`. */
  nextOutboxDue(now?: number): Promise<number | undefined>;
  /**
   * Leases up to `limit` rows (status pending or started) with nextAttemptAt <= now
   * whose lease is free or expired, in (nextAttemptAt, machine, id, seq, index) order.
   */
  claimOutbox(lease: Lease): Promise<OutboxRow[]>;
  /** Sets status `started` (durably, before an at-most-once activity runs). */
  markOutboxStarted(effectId: string): Promise<void>;
  /**
   * Extends a running effect's lease to `until`, if `owner` still holds it (a
   * long activity's heartbeat). False when the row is gone, dead, or leased to
   * another owner: the effect is no longer this owner's to finish.
   */
  renewOutboxLease(effectId: string, owner: string, until: number): Promise<boolean>;
  /** Records a failed attempt, releases the lease, next try at `attempt.at`. */
  retryOutbox(effectId: string, attempt: Attempt): Promise<void>;
  /** Status `dead`: never claimed again, kept for inspection. */
  deadLetterOutbox(effectId: string, attempt: Attempt): Promise<void>;
  /** Dead outbox rows store-wide, in (machine, id, seq, index) order. */
  listDeadOutbox(limit?: number): Promise<OutboxRow[]>;
  /** Makes a dead row pending again, due at `at`, attempts reset. False if no such dead row. */
  reviveOutbox(effectId: string, at: number): Promise<boolean>;
}

/** The store-wide log of `emit(...)`ed events, and each named subscriber's cursor in it. */
export interface EmitLog {
  /** Emits with position > after, in order. */
  readEmits(after: number, limit?: number): Promise<EmitRecord[]>;
  /** A subscriber's cursor: the last position it has handled (0 when new). */
  getCursor(subscriber: string): Promise<number>;
  setCursor(subscriber: string, position: number): Promise<void>;
}

/** The versions of each machine ever registered on this store, and their live instances. */
export interface MachineVersions {
  /** The stored row of a version, if it was ever registered. */
  getMachineVersion(machine: string, version: string): Promise<MachineVersionRow | undefined>;
  /**
   * Stores a version's row: inserted when new; with `replace`, the fingerprint
   * and description of a stored one are overwritten (a change declared compatible).
   */
  putMachineVersion(
    row: MachineVersionRow,
    options?: { readonly replace?: boolean },
  ): Promise<void>;
  /** Stored versions of a machine (every machine when undefined), by machine then registration time. */
  listMachineVersions(machine?: string): Promise<MachineVersionRow[]>;
  /**
   * Live (status active) instances of a machine by version and state key. It
   * reads every live instance of the machine: for operators and start-up
   * checks, not for a hot path.
   */
  countLive(machine: string): Promise<VersionCount[]>;
}

/**
 * Aggregates for metrics and operators: a few grouped counts over the
 * instance, timer and outbox indexes, never one row per instance. Meant to be
 * read on an interval (seconds), not per event.
 */
export interface StoreStats {
  /**
   * A machine's instances by state key and status (every status), with the
   * earliest `stateEnteredAt` in each group, ordered by state key then status.
   */
  countByState(machine: string): Promise<StateCount[]>;
  /** Pending and dead timers, and pending (started included) and dead outbox rows, per machine, by machine. */
  countWork(): Promise<WorkCount[]>;
  /**
   * Per subscriber with a stored cursor, the emits committed after it (not
   * yet numbered ones included), by subscriber: one row per subscriber,
   * counted over the log's position index (or its head), never per instance.
   */
  countEmitBacklog(): Promise<EmitBacklog[]>;
}

/** API keys of the server's authentication: only hashes are stored. */
export interface ApiKeyStore {
  putApiKey(key: ApiKeyRow): Promise<void>;
  /** The key with this hash, revoked ones included (check `revokedAt`). */
  findApiKey(hash: string): Promise<ApiKeyRow | undefined>;
  /** All keys by creation time. */
  listApiKeys(): Promise<ApiKeyRow[]>;
  /** Sets revokedAt; false when no key has this id. */
  revokeApiKey(keyId: string, at: number): Promise<boolean>;
}

/** A whole store: every port. */
export interface Store
  extends StoreLifecycle,
    CommitLog,
    InstanceReads,
    TimerQueue,
    OutboxQueue,
    EmitLog,
    MachineVersions,
    StoreStats,
    ApiKeyStore {}
