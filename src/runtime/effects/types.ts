/**
 * The shapes of the effects runtime that the rest of the engine (and users)
 * name: retry and activity policies, the effects options, emit subscribers.
 * Types only: implementations import this file, never the other way round.
 */
import type { EmitRecord } from '../../store/types.js';

/** How an effect (activity, action, timer delivery) is retried after it fails. */
export interface RetryPolicy {
  /**
   * Attempts in all, the first included. Default 5. `1` is XState's own
   * semantics for an activity: its first rejection is the error event
   * (`onError`), with no retry.
   */
  readonly maxAttempts?: number;
  /** Delay before the second attempt. Default 1000 ms. */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay. Default 60,000 ms. */
  readonly maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Randomize each delay within [50%, 100%] to spread retries ("equal jitter"). Default true. */
  readonly jitter?: boolean;
  /**
   * Errors for which retrying is pointless: the failure is final at once. A
   * `TerminalError` (from `stator`) is final without this.
   */
  readonly isTerminal?: (error: unknown) => boolean;
}

/**
 * Retry and delivery rules of one invoked promise actor: keyed by its
 * `setup({ actors })` name (inline logic: by its invoke id), or `'*'` for
 * every activity without its own entry.
 */
export interface ActivityPolicy extends RetryPolicy {
  /**
   * Never run twice: the start is recorded before the activity runs, and after a
   * crash the activity is not re-run; the machine gets its error event saying it
   * may or may not have happened (`error.code` = `ACTIVITY_INTERRUPTED`). No retries.
   */
  readonly atMostOnce?: boolean;
  /** Abort an attempt after this long (its AbortSignal fires) and count it as failed. */
  readonly timeoutMs?: number;
}

export interface EffectsOptions {
  /**
   * Retry policy per invoked promise actor: by its `setup({ actors })` name,
   * by its invoke id for inline logic, `'*'` for the rest. Default: 5 attempts,
   * 1 s doubling to 60 s, jittered; `{ maxAttempts: 1 }` is XState's
   * first-rejection-is-onError.
   */
  readonly activities?: Readonly<Record<string, ActivityPolicy>>;
  /** Retries of custom actions and sends. Default: 5 attempts, 1 s doubling to 60 s, jittered. */
  readonly actions?: RetryPolicy;
  /** Retries of timer deliveries whose step throws; then dead-lettered. Default: 5 attempts. */
  readonly timers?: RetryPolicy;
  /** `auto` (default): timers and the outbox run by themselves. `manual`: a test drives them. */
  readonly dispatch?: 'auto' | 'manual';
  /** How long a claimed outbox row (effect) stays leased to this process. Default 30 s. */
  readonly leaseMs?: number;
  /**
   * How long a claimed timer stays leased to this process: the longest the
   * timers of a crashed process wait before another process (or the restarted
   * one) fires them. Default 5 s. A timer fired twice (its process stalled past
   * the lease) writes nothing the second time: the commit checks the timer is
   * still pending as claimed, and a delayed send to another instance carries an
   * idempotency key.
   */
  readonly timerLeaseMs?: number;
  /** This process's lease owner id. Default `hostname:pid:random`. */
  readonly owner?: string;
  /** Source of randomness for retry jitter. Default Math.random. */
  readonly random?: () => number;
}

export interface SubscribeOptions {
  /** Only emits of this machine. */
  readonly machine?: string;
  /** Only emits of these event types. */
  readonly types?: readonly string[];
}

export interface Subscription {
  /** Stops delivery; the cursor keeps its place for the next subscribe under the same name. */
  stop(): Promise<void>;
}

export type EmitHandler = (emit: EmitRecord) => void | Promise<void>;
