import type Database from 'better-sqlite3';
import { StatorError } from '../../core/errors.js';

/** One schema step. Applied once, in order, inside the transaction that records it. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema, as versioned migrations. Never edit a released migration: add the
 * next one. JSON columns hold `JSON.stringify` text; NULL stands for `null` in
 * the nullable ones. Tables keyed by instance are WITHOUT ROWID so the primary
 * key is the table (one B-tree per insert, not two).
 */
export const SCHEMA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE stator_instances (
        machine          TEXT    NOT NULL,
        id               TEXT    NOT NULL,
        version          TEXT    NOT NULL,
        value            TEXT    NOT NULL,
        state_key        TEXT    NOT NULL,
        context          TEXT,
        status           TEXT    NOT NULL,
        seq              INTEGER NOT NULL,
        state_entered_at INTEGER NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        PRIMARY KEY (machine, id)
      ) WITHOUT ROWID;
      CREATE INDEX stator_instances_by_state ON stator_instances (machine, state_key, status);

      CREATE TABLE stator_events (
        machine         TEXT    NOT NULL,
        id              TEXT    NOT NULL,
        seq             INTEGER NOT NULL,
        type            TEXT    NOT NULL,
        payload         TEXT    NOT NULL,
        actor           TEXT,
        recorded_at     INTEGER NOT NULL,
        idempotency_key TEXT,
        trace_context   TEXT,
        PRIMARY KEY (machine, id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE stator_snapshots (
        machine  TEXT    NOT NULL,
        id       TEXT    NOT NULL,
        seq      INTEGER NOT NULL,
        version  TEXT    NOT NULL,
        snapshot TEXT,
        taken_at INTEGER NOT NULL,
        PRIMARY KEY (machine, id, seq)
      );

      CREATE TABLE stator_timers (
        machine     TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        timer_id    TEXT    NOT NULL,
        due_at      INTEGER NOT NULL,
        event       TEXT    NOT NULL,
        target      TEXT    NOT NULL,
        set_by_seq  INTEGER NOT NULL,
        PRIMARY KEY (machine, id, timer_id)
      ) WITHOUT ROWID;
      CREATE INDEX stator_timers_by_due_at ON stator_timers (due_at);

      CREATE TABLE stator_outbox (
        effect_id       TEXT    NOT NULL PRIMARY KEY,
        machine         TEXT    NOT NULL,
        id              TEXT    NOT NULL,
        seq             INTEGER NOT NULL,
        idx             INTEGER NOT NULL,
        effect          TEXT    NOT NULL,
        attempts        INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        created_at      INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX stator_outbox_by_next_attempt ON stator_outbox (next_attempt_at);
      CREATE INDEX stator_outbox_by_instance ON stator_outbox (machine, id, seq, idx);

      -- audit_id orders all decisions store-wide; position numbers them per instance.
      CREATE TABLE stator_audit (
        audit_id      INTEGER PRIMARY KEY,
        machine       TEXT    NOT NULL,
        id            TEXT    NOT NULL,
        position      INTEGER NOT NULL,
        transition_id TEXT    NOT NULL,
        seq           INTEGER,
        actor         TEXT,
        event_type    TEXT    NOT NULL,
        from_state    TEXT,
        to_state      TEXT,
        at            INTEGER NOT NULL,
        trace_id      TEXT,
        outcome       TEXT    NOT NULL,
        reason        TEXT
      );
      CREATE UNIQUE INDEX stator_audit_by_position ON stator_audit (machine, id, position);

      CREATE TABLE stator_idempotency (
        machine     TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        key         TEXT    NOT NULL,
        fingerprint TEXT    NOT NULL,
        seq         INTEGER NOT NULL,
        result      TEXT,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (machine, id, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'leases, retries and dead letters; emit log, cursors, API keys, parent links',
    sql: `
      -- The parent instance of a durable child, as JSON {machine, id, activityId}.
      ALTER TABLE stator_instances ADD COLUMN parent TEXT;
      -- Parallel-state instances (several paths in state_key), for listing by a region's state.
      CREATE INDEX stator_instances_parallel ON stator_instances (machine, state_key)
        WHERE instr(state_key, ',') > 0;

      ALTER TABLE stator_timers ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE stator_timers ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'dead'));
      ALTER TABLE stator_timers ADD COLUMN last_error TEXT;
      ALTER TABLE stator_timers ADD COLUMN lease_owner TEXT;
      ALTER TABLE stator_timers ADD COLUMN lease_until INTEGER;
      -- The scheduler reads only pending timers, earliest first; dead ones stay out of its index.
      DROP INDEX stator_timers_by_due_at;
      CREATE INDEX stator_timers_pending ON stator_timers (due_at, machine, id, timer_id)
        WHERE status = 'pending';
      CREATE INDEX stator_timers_dead ON stator_timers (machine, id, timer_id)
        WHERE status = 'dead';

      ALTER TABLE stator_outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'started', 'dead'));
      ALTER TABLE stator_outbox ADD COLUMN last_error TEXT;
      ALTER TABLE stator_outbox ADD COLUMN lease_owner TEXT;
      ALTER TABLE stator_outbox ADD COLUMN lease_until INTEGER;
      DROP INDEX stator_outbox_by_next_attempt;
      CREATE INDEX stator_outbox_due ON stator_outbox (next_attempt_at, machine, id, seq, idx)
        WHERE status IN ('pending', 'started');
      CREATE INDEX stator_outbox_dead ON stator_outbox (machine, id, seq, idx)
        WHERE status = 'dead';

      -- AUTOINCREMENT: a position is never handed out twice, even after the newest row is deleted.
      CREATE TABLE stator_emits (
        position  INTEGER PRIMARY KEY AUTOINCREMENT,
        machine   TEXT    NOT NULL,
        id        TEXT    NOT NULL,
        seq       INTEGER NOT NULL,
        idx       INTEGER NOT NULL,
        effect_id TEXT    NOT NULL,
        event     TEXT    NOT NULL,
        at        INTEGER NOT NULL
      );

      CREATE TABLE stator_cursors (
        subscriber TEXT    NOT NULL PRIMARY KEY,
        position   INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE stator_api_keys (
        key_id     TEXT    NOT NULL PRIMARY KEY,
        hash       TEXT    NOT NULL UNIQUE,
        name       TEXT    NOT NULL,
        subject    TEXT    NOT NULL,
        roles      TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'write ids on events; a table for the readiness probe',
    sql: `
      -- The id of the write that appended the event: after a commit whose outcome is
      -- unknown, the engine looks for it before retrying (NULL for older events).
      ALTER TABLE stator_events ADD COLUMN write_id TEXT;

      -- Small keyed values the store keeps for itself (the readiness probe's row).
      CREATE TABLE stator_meta (
        key   TEXT NOT NULL PRIMARY KEY,
        value BLOB
      );
    `,
  },
  {
    version: 4,
    name: 'machine versions: fingerprint and description of each registered version',
    sql: `
      CREATE TABLE stator_machine_versions (
        machine       TEXT    NOT NULL,
        version       TEXT    NOT NULL,
        fingerprint   TEXT    NOT NULL,
        description   TEXT    NOT NULL,
        registered_at INTEGER NOT NULL,
        PRIMARY KEY (machine, version)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'the state index covers state_entered_at: the state gauges read the index alone',
    sql: `
      -- The gauges' count and oldest entry per state looked up every row's state_entered_at
      -- in the table: ~0.8 s of the event loop per refresh at 1,000,000 instances.
      DROP INDEX stator_instances_by_state;
      CREATE INDEX stator_instances_by_state
        ON stator_instances (machine, state_key, status, state_entered_at);
    `,
  },
  {
    version: 6,
    name: 'an applied event carries its own audit entry',
    sql: `
      -- The audit entry of an applied event, on the event's row: one row and one index entry
      -- fewer per transition than a stator_audit row. NULL audit_position: the entry is in
      -- stator_audit (events written before this migration, and entries that do not fit).
      ALTER TABLE stator_events ADD COLUMN audit_position INTEGER;
      ALTER TABLE stator_events ADD COLUMN transition_id TEXT;
      ALTER TABLE stator_events ADD COLUMN from_state TEXT;
      ALTER TABLE stator_events ADD COLUMN to_state TEXT;
      ALTER TABLE stator_events ADD COLUMN trace_id TEXT;
    `,
  },
];

/**
 * Bring the schema up to date: apply every migration newer than the database's,
 * in one IMMEDIATE transaction (so two processes opening the same file at once
 * apply each step once). Idempotent. Refuses a database migrated by a newer Stator.
 */
export function applySchemaMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = SCHEMA_MIGRATIONS,
): void {
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS stator_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL,
        applied_at INTEGER NOT NULL
      )
    `);
    const current = schemaVersion(db);
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new StatorError(
        'STORE_ERROR',
        `The database schema is at version ${current}, newer than this Stator knows (${latest}). Upgrade Stator to open it.`,
        { schemaVersion: current, supportedVersion: latest },
      );
    }
    const record = db.prepare(
      'INSERT INTO stator_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    }
  }).immediate();
}

/** The version of the newest applied migration; 0 for a fresh database. */
export function schemaVersion(db: Database.Database): number {
  const row = db
    .prepare<[], { version: number | null }>(
      'SELECT MAX(version) AS version FROM stator_migrations',
    )
    .get();
  return row?.version ?? 0;
}
