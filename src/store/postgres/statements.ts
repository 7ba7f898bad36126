import {
  INSTANCE_COLUMNS,
  MACHINE_VERSION_COLUMNS,
  OUTBOX_COLUMNS,
  TIMER_COLUMNS,
} from '../sql/columns.js';
import type { Statement } from './query.js';

const API_KEY_COLUMNS = 'key_id, hash, name, subject, roles, created_at, revoked_at';
const TIMER_KEY = 'machine = $1 AND id = $2 AND timer_id = $3';
const NO_LEASE = 'lease_owner = NULL, lease_until = NULL';

/**
 * Every statement outside `commit`, for one schema. Each is prepared once per
 * connection under a name that includes the schema, so stores over different
 * schemas can share a pool.
 */
export function statements(schema: string, s: string) {
  const sql = {
    getInstance: `SELECT ${INSTANCE_COLUMNS} FROM ${s}.stator_instances WHERE machine = $1 AND id = $2`,
    latestSnapshot: `
      SELECT machine, id, seq, version, snapshot, taken_at FROM ${s}.stator_snapshots
      WHERE machine = $1 AND id = $2 ORDER BY seq DESC LIMIT 1`,
    saveSnapshot: `
      INSERT INTO ${s}.stator_snapshots (machine, id, seq, version, snapshot, taken_at)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (machine, id, seq) DO UPDATE
      SET version = excluded.version, snapshot = excluded.snapshot, taken_at = excluded.taken_at`,
    // The page's byte cap in SQL, in one scan: a running sum of the payloads' sizes (octet_length
    // does not detoast), and only the rows under the cap (the first always) reach the output, so
    // only the page's payloads are detoasted and cross the wire. The key columns the caller knows
    // are not sent back. (SQLite reads in chunks in process and stops at the cap instead.)
    readEvents: `
      SELECT seq, type, payload, actor, recorded_at, idempotency_key, trace_context FROM (
        SELECT seq, type, payload, actor, recorded_at, idempotency_key, trace_context,
               SUM(octet_length(payload)) OVER (ORDER BY seq) AS running,
               row_number() OVER (ORDER BY seq) AS n
        FROM ${s}.stator_events
        WHERE machine = $1 AND id = $2 AND seq > $3 ORDER BY seq LIMIT $4
      ) page
      WHERE running <= $5 OR n = 1
      ORDER BY seq`,
    readAudit: `
      SELECT machine, id, position, transition_id, seq, actor, event_type, from_state, to_state,
             at, trace_id, outcome, reason
      FROM ${s}.stator_audit WHERE machine = $1 AND id = $2 AND position > $3
      ORDER BY position LIMIT $4`,
    findWrites: `SELECT i, found FROM ${s}.stator_find_writes($1)`,
    probe: `
      INSERT INTO ${s}.stator_meta (key, value) VALUES ('probe', $1)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    getIdempotency: `
      SELECT machine, id, key, fingerprint, seq, result, created_at FROM ${s}.stator_idempotency
      WHERE machine = $1 AND id = $2 AND key = $3`,
    listTimers: `
      SELECT ${TIMER_COLUMNS} FROM ${s}.stator_timers
      WHERE machine = $1 AND id = $2 AND status = 'pending' ORDER BY due_at, timer_id`,
    listOutbox: `
      SELECT ${OUTBOX_COLUMNS} FROM ${s}.stator_outbox
      WHERE machine = $1 AND id = $2 ORDER BY seq, idx`,

    getTimer: `SELECT ${TIMER_COLUMNS} FROM ${s}.stator_timers WHERE ${TIMER_KEY}`,
    nextTimerDue: `SELECT min(due_at) AS due FROM ${s}.stator_timers WHERE status = 'pending'`,
    // Walks the pending index from the earliest, past the few rows leased right now.
    nextFreeTimerDue: `
      SELECT due_at AS due FROM ${s}.stator_timers
      WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= $1)
      ORDER BY due_at LIMIT 1`,
    // Lock the due rows nobody holds (SKIP LOCKED: a row another process is claiming,
    // or a commit is deleting, is left to it), lease them, return them in claim order.
    claimTimers: `
      WITH due AS (
        SELECT machine, id, timer_id FROM ${s}.stator_timers
        WHERE status = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
        ORDER BY due_at, machine, id, timer_id LIMIT $4
        FOR UPDATE SKIP LOCKED
      ), leased AS (
        UPDATE ${s}.stator_timers t SET lease_owner = $2, lease_until = $3
        FROM due WHERE t.machine = due.machine AND t.id = due.id AND t.timer_id = due.timer_id
        RETURNING ${prefixed('t', TIMER_COLUMNS)}
      )
      SELECT * FROM leased ORDER BY due_at, machine, id, timer_id`,
    retryTimer: `
      UPDATE ${s}.stator_timers SET attempts = $4, last_error = $5, due_at = $6, ${NO_LEASE}
      WHERE ${TIMER_KEY}`,
    deadLetterTimer: `
      UPDATE ${s}.stator_timers SET status = 'dead', attempts = $4, last_error = $5, ${NO_LEASE}
      WHERE ${TIMER_KEY}`,
    listDeadTimers: `
      SELECT ${TIMER_COLUMNS} FROM ${s}.stator_timers
      WHERE status = 'dead' ORDER BY machine, id, timer_id LIMIT $1`,
    reviveTimer: `
      UPDATE ${s}.stator_timers SET status = 'pending', attempts = 0, due_at = $4, ${NO_LEASE}
      WHERE ${TIMER_KEY} AND status = 'dead'`,

    getOutbox: `SELECT ${OUTBOX_COLUMNS} FROM ${s}.stator_outbox WHERE effect_id = $1`,
    nextOutboxDue: `
      SELECT min(next_attempt_at) AS due FROM ${s}.stator_outbox
      WHERE status IN ('pending', 'started')`,
    nextFreeOutboxDue: `
      SELECT next_attempt_at AS due FROM ${s}.stator_outbox
      WHERE status IN ('pending', 'started') AND (lease_until IS NULL OR lease_until <= $1)
      ORDER BY next_attempt_at LIMIT 1`,
    claimOutbox: `
      WITH due AS (
        SELECT effect_id FROM ${s}.stator_outbox
        WHERE status IN ('pending', 'started') AND next_attempt_at <= $1
          AND (lease_until IS NULL OR lease_until <= $1)
        ORDER BY next_attempt_at, machine, id, seq, idx LIMIT $4
        FOR UPDATE SKIP LOCKED
      ), leased AS (
        UPDATE ${s}.stator_outbox o SET lease_owner = $2, lease_until = $3
        FROM due WHERE o.effect_id = due.effect_id
        RETURNING ${prefixed('o', OUTBOX_COLUMNS)}
      )
      SELECT * FROM leased ORDER BY next_attempt_at, machine, id, seq, idx`,
    markOutboxStarted: `
      UPDATE ${s}.stator_outbox SET status = 'started' WHERE effect_id = $1 AND status <> 'dead'`,
    renewOutboxLease: `
      UPDATE ${s}.stator_outbox SET lease_until = $3
      WHERE effect_id = $1 AND lease_owner = $2 AND status <> 'dead'`,
    retryOutbox: `
      UPDATE ${s}.stator_outbox SET attempts = $2, last_error = $3, next_attempt_at = $4, ${NO_LEASE}
      WHERE effect_id = $1`,
    deadLetterOutbox: `
      UPDATE ${s}.stator_outbox SET status = 'dead', attempts = $2, last_error = $3, ${NO_LEASE}
      WHERE effect_id = $1`,
    listDeadOutbox: `
      SELECT ${OUTBOX_COLUMNS} FROM ${s}.stator_outbox
      WHERE status = 'dead' ORDER BY machine, id, seq, idx LIMIT $1`,
    reviveOutbox: `
      UPDATE ${s}.stator_outbox
      SET status = 'pending', attempts = 0, next_attempt_at = $2, ${NO_LEASE}
      WHERE effect_id = $1 AND status = 'dead'`,

    putApiKey: `INSERT INTO ${s}.stator_api_keys (${API_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    findApiKey: `SELECT ${API_KEY_COLUMNS} FROM ${s}.stator_api_keys WHERE hash = $1`,
    listApiKeys: `SELECT ${API_KEY_COLUMNS} FROM ${s}.stator_api_keys ORDER BY created_at, key_id`,
    // The first revocation stands: revoking again keeps its time.
    revokeApiKey: `
      UPDATE ${s}.stator_api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE key_id = $1`,

    getMachineVersion: `
      SELECT ${MACHINE_VERSION_COLUMNS} FROM ${s}.stator_machine_versions
      WHERE machine = $1 AND version = $2`,
    insertMachineVersion: `
      INSERT INTO ${s}.stator_machine_versions (${MACHINE_VERSION_COLUMNS})
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (machine, version) DO NOTHING`,
    replaceMachineVersion: `
      UPDATE ${s}.stator_machine_versions SET fingerprint = $3, description = $4
      WHERE machine = $1 AND version = $2`,
    listMachineVersions: `
      SELECT ${MACHINE_VERSION_COLUMNS} FROM ${s}.stator_machine_versions
      WHERE $1::text IS NULL OR machine = $1 ORDER BY machine, registered_at, version`,
    countLive: `
      SELECT version, state_key, count(*)::int AS count FROM ${s}.stator_instances
      WHERE machine = $1 AND status = 'active' GROUP BY version, state_key ORDER BY version, state_key`,
    // Metrics (StoreStats): grouped over stator_instances_by_state and the timer and outbox tables.
    countByState: `
      SELECT state_key, status, count(*)::int AS count, min(state_entered_at) AS oldest
      FROM ${s}.stator_instances WHERE machine = $1
      GROUP BY state_key, status ORDER BY state_key, status COLLATE "C"`,
    countTimers: `
      SELECT machine, status, count(*)::int AS count FROM ${s}.stator_timers GROUP BY machine, status`,
    countOutbox: `
      SELECT machine, status, count(*)::int AS count FROM ${s}.stator_outbox GROUP BY machine, status`,
    // Positions have no gaps (tables.ts): the head less the cursor, plus the emits queued
    // by commits and not numbered yet (schema version 3).
    countEmitBacklog: `
      SELECT c.subscriber, greatest(h.position - c.position, 0)
        + (SELECT count(*) FROM ${s}.stator_emits_pending) AS backlog
      FROM ${s}.stator_cursors c CROSS JOIN ${s}.stator_emit_head h ORDER BY c.subscriber`,

    // Numbers the emits queued by commits first (schema version 3, commit-function.ts).
    readEmits: `SELECT * FROM ${s}.stator_read_emits($1, $2)`,
    getCursor: `SELECT position FROM ${s}.stator_cursors WHERE subscriber = $1`,
    setCursor: `
      INSERT INTO ${s}.stator_cursors (subscriber, position) VALUES ($1, $2)
      ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position`,
  };
  type Name = keyof typeof sql;
  return Object.fromEntries(
    Object.entries(sql).map(([name, text]) => [name, { name: `stator:${schema}:${name}`, text }]),
  ) as Record<Name, Statement>;
}

export type Statements = ReturnType<typeof statements>;

function prefixed(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}
