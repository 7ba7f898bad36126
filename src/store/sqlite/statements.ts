import type Database from 'better-sqlite3';
import type {
  AuditRecordRow,
  EventRecord,
  IdempotencyRecord,
  InstanceRecord,
  OutboxRecord,
  SnapshotRecord,
  TimerRecord,
} from './rows.js';

type Json = string | null;
type Key = [machine: string, id: string];

/** machine, id, version, value, state_key, context, status, seq, state_entered_at, created_at, updated_at */
export type InstanceParams = [
  ...Key,
  version: string,
  value: string,
  stateKey: string,
  context: Json,
  status: string,
  seq: number,
  stateEnteredAt: number,
  createdAt: number,
  updatedAt: number,
];

/** Every statement the store runs, prepared once when it opens. */
export interface Statements {
  readonly insertInstance: Database.Statement<InstanceParams>;
  /** Instance columns after machine and id, then the key and the expected seq. */
  readonly updateInstance: Database.Statement<
    [...Tail<InstanceParams>, ...Key, expectedSeq: number]
  >;
  readonly instanceSeq: Database.Statement<Key, number>;
  readonly insertEvent: Database.Statement<
    [
      ...Key,
      seq: number,
      type: string,
      payload: string,
      actor: Json,
      at: number,
      key: Json,
      trace: Json,
    ]
  >;
  readonly upsertSnapshot: Database.Statement<
    [...Key, seq: number, version: string, snapshot: Json, takenAt: number]
  >;
  readonly deleteTimer: Database.Statement<[...Key, timerId: string]>;
  readonly upsertTimer: Database.Statement<
    [...Key, timerId: string, dueAt: number, event: string, target: string, setBySeq: number]
  >;
  readonly insertOutbox: Database.Statement<
    [
      effectId: string,
      ...Key,
      seq: number,
      index: number,
      effect: string,
      attempts: number,
      next: number,
      at: number,
    ]
  >;
  /** Audit columns after machine and id, then the key again (for the next position). */
  readonly appendAudit: Database.Statement<
    [
      ...Key,
      transitionId: string,
      seq: number | null,
      actor: Json,
      eventType: string,
      from: Json,
      to: Json,
      at: number,
      traceId: string | null,
      outcome: string,
      reason: string | null,
      ...Key,
    ]
  >;
  readonly idempotencyExists: Database.Statement<[...Key, key: string], number>;
  readonly insertIdempotency: Database.Statement<
    [...Key, key: string, fingerprint: string, seq: number, result: Json, createdAt: number]
  >;
  readonly getInstance: Database.Statement<Key, InstanceRecord>;
  readonly latestSnapshot: Database.Statement<Key, SnapshotRecord>;
  readonly readEvents: Database.Statement<[...Key, after: number, limit: number], EventRecord>;
  readonly readAudit: Database.Statement<[...Key, after: number, limit: number], AuditRecordRow>;
  readonly getIdempotency: Database.Statement<[...Key, key: string], IdempotencyRecord>;
  readonly listTimers: Database.Statement<Key, TimerRecord>;
  readonly listOutbox: Database.Statement<Key, OutboxRecord>;
}

type Tail<T extends unknown[]> = T extends [unknown, unknown, ...infer Rest] ? Rest : never;

const INSTANCE_COLUMNS =
  'machine, id, version, value, context, status, seq, state_entered_at, created_at, updated_at';

export function prepareStatements(db: Database.Database): Statements {
  return {
    insertInstance: db.prepare(`
      INSERT INTO stator_instances
        (machine, id, version, value, state_key, context, status, seq, state_entered_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (machine, id) DO NOTHING`),
    updateInstance: db.prepare(`
      UPDATE stator_instances
      SET version = ?, value = ?, state_key = ?, context = ?, status = ?, seq = ?,
          state_entered_at = ?, created_at = ?, updated_at = ?
      WHERE machine = ? AND id = ? AND seq = ?`),
    instanceSeq: db
      .prepare<Key, number>('SELECT seq FROM stator_instances WHERE machine = ? AND id = ?')
      .pluck(),
    insertEvent: db.prepare(`
      INSERT INTO stator_events
        (machine, id, seq, type, payload, actor, recorded_at, idempotency_key, trace_context)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    upsertSnapshot: db.prepare(`
      INSERT INTO stator_snapshots (machine, id, seq, version, snapshot, taken_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (machine, id, seq) DO UPDATE
      SET version = excluded.version, snapshot = excluded.snapshot, taken_at = excluded.taken_at`),
    deleteTimer: db.prepare(
      'DELETE FROM stator_timers WHERE machine = ? AND id = ? AND timer_id = ?',
    ),
    upsertTimer: db.prepare(`
      INSERT INTO stator_timers (machine, id, timer_id, due_at, event, target, set_by_seq)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (machine, id, timer_id) DO UPDATE
      SET due_at = excluded.due_at, event = excluded.event, target = excluded.target,
          set_by_seq = excluded.set_by_seq`),
    insertOutbox: db.prepare(`
      INSERT INTO stator_outbox
        (effect_id, machine, id, seq, idx, effect, attempts, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    appendAudit: db.prepare(`
      INSERT INTO stator_audit
        (machine, id, position, transition_id, seq, actor, event_type, from_state, to_state,
         at, trace_id, outcome, reason)
      SELECT ?, ?, COALESCE(MAX(position), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
      FROM stator_audit WHERE machine = ? AND id = ?`),
    idempotencyExists: db
      .prepare<[...Key, string], number>(
        'SELECT 1 FROM stator_idempotency WHERE machine = ? AND id = ? AND key = ?',
      )
      .pluck(),
    insertIdempotency: db.prepare(`
      INSERT INTO stator_idempotency (machine, id, key, fingerprint, seq, result, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    getInstance: db.prepare(
      `SELECT ${INSTANCE_COLUMNS} FROM stator_instances WHERE machine = ? AND id = ?`,
    ),
    latestSnapshot: db.prepare(`
      SELECT machine, id, seq, version, snapshot, taken_at FROM stator_snapshots
      WHERE machine = ? AND id = ? ORDER BY seq DESC LIMIT 1`),
    readEvents: db.prepare(`
      SELECT machine, id, seq, type, payload, actor, recorded_at, idempotency_key, trace_context
      FROM stator_events WHERE machine = ? AND id = ? AND seq > ? ORDER BY seq LIMIT ?`),
    readAudit: db.prepare(`
      SELECT machine, id, position, transition_id, seq, actor, event_type, from_state, to_state,
             at, trace_id, outcome, reason
      FROM stator_audit WHERE machine = ? AND id = ? AND position > ? ORDER BY position LIMIT ?`),
    getIdempotency: db.prepare(`
      SELECT machine, id, key, fingerprint, seq, result, created_at FROM stator_idempotency
      WHERE machine = ? AND id = ? AND key = ?`),
    listTimers: db.prepare(`
      SELECT machine, id, timer_id, due_at, event, target, set_by_seq FROM stator_timers
      WHERE machine = ? AND id = ? ORDER BY due_at, timer_id`),
    listOutbox: db.prepare(`
      SELECT effect_id, machine, id, seq, idx, effect, attempts, next_attempt_at, created_at
      FROM stator_outbox WHERE machine = ? AND id = ? ORDER BY seq, idx`),
  };
}
