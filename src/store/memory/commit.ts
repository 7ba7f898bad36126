import { outcomes } from '../outcomes.js';
import { instanceWithParent, outboxWithDefaults, timerWithDefaults } from '../row-defaults.js';
import { storeErrors } from '../store-errors.js';
import type {
  AuditOnlyWrite,
  AuditRow,
  CommitLog,
  CommitWrite,
  EventWrite,
  WriteOutcome,
  WriteRef,
} from '../types.js';
import { keyOf, type MemoryData, STORE } from './data.js';
import { Journal } from './journal.js';

/** A commit of this store fails only on data it cannot keep: nothing was kept, and retrying fails again. */
const REFUSED = { outcome: 'not-committed', transient: false } as const;

/**
 * The commit log over the memory store's data: the same commit semantics as
 * the SQL adapters (per-write checks, failed writes leave no trace, a batch
 * that throws keeps nothing: its journal is rolled back).
 */
export function memoryCommitLog(d: MemoryData): CommitLog {
  return {
    async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
      d.assertOpen();
      let copies: CommitWrite[];
      try {
        copies = structuredClone(writes) as CommitWrite[];
      } catch (cause) {
        throw storeErrors.commitFailed(STORE, cause, REFUSED);
      }
      const journal = new Journal();
      try {
        return copies.map((write) => apply(d, write, journal));
      } catch (cause) {
        journal.rollbackTo(0);
        throw storeErrors.commitFailed(STORE, cause, REFUSED);
      }
    },
    async findWrites(refs: readonly WriteRef[]): Promise<boolean[]> {
      d.assertOpen();
      return refs.map((ref) => {
        const bucket = d.peek(ref);
        if (ref.kind === 'event') return bucket?.writeIds.get(ref.seq) === ref.writeId;
        return bucket?.audit.some((a) => a.transitionId === ref.transitionId) ?? false;
      });
    },
    async probe(): Promise<void> {
      d.assertOpen();
    },
  };
}

function apply(d: MemoryData, write: CommitWrite, journal: Journal): WriteOutcome {
  if (write.kind === 'outbox-done') {
    for (const effectId of write.effectIds) journal.delete(d.outbox, effectId);
    return outcomes.ok;
  }
  if (write.firedTimer !== undefined && !timerPending(d, write)) return outcomes.timerGone;
  if (write.kind === 'audit') {
    const timers = d.peek(write.audit)?.timers;
    for (const timerId of write.timersCancelled ?? []) {
      if (timers !== undefined) journal.delete(timers, timerId);
    }
    appendAudit(d, write.audit, journal);
    return outcomes.ok;
  }
  const failed = check(d, write);
  if (failed !== undefined) return failed;

  const { event, snapshot, idempotency } = write;
  const instanceKey = keyOf(write.instance);
  const instance = instanceWithParent(write.instance, d.instances.get(instanceKey));
  journal.set(d.instances, instanceKey, instance);
  const events = d.bucket(event).events;
  if (events.has(event.seq)) {
    throw new Error(`event ${event.seq} of ${event.machine}/${event.id} is already stored`);
  }
  journal.set(events, event.seq, event);
  journal.set(d.bucket(event).writeIds, event.seq, write.writeId);
  if (snapshot !== undefined) journal.set(d.bucket(snapshot).snapshots, snapshot.seq, snapshot);
  const timers = d.bucket(instance).timers;
  for (const timerId of write.timersCancelled) journal.delete(timers, timerId);
  // A timer set again under a known id is a new timer: fresh status, attempts and lease.
  for (const timer of write.timersSet) {
    journal.set(d.bucket(timer).timers, timer.timerId, {
      row: timerWithDefaults(timer),
      lease: null,
    });
  }
  for (const row of write.outbox) {
    if (d.outbox.has(row.effectId)) {
      throw new Error(`outbox effect ${row.effectId} is already stored`);
    }
    const lease = write.outboxLease ? { ...write.outboxLease } : null;
    journal.set(d.outbox, row.effectId, { row: outboxWithDefaults(row), lease });
  }
  for (const emit of write.emits ?? []) {
    journal.push(d.emits, { ...emit, position: d.emits.length + 1 });
  }
  appendAudit(d, write.audit, journal);
  if (idempotency !== undefined) {
    journal.set(d.bucket(idempotency).idempotency, idempotency.key, idempotency);
  }
  return outcomes.ok;
}

function /** The checks of one write, in the order every adapter applies them. Writes nothing. */
/** Whether the write's fired timer is still pending as it was claimed. */
timerPending(d: MemoryData, write: EventWrite | AuditOnlyWrite): boolean {
  const fired = write.firedTimer;
  if (fired === undefined) return true;
  const key = write.kind === 'audit' ? write.audit : write.instance;
  const row = d.peek(key)?.timers.get(fired.timerId)?.row;
  return (
    row !== undefined &&
    (row.status ?? 'pending') === 'pending' &&
    row.setBySeq === fired.setBySeq &&
    row.dueAt === fired.dueAt
  );
}

function check(d: MemoryData, write: EventWrite): WriteOutcome | undefined {
  const current = d.instances.get(keyOf(write.instance));
  if (write.kind === 'create') {
    if (current !== undefined) return outcomes.instanceExists;
  } else if (current === undefined || current.seq !== write.expectedSeq) {
    return outcomes.sequenceConflict(current?.seq ?? 0);
  }
  const idempotency = write.idempotency;
  if (idempotency !== undefined && d.peek(idempotency)?.idempotency.has(idempotency.key)) {
    return outcomes.idempotencyMismatch;
  }
  return undefined;
}

function appendAudit(d: MemoryData, row: AuditRow, journal: Journal): void {
  const audit = d.bucket(row).audit;
  journal.push(audit, { ...row, position: audit.length + 1 });
}
