import { outcomes } from '../outcomes.js';
import { toJson, toNullableJson } from '../sql/json.js';
import { stateKey } from '../state-key.js';
import type {
  AuditRow,
  CommitWrite,
  EventWrite,
  FiredTimer,
  WakeTopic,
  WriteOutcome,
} from '../types.js';
import { HAS } from './commit-function.js';
import { type Queryable, run, type Statement } from './query.js';

/** The call of `stator_commit` (commit-function.ts) for one schema. */
export function commitStatement(qschema: string, schema: string): Statement {
  return {
    name: `stator:${schema}:commit`,
    text: `SELECT failed_i, failed_code, failed_actual
           FROM ${qschema}.stator_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  };
}

interface Failure {
  failed_i: number;
  failed_code: 'SEQUENCE_CONFLICT' | 'INSTANCE_EXISTS' | 'IDEMPOTENCY_MISMATCH' | 'TIMER_GONE';
  failed_actual: number;
}

/**
 * Commit a batch in one statement (one round trip, one transaction). `token`
 * marks this process's wake notifications; null sends none.
 */
export async function commitBatch(
  db: Queryable,
  statement: Statement,
  writes: readonly CommitWrite[],
  token: string | null,
): Promise<WriteOutcome[]> {
  const batch = encodeBatch(writes);
  const { rows } = await run<Failure>(db, statement, [
    batch.writes,
    batch.cancels,
    batch.timers,
    batch.outbox,
    batch.emits,
    batch.done,
    batch.waves,
    batch.has,
    token === null || batch.topics.length === 0 ? null : batch.topics,
    token,
  ]);
  const results: WriteOutcome[] = new Array(writes.length).fill(outcomes.ok);
  for (const f of rows) {
    results[f.failed_i] =
      f.failed_code === 'SEQUENCE_CONFLICT'
        ? outcomes.sequenceConflict(f.failed_actual)
        : f.failed_code === 'INSTANCE_EXISTS'
          ? outcomes.instanceExists
          : f.failed_code === 'TIMER_GONE'
            ? outcomes.timerGone
            : outcomes.idempotencyMismatch;
  }
  return results;
}

/** The batch as the JSON arguments of `stator_commit` (null for an empty list). */
export interface EncodedBatch {
  readonly writes: string;
  readonly cancels: string | null;
  readonly timers: string | null;
  readonly outbox: string | null;
  readonly emits: string | null;
  /** Effect ids of finished effects (`outbox-done` writes), or null. */
  readonly done: string[] | null;
  /** Writes per wave: wave k holds each instance's k-th write of the batch. */
  readonly waves: number[];
  /** Which kinds of rows the batch holds (bits of `HAS`): the function skips the others. */
  readonly has: number;
  /** Wake topics of the batch: the kinds of rows it writes for other processes. */
  readonly topics: WakeTopic[];
}

/**
 * Encode writes as records of the function's input types. Each write gets its
 * index `i` and its wave: 1 + how many earlier writes of the batch touched the
 * same instance.
 */
export function encodeBatch(writes: readonly CommitWrite[]): EncodedBatch {
  const rows: object[] = [];
  const cancels: object[] = [];
  const timers: object[] = [];
  const outbox: object[] = [];
  const emits: object[] = [];
  const done: string[] = [];
  let unleased = false;
  const seen = new Map<string, number>();
  const waves: number[] = [];
  let has = 0;
  writes.forEach((write, i) => {
    if (write.kind === 'outbox-done') {
      done.push(...write.effectIds);
      return;
    }
    const { machine, id } = write.kind === 'audit' ? write.audit : write.instance;
    const key = `${machine}\u0000${id}`;
    const wave = (seen.get(key) ?? 0) + 1;
    seen.set(key, wave);
    waves[wave - 1] = (waves[wave - 1] ?? 0) + 1;
    const cancelled =
      write.kind === 'audit' ? (write.timersCancelled ?? []) : write.timersCancelled;
    for (const timerId of cancelled) cancels.push({ i, machine, id, timer_id: timerId });
    if (write.firedTimer !== undefined) has |= HAS.firedTimers;
    if (write.kind === 'audit') {
      rows.push({
        i,
        wave,
        kind: 'audit',
        machine,
        id,
        ...auditFields(write.audit),
        ...guardFields(write.firedTimer),
      });
      has |= HAS.audits;
      return;
    }
    rows.push(writeRecord(write, i, wave));
    has |= write.kind === 'create' ? HAS.creates : HAS.events;
    if (write.idempotency !== undefined) has |= HAS.idempotency;
    if (write.snapshot !== undefined) has |= HAS.snapshots;
    // A timer id set twice in one write: the last one stands, as with one statement per timer.
    const set = new Map(write.timersSet.map((t) => [t.timerId, t]));
    for (const t of set.values()) {
      timers.push({
        i,
        machine: t.machine,
        id: t.id,
        timer_id: t.timerId,
        due_at: t.dueAt,
        event: JSON.stringify(t.event),
        target: t.target,
        set_by_seq: t.setBySeq,
        attempts: t.attempts ?? 0,
        status: t.status ?? 'pending',
        last_error: t.lastError ?? null,
      });
    }
    if (write.outbox.length > 0 && write.outboxLease === undefined) unleased = true;
    for (const o of write.outbox) {
      outbox.push({
        i,
        effect_id: o.effectId,
        machine: o.machine,
        id: o.id,
        seq: o.seq,
        idx: o.index,
        effect: JSON.stringify(o.effect),
        attempts: o.attempts,
        next_attempt_at: o.nextAttemptAt,
        created_at: o.createdAt,
        status: o.status ?? 'pending',
        last_error: o.lastError ?? null,
        lease_owner: write.outboxLease?.owner ?? null,
        lease_until: write.outboxLease?.until ?? null,
      });
    }
    (write.emits ?? []).forEach((e, ord) => {
      emits.push({
        i,
        ord,
        machine: e.machine,
        id: e.id,
        seq: e.seq,
        idx: e.index,
        effect_id: e.effectId,
        event: JSON.stringify(e.event),
        at: e.at,
      });
    });
  });
  return {
    writes: JSON.stringify(rows),
    cancels: listOrNull(cancels),
    timers: listOrNull(timers),
    outbox: listOrNull(outbox),
    emits: listOrNull(emits),
    done: done.length === 0 ? null : done,
    waves,
    has,
    topics: [
      ...(timers.length > 0 ? (['timers'] as const) : []),
      // Rows leased to their writer are dispatched by it: nobody else could claim them yet.
      ...(unleased ? (['outbox'] as const) : []),
      ...(emits.length > 0 ? (['emits'] as const) : []),
    ],
  };
}

function writeRecord(write: EventWrite, i: number, wave: number): object {
  const { instance: r, event: ev, snapshot, idempotency } = write;
  return {
    i,
    wave,
    kind: write.kind,
    expected: write.expectedSeq,
    machine: r.machine,
    id: r.id,
    version: r.version,
    value: JSON.stringify(r.value),
    state_key: stateKey(r.value),
    context: toJson(r.context),
    status: r.status,
    seq: r.seq,
    state_entered_at: r.stateEnteredAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    // A write without `parent` leaves the stored link alone (a create stores null); null clears it.
    keep_parent: r.parent === undefined,
    parent: toNullableJson(r.parent),
    ev_type: ev.type,
    ev_payload: JSON.stringify(ev.payload),
    ev_actor: toNullableJson(ev.actor),
    ev_at: ev.recordedAt,
    ev_key: ev.idempotencyKey,
    ev_trace: toNullableJson(ev.traceContext),
    ev_write_id: write.writeId,
    ...(snapshot && {
      snap: true,
      snap_seq: snapshot.seq,
      snap_version: snapshot.version,
      snap_body: toJson(snapshot.snapshot),
      snap_at: snapshot.takenAt,
    }),
    ...(idempotency && {
      idem_key: idempotency.key,
      idem_fingerprint: idempotency.fingerprint,
      idem_seq: idempotency.seq,
      idem_result: toJson(idempotency.result),
      idem_at: idempotency.createdAt,
    }),
    ...auditFields(write.audit),
    ...guardFields(write.firedTimer),
  };
}

function guardFields(fired: FiredTimer | undefined): object {
  if (fired === undefined) return {};
  return { guard_timer: fired.timerId, guard_seq: fired.setBySeq, guard_due: fired.dueAt };
}

function auditFields(a: AuditRow): object {
  return {
    a_transition_id: a.transitionId,
    a_seq: a.seq,
    a_actor: toNullableJson(a.actor),
    a_event_type: a.eventType,
    a_from: toNullableJson(a.from),
    a_to: toNullableJson(a.to),
    a_at: a.at,
    a_trace_id: a.traceId,
    a_outcome: a.outcome,
    a_reason: a.reason,
  };
}

function listOrNull(rows: readonly object[]): string | null {
  return rows.length === 0 ? null : JSON.stringify(rows);
}
