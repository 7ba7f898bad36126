import type { ErrorCode } from '../core/errors.js';
import type { Actor, InstanceStatus, OutboxEffect, StateValue } from '../core/types.js';

/**
 * The storage contract's rows and writes. The contract itself is a set of small
 * ports (`ports.ts`): each consumer depends on the part it uses. Each adapter
 * (memory, SQLite, PostgreSQL) lives in its own folder and passes the shared
 * contract suite in `contract/store-contract.ts`.
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
  /** For a durable child machine: the parent instance and the child's id there. */
  readonly parent?: ParentLink | null;
}

export interface ParentLink {
  readonly machine: string;
  readonly id: string;
  readonly activityId: string;
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
  /** Failed deliveries so far (0 when never tried). Default 0. */
  readonly attempts?: number;
  /** `dead` after the last retry failed: kept, listed, revivable by hand. Default `pending`. */
  readonly status?: 'pending' | 'dead';
  readonly lastError?: string | null;
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
  /**
   * `pending` until dispatched; `started` once an at-most-once activity was
   * marked as begun (after a crash it is not run again); `dead` after the last
   * retry failed (kept and listed). Default `pending`.
   */
  readonly status?: 'pending' | 'started' | 'dead';
  readonly lastError?: string | null;
}

/** An `emit(...)`ed event, appended to the store-wide emit log in its transition's transaction. */
export interface EmitRow extends InstanceKey {
  readonly seq: number;
  readonly index: number;
  /** `${machine}/${id}/${seq}/e${index}`. */
  readonly effectId: string;
  readonly event: { readonly type: string; readonly [key: string]: unknown };
  readonly at: number;
}

/** A stored emit with its store-wide position (1, 2, … in commit order). */
export interface EmitRecord extends EmitRow {
  readonly position: number;
}

/** A claim on due work: rows are leased to `owner` until `until`, so one process runs each. */
export interface Lease {
  readonly owner: string;
  readonly now: number;
  readonly until: number;
  readonly limit: number;
}

/** What to change when a timer or outbox row is retried or dead-lettered. */
export interface Attempt {
  readonly attempts: number;
  readonly lastError: string;
  /** Next try (ignored when dead-lettering). */
  readonly at: number;
}

/** An API key as stored: never the secret, only its hash. */
export interface ApiKeyRow {
  readonly keyId: string;
  /** SHA-256 (hex) of the secret. Unique. */
  readonly hash: string;
  readonly name: string;
  /** The actor requests with this key act as (subject and roles). */
  readonly subject: string;
  readonly roles: readonly string[];
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** Filter for listing instances of one machine. */
export interface InstanceQuery {
  readonly machine: string;
  /** A state path (`paid`, `paid.packed`): instances in that state or any of its substates. */
  readonly state?: string;
  readonly status?: InstanceStatus;
  /** Only instances whose current state was entered before this time (time in state). */
  readonly enteredBefore?: number;
  /** Only instances running this version of the machine. */
  readonly version?: string;
  /**
   * Only ids starting with this (a range over the id index: instance ids are
   * ASCII below `\x7f`, so [prefix, prefix + '\x7f') holds exactly them).
   */
  readonly idPrefix?: string;
  /** Keyset cursor: ids strictly greater than this. */
  readonly afterId?: string;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

/** One version of a machine as it was first registered: what it is, to tell when it changed. */
export interface MachineVersionRow {
  readonly machine: string;
  readonly version: string;
  /** `sha256:…` of the description (see analysis/definition.ts). */
  readonly fingerprint: string;
  /** The version's description (chart and code hashes), JSON: for diffs after its code is gone. */
  readonly description: unknown;
  readonly registeredAt: number;
}

/** Live (active) instances of one machine version, by state key. */
export interface VersionCount {
  readonly version: string;
  readonly stateKey: string;
  readonly count: number;
}

/** Instances of one machine in one state key and status, and how long the oldest has been there. */
export interface StateCount {
  readonly stateKey: string;
  readonly status: InstanceStatus;
  readonly count: number;
  /** The earliest `stateEnteredAt` of the group. */
  readonly oldestEnteredAt: number;
}

/** Work waiting in the store for one machine's instances. */
export interface WorkCount {
  readonly machine: string;
  readonly timersPending: number;
  readonly timersDead: number;
  /** Outbox rows pending or started (an at-most-once activity under way). */
  readonly outboxPending: number;
  readonly outboxDead: number;
}

/** What a named emit subscriber has yet to handle: the emits committed after its durable cursor. */
export interface EmitBacklog {
  readonly subscriber: string;
  readonly backlog: number;
}

export type AuditOutcome =
  | 'applied'
  | 'rejected_invalid'
  | 'rejected_auth'
  | 'rejected_error'
  | 'duplicate'
  /** A system event (activity result, timer) that arrived after its state was exited. */
  | 'discarded';

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

/**
 * The timer whose firing a write records. The write applies only while that
 * timer is still pending as it was claimed (same `setBySeq` and `dueAt`);
 * otherwise it was cancelled or set again since, nothing of the write is kept
 * and its outcome is TIMER_GONE. The check runs inside the commit, so the
 * scheduler need not read the timer again before firing it.
 */
export interface FiredTimer {
  readonly timerId: string;
  readonly setBySeq: number;
  readonly dueAt: number;
}

/** Everything one accepted event writes, committed atomically. */
export interface EventWrite {
  readonly kind: 'create' | 'event';
  /** `create`: 0 (the instance must not exist). `event`: the instance's current seq. */
  readonly expectedSeq: number;
  /**
   * Unique id of this write, stored with its event. After a commit whose outcome
   * is unknown (the connection dropped after the commit was sent), `findWrites`
   * tells whether this write landed, so it is never applied twice.
   */
  readonly writeId: string;
  readonly instance: InstanceRow;
  readonly event: EventRow;
  readonly snapshot?: SnapshotRow | undefined;
  readonly timersSet: readonly TimerRow[];
  readonly timersCancelled: readonly string[];
  readonly outbox: readonly OutboxRow[];
  /**
   * When set, the outbox rows are written already leased to this owner: the
   * process that committed them dispatches them from memory without claiming.
   * Another process claims them only after `until`. Default: not leased.
   */
  readonly outboxLease?: { readonly owner: string; readonly until: number } | undefined;
  /** Emitted events, appended to the emit log. Default none. */
  readonly emits?: readonly EmitRow[];
  readonly audit: AuditRow;
  readonly idempotency?: IdempotencyRow | undefined;
  /** A timer's event: applied only while that timer is still pending as claimed. */
  readonly firedTimer?: FiredTimer | undefined;
}

/** A rejection that appends nothing but must leave an audit row. */
export interface AuditOnlyWrite {
  readonly kind: 'audit';
  readonly audit: AuditRow;
  /** Timers of the audited instance to delete with the row (a timer whose event was discarded). */
  readonly timersCancelled?: readonly string[];
  /** A discarded timer's event: the row is written only while that timer is still pending as claimed. */
  readonly firedTimer?: FiredTimer | undefined;
}

/**
 * Effects that finished: their outbox rows are deleted (missing ones ignored).
 * Rides in a group commit, so completing effects costs no transaction of its own.
 */
export interface OutboxDoneWrite {
  readonly kind: 'outbox-done';
  /** Finished effects; repeating one, or naming an unknown id, is harmless. */
  readonly effectIds: readonly string[];
}

export type CommitWrite = EventWrite | AuditOnlyWrite | OutboxDoneWrite;

/**
 * Per-write result of a group commit. A write that fails its check is skipped
 * (nothing of it is kept) while the other writes of the batch commit.
 */
export type WriteOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code:
        | Extract<ErrorCode, 'SEQUENCE_CONFLICT' | 'INSTANCE_EXISTS' | 'IDEMPOTENCY_MISMATCH'>
        /** The write's `firedTimer` was cancelled or set again: a stale timer, skipped. */
        | 'TIMER_GONE';
      /** For SEQUENCE_CONFLICT: the seq the store holds (0 if the instance is missing). */
      readonly actual?: number;
    };

/**
 * A write to look for after a commit whose outcome is unknown: an event write by
 * its event's seq and write id, an audit-only write by its transition id.
 */
export type WriteRef =
  | {
      readonly kind: 'event';
      readonly machine: string;
      readonly id: string;
      readonly seq: number;
      readonly writeId: string;
    }
  | {
      readonly kind: 'audit';
      readonly machine: string;
      readonly id: string;
      readonly transitionId: string;
    };

export interface Page {
  /** Return items strictly after this position (seq or audit position). Default 0. */
  readonly after?: number;
  /** Maximum items. Default 100, at most 1000. */
  readonly limit?: number;
  /**
   * Events only: stop before the payloads (their JSON, in UTF-8 bytes) add up
   * to more than this, but always return at least one event. Default 4 MiB.
   */
  readonly maxBytes?: number;
}

export type WakeTopic = 'timers' | 'outbox' | 'emits';
