/** `stator/postgres`: the PostgreSQL store, for several Stator processes sharing one database. */
export { migratePostgresSchema } from './store/postgres/migrate-schema.js';
export type {
  PostgresPoolOptions,
  PostgresStoreOptions,
} from './store/postgres/postgres-store.js';
export { postgresStore } from './store/postgres/postgres-store.js';
export type { MigrationResult } from './store/postgres/schema-migrations.js';
