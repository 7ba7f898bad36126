import type Database from 'better-sqlite3';
import {
  INSTANCE_COLUMNS,
  MACHINE_VERSION_COLUMNS,
  OUTBOX_COLUMNS,
  TIMER_COLUMNS,
} from '../sql/columns.js';
import type {
  ApiKeyRecord,
  AuditRecordRow,
  EmitRecordRow,
  EventColumns,
  IdempotencyRecord,
  InstanceRecord,
  MachineVersionRecord,
  OutboxRecord,
  SnapshotRecord,
  TimerRecord,
} from '../sql/rows.js';
import type { EmitBacklogRecord, StateCountRecord, WorkCountRecord } from '../sql/stats.js';

type Json = string | null;
type Key = [machine: string, id: string];

/** version, value, state_key, context, status, seq, state_entered_at, created_at, updated_at */
export type InstanceColumns = [
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

/** machine, id, the instance columns, parent */
export type InstanceParams = [...Key, ...InstanceColumns, parent: Json];

/** The lease columns of a claim's UPDATE: lease_owner, lease_until. */
type LeaseParams = [owner: string, until: number];
/** attempts, last_error, and the next time (due_at / next_attempt_at). */
type RetryParams = [attempts: number, lastError: string, at: number];
type DeadParams = [attempts: number, lastError: string];
type TimerKey = [...Key, timerId: string];

/** An event row's columns, as `insertEvent` takes them. */
export type EventParams = [
  ...Key,
  seq: number,
  type: string,
  payload: string,
  actor: Json,
  at: number,
  key: Json,
  trace: Json,
  writeId: string,
];

/** Every statement the store runs, prepared once when it opens. */
export interface Statements {
  readonly insertInstance: Database.Statement<InstanceParams>;
  /**
   * The instance columns; `parent` as a pair: keep (1: leave the stored link,
   * for a write without `parent`) and the link. Then the key and the expected seq.
   */
  readonly updateInstance: Database.Statement<
    [...InstanceColumns, keepParent: 0 | 1, parent: Json, ...Key, expectedSeq: number]
  >;
  readonly instanceSeq: Database.Statement<Key, number>;
  readonly insertEvent: Database.Statement<EventParams>;
  /**
   * An event row that carries its applied audit entry: the event's columns, the
   * entry's (transition id, from, to, trace id), then the key twice for its position.
   */
  readonly insertAuditedEvent: Database.Statement<
    [
      ...EventParams,
      transitionId: string,
      from: Json,
      to: Json,
      traceId: string | null,
      ...Key,
      ...Key,
    ]
  >;
  /** The write id of the event at (machine, id, seq), if that event exists. */
  readonly eventWriteId: Database.Statement<[...Key, seq: number], string | null>;
  readonly auditHasTransition: Database.Statement<[...Key, transitionId: string], number>;
  /** Rewrites the probe row: a write of a few pages that fails when nothing can be committed. */
  readonly probe: Database.Statement<[bytes: number]>;
  readonly upsertSnapshot: Database.Statement<
    [...Key, seq: number, version: string, snapshot: Json, takenAt: number]
  >;
  readonly deleteTimer: Database.Statement<[...Key, timerId: string]>;
  readonly upsertTimer: Database.Statement<
    [
      ...TimerKey,
      dueAt: number,
      event: string,
      target: string,
      setBySeq: number,
      attempts: number,
      status: string,
      lastError: string | null,
    ]
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
      status: string,
      lastError: string | null,
      leaseOwner: string | null,
      leaseUntil: number | null,
    ]
  >;
  readonly insertEmit: Database.Statement<
    [...Key, seq: number, index: number, effectId: string, event: string, at: number]
  >;
  /** The key twice (for the next position), then the audit columns after machine and id. */
  readonly appendAudit: Database.Statement<
    [
      ...Key,
      ...Key,
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
    ]
  >;
  readonly idempotencyExists: Database.Statement<[...Key, key: string], number>;
  readonly insertIdempotency: Database.Statement<
    [...Key, key: string, fingerprint: string, seq: number, result: Json, createdAt: number]
  >;
  readonly getInstance: Database.Statement<Key, InstanceRecord>;
  readonly latestSnapshot: Database.Statement<Key, SnapshotRecord>;
  /** Raw rows (arrays, in `EventColumns` order): no object per row, no key columns read back. */
  readonly readEvents: Database.Statement<
    [{ machine: string; id: string; after: number; limit: number }],
    EventColumns
  >;
  readonly readAudit: Database.Statement<[...Key, after: number, limit: number], AuditRecordRow>;
  /** The audit entries event rows carry, after a position (`minSeq`: see `readAuditPage`). */
  readonly readCarriedAudit: Database.Statement<
    [...Key, minSeq: number, after: number, limit: number],
    AuditRecordRow
  >;
  /** How many audit entries of an instance are in stator_audit. */
  readonly countTableAudit: Database.Statement<Key, number>;
  readonly getIdempotency: Database.Statement<[...Key, key: string], IdempotencyRecord>;
  readonly listTimers: Database.Statement<Key, TimerRecord>;
  readonly listOutbox: Database.Statement<Key, OutboxRecord>;

  readonly getTimer: Database.Statement<TimerKey, TimerRecord>;
  readonly timerPending: Database.Statement<[...TimerKey, setBySeq: number, dueAt: number], number>;
  readonly nextTimerDue: Database.Statement<[], number | null>;
  readonly nextFreeTimerDue: Database.Statement<[now: number], number | null>;
  readonly claimTimers: Database.Statement<
    [...LeaseParams, now: number, now: number, limit: number],
    TimerRecord
  >;
  readonly retryTimer: Database.Statement<[...RetryParams, ...TimerKey]>;
  readonly deadLetterTimer: Database.Statement<[...DeadParams, ...TimerKey]>;
  readonly listDeadTimers: Database.Statement<[limit: number], TimerRecord>;
  readonly reviveTimer: Database.Statement<[dueAt: number, ...TimerKey]>;

  readonly getOutbox: Database.Statement<[effectId: string], OutboxRecord>;
  readonly nextOutboxDue: Database.Statement<[], number | null>;
  readonly nextFreeOutboxDue: Database.Statement<[now: number], number | null>;
  readonly claimOutbox: Database.Statement<
    [...LeaseParams, now: number, now: number, limit: number],
    OutboxRecord
  >;
  readonly completeOutbox: Database.Statement<[effectId: string]>;
  readonly markOutboxStarted: Database.Statement<[effectId: string]>;
  readonly renewOutboxLease: Database.Statement<[until: number, effectId: string, owner: string]>;
  readonly retryOutbox: Database.Statement<[...RetryParams, effectId: string]>;
  readonly deadLetterOutbox: Database.Statement<[...DeadParams, effectId: string]>;
  readonly listDeadOutbox: Database.Statement<[limit: number], OutboxRecord>;
  readonly reviveOutbox: Database.Statement<[at: number, effectId: string]>;

  readonly insertApiKey: Database.Statement<
    [
      keyId: string,
      hash: string,
      name: string,
      subject: string,
      roles: string,
      createdAt: number,
      revokedAt: number | null,
    ]
  >;
  readonly findApiKey: Database.Statement<[hash: string], ApiKeyRecord>;
  readonly listApiKeys: Database.Statement<[], ApiKeyRecord>;
  readonly revokeApiKey: Database.Statement<[at: number, keyId: string]>;

  readonly getMachineVersion: Database.Statement<
    [machine: string, version: string],
    MachineVersionRecord
  >;
  readonly insertMachineVersion: Database.Statement<[string, string, string, string, number]>;
  readonly replaceMachineVersion: Database.Statement<
    [fingerprint: string, description: string, machine: string, version: string]
  >;
  readonly listMachineVersions: Database.Statement<
    [{ machine: string | null }],
    MachineVersionRecord
  >;
  readonly countLive: Database.Statement<
    [machine: string],
    { version: string; state_key: string; count: number }
  >;
  readonly countByState: Database.Statement<[machine: string], StateCountRecord>;
  readonly countTimers: Database.Statement<[], WorkCountRecord>;
  readonly countOutbox: Database.Statement<[], WorkCountRecord>;
  readonly countEmitBacklog: Database.Statement<[], EmitBacklogRecord>;
  readonly readEmits: Database.Statement<[after: number, limit: number], EmitRecordRow>;
  readonly getCursor: Database.Statement<[subscriber: string], number>;
  readonly setCursor: Database.Statement<[subscriber: string, position: number]>;
}

const TIMER_KEY = 'machine = ? AND id = ? AND timer_id = ?';

/**
 * The next position in an instance's audit log (two (machine, id) pairs). Its
 * entries are rows of stator_audit and event rows with an audit_position. The
 * newest event row's position is the highest an event row holds: positions are
 * handed out in commit order, and an event whose entry went to stator_audit
 * (NULL there) has an entry newer than every event row before it.
 */
const NEXT_AUDIT_POSITION = `1 + max(
  COALESCE((SELECT MAX(position) FROM stator_audit WHERE machine = ? AND id = ?), 0),
  COALESCE((SELECT audit_position FROM stator_events WHERE machine = ? AND id = ?
            ORDER BY seq DESC LIMIT 1), 0))`;
const EVENT_COLUMNS =
  'machine, id, seq, type, payload, actor, recorded_at, idempotency_key, trace_context, write_id';
const NO_LEASE = 'lease_owner = NULL, lease_until = NULL';

export function prepareStatements(db: Database.Database): Statements {
  return {
    insertInstance: db.prepare(`
      INSERT INTO stator_instances
        (machine, id, version, value, state_key, context, status, seq, state_entered_at, created_at,
         updated_at, parent)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (machine, id) DO NOTHING`),
    updateInstance: db.prepare(`
      UPDATE stator_instances
      SET version = ?, value = ?, state_key = ?, context = ?, status = ?, seq = ?,
          state_entered_at = ?, created_at = ?, updated_at = ?,
          parent = CASE ? WHEN 1 THEN parent ELSE ? END
      WHERE machine = ? AND id = ? AND seq = ?`),
    instanceSeq: db
      .prepare<Key, number>('SELECT seq FROM stator_instances WHERE machine = ? AND id = ?')
      .pluck(),
    insertEvent: db.prepare(`
      INSERT INTO stator_events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertAuditedEvent: db.prepare(`
      INSERT INTO stator_events
        (${EVENT_COLUMNS}, transition_id, from_state, to_state, trace_id, audit_position)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${NEXT_AUDIT_POSITION})`),
    eventWriteId: db
      .prepare<[...Key, number], string | null>(
        'SELECT write_id FROM stator_events WHERE machine = ? AND id = ? AND seq = ?',
      )
      .pluck(),
    auditHasTransition: db
      .prepare<[...Key, string], number>(
        'SELECT 1 FROM stator_audit WHERE machine = ? AND id = ? AND transition_id = ?',
      )
      .pluck(),
    probe: db.prepare(`
      INSERT INTO stator_meta (key, value) VALUES ('probe', zeroblob(?))
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    upsertSnapshot: db.prepare(`
      INSERT INTO stator_snapshots (machine, id, seq, version, snapshot, taken_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (machine, id, seq) DO UPDATE
      SET version = excluded.version, snapshot = excluded.snapshot, taken_at = excluded.taken_at`),
    deleteTimer: db.prepare(
      'DELETE FROM stator_timers WHERE machine = ? AND id = ? AND timer_id = ?',
    ),
    upsertTimer: db.prepare(`
      INSERT INTO stator_timers (${TIMER_COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (machine, id, timer_id) DO UPDATE
      SET due_at = excluded.due_at, event = excluded.event, target = excluded.target,
          set_by_seq = excluded.set_by_seq, attempts = excluded.attempts,
          status = excluded.status, last_error = excluded.last_error, ${NO_LEASE}`),
    insertOutbox: db.prepare(`
      INSERT INTO stator_outbox (${OUTBOX_COLUMNS}, lease_owner, lease_until)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertEmit: db.prepare(`
      INSERT INTO stator_emits (machine, id, seq, idx, effect_id, event, at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    appendAudit: db.prepare(`
      INSERT INTO stator_audit
        (machine, id, position, transition_id, seq, actor, event_type, from_state, to_state,
         at, trace_id, outcome, reason)
      VALUES (?, ?, ${NEXT_AUDIT_POSITION}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
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
    // Read in chunks sized by `readEventPage`, which stops where the payloads pass the page's
    // byte cap. (A window over octet_length did the same in SQL, at a third more time per row;
    // stepping the statement row by row, a third more than `all`.) Raw rows without the key
    // columns the caller knows: a replay reads thousands, and objects with nine fields cost 40 %
    // more per row than arrays of seven.
    readEvents: db
      .prepare<[{ machine: string; id: string; after: number; limit: number }], EventColumns>(`
      SELECT seq, type, payload, actor, recorded_at, idempotency_key, trace_context
      FROM stator_events
      WHERE machine = @machine AND id = @id AND seq > @after ORDER BY seq LIMIT @limit`)
      .raw(true),
    readAudit: db.prepare(`
      SELECT machine, id, position, transition_id, seq, actor, event_type, from_state, to_state,
             at, trace_id, outcome, reason
      FROM stator_audit WHERE machine = ? AND id = ? AND position > ? ORDER BY position LIMIT ?`),
    // Positions grow with seq, so the first entries after a position are the first rows by seq.
    readCarriedAudit: db.prepare(`
      SELECT machine, id, audit_position AS position, transition_id, seq, actor,
             type AS event_type, from_state, to_state, recorded_at AS at, trace_id,
             'applied' AS outcome, NULL AS reason
      FROM stator_events
      WHERE machine = ? AND id = ? AND seq > ? AND audit_position > ? ORDER BY seq LIMIT ?`),
    countTableAudit: db
      .prepare<Key, number>('SELECT COUNT(*) FROM stator_audit WHERE machine = ? AND id = ?')
      .pluck(),
    getIdempotency: db.prepare(`
      SELECT machine, id, key, fingerprint, seq, result, created_at FROM stator_idempotency
      WHERE machine = ? AND id = ? AND key = ?`),
    listTimers: db.prepare(`
      SELECT ${TIMER_COLUMNS} FROM stator_timers
      WHERE machine = ? AND id = ? AND status = 'pending' ORDER BY due_at, timer_id`),
    listOutbox: db.prepare(`
      SELECT ${OUTBOX_COLUMNS} FROM stator_outbox
      WHERE machine = ? AND id = ? ORDER BY seq, idx`),

    getTimer: db.prepare(`SELECT ${TIMER_COLUMNS} FROM stator_timers WHERE ${TIMER_KEY}`),
    timerPending: db
      .prepare<[...TimerKey, number, number], number>(
        `SELECT 1 FROM stator_timers
         WHERE ${TIMER_KEY} AND set_by_seq = ? AND due_at = ? AND status = 'pending'`,
      )
      .pluck(),
    nextTimerDue: db
      .prepare<[], number | null>("SELECT MIN(due_at) FROM stator_timers WHERE status = 'pending'")
      .pluck(),
    // Walks the pending index from the earliest, past the few rows leased right now.
    nextFreeTimerDue: db
      .prepare<[number], number | null>(
        `SELECT due_at FROM stator_timers INDEXED BY stator_timers_pending
         WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)
         ORDER BY due_at LIMIT 1`,
      )
      .pluck(),
    // Served by the partial index stator_timers_pending, in its order: no sort.
    // One statement leases the due rows and returns them (in no particular order).
    claimTimers: db.prepare(`
      UPDATE stator_timers SET lease_owner = ?, lease_until = ?
      WHERE (machine, id, timer_id) IN (
        SELECT machine, id, timer_id FROM stator_timers INDEXED BY stator_timers_pending
        WHERE status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY due_at, machine, id, timer_id LIMIT ?)
      RETURNING ${TIMER_COLUMNS}`),
    retryTimer: db.prepare(`
      UPDATE stator_timers SET attempts = ?, last_error = ?, due_at = ?, ${NO_LEASE}
      WHERE ${TIMER_KEY}`),
    deadLetterTimer: db.prepare(`
      UPDATE stator_timers SET status = 'dead', attempts = ?, last_error = ?, ${NO_LEASE}
      WHERE ${TIMER_KEY}`),
    listDeadTimers: db.prepare(`
      SELECT ${TIMER_COLUMNS} FROM stator_timers
      WHERE status = 'dead' ORDER BY machine, id, timer_id LIMIT ?`),
    reviveTimer: db.prepare(`
      UPDATE stator_timers SET status = 'pending', attempts = 0, due_at = ?, ${NO_LEASE}
      WHERE ${TIMER_KEY} AND status = 'dead'`),

    getOutbox: db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM stator_outbox WHERE effect_id = ?`),
    nextOutboxDue: db
      .prepare<[], number | null>(
        "SELECT MIN(next_attempt_at) FROM stator_outbox WHERE status IN ('pending', 'started')",
      )
      .pluck(),
    nextFreeOutboxDue: db
      .prepare<[number], number | null>(
        `SELECT next_attempt_at FROM stator_outbox INDEXED BY stator_outbox_due
         WHERE status IN ('pending', 'started') AND (lease_until IS NULL OR lease_until <= ?)
         ORDER BY next_attempt_at LIMIT 1`,
      )
      .pluck(),
    // Served by the partial index stator_outbox_due, in its order: no sort.
    claimOutbox: db.prepare(`
      UPDATE stator_outbox SET lease_owner = ?, lease_until = ?
      WHERE effect_id IN (
        SELECT effect_id FROM stator_outbox INDEXED BY stator_outbox_due
        WHERE status IN ('pending', 'started') AND next_attempt_at <= ?
          AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY next_attempt_at, machine, id, seq, idx LIMIT ?)
      RETURNING ${OUTBOX_COLUMNS}`),
    completeOutbox: db.prepare('DELETE FROM stator_outbox WHERE effect_id = ?'),
    markOutboxStarted: db.prepare(
      "UPDATE stator_outbox SET status = 'started' WHERE effect_id = ? AND status <> 'dead'",
    ),
    renewOutboxLease: db.prepare(
      "UPDATE stator_outbox SET lease_until = ? WHERE effect_id = ? AND lease_owner = ? AND status <> 'dead'",
    ),
    retryOutbox: db.prepare(`
      UPDATE stator_outbox SET attempts = ?, last_error = ?, next_attempt_at = ?, ${NO_LEASE}
      WHERE effect_id = ?`),
    deadLetterOutbox: db.prepare(`
      UPDATE stator_outbox SET status = 'dead', attempts = ?, last_error = ?, ${NO_LEASE}
      WHERE effect_id = ?`),
    listDeadOutbox: db.prepare(`
      SELECT ${OUTBOX_COLUMNS} FROM stator_outbox
      WHERE status = 'dead' ORDER BY machine, id, seq, idx LIMIT ?`),
    reviveOutbox: db.prepare(`
      UPDATE stator_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, ${NO_LEASE}
      WHERE effect_id = ? AND status = 'dead'`),

    insertApiKey: db.prepare(`
      INSERT INTO stator_api_keys (key_id, hash, name, subject, roles, created_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    findApiKey: db.prepare(`
      SELECT key_id, hash, name, subject, roles, created_at, revoked_at FROM stator_api_keys
      WHERE hash = ?`),
    listApiKeys: db.prepare(`
      SELECT key_id, hash, name, subject, roles, created_at, revoked_at FROM stator_api_keys
      ORDER BY created_at, key_id`),
    // The first revocation stands: revoking again keeps its time.
    revokeApiKey: db.prepare(
      'UPDATE stator_api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE key_id = ?',
    ),

    getMachineVersion: db.prepare(
      `SELECT ${MACHINE_VERSION_COLUMNS} FROM stator_machine_versions WHERE machine = ? AND version = ?`,
    ),
    insertMachineVersion: db.prepare(`
      INSERT INTO stator_machine_versions (${MACHINE_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (machine, version) DO NOTHING`),
    replaceMachineVersion: db.prepare(`
      UPDATE stator_machine_versions SET fingerprint = ?, description = ?
      WHERE machine = ? AND version = ?`),
    listMachineVersions: db.prepare(`
      SELECT ${MACHINE_VERSION_COLUMNS} FROM stator_machine_versions
      WHERE @machine IS NULL OR machine = @machine ORDER BY machine, registered_at, version`),
    countLive: db.prepare(`
      SELECT version, state_key, COUNT(*) AS count FROM stator_instances
      WHERE machine = ? AND status = 'active' GROUP BY version, state_key ORDER BY version, state_key`),
    // Metrics (StoreStats): grouped over stator_instances_by_state and the timer and outbox tables.
    countByState: db.prepare(`
      SELECT state_key, status, COUNT(*) AS count, MIN(state_entered_at) AS oldest
      FROM stator_instances WHERE machine = ?
      GROUP BY state_key, status ORDER BY state_key, status`),
    countTimers: db.prepare(
      'SELECT machine, status, COUNT(*) AS count FROM stator_timers GROUP BY machine, status',
    ),
    countOutbox: db.prepare(
      'SELECT machine, status, COUNT(*) AS count FROM stator_outbox GROUP BY machine, status',
    ),
    // A range of the emit log's primary key per cursor (positions may have gaps: count, not subtract).
    countEmitBacklog: db.prepare(`
      SELECT c.subscriber AS subscriber,
        (SELECT COUNT(*) FROM stator_emits e WHERE e.position > c.position) AS backlog
      FROM stator_cursors c ORDER BY c.subscriber`),
    readEmits: db.prepare(`
      SELECT position, machine, id, seq, idx, effect_id, event, at FROM stator_emits
      WHERE position > ? ORDER BY position LIMIT ?`),
    getCursor: db
      .prepare<[string], number>('SELECT position FROM stator_cursors WHERE subscriber = ?')
      .pluck(),
    setCursor: db.prepare(`
      INSERT INTO stator_cursors (subscriber, position) VALUES (?, ?)
      ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position`),
  };
}
