import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { SqliteConfig } from './connection.js';

/**
 * The worker's code: its own connection to the file, running a PASSIVE checkpoint
 * (copy what the WAL holds into the database file, flushing both, never waiting
 * for the writer) each time it is asked, and answering the long reads sent to it
 * (`{ query, reads: [{ sql, params }] }`, all in one read transaction, see
 * `Checkpointer.read`). Plain CommonJS, so it runs the same from the TypeScript
 * sources and from the build.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('wal_autocheckpoint = 0');
const prepared = new Map();
const statement = (sql) => {
  let found = prepared.get(sql);
  if (found === undefined) prepared.set(sql, (found = db.prepare(sql)));
  return found;
};
// One snapshot for all the reads of a message, as they would have on the writer's thread.
const readAll = db.transaction((reads) => reads.map((r) => statement(r.sql).all(...r.params)));
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  if (typeof message === 'object' && message !== null) {
    try {
      parentPort.postMessage({ query: message.query, ok: true, rows: readAll(message.reads) });
    } catch (error) {
      parentPort.postMessage({ query: message.query, ok: false, error: String(error && error.message || error) });
    }
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, busy: result.busy, log: result.log, done: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
});
`;

/** SQLite's default automatic checkpoint threshold, in pages. */
const AUTOCHECKPOINT_PAGES = 1000;
/** WAL size, in pages (4 KiB each by default), past which the writer helps out. */
export const WAL_LIMIT_PAGES = 4 * AUTOCHECKPOINT_PAGES;

export interface CheckpointerConfig extends Pick<SqliteConfig, 'busyTimeoutMs' | 'synchronous'> {
  /** WAL size in pages past which the writer checkpoints too (default `WAL_LIMIT_PAGES`). */
  readonly walLimitPages?: number;
  /** Writes (one event each, ~10 WAL pages) between checkpoints (default `WRITES_PER_CHECKPOINT`). */
  readonly writesPerCheckpoint?: number;
  /** The better-sqlite3 module the worker loads (default: the one this package uses). */
  readonly driver?: string;
}

/** About SQLite's 1,000-page threshold at ~10 pages per event written alone. */
export const WRITES_PER_CHECKPOINT = 100;

type Reply = { ok: true; busy: number; log: number; done: number } | { ok: false; error: string };
type QueryReply = { query: number } & (
  | { ok: true; rows: unknown[][] }
  | { ok: false; error: string }
);

/** One SELECT for the worker: its SQL and parameters. */
export interface WorkerRead {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A read the worker failed (the message is SQLite's). */
export class WorkerReadError extends Error {}

/**
 * Checkpoints the WAL on a worker thread instead of inside a commit. SQLite's
 * automatic checkpoint runs in whichever commit pushes the WAL past 1000 pages:
 * that commit then copies the pages and flushes two files while the event loop
 * waits (5–15 ms here, the tail of timer lateness). Here the writer's connection
 * has automatic checkpoints off, and after each write this asks a worker to
 * checkpoint, one at a time, so a checkpoint never holds the event loop; when the
 * worker catches up with the writer, the writer's next commit restarts the WAL
 * from its start, so it stays small.
 *
 * If the worker cannot run (it fails to open the file, or dies), the writer's
 * automatic checkpoints are switched back on, so the WAL never grows unchecked.
 */
export class Checkpointer {
  readonly #db: Database.Database;
  readonly #worker: Worker;
  #running = false;
  #dirty = false;
  #assisting = false;
  readonly #walLimitPages: number;
  readonly #writesPerCheckpoint: number;
  #checkpoints = 0;
  /** Writes since the last checkpoint began. */
  #pending = 0;
  #idleWaiters: (() => void)[] = [];
  #stopped = false;
  #exited: Promise<void>;
  /** Reads sent to the worker and not answered yet, by number. */
  readonly #reads = new Map<
    number,
    { resolve: (rows: unknown[][]) => void; reject: (e: Error) => void }
  >();
  #nextRead = 0;

  constructor(db: Database.Database, config: CheckpointerConfig) {
    this.#db = db;
    this.#walLimitPages = config.walLimitPages ?? WAL_LIMIT_PAGES;
    this.#writesPerCheckpoint = config.writesPerCheckpoint ?? WRITES_PER_CHECKPOINT;
    const driver = config.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        driver,
        path: db.name,
        busyTimeoutMs: config.busyTimeoutMs,
        synchronous: config.synchronous,
      },
    });
    this.#worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    this.#worker.on('message', (reply: Reply | QueryReply) =>
      'query' in reply ? this.#answered(reply) : this.#finished(reply),
    );
    this.#worker.on('error', () => this.#fallBack());
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    void this.#exited.then(() => {
      this.#abandonReads();
      if (!this.#stopped) this.#fallBack();
    });
  }

  /**
   * `writes` rows were written to the WAL: checkpoint once enough have piled up
   * (like SQLite's own threshold, so a lone commit does not pay for a checkpoint's
   * flushes competing with its own).
   */
  wrote(writes = 1): void {
    this.#pending += writes;
    if (this.#pending < this.#writesPerCheckpoint) return;
    this.#dirty = true;
    if (!this.#running && !this.#stopped) this.#start();
  }

  /**
   * Runs the SELECTs `reads` on the worker's connection, in one read
   * transaction (one snapshot of what was committed when it began), so reads
   * that scan many rows (the metrics' grouped counts) do not hold the event
   * loop. Resolves with each read's rows, in order. Undefined when the worker
   * is not running: then read on the writer's connection. Rejects if the
   * worker fails a read or dies before answering.
   */
  read(reads: readonly WorkerRead[]): Promise<unknown[][]> | undefined {
    if (this.#stopped) return undefined;
    const query = this.#nextRead++;
    return new Promise<unknown[][]>((resolve, reject) => {
      this.#reads.set(query, { resolve, reject });
      // Referenced while a read is out, so a caller awaiting it keeps the process alive.
      if (this.#reads.size === 1) this.#worker.ref();
      this.#worker.postMessage({ query, reads });
    });
  }

  #answered(reply: QueryReply): void {
    const waiter = this.#reads.get(reply.query);
    if (waiter === undefined) return;
    this.#reads.delete(reply.query);
    if (this.#reads.size === 0 && !this.#stopped) this.#worker.unref();
    if (reply.ok) waiter.resolve(reply.rows);
    else waiter.reject(new WorkerReadError(reply.error));
  }

  /** Checkpoints the worker has completed. */
  get checkpoints(): number {
    return this.#checkpoints;
  }

  /** Resolves once the worker has checkpointed everything written so far (or stopped). */
  checkpointed(): Promise<void> {
    if (!this.#running || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops the worker (after the checkpoint it is running) and closes its connection. */
  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // Unreferenced, the worker would not keep the process alive while it closes.
    this.#worker.ref();
    this.#worker.postMessage('close');
    await this.#exited;
    this.#settle();
  }

  #start(): void {
    this.#running = true;
    this.#dirty = false;
    this.#pending = 0;
    this.#worker.postMessage('checkpoint');
  }

  #finished(reply: Reply): void {
    this.#running = false;
    if (reply.ok) this.#checkpoints++;
    // A failed checkpoint (the file busy in another process's checkpoint, say) is
    // tried again after the next write; the WAL keeps every frame meanwhile.
    if (reply.ok) this.#bound(reply.log);
    if (this.#dirty && !this.#stopped) this.#start();
    else this.#settle();
  }

  #settle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** The worker is gone: the reads it had not answered fail (the caller reads again, or reports it). */
  #abandonReads(): void {
    for (const { reject } of this.#reads.values()) {
      reject(new WorkerReadError('the checkpoint worker stopped before answering'));
    }
    this.#reads.clear();
  }

  /**
   * The WAL restarts only when a write finds it fully checkpointed; under steady
   * writes the worker is always a few frames behind, so it would grow for as long
   * as the load lasts. Past `WAL_LIMIT_PAGES` the writer checkpoints too, after
   * each commit (only the frames the worker has not copied yet, so it is short),
   * until the WAL has restarted.
   */
  #bound(log: number): void {
    const assist = log > this.#walLimitPages;
    if (assist === this.#assisting || !this.#db.open) return;
    this.#assisting = assist;
    this.#db.pragma(`wal_autocheckpoint = ${assist ? AUTOCHECKPOINT_PAGES : 0}`);
  }

  #fallBack(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.#settle();
  }
}
