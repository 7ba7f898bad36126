import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { isStatorError } from '../../core/errors.js';
import { storeErrors } from '../store-errors.js';
import type { CommitWrite, Store, WakeTopic, WriteOutcome, WriteRef } from '../types.js';
import { commitBatch, commitStatement } from './commit.js';
import { postgresCommitFailure } from './commit-failure.js';
import {
  openPool,
  type PostgresConfig,
  type PostgresStoreOptions,
  postgresConfig,
} from './config.js';
import { instanceReads } from './instance-reads.js';
import { keysAndEmits } from './keys-emits.js';
import { machineVersions } from './machine-versions.js';
import { WakeListener } from './notify.js';
import type { Statement } from './query.js';
import { Runner, STORE } from './runner.js';
import { applySchemaMigrations, assertCurrent, schemaVersion } from './schema-migrations.js';
import { statements } from './statements.js';
import { stats } from './stats.js';
import { workQueue } from './work-queue.js';

export type { PostgresPoolOptions, PostgresStoreOptions } from './config.js';

/** The readiness probe's value: a few kilobytes, so it needs WAL space like a real commit. */
const PROBE = Buffer.alloc(8 * 1024);

/**
 * The scale-out store: PostgreSQL through a `pg` connection pool, shared by any
 * number of Stator processes. `open()` applies pending schema migrations (in
 * `schema`, default `stator`); each `commit` is one statement that runs the
 * whole batch in one transaction; timers and outbox rows are claimed with
 * `FOR UPDATE SKIP LOCKED` under leases; commits NOTIFY the other processes,
 * which hear it through `onWake` (LISTEN on one dedicated connection).
 * Nothing connects before `open()`.
 *
 * @example
 * import { createEngine } from 'stator';
 * import { postgresStore } from 'stator/postgres';
 *
 * const store = postgresStore({ url: process.env.DATABASE_URL!, pool: { max: 20 } });
 * const engine = await createEngine({ store, machines: [orderMachine] });
 */
export function postgresStore(options: PostgresStoreOptions): Store {
  const config = postgresConfig(options);
  const runner = new Runner();
  const life = new Lifecycle(options, config, runner);
  return {
    kind: STORE,
    open: () => life.open(),
    close: () => life.close(),
    commit: (writes) => life.commit(writes),
    findWrites: (refs) => life.findWrites(refs),
    probe: () => life.probe(),
    onWake: (listener) => life.onWake(listener),
    ...instanceReads(runner, config.schema, config.qschema),
    ...workQueue(runner),
    ...keysAndEmits(runner),
    ...machineVersions(runner),
    ...stats(runner),
  };
}

/** Opening (pool, migrations), committing, wake-ups and closing. */
class Lifecycle {
  readonly #options: PostgresStoreOptions;
  readonly #config: PostgresConfig;
  readonly #runner: Runner;
  /** Marks this store's own wake notifications, which its listener ignores. */
  readonly #token = randomUUID().slice(0, 12);
  readonly #commit: Statement;
  #pool: { pool: pg.Pool; owned: boolean } | undefined;
  #wake: WakeListener | undefined;
  #opening: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions, config: PostgresConfig, runner: Runner) {
    this.#options = options;
    this.#config = config;
    this.#runner = runner;
    this.#commit = commitStatement(config.qschema, config.schema);
  }

  open(): Promise<void> {
    const state = this.#runner.state;
    if (state === 'closed') return Promise.reject(storeErrors.closed(STORE));
    if (state === 'open') return Promise.resolve();
    this.#opening ??= this.#open().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    const { pool, owned } = openPool(this.#options);
    const { schema, qschema, channel } = this.#config;
    try {
      const client = await pool.connect();
      try {
        if (this.#config.migrateSchema)
          await applySchemaMigrations(client, { schema, qschema, channel });
        else assertCurrent(schema, await schemaVersion(client, qschema));
      } finally {
        client.release();
      }
    } catch (cause) {
      if (owned) await pool.end().catch(() => {});
      if (isStatorError(cause)) throw cause;
      throw storeErrors.failed(STORE, `open schema "${schema}"`, cause);
    }
    if (this.#runner.state === 'closed') {
      if (owned) await pool.end();
      throw storeErrors.closed(STORE);
    }
    this.#pool = { pool, owned };
    const listen = async () => {
      const client = new pg.Client(pool.options);
      await client.connect();
      return client;
    };
    this.#wake = new WakeListener(listen, channel, this.#token);
    this.#runner.attach({ pool, sql: statements(schema, qschema) });
  }

  async close(): Promise<void> {
    const open = this.#runner.state === 'open';
    this.#runner.close();
    if (!open) return;
    await this.#wake?.close();
    if (this.#pool?.owned) await this.#pool.pool.end();
  }

  async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
    const { pool } = this.#runner.use();
    if (writes.length === 0) return [];
    const token = this.#config.notify ? this.#token : null;
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (cause) {
      throw storeErrors.commitFailed(STORE, cause, postgresCommitFailure(cause, false));
    }
    // A connection lost mid-commit also emits 'error' on the client (as well as failing the
    // query); checked out of the pool it has no listener, and the process would crash.
    const onLost = () => {};
    client.on('error', onLost);
    try {
      const outcomes = await commitBatch(client, this.#commit, writes, token);
      client.release();
      return outcomes;
    } catch (cause) {
      const failure = postgresCommitFailure(cause, true);
      // A connection that failed mid-commit is not handed out again.
      client.release(failure.outcome === 'unknown' ? (cause as Error) : undefined);
      throw storeErrors.commitFailed(STORE, cause, failure);
    } finally {
      client.off('error', onLost);
    }
  }

  async findWrites(refs: readonly WriteRef[]): Promise<boolean[]> {
    if (refs.length === 0) return [];
    const payload = JSON.stringify(
      refs.map((ref, i) => ({
        i,
        ...ref,
        write_id: ref.kind === 'event' ? ref.writeId : null,
        transition_id: ref.kind === 'audit' ? ref.transitionId : null,
      })),
    );
    const rows = await this.#runner.rows('look for writes', 'findWrites', [payload]);
    const found = new Array<boolean>(refs.length).fill(false);
    for (const row of rows as { i: number; found: boolean }[]) found[row.i] = row.found;
    return found;
  }

  async probe(): Promise<void> {
    await this.#runner.rows('commit the readiness probe', 'probe', [PROBE]);
  }

  onWake(listener: (topic: WakeTopic) => void): () => void {
    this.#runner.use();
    if (!this.#config.notify) return () => {};
    return (this.#wake as WakeListener).add(listener);
  }
}
