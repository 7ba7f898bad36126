import pg from 'pg';
import { errors } from '../../core/errors.js';

/** Pool settings for a pool the store creates itself (any `pg.PoolConfig` field but the URL). */
export type PostgresPoolOptions = Omit<pg.PoolConfig, 'connectionString'>;

export interface PostgresStoreOptions {
  /**
   * `postgres://user:pass@host:5432/db`. Needed unless `pool` is a `pg.Pool` you
   * created. Two Stator parameters may ride along, for `stator serve --db`:
   * `?schema=orders` (when `schema` is not given) and `?pool_max=20`.
   */
  readonly url?: string;
  /**
   * The PostgreSQL schema that holds Stator's tables: `[a-z_][a-z0-9_]*`, at most
   * 63 characters. Created by the first migration. Default `stator`.
   */
  readonly schema?: string;
  /**
   * Pool settings (default `{ max: 10 }`), or a `pg.Pool` you own: the store
   * uses it and leaves it open on `close()`. Listening for wakes (`onWake`)
   * takes one more connection of its own, with the pool's settings.
   */
  readonly pool?: PostgresPoolOptions | pg.Pool;
  /** Apply pending schema migrations on `open()`. Default true; when false, `open()` refuses an out-of-date schema. */
  readonly migrateSchema?: boolean;
  /**
   * NOTIFY other processes when a commit writes timers, outbox rows or emits, and
   * LISTEN for theirs (`onWake`). Default true; false behind a pooler in
   * transaction mode, where LISTEN does not work (processes then poll, once a second).
   */
  readonly notify?: boolean;
}

export interface PostgresConfig {
  readonly schema: string;
  /** The schema as a quoted identifier, ready to prefix table names. */
  readonly qschema: string;
  /** The LISTEN/NOTIFY channel of this schema. */
  readonly channel: string;
  readonly migrateSchema: boolean;
  readonly notify: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Check a schema name and quote it. Throws VALIDATION_FAILED for anything but `[a-z_][a-z0-9_]{0,62}`. */
export function quoteSchema(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw errors.validation(
      `The PostgreSQL schema name must match ${SCHEMA_NAME.source} (lower-case letters, digits, _; at most 63 characters), got ${JSON.stringify(schema)}.`,
      { schema },
    );
  }
  return `"${schema}"`;
}

/**
 * Stator's own query parameters of a URL (`?schema=…&pool_max=…`, for `--db`),
 * which are taken out before the URL reaches the driver.
 */
export function splitUrl(url: string | undefined): {
  url: string | undefined;
  schema?: string;
  poolMax?: number;
} {
  if (url === undefined || !/[?&](schema|pool_max)=/.test(url)) return { url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw errors.validation('The PostgreSQL URL is not a valid URL.');
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  const poolMax = parsed.searchParams.get('pool_max') ?? undefined;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('pool_max');
  return {
    url: parsed.toString(),
    ...(schema !== undefined && { schema }),
    ...(poolMax !== undefined && { poolMax: Number(poolMax) }),
  };
}

/** Check the options and fill in defaults; the result is frozen. */
export function postgresConfig(options: PostgresStoreOptions): PostgresConfig {
  const { migrateSchema = true, notify = true } = options;
  const fromUrl = splitUrl(options.url);
  const schema = options.schema ?? fromUrl.schema ?? 'stator';
  const { poolMax } = fromUrl;
  if (poolMax !== undefined && !(Number.isSafeInteger(poolMax) && poolMax > 0)) {
    throw errors.validation(
      `The "pool_max" URL parameter must be a whole number above 0, got ${String(poolMax)}.`,
    );
  }
  const qschema = quoteSchema(schema);
  const { url, pool } = options;
  if (!(pool instanceof pg.Pool) && (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url))) {
    throw errors.validation(
      'postgresStore needs a "url" such as postgres://user:pass@host:5432/db, or a pg.Pool as "pool".',
    );
  }
  // NAMEDATALEN: channel names longer than 63 bytes are refused by pg_notify.
  const channel = `${schema.slice(0, 58)}_wake`;
  return Object.freeze({ schema, qschema, channel, migrateSchema, notify });
}

/** The pool to use, and whether the store owns it (ends it on close). */
export function openPool(options: PostgresStoreOptions): { pool: pg.Pool; owned: boolean } {
  if (options.pool instanceof pg.Pool) return { pool: options.pool, owned: false };
  const { url, poolMax } = splitUrl(options.url);
  const pool = new pg.Pool({
    max: poolMax ?? 10,
    ...options.pool,
    connectionString: url,
    application_name: options.pool?.application_name ?? 'stator',
  });
  // An idle connection that breaks is dropped by the pool; without a listener it would crash the process.
  pool.on('error', () => {});
  return { pool, owned: true };
}
