import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** How a file is flushed to disk: on the thread pool, or on the calling thread. */
export interface FileSync {
  readonly background: (fd: number, done: (error: Error | null) => void) => void;
  readonly now: (fd: number) => void;
}

const fdatasyncs: FileSync = { background: fdatasync, now: fdatasyncSync };

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Makes WAL commits durable without holding the event loop through the flush.
 * The connection commits at `synchronous=NORMAL` (the WAL frames are written at
 * commit, not flushed; checkpoints still flush the WAL before and the database
 * after), and a commit is acknowledged only once an `fdatasync` of the WAL that
 * began after it returned: what `synchronous=FULL` promises, without the wait.
 * WAL frames are appended in commit order, so one flush covers every commit
 * written before it began; commits ending while a flush runs share the next one.
 *
 * A lone commit with no flush running is flushed on the spot (`inline`): then
 * there is nothing to overlap, and the thread-pool round trip would only add
 * latency. A failed flush fails every later commit and read: the kernel may have
 * dropped the unflushed pages, so nothing since the last good flush is promised.
 */
export class WalSync {
  readonly #fd: number;
  readonly #sync: FileSync;
  /** Writes ended so far (numbered 1, 2, …) and how many of them are known flushed. */
  #written = 0;
  #synced = 0;
  #flushing = false;
  #failed: unknown;
  #waiters: Waiter[] = [];
  #closed = false;

  /** Opens the WAL file (it must exist) and flushes its directory entry once. */
  static open(walPath: string, sync: FileSync = fdatasyncs): WalSync {
    const dir = openSync(dirname(walPath), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return new WalSync(openSync(walPath, 'r+'), sync);
  }

  constructor(fd: number, sync: FileSync) {
    this.#fd = fd;
    this.#sync = sync;
  }

  /**
   * A write ended (its frames are in the WAL); resolves once they are on disk.
   * `inline`: flush on the calling thread when no flush is running.
   */
  written(inline: boolean): Promise<void> {
    this.#written++;
    if (inline && !this.#flushing && this.#failed === undefined) {
      try {
        this.#sync.now(this.#fd);
        this.#synced = this.#written;
      } catch (error) {
        this.#fail(error);
      }
    }
    return this.barrier();
  }

  /** Resolves once everything written so far is on disk: for reads that show it. */
  barrier(): Promise<void> {
    const upTo = this.#written;
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#synced >= upTo) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ upTo, resolve, reject });
      this.#flush();
    });
  }

  /** Waits for the flush in progress (if any), then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.barrier().catch(() => {});
    closeSync(this.#fd);
  }

  #flush(): void {
    if (this.#flushing || this.#failed !== undefined || this.#synced >= this.#written) return;
    this.#flushing = true;
    const upTo = this.#written;
    this.#sync.background(this.#fd, (error) => {
      this.#flushing = false;
      if (error) {
        this.#fail(error);
        return;
      }
      this.#synced = upTo;
      const waiting: Waiter[] = [];
      for (const w of this.#waiters) {
        if (w.upTo <= upTo) w.resolve();
        else waiting.push(w);
      }
      this.#waiters = waiting;
      this.#flush();
    });
  }

  #fail(error: unknown): void {
    this.#failed = error;
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }
}
