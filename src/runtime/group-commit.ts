import { errors } from '../core/errors.js';
import type { Clock } from '../core/types.js';
import { commitFailureOf } from '../store/store-errors.js';
import type { CommitWrite, Store, WriteOutcome, WriteRef } from '../store/types.js';
import { systemClock } from './clock.js';
import type { Inspector } from './inspection.js';

/** How long a failed commit's writes are retried (and looked for) before the caller hears. */
export const DEFAULT_SETTLE_MS = 5000;

export interface GroupCommitOptions {
  /** Most writes in one transaction. */
  readonly maxBatch: number;
  /** Transactions in flight at once. Default 1. */
  readonly maxInFlight?: number | undefined;
  /** See DEFAULT_SETTLE_MS. */
  readonly settleMs?: number | undefined;
  /** Where each batch's size and duration are announced (`commit.batch`). */
  readonly inspector?: Inspector;
  readonly clock?: Clock;
}

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

  readonly #settleMs: number;
  readonly #health = new CommitHealth();
  readonly #inspector: Inspector | undefined;
  readonly #clock: Clock;

  constructor(store: Store, options: GroupCommitOptions) {
    this.#store = store;
    this.#maxBatch = options.maxBatch;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#inspector = options.inspector;
    this.#clock = options.clock ?? systemClock;
  }

  /** Whether the last commit succeeded. */
  get health(): CommitHealth {
    return this.#health;
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
    let outcomes: WriteOutcome[];
    const started = performance.now();
    try {
      outcomes = await this.#store.commit(batch.map((p) => p.write));
      this.#announce(batch.length, started, true);
    } catch (error) {
      this.#announce(batch.length, started, false);
      this.#health.failed(error);
      // Each write finds out on its own whether it was kept, and is committed again only if
      // not: one bad write must not fail its neighbours, and none may be applied twice.
      await Promise.all(batch.map((p) => this.#settle(p, error)));
      return;
    }
    this.#health.committed();
    batch.forEach((p, i) => {
      p.resolve(outcomes[i] as WriteOutcome);
    });
  }

  /**
   * After a failed commit: resolves the write with its real outcome. A write
   * whose commit may have been kept (`unknown`) is looked for first (`findWrites`)
   * and, when it is there, resolved as committed; otherwise it is committed
   * again on its own. That is safe: an event write carries its expected seq, so
   * of two copies of it at most one can land, and a retry that fails its check
   * is looked for once more (the copy that beat it may have been ours).
   * Transient failures are retried with backoff until `settleMs` has passed;
   * then a write that may have been kept fails with COMMIT_OUTCOME_UNKNOWN,
   * one known not to have been kept with the store's error.
   */
  async #settle(p: Pending, first: unknown): Promise<void> {
    const deadline = Date.now() + this.#settleMs;
    let failure = commitFailureOf(first);
    let mayHaveLanded = failure.outcome === 'unknown';
    let last = first;
    for (let attempt = 1; ; attempt++) {
      try {
        if (mayHaveLanded && (await this.#landed(p.write))) return p.resolve(OK);
        const [outcome] = (await this.#store.commit([p.write])) as [WriteOutcome];
        this.#health.committed();
        if (!outcome.ok && mayHaveLanded && (await this.#landed(p.write))) return p.resolve(OK);
        return p.resolve(outcome);
      } catch (error) {
        last = error;
        failure = commitFailureOf(error);
        if (failure.outcome === 'unknown') mayHaveLanded = true;
      }
      if (!failure.transient || Date.now() >= deadline) break;
      await sleep(Math.min(MAX_BACKOFF_MS, 10 * 2 ** attempt));
    }
    p.reject(mayHaveLanded ? unknownOutcome(p.write, last) : last);
  }

  #announce(size: number, started: number, ok: boolean): void {
    const inspector = this.#inspector;
    if (!inspector?.wants('commit.batch')) return;
    const durationMs = performance.now() - started;
    inspector.emit({ type: 'commit.batch', at: this.#clock.now(), size, durationMs, ok });
  }

  async #landed(write: CommitWrite): Promise<boolean> {
    const ref = refOf(write);
    if (ref === undefined) return false; // finished effects: deleting them again is harmless
    const [found] = await this.#store.findWrites([ref]);
    return found === true;
  }
}

const OK: WriteOutcome = { ok: true };
const MAX_BACKOFF_MS = 500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How to look for a write in the store, if it can be looked for. */
function refOf(write: CommitWrite): WriteRef | undefined {
  if (write.kind === 'outbox-done') return undefined;
  if (write.kind === 'audit') {
    const { machine, id, transitionId } = write.audit;
    return { kind: 'audit', machine, id, transitionId };
  }
  const { machine, id, seq } = write.event;
  return { kind: 'event', machine, id, seq, writeId: write.writeId };
}

function unknownOutcome(write: CommitWrite, cause: unknown): unknown {
  if (write.kind === 'outbox-done') return cause;
  const { machine, id } = write.kind === 'audit' ? write.audit : write.instance;
  const key = write.kind === 'audit' ? null : write.event.idempotencyKey;
  return errors.commitOutcomeUnknown(machine, id, cause, key);
}

/**
 * Whether the store can commit, as the last commit showed: false from a failed
 * commit until one succeeds again. Readiness checks read it.
 */
export class CommitHealth {
  #failure: { at: number; error: unknown } | undefined;

  failed(error: unknown): void {
    this.#failure = { at: Date.now(), error };
  }

  committed(): void {
    this.#failure = undefined;
  }

  /** The failure since the last successful commit, if any. */
  get failure(): { readonly at: number; readonly error: unknown } | undefined {
    return this.#failure;
  }
}
