import type { CommitWrite, Store, WriteOutcome } from '../store/types.js';

interface Pending {
  readonly write: CommitWrite;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: writes submitted while a transaction is being prepared or is in
 * flight share the next transaction, so one fsync serves many instances. Each
 * caller still gets its own outcome, and only after the transaction committed.
 *
 * Up to `maxInFlight` transactions are pipelined: the next batch is handed to the
 * store while earlier ones still wait for their flush (SQLite's WAL fsync on the
 * thread pool, PostgreSQL's commit on another connection), so the event loop
 * keeps writing small batches instead of piling up one large one behind a slow
 * flush. One batch starts per turn of the event loop, so timers and steps run
 * between them. Ordering per instance is not at risk: an instance's mailbox
 * submits its next write only after the previous one resolved.
 */
export class GroupCommitter {
  readonly #store: Store;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #queue: Pending[] = [];
  /** Writes that may wait for the next transaction (or a short timer): they cost no fsync of their own. */
  #lazy: Pending[] = [];
  #lazyTimer: NodeJS.Timeout | undefined;
  #lazyDue = false;
  #inFlight = 0;
  #scheduled = false;
  #idleWaiters: (() => void)[] = [];

  constructor(store: Store, maxBatch: number, maxInFlight = 1) {
    this.#store = store;
    this.#maxBatch = maxBatch;
    this.#maxInFlight = Math.max(1, maxInFlight);
  }

  submit(write: CommitWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Commits `write` with the next transaction, or within `maxDelayMs` when none
   * comes: for bookkeeping that must become durable but need not be prompt
   * (finished effects), so it rides along instead of paying an fsync of its own.
   */
  submitLazy(write: CommitWrite, maxDelayMs: number): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.#lazy.push({ write, resolve, reject });
      this.#lazyTimer ??= setTimeout(() => {
        this.#lazyTimer = undefined;
        this.#lazyDue = true;
        this.#schedule();
      }, maxDelayMs);
    });
  }

  /** Resolves when nothing is queued or in flight; lazy writes are committed now. */
  flushed(): Promise<void> {
    if (this.#lazy.length > 0) {
      this.#lazyDue = true;
      this.#schedule();
    }
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #idle(): boolean {
    return (
      this.#inFlight === 0 &&
      !this.#scheduled &&
      this.#queue.length === 0 &&
      this.#lazy.length === 0
    );
  }

  /** Start a batch on the next turn (letting every sender whose step is already queued join it). */
  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#startBatch();
    });
  }

  #startBatch(): void {
    const lazyRides = this.#queue.length > 0 || this.#lazyDue;
    if (!lazyRides) {
      this.#settleIdle();
      return;
    }
    this.#lazyDue = false;
    if (this.#lazyTimer !== undefined) clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
    const batch = [...this.#lazy.splice(0), ...this.#queue.splice(0, this.#maxBatch)];
    this.#inFlight++;
    void this.#commit(batch).finally(() => {
      this.#inFlight--;
      this.#next();
    });
    this.#next();
  }

  #next(): void {
    if (this.#queue.length > 0 || this.#lazyDue) this.#schedule();
    else this.#settleIdle();
  }

  #settleIdle(): void {
    if (!this.#idle() || this.#idleWaiters.length === 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #commit(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.#store.commit(batch.map((p) => p.write));
      batch.forEach((p, i) => {
        p.resolve(outcomes[i] as WriteOutcome);
      });
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      // One bad write must not fail its neighbours: commit them one by one to isolate it.
      else for (const p of batch) await this.#commitAlone(p);
    }
  }

  async #commitAlone(p: Pending): Promise<void> {
    try {
      const [outcome] = await this.#store.commit([p.write]);
      p.resolve(outcome as WriteOutcome);
    } catch (error) {
      p.reject(error);
    }
  }
}
