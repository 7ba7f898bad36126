import { outcomes } from '../outcomes.js';
import { pageBounds } from '../page.js';
import { storeErrors } from '../store-errors.js';
import type {
  AuditRecord,
  AuditRow,
  CommitWrite,
  EventRow,
  EventWrite,
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
import { Journal } from './journal.js';

/** Everything stored for one instance key, apart from the instance row itself. */
interface Bucket {
  readonly events: Map<number, EventRow>;
  readonly snapshots: Map<number, SnapshotRow>;
  readonly timers: Map<string, TimerRow>;
  readonly audit: AuditRecord[];
  readonly idempotency: Map<string, IdempotencyRow>;
}

const STORE = 'memory';

/**
 * An in-memory store for tests and examples. It keeps everything in Maps, copies
 * every value on the way in and out (so callers cannot change stored rows), and
 * honours the same commit semantics as the SQL adapters: per-write checks, failed
 * writes leave no trace, a batch that throws keeps nothing. Data lives as long
 * as the store object.
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
  readonly #outbox = new Map<string, OutboxRow>();

  async open(): Promise<void> {
    if (this.#state === 'closed') throw storeErrors.closed(STORE);
    this.#state = 'open';
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    this.#instances.clear();
    this.#buckets.clear();
    this.#outbox.clear();
  }

  async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
    this.#assertOpen();
    let copies: CommitWrite[];
    try {
      copies = structuredClone(writes) as CommitWrite[];
    } catch (cause) {
      throw storeErrors.failed(STORE, 'commit', cause);
    }
    const journal = new Journal();
    try {
      return copies.map((write) => this.#apply(write, journal));
    } catch (cause) {
      journal.rollbackTo(0);
      throw storeErrors.failed(STORE, 'commit', cause);
    }
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
    const { after, limit } = pageBounds(page);
    const events = [...(this.#peek(key)?.events.values() ?? [])];
    return events
      .filter((row) => row.seq > after)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((row) => structuredClone(row));
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
    const timers = [...(this.#peek(key)?.timers.values() ?? [])];
    return timers.sort(byDueTime).map((row) => structuredClone(row));
  }

  async listOutbox(key: InstanceKey): Promise<OutboxRow[]> {
    this.#assertOpen();
    const rows = [...this.#outbox.values()].filter(
      (row) => row.machine === key.machine && row.id === key.id,
    );
    return rows
      .sort((a, b) => a.seq - b.seq || a.index - b.index)
      .map((row) => structuredClone(row));
  }

  #apply(write: CommitWrite, journal: Journal): WriteOutcome {
    if (write.kind === 'audit') {
      this.#appendAudit(write.audit, journal);
      return outcomes.ok;
    }
    const failed = this.#check(write);
    if (failed !== undefined) return failed;

    const { instance, event, snapshot, idempotency } = write;
    journal.set(this.#instances, keyOf(instance), instance);
    const events = this.#bucket(event).events;
    if (events.has(event.seq)) {
      throw new Error(`event ${event.seq} of ${event.machine}/${event.id} is already stored`);
    }
    journal.set(events, event.seq, event);
    if (snapshot !== undefined)
      journal.set(this.#bucket(snapshot).snapshots, snapshot.seq, snapshot);
    const timers = this.#bucket(instance).timers;
    for (const timerId of write.timersCancelled) journal.delete(timers, timerId);
    for (const timer of write.timersSet)
      journal.set(this.#bucket(timer).timers, timer.timerId, timer);
    for (const row of write.outbox) {
      if (this.#outbox.has(row.effectId)) {
        throw new Error(`outbox effect ${row.effectId} is already stored`);
      }
      journal.set(this.#outbox, row.effectId, row);
    }
    this.#appendAudit(write.audit, journal);
    if (idempotency !== undefined) {
      journal.set(this.#bucket(idempotency).idempotency, idempotency.key, idempotency);
    }
    return outcomes.ok;
  }

  /** The checks of one write, in the order every adapter applies them. Writes nothing. */
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

function byDueTime(a: TimerRow, b: TimerRow): number {
  return a.dueAt - b.dueAt || (a.timerId < b.timerId ? -1 : a.timerId > b.timerId ? 1 : 0);
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
