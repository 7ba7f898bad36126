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
 */
export class GroupCommitter {
  readonly #store: Store;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  /** Writes that may wait for the next transaction (or a short timer): they cost no fsync of their own. */
  #lazy: Pending[] = [];
  #lazyTimer: NodeJS.Timeout | undefined;
  #running = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(store: Store, maxBatch: number) {
    this.#store = store;
    this.#maxBatch = maxBatch;
  }

  submit(write: CommitWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      this.#start();
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
      if (this.#lazyTimer === undefined && !this.#running) {
        this.#lazyTimer = setTimeout(() => {
          this.#lazyTimer = undefined;
          this.#start();
        }, maxDelayMs);
      }
    });
  }

  #start(): void {
    if (this.#running) return;
    this.#running = true;
    // Let every sender whose step is already queued as a microtask join this batch.
    this.#idle = new Promise((done) => setImmediate(() => void this.#loop().finally(done)));
  }

  /** Resolves when nothing is queued or in flight. */
  flushed(): Promise<void> {
    return this.#idle;
  }

  async #loop(): Promise<void> {
    while (this.#queue.length > 0 || this.#lazy.length > 0) {
      if (this.#lazyTimer !== undefined) clearTimeout(this.#lazyTimer);
      this.#lazyTimer = undefined;
      const batch = [...this.#lazy.splice(0), ...this.#queue.splice(0, this.#maxBatch)];
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
    this.#running = false;
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
