import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from './schema.js';

describe('sqlite schema', () => {
  let db: Database.Database;

  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => {
    db.close();
  });

  const tables = () =>
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  const plan = (sql: string) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join('\n');

  it('migration 1 creates every table and records itself', () => {
    migrate(db);
    expect(tables()).toEqual([
      'stator_audit',
      'stator_events',
      'stator_idempotency',
      'stator_instances',
      'stator_migrations',
      'stator_outbox',
      'stator_snapshots',
      'stator_timers',
    ]);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
  });

  it('is idempotent: migrating again applies nothing', () => {
    migrate(db);
    migrate(db);
    expect(db.prepare('SELECT version FROM stator_migrations').pluck().all()).toEqual([1]);
  });

  it('applies only the migrations newer than the database, in order', () => {
    migrate(db);
    const next = {
      version: 2,
      name: 'add a column',
      sql: 'ALTER TABLE stator_outbox ADD COLUMN lease TEXT',
    };
    migrate(db, [...MIGRATIONS, next]);
    migrate(db, [...MIGRATIONS, next]);
    expect(db.prepare('SELECT version FROM stator_migrations').pluck().all()).toEqual([1, 2]);
  });

  it('rolls a failing migration back entirely', () => {
    migrate(db);
    const broken = {
      version: 2,
      name: 'broken',
      sql: 'CREATE TABLE t2 (x); SELECT * FROM nowhere',
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables()).not.toContain('t2');
  });

  it('refuses a database written by a newer schema with STORE_ERROR', () => {
    migrate(db);
    db.prepare('INSERT INTO stator_migrations VALUES (99, ?, 0)').run('from the future');
    expect(() => migrate(db)).toThrow(expect.objectContaining({ code: 'STORE_ERROR' }));
  });

  it('serves the hot and scheduled queries from indexes', () => {
    migrate(db);
    expect(plan('SELECT * FROM stator_timers WHERE due_at <= 1 ORDER BY due_at LIMIT 100')).toMatch(
      /stator_timers_by_due_at/,
    );
    expect(
      plan(
        'SELECT * FROM stator_outbox WHERE next_attempt_at <= 1 ORDER BY next_attempt_at LIMIT 100',
      ),
    ).toMatch(/stator_outbox_by_next_attempt/);
    expect(
      plan(
        "SELECT id FROM stator_instances WHERE machine = 'm' AND state_key = 's' AND status = 'active'",
      ),
    ).toMatch(/stator_instances_by_state/);
    expect(
      plan(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM stator_audit WHERE machine = 'm' AND id = 'i'",
      ),
    ).toMatch(/COVERING INDEX stator_audit_by_position/);
  });
});
