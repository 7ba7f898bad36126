import { isStatorError } from '../../core/errors.js';
import { storeErrors } from '../store-errors.js';
import { openPool, type PostgresStoreOptions, postgresConfig } from './config.js';
import { applySchemaMigrations, type MigrationResult } from './schema-migrations.js';

export type { MigrationResult } from './schema-migrations.js';

/**
 * Apply pending schema migrations and return the version before and after,
 * without opening a store: for a deploy step that runs before the Stator
 * processes start (which then use `migrateSchema: false`). Safe to run from several
 * places at once: an advisory lock makes the others wait and find nothing to do.
 *
 * @example
 * import { migratePostgresSchema } from 'stator/postgres';
 *
 * const { from, to } = await migratePostgresSchema({ url: process.env.DATABASE_URL!, schema: 'stator' });
 * console.log(`schema at version ${to} (was ${from})`);
 */
export async function migratePostgresSchema(
  options: Pick<PostgresStoreOptions, 'url' | 'schema' | 'pool'>,
): Promise<MigrationResult> {
  const { schema, qschema, channel } = postgresConfig(options);
  const { pool, owned } = openPool({ ...options, pool: options.pool ?? { max: 1 } });
  try {
    const client = await pool.connect();
    try {
      return await applySchemaMigrations(client, { schema, qschema, channel });
    } finally {
      client.release();
    }
  } catch (cause) {
    if (isStatorError(cause)) throw cause;
    throw storeErrors.failed('postgres', `migrate schema "${schema}"`, cause);
  } finally {
    if (owned) await pool.end();
  }
}
