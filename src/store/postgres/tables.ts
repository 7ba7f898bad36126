/**
 * The tables of migration 1, for the schema `s` (a quoted identifier).
 *
 * - Keys and state keys are `COLLATE "C"`: byte order, as in the other
 *   adapters, and prefix ranges on `state_key` that the btree can serve.
 * - JSON values are `text` holding `JSON.stringify` output: byte-exact, and
 *   unlike jsonb they keep `\u0000` and lone surrogates (escaped) that the
 *   contract round-trips. NULL stands for `null` in the nullable ones.
 * - Times are `double precision` milliseconds: exact for every integer below
 *   2^53 and for fractions, like a JavaScript number.
 * - Timers and outbox rows are inserted and deleted all day: autovacuum runs on
 *   them after 1% of the rows changed instead of 20%.
 * - Instance rows are updated by every event: free space on their pages lets
 *   an update that leaves the state as it was be HOT (no index writes).
 */
/**
 * An emit's columns (after its number): in the log, `stator_emits`, and from
 * schema version 3 in the queue of emits not yet numbered, `stator_emits_pending`.
 */
export const EMIT_COLUMNS = `      machine   text COLLATE "C" NOT NULL,
      id        text COLLATE "C" NOT NULL,
      seq       bigint NOT NULL,
      idx       bigint NOT NULL,
      effect_id text   NOT NULL,
      event     text   NOT NULL,
      at        double precision NOT NULL`;

export function tablesSql(s: string): string {
  return `
    CREATE TABLE ${s}.stator_instances (
      machine          text COLLATE "C" NOT NULL,
      id               text COLLATE "C" NOT NULL,
      version          text   NOT NULL,
      value            text   NOT NULL,
      state_key        text COLLATE "C" NOT NULL,
      context          text,
      status           text   NOT NULL,
      seq              bigint NOT NULL,
      state_entered_at double precision NOT NULL,
      created_at       double precision NOT NULL,
      updated_at       double precision NOT NULL,
      parent           text,
      PRIMARY KEY (machine, id)
    ) WITH (fillfactor = 85);
    CREATE INDEX stator_instances_by_state ON ${s}.stator_instances (machine, state_key, status);
    -- Parallel-state instances (several paths in state_key), for listing by a region's state.
    CREATE INDEX stator_instances_parallel ON ${s}.stator_instances (machine, state_key)
      WHERE strpos(state_key, ',') > 0;

    CREATE TABLE ${s}.stator_events (
      machine         text COLLATE "C" NOT NULL,
      id              text COLLATE "C" NOT NULL,
      seq             bigint NOT NULL,
      type            text   NOT NULL,
      payload         text   NOT NULL,
      actor           text,
      recorded_at     double precision NOT NULL,
      idempotency_key text,
      trace_context   text,
      PRIMARY KEY (machine, id, seq)
    );

    CREATE TABLE ${s}.stator_snapshots (
      machine  text COLLATE "C" NOT NULL,
      id       text COLLATE "C" NOT NULL,
      seq      bigint NOT NULL,
      version  text   NOT NULL,
      snapshot text,
      taken_at double precision NOT NULL,
      PRIMARY KEY (machine, id, seq)
    );

    CREATE TABLE ${s}.stator_timers (
      machine     text COLLATE "C" NOT NULL,
      id          text COLLATE "C" NOT NULL,
      timer_id    text COLLATE "C" NOT NULL,
      due_at      double precision NOT NULL,
      event       text   NOT NULL,
      target      text   NOT NULL,
      set_by_seq  bigint NOT NULL,
      attempts    bigint NOT NULL DEFAULT 0,
      status      text   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dead')),
      last_error  text,
      lease_owner text,
      lease_until double precision,
      PRIMARY KEY (machine, id, timer_id)
    ) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
    -- The scheduler reads only pending timers, earliest first; dead ones stay out of its index.
    CREATE INDEX stator_timers_pending ON ${s}.stator_timers (due_at, machine, id, timer_id)
      WHERE status = 'pending';
    CREATE INDEX stator_timers_dead ON ${s}.stator_timers (machine, id, timer_id)
      WHERE status = 'dead';

    CREATE TABLE ${s}.stator_outbox (
      effect_id       text COLLATE "C" NOT NULL PRIMARY KEY,
      machine         text COLLATE "C" NOT NULL,
      id              text COLLATE "C" NOT NULL,
      seq             bigint NOT NULL,
      idx             bigint NOT NULL,
      effect          text   NOT NULL,
      attempts        bigint NOT NULL,
      next_attempt_at double precision NOT NULL,
      created_at      double precision NOT NULL,
      status          text   NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'started', 'dead')),
      last_error      text,
      lease_owner     text,
      lease_until     double precision
    ) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
    CREATE INDEX stator_outbox_by_instance ON ${s}.stator_outbox (machine, id, seq, idx);
    CREATE INDEX stator_outbox_due ON ${s}.stator_outbox (next_attempt_at, machine, id, seq, idx)
      WHERE status IN ('pending', 'started');
    CREATE INDEX stator_outbox_dead ON ${s}.stator_outbox (machine, id, seq, idx)
      WHERE status = 'dead';

    -- position numbers an instance's decisions 1, 2, …; appenders of one instance are serialized.
    CREATE TABLE ${s}.stator_audit (
      machine       text COLLATE "C" NOT NULL,
      id            text COLLATE "C" NOT NULL,
      position      bigint NOT NULL,
      transition_id text   NOT NULL,
      seq           bigint,
      actor         text,
      event_type    text   NOT NULL,
      from_state    text,
      to_state      text,
      at            double precision NOT NULL,
      trace_id      text,
      outcome       text   NOT NULL,
      reason        text,
      PRIMARY KEY (machine, id, position)
    );

    CREATE TABLE ${s}.stator_idempotency (
      machine     text COLLATE "C" NOT NULL,
      id          text COLLATE "C" NOT NULL,
      key         text COLLATE "C" NOT NULL,
      fingerprint text   NOT NULL,
      seq         bigint NOT NULL,
      result      text,
      created_at  double precision NOT NULL,
      PRIMARY KEY (machine, id, key)
    );

    -- Positions come from stator_emit_head, under its row lock: in commit order, with no
    -- gaps (see commit-function.ts; from version 3 commits queue emits and reads number them).
    CREATE TABLE ${s}.stator_emits (
      position  bigint NOT NULL PRIMARY KEY,
${EMIT_COLUMNS}
    );
    CREATE TABLE ${s}.stator_emit_head (
      one      boolean PRIMARY KEY DEFAULT true CHECK (one),
      position bigint NOT NULL
    );
    INSERT INTO ${s}.stator_emit_head (position) VALUES (0);

    CREATE TABLE ${s}.stator_cursors (
      subscriber text COLLATE "C" NOT NULL PRIMARY KEY,
      position   bigint NOT NULL
    );

    CREATE TABLE ${s}.stator_api_keys (
      key_id     text COLLATE "C" NOT NULL PRIMARY KEY,
      hash       text   NOT NULL UNIQUE,
      name       text   NOT NULL,
      subject    text   NOT NULL,
      roles      text   NOT NULL,
      created_at double precision NOT NULL,
      revoked_at double precision
    );
  `;
}
