import type { StoredOutbox, StoredTimer } from '../row-defaults.js';
import { storeErrors } from '../store-errors.js';
import type {
  ApiKeyRow,
  AuditRecord,
  EmitRecord,
  EventRow,
  IdempotencyRow,
  InstanceKey,
  InstanceRow,
  MachineVersionRow,
  OutboxRow,
  SnapshotRow,
  TimerRow,
} from '../types.js';

export const STORE = 'memory';

/** Who holds a timer or outbox row, and until when (a lease with until <= now has expired). */
export type Holder = { readonly owner: string; readonly until: number } | null;

export interface TimerEntry {
  readonly row: StoredTimer;
  readonly lease: Holder;
}

export interface OutboxEntry {
  readonly row: StoredOutbox;
  readonly lease: Holder;
}

/** Everything stored for one instance key, apart from the instance row itself. */
export interface Bucket {
  readonly events: Map<number, EventRow>;
  readonly snapshots: Map<number, SnapshotRow>;
  readonly timers: Map<string, TimerEntry>;
  readonly audit: AuditRecord[];
  readonly idempotency: Map<string, IdempotencyRow>;
  /** The write id of each event, by seq. */
  readonly writeIds: Map<number, string>;
}

/**
 * The memory store's data, shared by its ports: Maps copied on the way in and
 * out, so callers cannot change stored rows. Lives as long as the store object.
 */
export class MemoryData {
  state: 'new' | 'open' | 'closed' = 'new';
  readonly instances = new Map<string, InstanceRow>();
  readonly buckets = new Map<string, Bucket>();
  /** Undispatched effects of every instance, by effect id (ids are unique store-wide). */
  readonly outbox = new Map<string, OutboxEntry>();
  /** The emit log; an emit's position is its index + 1. */
  readonly emits: EmitRecord[] = [];
  readonly cursors = new Map<string, number>();
  readonly apiKeys = new Map<string, ApiKeyRow>();
  /** hash -> keyId */
  readonly apiKeyHashes = new Map<string, string>();
  readonly machineVersions = new Map<string, MachineVersionRow>();

  clear(): void {
    this.instances.clear();
    this.buckets.clear();
    this.outbox.clear();
    this.emits.length = 0;
    this.cursors.clear();
    this.apiKeys.clear();
    this.apiKeyHashes.clear();
    this.machineVersions.clear();
  }

  assertOpen(): void {
    if (this.state === 'open') return;
    throw this.state === 'new' ? storeErrors.notOpen(STORE) : storeErrors.closed(STORE);
  }

  peek(key: InstanceKey): Bucket | undefined {
    return this.buckets.get(keyOf(key));
  }

  /** The bucket of a key, created empty on first use (an empty bucket is not observable). */
  bucket(key: InstanceKey): Bucket {
    const k = keyOf(key);
    let bucket = this.buckets.get(k);
    if (bucket === undefined) {
      bucket = {
        events: new Map(),
        snapshots: new Map(),
        timers: new Map(),
        audit: [],
        idempotency: new Map(),
        writeIds: new Map(),
      };
      this.buckets.set(k, bucket);
    }
    return bucket;
  }

  *timerEntries(): Iterable<TimerEntry> {
    for (const bucket of this.buckets.values()) yield* bucket.timers.values();
  }

  /** Change a stored timer (if it still exists) and release its lease. */
  updateTimer(key: InstanceKey, timerId: string, change: (row: StoredTimer) => StoredTimer): void {
    const timers = this.peek(key)?.timers;
    const entry = timers?.get(timerId);
    if (timers === undefined || entry === undefined) return;
    timers.set(timerId, { row: change(entry.row), lease: null });
  }

  /** Change a stored outbox row (if it still exists) and release its lease. */
  updateOutbox(effectId: string, change: (row: StoredOutbox) => StoredOutbox): void {
    const entry = this.outbox.get(effectId);
    if (entry === undefined) return;
    this.outbox.set(effectId, { row: change(entry.row), lease: null });
  }
}

export function keyOf(key: InstanceKey): string {
  return JSON.stringify([key.machine, key.id]);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A lease is free when nobody holds it or its time is up (until <= now). */
export function free(lease: Holder, now: number): boolean {
  return lease === null || lease.until <= now;
}

export function byTimerKey(a: TimerRow, b: TimerRow): number {
  return compare(a.machine, b.machine) || compare(a.id, b.id) || compare(a.timerId, b.timerId);
}

export function bySeqIndex(a: OutboxRow, b: OutboxRow): number {
  return a.seq - b.seq || a.index - b.index;
}

export function byInstanceSeqIndex(a: OutboxRow, b: OutboxRow): number {
  return compare(a.machine, b.machine) || compare(a.id, b.id) || bySeqIndex(a, b);
}

export function copy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

export function copyIn<T>(value: T, operation: string): T {
  try {
    return structuredClone(value);
  } catch (cause) {
    throw storeErrors.failed(STORE, operation, cause);
  }
}
