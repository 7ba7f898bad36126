import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventWrite } from '../../store/types.js';
import type { RuntimeContext } from '../commit-path.js';
import type { Mailboxes } from '../mailbox.js';
import type { ActivityPolicy, EffectsContext } from './context.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import type { RetryPolicy } from './retry-policy.js';
import {
  type EmitHandler,
  EmitSubscriber,
  type SubscribeOptions,
  type Subscription,
} from './subscriptions.js';
import { TimerScheduler } from './timer-scheduler.js';

export interface EffectsOptions {
  /** Retry policy per invoked promise actor (by its `setup({ actors })` name). */
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
  /** Where effect failures are reported. Default console.warn. */
  readonly log?: (message: string, error?: unknown) => void;
}

/** The timer scheduler, the outbox dispatcher and the emit subscribers of one engine. */
export class EffectsRuntime {
  readonly #fx: EffectsContext;
  readonly #auto: boolean;
  readonly timers: TimerScheduler;
  readonly outbox: OutboxDispatcher;
  readonly #subscribers = new Map<string, EmitSubscriber>();

  constructor(runtime: RuntimeContext, mailboxes: Mailboxes, options: EffectsOptions) {
    this.#auto = options.dispatch !== 'manual';
    this.#fx = {
      runtime,
      mailboxes,
      owner: options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      leaseMs: options.leaseMs ?? 30_000,
      timerLeaseMs: options.timerLeaseMs ?? 5_000,
      random: options.random ?? Math.random,
      log: options.log ?? ((message, error) => console.warn(`stator: ${message}`, error ?? '')),
      timerRetry: options.timers ?? {},
      actionRetry: options.actions ?? {},
      activities: options.activities ?? {},
    };
    this.timers = new TimerScheduler(this.#fx, this.#auto);
    this.outbox = new OutboxDispatcher(this.#fx, this.#auto);
  }

  #unlisten: (() => void) | undefined;

  start(): void {
    if (!this.#auto) return;
    this.timers.start();
    this.outbox.start();
    // Another process wrote due work: look now rather than at the next poll.
    this.#unlisten = this.#fx.runtime.store.onWake?.((topic) => {
      const now = this.#fx.runtime.clock.now();
      if (topic === 'timers') this.timers.notify(now);
      else if (topic === 'outbox') this.outbox.notify(now);
      else for (const s of this.#subscribers.values()) s.notify();
    });
  }

  /** Called after every commit of an accepted event. */
  committed(write: EventWrite): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const timer of write.timersSet) earliest = Math.min(earliest, timer.dueAt);
    if (earliest < Number.POSITIVE_INFINITY) this.timers.notify(earliest);
    // Rows leased to us at write time are dispatched from memory: no claim, no poll.
    if (write.outboxLease) {
      this.outbox.accept(write.outbox, {
        event: { ...write.event.payload, type: write.event.type },
        context: write.instance.context,
      });
    } else if (write.outbox.length > 0) this.outbox.notify(write.instance.updatedAt);
    if (write.emits?.length) for (const s of this.#subscribers.values()) s.notify();
  }

  /** The lease new outbox rows get when this process dispatches them itself (auto mode). */
  lease(now: number): { owner: string; until: number } | undefined {
    return this.#auto ? { owner: this.#fx.owner, until: now + this.#fx.leaseMs } : undefined;
  }

  subscribe(name: string, handler: EmitHandler, options: SubscribeOptions): Subscription {
    if (this.#subscribers.has(name)) {
      throw new Error(`A subscriber named "${name}" is already running in this engine.`);
    }
    const subscriber = new EmitSubscriber(this.#fx, name, handler, options, this.#auto);
    this.#subscribers.set(name, subscriber);
    subscriber.notify();
    return {
      stop: async () => {
        this.#subscribers.delete(name);
        await subscriber.stop();
      },
    };
  }

  /** Fires due timers, runs due effects and delivers emits, once (manual dispatch). */
  async runDue(): Promise<void> {
    await this.timers.runDue();
    await this.outbox.runDue();
    await Promise.all([...this.#subscribers.values()].map((s) => s.run()));
  }

  async stop(): Promise<void> {
    this.#unlisten?.();
    await Promise.all([this.timers.stop(), this.outbox.stop()]);
    await Promise.all([...this.#subscribers.values()].map((s) => s.stop()));
    this.#subscribers.clear();
  }
}
