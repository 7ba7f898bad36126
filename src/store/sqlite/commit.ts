import { outcomes } from '../outcomes.js';
import { toJson, toNullableJson } from '../sql/json.js';
import { stateKey } from '../state-key.js';
import type {
  AuditOnlyWrite,
  AuditRow,
  CommitWrite,
  EventRow,
  EventWrite,
  InstanceRow,
  WriteOutcome,
} from '../types.js';
import type { EventParams, Statements } from './statements.js';

/**
 * Apply a batch inside an open write transaction (the caller owns BEGIN/COMMIT).
 *
 * Every check of a write runs before that write changes anything: the
 * idempotency key is looked up first, and the instance check is the write's first
 * statement (an INSERT that does nothing on conflict, or an UPDATE guarded by the
 * expected seq). So a write that fails its check has written nothing and needs no
 * savepoint to undo; its siblings commit. Anything else that goes wrong (a
 * constraint the data breaks, a disk error) throws and the caller rolls back the
 * whole batch.
 */
export function applyWrites(s: Statements, writes: readonly CommitWrite[]): WriteOutcome[] {
  const results: WriteOutcome[] = new Array(writes.length);
  for (let i = 0; i < writes.length; i++) {
    const write = writes[i] as CommitWrite;
    if (write.kind === 'outbox-done') {
      for (const effectId of write.effectIds) s.completeOutbox.run(effectId);
      results[i] = outcomes.ok;
    } else if (!timerPending(s, write)) {
      results[i] = outcomes.timerGone;
    } else if (write.kind === 'audit') {
      const { machine, id } = write.audit;
      for (const timerId of write.timersCancelled ?? []) s.deleteTimer.run(machine, id, timerId);
      appendAudit(s, write.audit);
      results[i] = outcomes.ok;
    } else {
      results[i] = applyEventWrite(s, write);
    }
  }
  return results;
}

/** Whether the write's fired timer (if any) is still pending as it was claimed. */
function timerPending(s: Statements, write: EventWrite | AuditOnlyWrite): boolean {
  const fired = write.firedTimer;
  if (fired === undefined) return true;
  const { machine, id } = write.kind === 'audit' ? write.audit : write.instance;
  return s.timerPending.get(machine, id, fired.timerId, fired.setBySeq, fired.dueAt) !== undefined;
}

function applyEventWrite(s: Statements, write: EventWrite): WriteOutcome {
  const { instance, idempotency } = write;
  if (
    idempotency !== undefined &&
    s.idempotencyExists.get(idempotency.machine, idempotency.id, idempotency.key) !== undefined
  ) {
    // A stale retry fails its instance check too: report that first, like every adapter.
    return instanceCheck(s, write) ?? outcomes.idempotencyMismatch;
  }
  if (write.kind === 'create') {
    if (s.insertInstance.run(...instanceParams(instance)).changes === 0) {
      return outcomes.instanceExists;
    }
  } else {
    // A write without `parent` leaves the stored link alone; null clears it.
    const changed = s.updateInstance.run(
      instance.version,
      JSON.stringify(instance.value),
      stateKey(instance.value),
      toJson(instance.context),
      instance.status,
      instance.seq,
      instance.stateEnteredAt,
      instance.createdAt,
      instance.updatedAt,
      instance.parent === undefined ? 1 : 0,
      toNullableJson(instance.parent),
      instance.machine,
      instance.id,
      write.expectedSeq,
    ).changes;
    if (changed === 0) return outcomes.sequenceConflict(currentSeq(s, instance));
  }
  writeRest(s, write);
  return outcomes.ok;
}

/** The instance check alone, without writing: for the rare path where the key already exists. */
function instanceCheck(s: Statements, write: EventWrite): WriteOutcome | undefined {
  const actual = s.instanceSeq.get(write.instance.machine, write.instance.id);
  if (write.kind === 'create') return actual === undefined ? undefined : outcomes.instanceExists;
  return actual === write.expectedSeq ? undefined : outcomes.sequenceConflict(actual ?? 0);
}

function currentSeq(s: Statements, instance: InstanceRow): number {
  return s.instanceSeq.get(instance.machine, instance.id) ?? 0;
}

/** Everything of a write after its instance row, once its checks passed. */
function writeRest(s: Statements, write: EventWrite): void {
  const { machine, id } = write.instance;
  const { event, snapshot, idempotency, audit } = write;
  const actor = toNullableJson(event.actor);
  const carried = carriesAudit(event, actor, audit);
  const row: EventParams = [
    event.machine,
    event.id,
    event.seq,
    event.type,
    JSON.stringify(event.payload),
    actor,
    event.recordedAt,
    event.idempotencyKey,
    toNullableJson(event.traceContext),
    write.writeId,
  ];
  if (carried) {
    s.insertAuditedEvent.run(
      ...row,
      audit.transitionId,
      toNullableJson(audit.from),
      toNullableJson(audit.to),
      audit.traceId,
      machine,
      id,
      machine,
      id,
    );
  } else {
    // Before the event row: its position counts from the event rows before this one.
    appendAudit(s, audit);
    s.insertEvent.run(...row);
  }
  if (snapshot !== undefined) {
    s.upsertSnapshot.run(
      snapshot.machine,
      snapshot.id,
      snapshot.seq,
      snapshot.version,
      toJson(snapshot.snapshot),
      snapshot.takenAt,
    );
  }
  for (const timerId of write.timersCancelled) s.deleteTimer.run(machine, id, timerId);
  // Setting a known timer id again makes a new timer: status, attempts and lease start over.
  for (const t of write.timersSet) {
    s.upsertTimer.run(
      t.machine,
      t.id,
      t.timerId,
      t.dueAt,
      JSON.stringify(t.event),
      t.target,
      t.setBySeq,
      t.attempts ?? 0,
      t.status ?? 'pending',
      t.lastError ?? null,
    );
  }
  const lease = write.outboxLease;
  for (const o of write.outbox) {
    s.insertOutbox.run(
      o.effectId,
      o.machine,
      o.id,
      o.seq,
      o.index,
      JSON.stringify(o.effect),
      o.attempts,
      o.nextAttemptAt,
      o.createdAt,
      o.status ?? 'pending',
      o.lastError ?? null,
      lease?.owner ?? null,
      lease?.until ?? null,
    );
  }
  const emits = write.emits;
  if (emits !== undefined) {
    for (const e of emits) {
      s.insertEmit.run(e.machine, e.id, e.seq, e.index, e.effectId, JSON.stringify(e.event), e.at);
    }
  }
  if (idempotency !== undefined) {
    s.insertIdempotency.run(
      idempotency.machine,
      idempotency.id,
      idempotency.key,
      idempotency.fingerprint,
      idempotency.seq,
      toJson(idempotency.result),
      idempotency.createdAt,
    );
  }
}

/**
 * Whether the event row can carry the write's audit entry: an applied entry
 * whose seq, event type, time and actor are the event's (what the engine writes
 * for every accepted event). Any other entry gets its own stator_audit row.
 */
function carriesAudit(event: EventRow, actor: string | null, audit: AuditRow): boolean {
  return (
    audit.outcome === 'applied' &&
    audit.reason === null &&
    audit.seq === event.seq &&
    audit.machine === event.machine &&
    audit.id === event.id &&
    audit.eventType === event.type &&
    audit.at === event.recordedAt &&
    (audit.actor === event.actor || toNullableJson(audit.actor) === actor)
  );
}

function appendAudit(s: Statements, a: AuditRow): void {
  s.appendAudit.run(
    a.machine,
    a.id,
    a.machine,
    a.id,
    a.machine,
    a.id,
    a.transitionId,
    a.seq,
    toNullableJson(a.actor),
    a.eventType,
    toNullableJson(a.from),
    toNullableJson(a.to),
    a.at,
    a.traceId,
    a.outcome,
    a.reason,
  );
}

function instanceParams(i: InstanceRow) {
  return [
    i.machine,
    i.id,
    i.version,
    JSON.stringify(i.value),
    stateKey(i.value),
    toJson(i.context),
    i.status,
    i.seq,
    i.stateEnteredAt,
    i.createdAt,
    i.updatedAt,
    toNullableJson(i.parent),
  ] as const;
}
