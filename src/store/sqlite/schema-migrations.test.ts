import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instanceQueryBounds } from '../query.js';
import { listInstancesSql } from './list-instances.js';
import { applySchemaMigrations, SCHEMA_MIGRATIONS, schemaVersion } from './schema-migrations.js';
import { prepareStatements } from './statements.js';

const LATEST = SCHEMA_MIGRATIONS.at(-1)?.version ?? 0;

describe('sqlite schema', () => {
  let db: Database.Database;

  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => {
    db.close();
  });

  const tables = () =>
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'stator_%' ORDER BY name",
      )
      .pluck()
      .all();
  const plan = (sql: string, params: object | unknown[] = []) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(params)
      .map((row) => (row as { detail: string }).detail)
      .join('\n');

  it('creates every table and records each migration', () => {
    applySchemaMigrations(db);
    expect(tables()).toEqual([
      'stator_api_keys',
      'stator_audit',
      'stator_cursors',
      'stator_emits',
      'stator_events',
      'stator_idempotency',
      'stator_instances',
      'stator_machine_versions',
      'stator_meta',
      'stator_migrations',
      'stator_outbox',
      'stator_snapshots',
      'stator_timers',
    ]);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(db.prepare('SELECT version FROM stator_migrations').pluck().all()).toEqual(
      SCHEMA_MIGRATIONS.map((m) => m.version),
    );
  });

  it('is idempotent: migrating again applies nothing', () => {
    applySchemaMigrations(db);
    applySchemaMigrations(db);
    expect(db.prepare('SELECT version FROM stator_migrations').pluck().all()).toEqual(
      SCHEMA_MIGRATIONS.map((m) => m.version),
    );
  });

  it('applies only the migrations newer than the database, in order', () => {
    applySchemaMigrations(db, SCHEMA_MIGRATIONS.slice(0, 1));
    expect(schemaVersion(db)).toBe(1);
    const next = {
      version: LATEST + 1,
      name: 'add a column',
      sql: 'ALTER TABLE stator_outbox ADD COLUMN note TEXT',
    };
    applySchemaMigrations(db, [...SCHEMA_MIGRATIONS, next]);
    applySchemaMigrations(db, [...SCHEMA_MIGRATIONS, next]);
    expect(db.prepare('SELECT version FROM stator_migrations').pluck().all()).toEqual([
      ...SCHEMA_MIGRATIONS.map((m) => m.version),
      LATEST + 1,
    ]);
  });

  it('rolls a failing migration back entirely', () => {
    applySchemaMigrations(db);
    const broken = {
      version: LATEST + 1,
      name: 'broken',
      sql: 'CREATE TABLE t2 (x); SELECT * FROM nowhere',
    };
    expect(() => applySchemaMigrations(db, [...SCHEMA_MIGRATIONS, broken])).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(tables()).not.toContain('t2');
  });

  it('refuses a database written by a newer schema with STORE_ERROR', () => {
    applySchemaMigrations(db);
    db.prepare('INSERT INTO stator_migrations VALUES (99, ?, 0)').run('from the future');
    expect(() => applySchemaMigrations(db)).toThrow(
      expect.objectContaining({ code: 'STORE_ERROR' }),
    );
  });

  it('migration 2 gives rows of a version-1 database the documented defaults', () => {
    applySchemaMigrations(db, SCHEMA_MIGRATIONS.slice(0, 1));
    db.exec(`
      INSERT INTO stator_timers (machine, id, timer_id, due_at, event, target, set_by_seq)
      VALUES ('m', 'i', 't', 5, '{"type":"T"}', 'self', 1);
      INSERT INTO stator_outbox
        (effect_id, machine, id, seq, idx, effect, attempts, next_attempt_at, created_at)
      VALUES ('m/i/1/0', 'm', 'i', 1, 0, '{}', 2, 7, 1);
    `);
    applySchemaMigrations(db);
    expect(
      db.prepare('SELECT attempts, status, last_error, lease_owner FROM stator_timers').get(),
    ).toEqual({ attempts: 0, status: 'pending', last_error: null, lease_owner: null });
    expect(
      db.prepare('SELECT attempts, status, last_error, lease_until FROM stator_outbox').get(),
    ).toEqual({ attempts: 2, status: 'pending', last_error: null, lease_until: null });
  });

  it('migration 3 leaves the events of an older database without a write id', () => {
    applySchemaMigrations(db, SCHEMA_MIGRATIONS.slice(0, 2));
    db.exec(`
      INSERT INTO stator_events (machine, id, seq, type, payload, recorded_at)
      VALUES ('m', 'i', 1, 'xstate.init', '{}', 5);
    `);
    applySchemaMigrations(db);
    expect(db.prepare('SELECT seq, write_id FROM stator_events').get()).toEqual({
      seq: 1,
      write_id: null,
    });
  });

  it('rejects an unknown timer or outbox status', () => {
    applySchemaMigrations(db);
    expect(() =>
      db.exec(`INSERT INTO stator_timers (machine, id, timer_id, due_at, event, target, set_by_seq, status)
               VALUES ('m', 'i', 't', 5, '{}', 'self', 1, 'fired')`),
    ).toThrow(/CHECK/);
  });

  describe('query plans', () => {
    beforeEach(() => applySchemaMigrations(db));

    it('serves the commit path from indexes', () => {
      expect(
        plan(
          "SELECT COALESCE(MAX(position), 0) + 1 FROM stator_audit WHERE machine = 'm' AND id = 'i'",
        ),
      ).toMatch(/COVERING INDEX stator_audit_by_position/);
    });

    it('finds and claims due timers from the pending-only index, in order, without sorting', () => {
      const due = plan(`
        SELECT * FROM stator_timers
        WHERE status = 'pending' AND due_at <= 1 AND (lease_until IS NULL OR lease_until <= 1)
        ORDER BY due_at, machine, id, timer_id LIMIT 100`);
      expect(due).toMatch(/SEARCH stator_timers USING INDEX stator_timers_pending \(due_at<\?\)/);
      expect(due).not.toMatch(/TEMP B-TREE/);
      expect(plan("SELECT MIN(due_at) FROM stator_timers WHERE status = 'pending'")).toMatch(
        /COVERING INDEX stator_timers_pending/,
      );
      expect(
        plan(
          "UPDATE stator_timers SET lease_owner = 'a' WHERE machine = 'm' AND id = 'i' AND timer_id = 't'",
        ),
      ).toMatch(/PRIMARY KEY/);
      expect(
        plan(
          "SELECT * FROM stator_timers WHERE status = 'dead' ORDER BY machine, id, timer_id LIMIT 10",
        ),
      ).toMatch(/stator_timers_dead/);
    });

    it('finds and claims due outbox rows from the undispatched-only index, without sorting', () => {
      const due = plan(`
        SELECT * FROM stator_outbox
        WHERE status IN ('pending', 'started') AND next_attempt_at <= 1
          AND (lease_until IS NULL OR lease_until <= 1)
        ORDER BY next_attempt_at, machine, id, seq, idx LIMIT 100`);
      expect(due).toMatch(
        /SEARCH stator_outbox USING INDEX stator_outbox_due \(next_attempt_at<\?\)/,
      );
      expect(due).not.toMatch(/TEMP B-TREE/);
      expect(
        plan(
          "SELECT MIN(next_attempt_at) FROM stator_outbox WHERE status IN ('pending', 'started')",
        ),
      ).toMatch(/SEARCH stator_outbox USING INDEX stator_outbox_due/);
      expect(
        plan("SELECT * FROM stator_outbox WHERE status = 'dead' ORDER BY machine, id, seq, idx"),
      ).toMatch(/stator_outbox_dead/);
    });

    it('reads the emit log by position from the primary key', () => {
      expect(
        plan('SELECT * FROM stator_emits WHERE position > 5 ORDER BY position LIMIT 100'),
      ).toMatch(/SEARCH stator_emits USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    });

    it('lists instances by state from the state index, parallel states from their own index', () => {
      const { sql, params } = listInstancesSql(
        instanceQueryBounds({ machine: 'order', state: 'paid', status: 'active', afterId: 'o-1' }),
      );
      const detail = plan(sql, params);
      expect(detail).toMatch(
        /SEARCH stator_instances USING COVERING INDEX stator_instances_by_state \(machine=\? AND state_key>\? AND state_key<\?\)|SEARCH stator_instances USING INDEX stator_instances_by_state \(machine=\? AND state_key>\? AND state_key<\?\)/,
      );
      expect(detail).toMatch(/stator_instances_parallel \(machine=\?\)/);
      expect(detail).not.toMatch(/SCAN stator_instances/);
    });

    it('counts instances per state, with the oldest entry, from the state index alone', () => {
      // The statement the store's gauges run, as prepared.
      const detail = plan(prepareStatements(db).countByState.source, ['order']);
      expect(detail).toMatch(
        /SEARCH stator_instances USING COVERING INDEX stator_instances_by_state \(machine=\?\)/,
      );
      expect(detail).not.toMatch(/TEMP B-TREE/);
    });

    it('lists a machine’s instances in id order straight from the primary key', () => {
      const { sql, params } = listInstancesSql(
        instanceQueryBounds({ machine: 'order', afterId: 'o-1' }),
      );
      const detail = plan(sql, params);
      expect(detail).toMatch(/PRIMARY KEY \(machine=\? AND id>\?\)/);
      expect(detail).not.toMatch(/TEMP B-TREE/);
    });
  });
});
