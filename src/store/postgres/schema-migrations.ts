import type pg from 'pg';
import { StatorError } from '../../core/errors.js';
import {
  commitFunctionSql,
  emitSequencerSql,
  firedTimerGuardsSql,
  writeIdsSql,
} from './commit-function.js';
import { tablesSql } from './tables.js';

/** Where a migration puts things: the quoted schema and its wake channel. */
export interface SchemaNames {
  readonly schema: string;
  readonly qschema: string;
  readonly channel: string;
}

/** One schema step. Applied once, in order, inside the transaction that records it. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (names: SchemaNames) => string;
}

/**
 * The schema, as versioned migrations. Never edit a released migration: add the
 * next one (a changed commit function is `CREATE OR REPLACE FUNCTION` in a new step).
 */
export const SCHEMA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tables, indexes and the commit function',
    sql: ({ qschema, channel }) => tablesSql(qschema) + commitFunctionSql(qschema, channel),
  },
  {
    version: 2,
    name: 'fired-timer guards in the commit function',
    sql: ({ qschema, channel }) => firedTimerGuardsSql(qschema, channel),
  },
  {
    version: 3,
    name: 'emits numbered when read, not under a lock held to commit',
    sql: ({ qschema, channel }) => emitSequencerSql(qschema, channel),
  },
  {
    version: 4,
    name: 'write ids on events, stator_find_writes, and the readiness probe table',
    sql: ({ qschema, channel }) => writeIdsSql(qschema, channel),
  },
  {
    version: 5,
    name: 'machine versions: fingerprint and description of each registered version',
    sql: ({ qschema }) => `
      CREATE TABLE ${qschema}.stator_machine_versions (
        machine       text COLLATE "C" NOT NULL,
        version       text COLLATE "C" NOT NULL,
        fingerprint   text NOT NULL,
        description   text NOT NULL,
        registered_at double precision NOT NULL,
        PRIMARY KEY (machine, version)
      );`,
  },
];

export const LATEST_VERSION = SCHEMA_MIGRATIONS.at(-1)?.version ?? 0;

/** What `migrate` did: the schema version before and after. */
export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/**
 * Bring the schema up to date: create it if missing, then apply every migration
 * newer than the one recorded in `<schema>.stator_migrations`, all in one
 * transaction that first takes an advisory lock on the schema, so processes
 * starting at once apply each step exactly once (the others wait, then find
 * nothing to do). Refuses a schema migrated by a newer Stator.
 */
export async function applySchemaMigrations(
  client: pg.ClientBase,
  names: SchemaNames,
  migrations: readonly Migration[] = SCHEMA_MIGRATIONS,
): Promise<MigrationResult> {
  const { schema, qschema } = names;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `stator:migrate:${schema}`,
    ]);
    // Check first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${qschema}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${qschema}.stator_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const from = await versionIn(client, qschema);
    const latest = migrations.at(-1)?.version ?? 0;
    if (from > latest) throw tooNew(schema, from, latest);
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      await client.query(migration.sql(names));
      await client.query(
        `INSERT INTO ${qschema}.stator_migrations (version, name) VALUES ($1, $2)`,
        [migration.version, migration.name],
      );
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, latest) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** The version of the newest applied migration; 0 when the schema or its table is missing. */
export async function schemaVersion(client: pg.ClientBase, qschema: string): Promise<number> {
  const table = await client.query('SELECT to_regclass($1) AS t', [`${qschema}.stator_migrations`]);
  if (table.rows[0]?.t === null) return 0;
  return versionIn(client, qschema);
}

async function versionIn(client: pg.ClientBase, qschema: string): Promise<number> {
  const { rows } = await client.query<{ v: number | null }>(
    `SELECT max(version) AS v FROM ${qschema}.stator_migrations`,
  );
  return rows[0]?.v ?? 0;
}

/** `open()` with `migrateSchema: false` on a schema that is not at this Stator's version. */
export function assertCurrent(schema: string, version: number): void {
  if (version > LATEST_VERSION) throw tooNew(schema, version, LATEST_VERSION);
  if (version < LATEST_VERSION) {
    throw new StatorError(
      'STORE_ERROR',
      `The PostgreSQL schema "${schema}" is at version ${version}, but this Stator needs version ${LATEST_VERSION}. Run migratePostgresSchema({ url, schema: "${schema}" }) from 'stator/postgres', or open one store with migrateSchema: true.`,
      { schema, schemaVersion: version, supportedVersion: LATEST_VERSION },
    );
  }
}

function tooNew(schema: string, version: number, latest: number): StatorError {
  return new StatorError(
    'STORE_ERROR',
    `The PostgreSQL schema "${schema}" is at version ${version}, newer than this Stator knows (${latest}). Upgrade Stator to open it.`,
    { schema, schemaVersion: version, supportedVersion: latest },
  );
}
