import type { ErrorCode } from '../core/errors.js';
import type { Actor, InstanceStatus, OutboxEffect, StateValue } from '../core/types.js';

/**
 * The storage contract. The runtime depends on this interface only; each adapter
 * (memory, SQLite, PostgreSQL) lives in its own folder and passes the shared
 * contract suite in `store-contract.suite.ts`.
 *
 * All JSON-valued fields (`value`, `context`, `payload`, `snapshot`, …) are plain
 * JSON data: adapters store them as they are and return equal values.
 */

export interface InstanceKey {
  readonly machine: string;
  readonly id: string;
}

/** The read model of one instance: where it is now. */
export interface InstanceRow extends InstanceKey {
  readonly version: string;
  readonly value: StateValue;
  readonly context: unknown;
  readonly status: InstanceStatus;
  /** Sequence number of the last applied event (1 = creation). */
  readonly seq: number;
  /** Recorded time of the event that last changed `value`. */
  readonly stateEnteredAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One accepted event in an instance's history. */
export interface EventRow extends InstanceKey {
  readonly seq: number;
  readonly type: string;
  /** The event's fields other than `type`. */
  readonly payload: Record<string, unknown>;
  readonly actor: Actor | null;
  readonly recordedAt: number;
  readonly idempotencyKey: string | null;
  readonly traceContext: Record<string, string> | null;
}

/** A full XState persisted snapshot taken after event `seq`. */
export interface SnapshotRow extends InstanceKey {
  readonly seq: number;
  readonly version: string;
  readonly snapshot: unknown;
  readonly takenAt: number;
}

/** A durable timer: `event` is delivered to `target` at `dueAt`. */
export interface TimerRow extends InstanceKey {
  readonly timerId: string;
  readonly dueAt: number;
  readonly event: { readonly type: string; readonly [key: string]: unknown };
  readonly target: string;
  /** Sequence of the transition that set it. */
  readonly setBySeq: number;
}

/** An effect waiting to be dispatched after commit. */
export interface OutboxRow extends InstanceKey {
  /** Stable effect id `${machine}/${id}/${seq}/${index}`: also its idempotency key. */
  readonly effectId: string;
  readonly seq: number;
  /** Position of the effect within its transition (0, 1, …). */
  readonly index: number;
  readonly effect: OutboxEffect;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly createdAt: number;
}

export type AuditOutcome =
  | 'applied'
  | 'rejected_invalid'
  | 'rejected_auth'
  | 'rejected_error'
  | 'duplicate';

/** One decision about one event: applied or rejected, by whom, from where to where. */
export interface AuditRow extends InstanceKey {
  readonly transitionId: string;
  /** Sequence the event got, or null when it was rejected. */
  readonly seq: number | null;
  readonly actor: Actor | null;
  readonly eventType: string;
  readonly from: StateValue | null;
  readonly to: StateValue | null;
  readonly at: number;
  readonly traceId: string | null;
  readonly outcome: AuditOutcome;
  readonly reason: string | null;
}

/** A stored audit row with its position in the instance's audit log (1, 2, …). */
export interface AuditRecord extends AuditRow {
  readonly position: number;
}

/** The recorded outcome of a request made with an idempotency key. */
export interface IdempotencyRow extends InstanceKey {
  readonly key: string;
  /** Hash of the request, to tell a retry from a different request under the same key. */
  readonly fingerprint: string;
  readonly seq: number;
  readonly result: unknown;
  readonly createdAt: number;
}

/** Everything one accepted event writes, committed atomically. */
export interface EventWrite {
  readonly kind: 'create' | 'event';
  /** `create`: 0 (the instance must not exist). `event`: the instance's current seq. */
  readonly expectedSeq: number;
  readonly instance: InstanceRow;
  readonly event: EventRow;
  readonly snapshot?: SnapshotRow | undefined;
  readonly timersSet: readonly TimerRow[];
  readonly timersCancelled: readonly string[];
  readonly outbox: readonly OutboxRow[];
  readonly audit: AuditRow;
  readonly idempotency?: IdempotencyRow | undefined;
}

/** A rejection that appends nothing but must leave an audit row. */
export interface AuditOnlyWrite {
  readonly kind: 'audit';
  readonly audit: AuditRow;
}

export type CommitWrite = EventWrite | AuditOnlyWrite;

/**
 * Per-write result of a group commit. A write that fails its check is skipped
 * (nothing of it is kept) while the other writes of the batch commit.
 */
export type WriteOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: Extract<
        ErrorCode,
        'SEQUENCE_CONFLICT' | 'INSTANCE_EXISTS' | 'IDEMPOTENCY_MISMATCH'
      >;
      /** For SEQUENCE_CONFLICT: the seq the store holds (0 if the instance is missing). */
      readonly actual?: number;
    };

export interface Page {
  /** Return items strictly after this position (seq or audit position). Default 0. */
  readonly after?: number;
  /** Maximum items. Default 100, at most 1000. */
  readonly limit?: number;
}

export interface Store {
  /** Adapter name for messages and metrics: `memory`, `sqlite`, `postgres`. */
  readonly kind: string;
  /** Create or migrate the schema. Idempotent. */
  open(): Promise<void>;
  /**
   * Commit writes for (usually) different instances in ONE transaction. Each
   * EventWrite is checked independently: `create` requires that the instance does
   * not exist, `event` that its seq equals `expectedSeq`; an idempotency row whose
   * key already exists fails with IDEMPOTENCY_MISMATCH. Failed writes leave no
   * trace; the others commit. Outcomes are returned in input order. Throws only
   * when the transaction itself fails (then nothing of the batch is kept).
   */
  commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]>;
  getInstance(key: InstanceKey): Promise<InstanceRow | undefined>;
  /** The snapshot with the highest seq, if any. */
  latestSnapshot(key: InstanceKey): Promise<SnapshotRow | undefined>;
  /** Store a snapshot outside a transition (manual snapshots). Replaces one at the same seq. */
  saveSnapshot(row: SnapshotRow): Promise<void>;
  /** Events with seq > after, in seq order. */
  readEvents(key: InstanceKey, page?: Page): Promise<EventRow[]>;
  /** Audit rows with position > after, in order. */
  readAudit(key: InstanceKey, page?: Page): Promise<AuditRecord[]>;
  getIdempotency(key: InstanceKey, idempotencyKey: string): Promise<IdempotencyRow | undefined>;
  /** Pending timers of one instance, by due time. */
  listTimers(key: InstanceKey): Promise<TimerRow[]>;
  /** Undispatched outbox rows of one instance, in (seq, index) order. */
  listOutbox(key: InstanceKey): Promise<OutboxRow[]>;
  close(): Promise<void>;
}
