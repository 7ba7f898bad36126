import { storeErrors } from '../store-errors.js';
import type { CommitLog, CommitWrite, Store, WriteOutcome, WriteRef } from '../types.js';
import { sqliteCommitFailure } from './commit-failure.js';
import { type SqliteConfig, type SqliteStoreOptions, sqliteConfig } from './connection.js';
import { sqliteInstanceReads } from './instance-reads.js';
import { sqliteApiKeys, sqliteEmitLog } from './keys-emits.js';
import { sqliteMachineVersions } from './machine-versions.js';
import { openConnection, type SqliteTestHooks } from './open-connection.js';
import { SqliteRunner, STORE } from './runner.js';
import { sqliteStats } from './stats.js';
import { sqliteOutboxQueue, sqliteTimerQueue } from './work-queue.js';

export type { SqliteStoreOptions } from './connection.js';
export type { SqliteTestHooks } from './open-connection.js';

/** The probe writes this much (a few pages), so it fails where a real commit would. */
const PROBE_BYTES = 16 * 1024;

/**
 * The embedded store: one SQLite file in WAL mode, written through better-sqlite3.
 * `open()` creates the file (and its directory) and applies schema migrations;
 * each `commit` is one `BEGIN IMMEDIATE` transaction, durable when it resolves
 * (with the default `synchronous: 'FULL'`). The file is held by this store
 * alone while it is open (`exclusive`, default true); with `exclusive: false`
 * several stores may share it, a writer waiting up to `busyTimeoutMs` for
 * another's lock.
 *
 * @example
 * import { sqliteStore } from 'stator/sqlite';
 *
 * const store = sqliteStore({ path: './data/stator.db' });
 * await store.open();
 * const events = await store.readEvents({ machine: 'order', id: 'o-1' }, { limit: 50 });
 * await store.close();
 */
export function sqliteStore(options: SqliteStoreOptions): Store {
  return composeStore(sqliteConfig(options), {});
}

/** For tests: a store with `hooks` (see SqliteTestHooks). */
export function sqliteStoreForTests(options: SqliteStoreOptions, hooks: SqliteTestHooks): Store {
  return composeStore(sqliteConfig(options), hooks);
}

function composeStore(config: SqliteConfig, hooks: SqliteTestHooks): Store {
  const r = new SqliteRunner();
  return {
    kind: STORE,
    async open() {
      if (r.connection === 'closed') throw storeErrors.closed(STORE);
      if (r.connection !== 'new') return;
      r.connection = openConnection(config, hooks);
    },
    async close(): Promise<void> {
      const connection = r.connection;
      r.connection = 'closed';
      if (typeof connection !== 'object') return;
      await connection.checkpointer?.close();
      await connection.wal?.close();
      connection.db.close();
      connection.lock?.release();
    },
    ...sqliteCommitLog(r),
    ...sqliteInstanceReads(r),
    ...sqliteTimerQueue(r),
    ...sqliteOutboxQueue(r),
    ...sqliteEmitLog(r),
    ...sqliteApiKeys(r),
    ...sqliteMachineVersions(r),
    ...sqliteStats(r),
  };
}

/** Commits, the lookup of writes whose outcome was unknown, and the readiness probe. */
function sqliteCommitLog(r: SqliteRunner): CommitLog {
  return {
    async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
      const { commit, wal, checkpointer } = r.use();
      if (writes.length === 0) return [];
      let outcomes: WriteOutcome[];
      try {
        // better-sqlite3 rolls the transaction back before rethrowing.
        outcomes = commit.immediate(writes);
      } catch (cause) {
        throw storeErrors.commitFailed(STORE, cause, sqliteCommitFailure(cause));
      }
      checkpointer?.wrote(writes.length);
      // A lone write is flushed on the spot; a batch (load) has its flush overlap the next.
      await r.flushed(wal?.written(writes.length === 1));
      return outcomes;
    },
    async findWrites(refs: readonly WriteRef[]): Promise<boolean[]> {
      return r.read('look for writes', (s) =>
        refs.map((ref) =>
          ref.kind === 'event'
            ? s.eventWriteId.get(ref.machine, ref.id, ref.seq) === ref.writeId
            : s.auditHasTransition.get(ref.machine, ref.id, ref.transitionId) !== undefined,
        ),
      );
    },
    async probe(): Promise<void> {
      await r.write('commit the readiness probe', (s) => s.probe.run(PROBE_BYTES));
    },
  };
}
