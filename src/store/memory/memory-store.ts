import { errors } from '../../core/errors.js';
import { outcomes } from '../outcomes.js';
import { pageBounds } from '../page.js';
import {
  checkAttempt,
  checkCursor,
  checkTime,
  instanceQueryBounds,
  leaseBounds,
  renewalBounds,
} from '../query.js';
import {
  instanceWithParent,
  outboxWithDefaults,
  type StoredOutbox,
  type StoredTimer,
  timerWithDefaults,
} from '../row-defaults.js';
import { stateKey, stateMatches } from '../state-key.js';
import { storeErrors } from '../store-errors.js';
import type {
  ApiKeyRow,
  Attempt,
  AuditOnlyWrite,
  AuditRecord,
  AuditRow,
  CommitWrite,
  EmitRecord,
  EventRow,
  EventWrite,
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
import { Journal } from './journal.js';

/** Who holds a timer or outbox row, and until when (a lease with until <= now has expired). */
type Holder = { readonly owner: string; readonly until: number } | null;

interface TimerEntry {
  readonly row: StoredTimer;
  readonly lease: Holder;
}

interface OutboxEntry {
  readonly row: StoredOutbox;
  readonly lease: Holder;
}

/** Everything stored for one instance key, apart from the instance row itself. */
interface Bucket {
  readonly events: Map<number, EventRow>;
  readonly snapshots: Map<number, SnapshotRow>;
  readonly timers: Map<string, TimerEntry>;
  readonly audit: AuditRecord[];
  readonly idempotency: Map<string, IdempotencyRow>;
  /** The write id of each event, by seq. */
  readonly writeIds: Map<number, string>;
}

const STORE = 'memory';
/** A commit of this store fails only on data it cannot keep: nothing was kept, and retrying fails again. */
const REFUSED = { outcome: 'not-committed', transient: false } as const;

/**
 * An in-memory store for tests and examples. It keeps everything in Maps, copies
 * every value on the way in and out (so callers cannot change stored rows), and
 * honours the same commit semantics as the SQL adapters: per-write checks, failed
 * writes leave no trace, a batch that throws keeps nothing. Timer and outbox
 * leases work as in SQL (one owner per row until the lease runs out), so a
 * runtime's scheduler can be tested on it. Data lives as long as the store object.
 *
 * @example
 * import { memoryStore } from 'stator/memory';
 *
 * const store = memoryStore();
 * await store.open();
 * const instance = await store.getInstance({ machine: 'order', id: 'o-1' }); // undefined
 */
export function memoryStore(): Store {
  return new MemoryStore();
}

class MemoryStore implements Store {
  readonly kind = STORE;
  #state: 'new' | 'open' | 'closed' = 'new';
  readonly #instances = new Map<string, InstanceRow>();
  readonly #buckets = new Map<string, Bucket>();
  /** Undispatched effects of every instance, by effect id (ids are unique store-wide). */
  readonly #outbox = new Map<string, OutboxEntry>();
  /** The emit log; an emit's position is its index + 1. */
  readonly #emits: EmitRecord[] = [];
  readonly #cursors = new Map<string, number>();
  readonly #apiKeys = new Map<string, ApiKeyRow>();
  /** hash -> keyId */
  readonly #apiKeyHashes = new Map<string, string>();

  async open(): Promise<void> {
    if (this.#state === 'closed') throw storeErrors.closed(STORE);
    this.#state = 'open';
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    this.#instances.clear();
    this.#buckets.clear();
    this.#outbox.clear();
    this.#emits.length = 0;
    this.#cursors.clear();
    this.#apiKeys.clear();
    this.#apiKeyHashes.clear();
  }

  async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
    this.#assertOpen();
    let copies: CommitWrite[];
    try {
      copies = structuredClone(writes) as CommitWrite[];
    } catch (cause) {
      throw storeErrors.commitFailed(STORE, cause, REFUSED);
    }
    const journal = new Journal();
    try {
      return copies.map((write) => this.#apply(write, journal));
    } catch (cause) {
      journal.rollbackTo(0);
      throw storeErrors.commitFailed(STORE, cause, REFUSED);
    }
  }

  async findWrites(refs: readonly WriteRef[]): Promise<boolean[]> {
    this.#assertOpen();
    return refs.map((ref) => {
      const bucket = this.#peek(ref);
      if (ref.kind === 'event') return bucket?.writeIds.get(ref.seq) === ref.writeId;
      return bucket?.audit.some((a) => a.transitionId === ref.transitionId) ?? false;
    });
  }

  async probe(): Promise<void> {
    this.#assertOpen();
  }

  async getInstance(key: InstanceKey): Promise<InstanceRow | undefined> {
    this.#assertOpen();
    return copy(this.#instances.get(keyOf(key)));
  }

  async latestSnapshot(key: InstanceKey): Promise<SnapshotRow | undefined> {
    this.#assertOpen();
    let latest: SnapshotRow | undefined;
    for (const row of this.#peek(key)?.snapshots.values() ?? []) {
      if (latest === undefined || row.seq > latest.seq) latest = row;
    }
    return copy(latest);
  }

  async saveSnapshot(row: SnapshotRow): Promise<void> {
    this.#assertOpen();
    const stored = copyIn(row, 'save a snapshot');
    this.#bucket(row).snapshots.set(stored.seq, stored);
  }

  async readEvents(key: InstanceKey, page?: Page): Promise<EventRow[]> {
    this.#assertOpen();
    const { after, limit, maxBytes } = pageBounds(page);
    const events = [...(this.#peek(key)?.events.values() ?? [])]
      .filter((row) => row.seq > after)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
    // As the SQL stores: stop before the payloads pass maxBytes, but give at least one.
    let bytes = 0;
    const page_: EventRow[] = [];
    for (const row of events) {
      const size = Buffer.byteLength(JSON.stringify(row.payload));
      if (page_.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      page_.push(structuredClone(row));
    }
    return page_;
  }

  async readAudit(key: InstanceKey, page?: Page): Promise<AuditRecord[]> {
    this.#assertOpen();
    const { after, limit } = pageBounds(page);
    const audit = this.#peek(key)?.audit ?? [];
    return audit.slice(after, after + limit).map((row) => structuredClone(row));
  }

  async getIdempotency(
    key: InstanceKey,
    idempotencyKey: string,
  ): Promise<IdempotencyRow | undefined> {
    this.#assertOpen();
    return copy(this.#peek(key)?.idempotency.get(idempotencyKey));
  }

  async listTimers(key: InstanceKey): Promise<TimerRow[]> {
    this.#assertOpen();
    const timers = [...(this.#peek(key)?.timers.values() ?? [])]
      .map((entry) => entry.row)
      .filter((row) => row.status === 'pending');
    return timers.sort(byDueTime).map((row) => structuredClone(row));
  }

  async listOutbox(key: InstanceKey): Promise<OutboxRow[]> {
    this.#assertOpen();
    const rows = [...this.#outbox.values()]
      .map((entry) => entry.row)
      .filter((row) => row.machine === key.machine && row.id === key.id);
    return rows.sort(bySeqIndex).map((row) => structuredClone(row));
  }

  async listInstances(query: InstanceQuery): Promise<InstanceRow[]> {
    this.#assertOpen();
    const q = instanceQueryBounds(query);
    const rows = [...this.#instances.values()].filter(
      (row) =>
        row.machine === q.machine &&
        (q.afterId === undefined || row.id > q.afterId) &&
        (q.state === undefined || stateMatches(stateKey(row.value), q.state)) &&
        (q.status === undefined || row.status === q.status) &&
        (q.enteredBefore === undefined || row.stateEnteredAt < q.enteredBefore),
    );
    return rows
      .sort((a, b) => compare(a.id, b.id))
      .slice(0, q.limit)
      .map((row) => structuredClone(row));
  }

  // ---- timers ----

  async getTimer(key: InstanceKey, timerId: string): Promise<TimerRow | undefined> {
    this.#assertOpen();
    return copy(this.#peek(key)?.timers.get(timerId)?.row);
  }

  async nextTimerDue(now?: number): Promise<number | undefined> {
    this.#assertOpen();
    let next: number | undefined;
    for (const { row, lease } of this.#timerEntries()) {
      if (now !== undefined && lease !== null && lease.until > now) continue;
      if (row.status === 'pending' && (next === undefined || row.dueAt < next)) next = row.dueAt;
    }
    return next;
  }

  async claimDueTimers(lease: Lease): Promise<TimerRow[]> {
    this.#assertOpen();
    const { owner, now, until, limit } = leaseBounds(lease);
    const due = [...this.#timerEntries()]
      .filter(
        ({ row, lease: held }) => row.status === 'pending' && row.dueAt <= now && free(held, now),
      )
      .map((entry) => entry.row)
      .sort(byDueTimeStoreWide)
      .slice(0, limit);
    for (const row of due) {
      this.#peek(row)?.timers.set(row.timerId, { row, lease: { owner, until } });
    }
    return due.map((row) => structuredClone(row));
  }

  async retryTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
    this.#assertOpen();
    const { attempts, lastError, at } = checkAttempt(attempt);
    this.#updateTimer(key, timerId, (row) => ({ ...row, attempts, lastError, dueAt: at }));
  }

  async deadLetterTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
    this.#assertOpen();
    const { attempts, lastError } = checkAttempt(attempt);
    this.#updateTimer(key, timerId, (row) => ({ ...row, attempts, lastError, status: 'dead' }));
  }

  async listDeadTimers(limit?: number): Promise<TimerRow[]> {
    this.#assertOpen();
    const bounds = pageBounds(limit === undefined ? undefined : { limit });
    return [...this.#timerEntries()]
      .map((entry) => entry.row)
      .filter((row) => row.status === 'dead')
      .sort(byTimerKey)
      .slice(0, bounds.limit)
      .map((row) => structuredClone(row));
  }

  async reviveTimer(key: InstanceKey, timerId: string, dueAt: number): Promise<boolean> {
    this.#assertOpen();
    checkTime('dueAt', dueAt);
    if (this.#peek(key)?.timers.get(timerId)?.row.status !== 'dead') return false;
    this.#updateTimer(key, timerId, (row) => ({ ...row, status: 'pending', attempts: 0, dueAt }));
    return true;
  }

  // ---- outbox ----

  async getOutbox(effectId: string): Promise<OutboxRow | undefined> {
    this.#assertOpen();
    return copy(this.#outbox.get(effectId)?.row);
  }

  async nextOutboxDue(now?: number): Promise<number | undefined> {
    this.#assertOpen();
    let next: number | undefined;
    for (const { row, lease } of this.#outbox.values()) {
      if (now !== undefined && lease !== null && lease.until > now) continue;
      if (row.status !== 'dead' && (next === undefined || row.nextAttemptAt < next)) {
        next = row.nextAttemptAt;
      }
    }
    return next;
  }

  async claimOutbox(lease: Lease): Promise<OutboxRow[]> {
    this.#assertOpen();
    const { owner, now, until, limit } = leaseBounds(lease);
    const due = [...this.#outbox.values()]
      .filter(
        ({ row, lease: held }) =>
          row.status !== 'dead' && row.nextAttemptAt <= now && free(held, now),
      )
      .map((entry) => entry.row)
      .sort(byNextAttempt)
      .slice(0, limit);
    for (const row of due) this.#outbox.set(row.effectId, { row, lease: { owner, until } });
    return due.map((row) => structuredClone(row));
  }

  async markOutboxStarted(effectId: string): Promise<void> {
    this.#assertOpen();
    const entry = this.#outbox.get(effectId);
    if (entry === undefined || entry.row.status === 'dead') return;
    this.#outbox.set(effectId, { row: { ...entry.row, status: 'started' }, lease: entry.lease });
  }

  async renewOutboxLease(effectId: string, owner: string, until: number): Promise<boolean> {
    this.#assertOpen();
    const renewal = renewalBounds(owner, until);
    const entry = this.#outbox.get(effectId);
    if (entry === undefined || entry.row.status === 'dead' || entry.lease?.owner !== renewal.owner)
      return false;
    this.#outbox.set(effectId, {
      row: entry.row,
      lease: { owner: renewal.owner, until: renewal.until },
    });
    return true;
  }

  async retryOutbox(effectId: string, attempt: Attempt): Promise<void> {
    this.#assertOpen();
    const { attempts, lastError, at } = checkAttempt(attempt);
    this.#updateOutbox(effectId, (row) => ({ ...row, attempts, lastError, nextAttemptAt: at }));
  }

  async deadLetterOutbox(effectId: string, attempt: Attempt): Promise<void> {
    this.#assertOpen();
    const { attempts, lastError } = checkAttempt(attempt);
    this.#updateOutbox(effectId, (row) => ({ ...row, attempts, lastError, status: 'dead' }));
  }

  async listDeadOutbox(limit?: number): Promise<OutboxRow[]> {
    this.#assertOpen();
    const bounds = pageBounds(limit === undefined ? undefined : { limit });
    return [...this.#outbox.values()]
      .map((entry) => entry.row)
      .filter((row) => row.status === 'dead')
      .sort(byInstanceSeqIndex)
      .slice(0, bounds.limit)
      .map((row) => structuredClone(row));
  }

  async reviveOutbox(effectId: string, at: number): Promise<boolean> {
    this.#assertOpen();
    checkTime('at', at);
    if (this.#outbox.get(effectId)?.row.status !== 'dead') return false;
    this.#updateOutbox(effectId, (row) => ({
      ...row,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
    }));
    return true;
  }

  // ---- API keys ----

  async putApiKey(key: ApiKeyRow): Promise<void> {
    this.#assertOpen();
    const stored = copyIn(key, 'store an API key');
    if (this.#apiKeys.has(stored.keyId) || this.#apiKeyHashes.has(stored.hash)) {
      throw duplicateApiKey(stored.keyId);
    }
    this.#apiKeys.set(stored.keyId, stored);
    this.#apiKeyHashes.set(stored.hash, stored.keyId);
  }

  async findApiKey(hash: string): Promise<ApiKeyRow | undefined> {
    this.#assertOpen();
    const keyId = this.#apiKeyHashes.get(hash);
    return keyId === undefined ? undefined : copy(this.#apiKeys.get(keyId));
  }

  async listApiKeys(): Promise<ApiKeyRow[]> {
    this.#assertOpen();
    return [...this.#apiKeys.values()]
      .sort((a, b) => a.createdAt - b.createdAt || compare(a.keyId, b.keyId))
      .map((row) => structuredClone(row));
  }

  async revokeApiKey(keyId: string, at: number): Promise<boolean> {
    this.#assertOpen();
    checkTime('at', at);
    const row = this.#apiKeys.get(keyId);
    if (row === undefined) return false;
    // The first revocation stands: revoking again does not move its time.
    if (row.revokedAt === null) this.#apiKeys.set(keyId, { ...row, revokedAt: at });
    return true;
  }

  // ---- emit log and cursors ----

  async readEmits(after: number, limit?: number): Promise<EmitRecord[]> {
    this.#assertOpen();
    const bounds = pageBounds(limit === undefined ? { after } : { after, limit });
    return this.#emits
      .slice(bounds.after, bounds.after + bounds.limit)
      .map((row) => structuredClone(row));
  }

  async getCursor(subscriber: string): Promise<number> {
    this.#assertOpen();
    checkCursor(subscriber);
    return this.#cursors.get(subscriber) ?? 0;
  }

  async setCursor(subscriber: string, position: number): Promise<void> {
    this.#assertOpen();
    checkCursor(subscriber, position);
    this.#cursors.set(subscriber, position);
  }

  *#timerEntries(): Iterable<TimerEntry> {
    for (const bucket of this.#buckets.values()) yield* bucket.timers.values();
  }

  /** Change a stored timer (if it still exists) and release its lease. */
  #updateTimer(key: InstanceKey, timerId: string, change: (row: StoredTimer) => StoredTimer): void {
    const timers = this.#peek(key)?.timers;
    const entry = timers?.get(timerId);
    if (timers === undefined || entry === undefined) return;
    timers.set(timerId, { row: change(entry.row), lease: null });
  }

  /** Change a stored outbox row (if it still exists) and release its lease. */
  #updateOutbox(effectId: string, change: (row: StoredOutbox) => StoredOutbox): void {
    const entry = this.#outbox.get(effectId);
    if (entry === undefined) return;
    this.#outbox.set(effectId, { row: change(entry.row), lease: null });
  }

  #apply(write: CommitWrite, journal: Journal): WriteOutcome {
    if (write.kind === 'outbox-done') {
      for (const effectId of write.effectIds) journal.delete(this.#outbox, effectId);
      return outcomes.ok;
    }
    if (write.firedTimer !== undefined && !this.#timerPending(write)) return outcomes.timerGone;
    if (write.kind === 'audit') {
      const timers = this.#peek(write.audit)?.timers;
      for (const timerId of write.timersCancelled ?? []) {
        if (timers !== undefined) journal.delete(timers, timerId);
      }
      this.#appendAudit(write.audit, journal);
      return outcomes.ok;
    }
    const failed = this.#check(write);
    if (failed !== undefined) return failed;

    const { event, snapshot, idempotency } = write;
    const instanceKey = keyOf(write.instance);
    const instance = instanceWithParent(write.instance, this.#instances.get(instanceKey));
    journal.set(this.#instances, instanceKey, instance);
    const events = this.#bucket(event).events;
    if (events.has(event.seq)) {
      throw new Error(`event ${event.seq} of ${event.machine}/${event.id} is already stored`);
    }
    journal.set(events, event.seq, event);
    journal.set(this.#bucket(event).writeIds, event.seq, write.writeId);
    if (snapshot !== undefined)
      journal.set(this.#bucket(snapshot).snapshots, snapshot.seq, snapshot);
    const timers = this.#bucket(instance).timers;
    for (const timerId of write.timersCancelled) journal.delete(timers, timerId);
    // A timer set again under a known id is a new timer: fresh status, attempts and lease.
    for (const timer of write.timersSet) {
      journal.set(this.#bucket(timer).timers, timer.timerId, {
        row: timerWithDefaults(timer),
        lease: null,
      });
    }
    for (const row of write.outbox) {
      if (this.#outbox.has(row.effectId)) {
        throw new Error(`outbox effect ${row.effectId} is already stored`);
      }
      const lease = write.outboxLease ? { ...write.outboxLease } : null;
      journal.set(this.#outbox, row.effectId, { row: outboxWithDefaults(row), lease });
    }
    for (const emit of write.emits ?? []) {
      journal.push(this.#emits, { ...emit, position: this.#emits.length + 1 });
    }
    this.#appendAudit(write.audit, journal);
    if (idempotency !== undefined) {
      journal.set(this.#bucket(idempotency).idempotency, idempotency.key, idempotency);
    }
    return outcomes.ok;
  }

  /** The checks of one write, in the order every adapter applies them. Writes nothing. */
  /** Whether the write's fired timer is still pending as it was claimed. */
  #timerPending(write: EventWrite | AuditOnlyWrite): boolean {
    const fired = write.firedTimer;
    if (fired === undefined) return true;
    const key = write.kind === 'audit' ? write.audit : write.instance;
    const row = this.#peek(key)?.timers.get(fired.timerId)?.row;
    return (
      row !== undefined &&
      (row.status ?? 'pending') === 'pending' &&
      row.setBySeq === fired.setBySeq &&
      row.dueAt === fired.dueAt
    );
  }

  #check(write: EventWrite): WriteOutcome | undefined {
    const current = this.#instances.get(keyOf(write.instance));
    if (write.kind === 'create') {
      if (current !== undefined) return outcomes.instanceExists;
    } else if (current === undefined || current.seq !== write.expectedSeq) {
      return outcomes.sequenceConflict(current?.seq ?? 0);
    }
    const idempotency = write.idempotency;
    if (idempotency !== undefined && this.#peek(idempotency)?.idempotency.has(idempotency.key)) {
      return outcomes.idempotencyMismatch;
    }
    return undefined;
  }

  #appendAudit(row: AuditRow, journal: Journal): void {
    const audit = this.#bucket(row).audit;
    journal.push(audit, { ...row, position: audit.length + 1 });
  }

  #peek(key: InstanceKey): Bucket | undefined {
    return this.#buckets.get(keyOf(key));
  }

  /** The bucket of a key, created empty on first use (an empty bucket is not observable). */
  #bucket(key: InstanceKey): Bucket {
    const k = keyOf(key);
    let bucket = this.#buckets.get(k);
    if (bucket === undefined) {
      bucket = {
        events: new Map(),
        snapshots: new Map(),
        timers: new Map(),
        audit: [],
        idempotency: new Map(),
        writeIds: new Map(),
      };
      this.#buckets.set(k, bucket);
    }
    return bucket;
  }

  #assertOpen(): void {
    if (this.#state === 'open') return;
    throw this.#state === 'new' ? storeErrors.notOpen(STORE) : storeErrors.closed(STORE);
  }
}

function keyOf(key: InstanceKey): string {
  return JSON.stringify([key.machine, key.id]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A lease is free when nobody holds it or its time is up (until <= now). */
function free(lease: Holder, now: number): boolean {
  return lease === null || lease.until <= now;
}

function byDueTime(a: TimerRow, b: TimerRow): number {
  return a.dueAt - b.dueAt || compare(a.timerId, b.timerId);
}

function byTimerKey(a: TimerRow, b: TimerRow): number {
  return compare(a.machine, b.machine) || compare(a.id, b.id) || compare(a.timerId, b.timerId);
}

function byDueTimeStoreWide(a: TimerRow, b: TimerRow): number {
  return a.dueAt - b.dueAt || byTimerKey(a, b);
}

function bySeqIndex(a: OutboxRow, b: OutboxRow): number {
  return a.seq - b.seq || a.index - b.index;
}

function byInstanceSeqIndex(a: OutboxRow, b: OutboxRow): number {
  return compare(a.machine, b.machine) || compare(a.id, b.id) || bySeqIndex(a, b);
}

function byNextAttempt(a: OutboxRow, b: OutboxRow): number {
  return a.nextAttemptAt - b.nextAttemptAt || byInstanceSeqIndex(a, b);
}

function duplicateApiKey(keyId: string) {
  return errors.validation(
    `An API key with id "${keyId}" or the same hash is already stored. Generate a new key.`,
    { keyId },
  );
}

function copy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

function copyIn<T>(value: T, operation: string): T {
  try {
    return structuredClone(value);
  } catch (cause) {
    throw storeErrors.failed(STORE, operation, cause);
  }
}
