/**
 * `stator_commit`: a whole group commit in one statement, so one round trip and
 * one WAL flush serve the batch. The client (commit.ts) sends the batch as JSON
 * (JSON column values travel as JSON strings holding their exact text).
 *
 * (Longer than most files: it is one PL/pgSQL function and the released
 * versions of it that schema migrations replay, kept together so a change to
 * the function is read against the versions it replaces.)
 *
 * 1. Lock every written instance with a transaction-level advisory lock, in key
 *    order: writers of one instance (event writes and audit-only writes, in any
 *    process) take turns, so audit positions are MAX + 1 without races, and two
 *    batches over the same instances cannot deadlock.
 * 2. Delete the rows of finished effects (`outbox-done` writes).
 * 3. Apply the writes in waves: wave k holds each instance's k-th write of the
 *    batch, so a wave touches an instance at most once and runs set-based
 *    (a runtime batch is one wave: its mailboxes never put two writes of one
 *    instance in a batch). Per wave: idempotency keys taken (only when a write
 *    has one) → guarded INSERT ... ON CONFLICT DO NOTHING / UPDATE ... WHERE
 *    seq = expected, which fail a write without raising an error → outcomes of
 *    the failed (only when some failed) → one statement writing the events,
 *    snapshots, timers, outbox rows, idempotency and audit rows of the passed.
 *    No statement raises for a failed check, so no savepoints are needed; a
 *    real error (a duplicate effect id) aborts the statement: nothing is kept.
 * 4. Queue the emits in `stator_emits_pending`, in arrival order (schema version
 *    3). `stator_read_emits` numbers them later, one numbering transaction at a
 *    time, so positions are gap-free and never appear below one a reader has
 *    seen (see emitSequencerSql). Versions 1–2 numbered them here from the
 *    single-row counter `stator_emit_head`, whose row lock, held until commit,
 *    made the emitting commits of all processes wait for each other's WAL flush.
 * 5. pg_notify the wake channel (delivered at commit) with `<topic> <token>`.
 *
 * The statements inside run with generic plans (`plan_cache_mode`): planned once
 * per connection, not on every call.
 *
 * Returns one row per failed write: its index, code and the instance's seq.
 */
import { EMIT_COLUMNS } from './tables.js';

/** Bits of the function's `p_has`: the kinds of rows a batch holds. */
export const HAS = {
  creates: 1,
  events: 2,
  audits: 4,
  idempotency: 8,
  snapshots: 16,
  /** Writes that record a fired timer (checked still pending; schema version 2 on). */
  firedTimers: 32,
} as const;
/** The kinds a function version knows, for its comment (version 1 predates fired timers). */
const hasDoc = (guards: boolean) =>
  Object.entries(HAS)
    .filter(([kind]) => guards || kind !== 'firedTimers')
    .map(([kind, bit]) => `${bit} ${kind}`)
    .join(', ');

/**
 * Schema version 1: the input types and the first commit function. Released:
 * its text never changes (later versions alter and replace, see below).
 */
export function commitFunctionSql(s: string, channel: string): string {
  return `${commitTypesSql(s)}
    CREATE FUNCTION ${commitFunctionBody(s, channel, false)}`;
}

/**
 * Schema version 2: fired-timer guards (EventWrite/AuditOnlyWrite.firedTimer). A
 * write carrying one applies only while its timer is still pending with the
 * claimed set_by_seq and due_at; else it fails with TIMER_GONE, writing nothing.
 */
export function firedTimerGuardsSql(s: string, channel: string): string {
  return `
    ALTER TYPE ${s}.stator_write_in
      ADD ATTRIBUTE guard_timer text COLLATE "C",
      ADD ATTRIBUTE guard_seq bigint,
      ADD ATTRIBUTE guard_due double precision;
    CREATE OR REPLACE FUNCTION ${commitFunctionBody(s, channel, true)}`;
}

function commitTypesSql(s: string): string {
  return `
    CREATE TYPE ${s}.stator_write_in AS (
      i int, wave int, kind text, expected bigint, machine text COLLATE "C", id text COLLATE "C",
      version text, value text, state_key text COLLATE "C", context text, status text, seq bigint,
      state_entered_at double precision, created_at double precision,
      updated_at double precision, keep_parent boolean, parent text,
      ev_type text, ev_payload text, ev_actor text, ev_at double precision,
      ev_key text, ev_trace text,
      snap boolean, snap_seq bigint, snap_version text, snap_body text, snap_at double precision,
      idem_key text COLLATE "C", idem_fingerprint text, idem_seq bigint, idem_result text, idem_at double precision,
      a_transition_id text, a_seq bigint, a_actor text, a_event_type text, a_from text,
      a_to text, a_at double precision, a_trace_id text, a_outcome text, a_reason text
    );
    CREATE TYPE ${s}.stator_cancel_in AS (i int, machine text COLLATE "C", id text COLLATE "C", timer_id text COLLATE "C");
    CREATE TYPE ${s}.stator_timer_in AS (
      i int, machine text COLLATE "C", id text COLLATE "C", timer_id text COLLATE "C", due_at double precision, event text,
      target text, set_by_seq bigint, attempts bigint, status text, last_error text
    );
    CREATE TYPE ${s}.stator_outbox_in AS (
      i int, effect_id text COLLATE "C", machine text COLLATE "C", id text COLLATE "C", seq bigint, idx bigint, effect text,
      attempts bigint, next_attempt_at double precision, created_at double precision,
      status text, last_error text, lease_owner text, lease_until double precision
    );
    CREATE TYPE ${s}.stator_emit_in AS (
      i int, ord int, machine text COLLATE "C", id text COLLATE "C", seq bigint, idx bigint, effect_id text COLLATE "C",
      event text, at double precision
    );
`;
}

/**
 * The function after CREATE [OR REPLACE] FUNCTION; `guards` adds the fired-timer
 * check, `pendingEmits` writes emits unnumbered (schema version 3).
 */
function commitFunctionBody(
  s: string,
  channel: string,
  guards: boolean,
  pendingEmits = false,
  writeIds = false,
): string {
  const lockPrefix = `'${s.replaceAll('"', '')}' || chr(31) || `;
  // With guards, writes whose timer is gone are left out like failed checks.
  const notGone = guards ? ' AND NOT (x.i = ANY (gone))' : '';
  return `${s}.stator_commit(
      p_writes json, p_cancels json, p_timers json, p_outbox json, p_emits json,
      p_done text[], p_waves int[], p_has int, p_topics text[], p_token text
    ) RETURNS TABLE (failed_i int, failed_code text, failed_actual bigint)
    LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
    DECLARE
      w ${s}.stator_write_in[] :=
        ARRAY(SELECT x FROM json_populate_recordset(NULL::${s}.stator_write_in, p_writes) x);
      c ${s}.stator_cancel_in[] := CASE WHEN p_cancels IS NULL THEN '{}' ELSE
        ARRAY(SELECT x FROM json_populate_recordset(NULL::${s}.stator_cancel_in, p_cancels) x) END;
      t ${s}.stator_timer_in[] := CASE WHEN p_timers IS NULL THEN '{}' ELSE
        ARRAY(SELECT x FROM json_populate_recordset(NULL::${s}.stator_timer_in, p_timers) x) END;
      o ${s}.stator_outbox_in[] := CASE WHEN p_outbox IS NULL THEN '{}' ELSE
        ARRAY(SELECT x FROM json_populate_recordset(NULL::${s}.stator_outbox_in, p_outbox) x) END;
      taken int[] := '{}';${guards ? "\n      gone int[] := '{}';" : ''}
      passed int[];
      ok int[] := '{}';
      wv int;
    BEGIN
      PERFORM pg_advisory_xact_lock(k) FROM (
        SELECT DISTINCT hashtextextended(${lockPrefix}x.machine || chr(31) || x.id, 0) AS k
        FROM unnest(w) x ORDER BY 1) locks;

      -- Finished effects (outbox-done writes; the group committer puts them first).
      IF p_done IS NOT NULL THEN
        DELETE FROM ${s}.stator_outbox WHERE effect_id = ANY (p_done);
      END IF;

      -- p_has says which kinds of rows the batch has (${hasDoc(guards)}): a statement for a kind
      -- the batch lacks is skipped, not run empty (starting a statement costs more than its rows).
      FOR wv IN 1..coalesce(cardinality(p_waves), 0) LOOP${guards ? guardSql(s) : ''}
        IF p_has & ${HAS.idempotency} <> 0 THEN
          taken := ARRAY(SELECT x.i FROM unnest(w) x
            WHERE x.wave = wv AND x.idem_key IS NOT NULL AND EXISTS (
              SELECT 1 FROM ${s}.stator_idempotency d
              WHERE d.machine = x.machine AND d.id = x.id AND d.key = x.idem_key));
        END IF;
        passed := '{}';
        IF p_has & ${HAS.audits} <> 0 THEN
          passed := ARRAY(SELECT x.i FROM unnest(w) x WHERE x.wave = wv AND x.kind = 'audit'${notGone});
        END IF;
        IF p_has & ${HAS.creates} <> 0 THEN
          WITH created AS (
            INSERT INTO ${s}.stator_instances AS r
              (machine, id, version, value, state_key, context, status, seq, state_entered_at,
               created_at, updated_at, parent)
            SELECT x.machine, x.id, x.version, x.value, x.state_key, x.context, x.status, x.seq,
                   x.state_entered_at, x.created_at, x.updated_at, x.parent
            FROM unnest(w) x
            WHERE x.wave = wv AND x.kind = 'create' AND NOT (x.i = ANY (taken))${notGone}
            ON CONFLICT (machine, id) DO NOTHING
            RETURNING r.machine, r.id
          )
          SELECT passed || ARRAY(
            SELECT x.i FROM unnest(w) x JOIN created r ON r.machine = x.machine AND r.id = x.id
            WHERE x.wave = wv AND x.kind = 'create')
          INTO passed;
        END IF;
        IF p_has & ${HAS.events} <> 0 THEN
          WITH advanced AS (
            UPDATE ${s}.stator_instances r
            SET version = x.version, value = x.value, state_key = x.state_key,
                context = x.context, status = x.status, seq = x.seq,
                state_entered_at = x.state_entered_at, created_at = x.created_at,
                updated_at = x.updated_at,
                parent = CASE WHEN x.keep_parent THEN r.parent ELSE x.parent END
            FROM unnest(w) x
            WHERE x.wave = wv AND x.kind = 'event' AND NOT (x.i = ANY (taken))${notGone}
              AND r.machine = x.machine AND r.id = x.id AND r.seq = x.expected
            RETURNING r.machine, r.id
          )
          SELECT passed || ARRAY(
            SELECT x.i FROM unnest(w) x JOIN advanced r ON r.machine = x.machine AND r.id = x.id
            WHERE x.wave = wv AND x.kind = 'event')
          INTO passed;
        END IF;

        IF cardinality(passed) < p_waves[wv] THEN
          RETURN QUERY
            SELECT x.i,
              CASE${guards ? "\n                WHEN x.i = ANY (gone) THEN 'TIMER_GONE'" : ''}
                WHEN x.kind = 'create' THEN
                  CASE WHEN r.seq IS NULL THEN 'IDEMPOTENCY_MISMATCH' ELSE 'INSTANCE_EXISTS' END
                WHEN x.i = ANY (taken) AND r.seq = x.expected THEN 'IDEMPOTENCY_MISMATCH'
                ELSE 'SEQUENCE_CONFLICT'
              END,
              COALESCE(r.seq, 0)
            FROM unnest(w) x
            LEFT JOIN ${s}.stator_instances r ON r.machine = x.machine AND r.id = x.id
            WHERE x.wave = wv AND ${guards ? "(x.kind <> 'audit' OR x.i = ANY (gone))" : "x.kind <> 'audit'"} AND NOT (x.i = ANY (passed));
        END IF;
        CONTINUE WHEN cardinality(passed) = 0;

        WITH events AS (
          INSERT INTO ${s}.stator_events
            (machine, id, seq, type, payload, actor, recorded_at, idempotency_key, trace_context${writeIds ? ',\n             write_id' : ''})
          SELECT x.machine, x.id, x.seq, x.ev_type, x.ev_payload, x.ev_actor, x.ev_at, x.ev_key,
                 x.ev_trace${writeIds ? ', x.ev_write_id' : ''}
          FROM unnest(w) x WHERE x.i = ANY (passed) AND x.kind <> 'audit'
        )
        INSERT INTO ${s}.stator_audit (machine, id, position, transition_id, seq, actor,
                                       event_type, from_state, to_state, at, trace_id, outcome, reason)
        SELECT x.machine, x.id,
               COALESCE((SELECT max(a.position) FROM ${s}.stator_audit a
                         WHERE a.machine = x.machine AND a.id = x.id), 0) + 1,
               x.a_transition_id, x.a_seq, x.a_actor, x.a_event_type, x.a_from, x.a_to, x.a_at,
               x.a_trace_id, x.a_outcome, x.a_reason
        FROM unnest(w) x WHERE x.i = ANY (passed);

        IF p_has & ${HAS.snapshots} <> 0 THEN
          INSERT INTO ${s}.stator_snapshots AS r (machine, id, seq, version, snapshot, taken_at)
          SELECT x.machine, x.id, x.snap_seq, x.snap_version, x.snap_body, x.snap_at
          FROM unnest(w) x WHERE x.i = ANY (passed) AND x.snap
          ON CONFLICT (machine, id, seq) DO UPDATE
          SET version = excluded.version, snapshot = excluded.snapshot, taken_at = excluded.taken_at;
        END IF;
        -- Cancels before sets: a timer cancelled and set again by one write is the new timer.
        IF cardinality(c) > 0 THEN
          DELETE FROM ${s}.stator_timers r USING unnest(c) y
          WHERE y.i = ANY (passed) AND r.machine = y.machine AND r.id = y.id
            AND r.timer_id = y.timer_id;
        END IF;
        -- Setting a known timer id again makes a new timer: status, attempts and lease start over.
        IF cardinality(t) > 0 THEN
          INSERT INTO ${s}.stator_timers AS r
            (machine, id, timer_id, due_at, event, target, set_by_seq, attempts, status, last_error)
          SELECT y.machine, y.id, y.timer_id, y.due_at, y.event, y.target, y.set_by_seq,
                 y.attempts, y.status, y.last_error
          FROM unnest(t) y WHERE y.i = ANY (passed)
          ON CONFLICT (machine, id, timer_id) DO UPDATE
          SET due_at = excluded.due_at, event = excluded.event, target = excluded.target,
              set_by_seq = excluded.set_by_seq, attempts = excluded.attempts,
              status = excluded.status, last_error = excluded.last_error,
              lease_owner = NULL, lease_until = NULL;
        END IF;
        IF cardinality(o) > 0 THEN
          INSERT INTO ${s}.stator_outbox (effect_id, machine, id, seq, idx, effect, attempts,
                                          next_attempt_at, created_at, status, last_error,
                                          lease_owner, lease_until)
          SELECT y.effect_id, y.machine, y.id, y.seq, y.idx, y.effect, y.attempts,
                 y.next_attempt_at, y.created_at, y.status, y.last_error, y.lease_owner,
                 y.lease_until
          FROM unnest(o) y WHERE y.i = ANY (passed);
        END IF;
        IF p_has & ${HAS.idempotency} <> 0 THEN
          INSERT INTO ${s}.stator_idempotency (machine, id, key, fingerprint, seq, result, created_at)
          SELECT x.machine, x.id, x.idem_key, x.idem_fingerprint, x.idem_seq, x.idem_result, x.idem_at
          FROM unnest(w) x WHERE x.i = ANY (passed) AND x.idem_key IS NOT NULL;
        END IF;
        ok := ok || passed;
      END LOOP;

${pendingEmits ? pendingEmitsSql(s) : numberedEmitsSql(s)}
      IF p_topics IS NOT NULL THEN
        PERFORM pg_notify('${channel}', topic || ' ' || p_token) FROM unnest(p_topics) topic;
      END IF;
    END
    $fn$;
  `;
}

function guardSql(s: string): string {
  return `
        IF p_has & ${HAS.firedTimers} <> 0 THEN
          gone := ARRAY(SELECT x.i FROM unnest(w) x
            WHERE x.wave = wv AND x.guard_timer IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM ${s}.stator_timers t
              WHERE t.machine = x.machine AND t.id = x.id AND t.timer_id = x.guard_timer
                AND t.set_by_seq = x.guard_seq AND t.due_at = x.guard_due
                AND t.status = 'pending'));
        END IF;`;
}

/** Versions 1 and 2: emits numbered in the commit, under the head row's lock. */
function numberedEmitsSql(s: string): string {
  return `      IF p_emits IS NOT NULL THEN
        WITH kept AS (
          SELECT y.*, row_number() OVER (ORDER BY y.i, y.ord) AS n
          FROM json_populate_recordset(NULL::${s}.stator_emit_in, p_emits) y WHERE y.i = ANY (ok)
        ), head AS (
          UPDATE ${s}.stator_emit_head SET position = position + (SELECT count(*) FROM kept)
          WHERE EXISTS (SELECT 1 FROM kept)
          RETURNING position - (SELECT count(*) FROM kept) AS base
        )
        INSERT INTO ${s}.stator_emits (position, machine, id, seq, idx, effect_id, event, at)
        SELECT head.base + kept.n, kept.machine, kept.id, kept.seq, kept.idx, kept.effect_id,
               kept.event, kept.at
        FROM kept, head;
      END IF;
`;
}

/**
 * Version 3: emits queue unnumbered in arrival order (a sequence, so no lock
 * is held to commit); `stator_read_emits` numbers them (see emitSequencerSql).
 * An instance's emits arrive in its seq order: its next write starts only
 * after the previous one committed.
 */
function pendingEmitsSql(s: string): string {
  return `      IF p_emits IS NOT NULL THEN
        INSERT INTO ${s}.stator_emits_pending (n, machine, id, seq, idx, effect_id, event, at)
        SELECT nextval('${s}.stator_emits_pending_n'), y.machine, y.id, y.seq, y.idx,
               y.effect_id, y.event, y.at
        FROM (SELECT * FROM json_populate_recordset(NULL::${s}.stator_emit_in, p_emits) e
              WHERE e.i = ANY (ok) ORDER BY e.i, e.ord) y;
      END IF;
`;
}

/** Emits moved from the queue to the log per read, at most. */
export const SEQUENCE_BATCH = 10_000;

/**
 * Schema version 3: emits leave the commit path. Numbering them in the commit
 * (versions 1–2) held the head row's lock until the commit's WAL flush, so
 * every emitting commit of every process waited for the one before it.
 * Now a commit queues its emits in `stator_emits_pending`, and
 * `stator_read_emits` first numbers what is queued — under the head row's
 * lock, in arrival order, in one transaction per batch — then reads the log.
 * Positions still have no gaps and never appear below one a reader has seen:
 * they are handed out only by these numbering transactions, which commit one
 * at a time. Readers number the queue, so emits of a process that died are
 * numbered by whoever reads next.
 */
export function emitSequencerSql(s: string, channel: string): string {
  return `
    CREATE SEQUENCE ${s}.stator_emits_pending_n;
    CREATE TABLE ${s}.stator_emits_pending (
      n         bigint PRIMARY KEY DEFAULT nextval('${s}.stator_emits_pending_n'),
${EMIT_COLUMNS}
    ) WITH (autovacuum_vacuum_scale_factor = 0.01);
    ALTER SEQUENCE ${s}.stator_emits_pending_n OWNED BY ${s}.stator_emits_pending.n;

    CREATE FUNCTION ${s}.stator_read_emits(p_after bigint, p_limit int)
      RETURNS TABLE ("position" bigint, machine text, id text, seq bigint, idx bigint,
                     effect_id text, event text, at double precision)
      LANGUAGE plpgsql AS $fn$
    #variable_conflict use_column
    BEGIN
      IF EXISTS (SELECT 1 FROM ${s}.stator_emits_pending) THEN
        -- One numbering at a time, until its commit; the next statement sees what it left.
        PERFORM 1 FROM ${s}.stator_emit_head FOR UPDATE;
        WITH taken AS (
          DELETE FROM ${s}.stator_emits_pending p
          WHERE p.n IN (SELECT q.n FROM ${s}.stator_emits_pending q ORDER BY q.n LIMIT ${SEQUENCE_BATCH})
          RETURNING p.*
        ), numbered AS (
          SELECT t.*, row_number() OVER (ORDER BY t.n) AS k FROM taken t
        ), head AS (
          UPDATE ${s}.stator_emit_head h SET position = h.position + (SELECT count(*) FROM taken)
          WHERE EXISTS (SELECT 1 FROM taken)
          RETURNING h.position - (SELECT count(*) FROM taken) AS base
        )
        INSERT INTO ${s}.stator_emits (position, machine, id, seq, idx, effect_id, event, at)
        SELECT head.base + x.k, x.machine, x.id, x.seq, x.idx, x.effect_id, x.event, x.at
        FROM numbered x, head;
      END IF;
      RETURN QUERY
        SELECT e.position, e.machine::text, e.id::text, e.seq, e.idx, e.effect_id, e.event, e.at
        FROM ${s}.stator_emits e WHERE e.position > p_after ORDER BY e.position LIMIT p_limit;
    END
    $fn$;

    CREATE OR REPLACE FUNCTION ${commitFunctionBody(s, channel, true, true)}`;
}

/**
 * Schema version 4: every event stores the id of the write that appended it,
 * and `stator_find_writes` tells which writes of a commit whose outcome is
 * unknown are there. It first takes the same per-instance advisory locks as
 * the commit, so a commit still running for those instances (its client gone)
 * finishes before the answer. `stator_meta` holds the readiness probe's row.
 */
export function writeIdsSql(s: string, channel: string): string {
  const lockPrefix = `'${s.replaceAll('"', '')}' || chr(31) || `;
  return `
    ALTER TABLE ${s}.stator_events ADD COLUMN write_id text;
    ALTER TYPE ${s}.stator_write_in ADD ATTRIBUTE ev_write_id text;
    CREATE TABLE ${s}.stator_meta (key text PRIMARY KEY, value bytea);

    CREATE FUNCTION ${s}.stator_find_writes(p_refs json)
      RETURNS TABLE (i int, found boolean)
      LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM pg_advisory_xact_lock(k) FROM (
        SELECT DISTINCT hashtextextended(${lockPrefix}r.machine || chr(31) || r.id, 0) AS k
        FROM json_to_recordset(p_refs) AS r(machine text, id text) ORDER BY 1) locks;
      RETURN QUERY
        SELECT r.i, CASE WHEN r.kind = 'event' THEN EXISTS (
                 SELECT 1 FROM ${s}.stator_events e
                 WHERE e.machine = r.machine AND e.id = r.id AND e.seq = r.seq
                   AND e.write_id = r.write_id)
               ELSE EXISTS (
                 SELECT 1 FROM ${s}.stator_audit a
                 WHERE a.machine = r.machine AND a.id = r.id AND a.transition_id = r.transition_id)
               END
        FROM json_to_recordset(p_refs)
          AS r(i int, kind text, machine text, id text, seq bigint, write_id text, transition_id text)
        ORDER BY r.i;
    END
    $fn$;

    CREATE OR REPLACE FUNCTION ${commitFunctionBody(s, channel, true, true, true)}`;
}
