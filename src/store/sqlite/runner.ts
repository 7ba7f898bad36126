import type Database from 'better-sqlite3';
import { isStatorError } from '../../core/errors.js';
import type { OutboxRecord, TimerRecord } from '../sql/rows.js';
import { storeErrors } from '../store-errors.js';
import type { CommitWrite, Lease, WriteOutcome } from '../types.js';
import type { Checkpointer } from './checkpointer.js';
import type { FileLock } from './file-lock.js';
import type { InstanceLister } from './list-instances.js';
import type { Statements } from './statements.js';
import type { WalSync } from './wal-sync.js';

export const STORE = 'sqlite';

/** A statement for `SqliteRunner.readAside` and its parameters. */
// biome-ignore lint/suspicious/noExplicitAny: a statement of any parameter list
export type AsideRead<R = unknown> = readonly [Database.Statement<any[], R>, ...unknown[]];
/** The rows of each of `readAside`'s reads, in order. */
type AsideRows<Q extends readonly AsideRead[]> = {
  [K in keyof Q]: Q[K] extends AsideRead<infer R> ? R[] : never;
};

/** What an open store works with: one connection and everything prepared on it. */
export interface Connection {
  readonly db: Database.Database;
  readonly statements: Statements;
  readonly commit: Database.Transaction<(writes: readonly CommitWrite[]) => WriteOutcome[]>;
  readonly claimTimers: (lease: Lease) => TimerRecord[];
  readonly claimOutbox: (lease: Lease) => OutboxRecord[];
  readonly instances: InstanceLister;
  /** Flushes the WAL off the event loop (synchronous FULL on a file); else undefined. */
  readonly wal: WalSync | undefined;
  /** Checkpoints the WAL on a worker thread (a file); else undefined. */
  readonly checkpointer: Checkpointer | undefined;
  /** The file held for this store alone (`exclusive`); else undefined. */
  readonly lock: FileLock | undefined;
}

/**
 * Runs the store's statements once it is open, for every port: checks that the
 * store is open, reports driver failures as STORE_ERROR naming the operation,
 * and answers reads and writes only once what they saw or wrote is on disk.
 */
export class SqliteRunner {
  connection: Connection | 'new' | 'closed' = 'new';

  use(): Connection {
    const connection = this.connection;
    if (typeof connection === 'object') return connection;
    throw connection === 'new' ? storeErrors.notOpen(STORE) : storeErrors.closed(STORE);
  }

  /** Run one statement outside `commit`, reporting driver failures as STORE_ERROR. */
  peek<T>(operation: string, run: (statements: Statements) => T): T {
    const { statements } = this.use();
    try {
      return run(statements);
    } catch (cause) {
      throw isStatorError(cause) ? cause : storeErrors.failed(STORE, operation, cause);
    }
  }

  /** A read whose rows are shown or acted on: answered once what it saw is on disk. */
  async read<T>(operation: string, run: (statements: Statements) => T): Promise<T> {
    const { wal } = this.use();
    const result = this.peek(operation, run);
    await this.flushed(wal?.barrier());
    return result;
  }

  /**
   * Reads that scan many rows (the metrics' grouped counts), run on the
   * checkpoint worker's connection in one snapshot so that they do not hold
   * the event loop; on the writer's connection when there is no worker (an
   * in-memory database, or the worker died). Resolves with each statement's
   * rows, in order; answered, like `read`, once what they saw is on disk.
   */
  async readAside<const Q extends readonly AsideRead[]>(
    operation: string,
    pick: (statements: Statements) => Q,
  ): Promise<AsideRows<Q>> {
    const { wal, checkpointer, statements } = this.use();
    const reads = pick(statements);
    const aside = checkpointer?.read(
      reads.map(([statement, ...params]) => ({ sql: statement.source, params })),
    );
    if (aside === undefined) {
      return this.read(
        operation,
        () => reads.map(([statement, ...params]) => statement.all(...params)) as AsideRows<Q>,
      );
    }
    let rows: AsideRows<Q>;
    try {
      rows = (await aside) as AsideRows<Q>;
    } catch (cause) {
      throw storeErrors.failed(STORE, operation, cause);
    }
    // All they saw was committed before the worker answered: the barrier covers it.
    await this.flushed(wal?.barrier());
    return rows;
  }

  /** A write outside `commit`: answered once it is on disk. */
  async write<T>(operation: string, run: (statements: Statements) => T): Promise<T> {
    const { wal, checkpointer } = this.use();
    const result = this.peek(operation, run);
    checkpointer?.wrote();
    await this.flushed(wal?.written(true));
    return result;
  }

  async flushed(flush: Promise<void> | undefined): Promise<void> {
    try {
      await flush;
    } catch (cause) {
      throw storeErrors.notDurable(STORE, cause);
    }
  }
}
