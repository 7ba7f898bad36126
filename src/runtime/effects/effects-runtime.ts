import { StatorError } from '../../core/errors.js';
import type { EventWrite } from '../../store/types.js';
import type { RuntimeContext } from '../context.js';
import type { Mailboxes } from '../mailbox.js';
import type { EffectsContext } from './context.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { EmitSubscriber } from './subscriptions.js';
import { TimerScheduler } from './timer-scheduler.js';
import type { EffectsOptions, EmitHandler, SubscribeOptions, Subscription } from './types.js';

/** How long an effect claimed by this process stays leased to it, unless `leaseMs` says otherwise. */
export const DEFAULT_LEASE_MS = 30_000;

/** The timer scheduler, the outbox dispatcher and the emit subscribers of one engine. */
export class EffectsRuntime {
  readonly #fx: EffectsContext;
  readonly #auto: boolean;
  readonly timers: TimerScheduler;
  readonly outbox: OutboxDispatcher;
  readonly #subscribers = new Map<string, EmitSubscriber>();

  readonly #unobserve: () => void;
  #unlisten: (() => void) | undefined;

  /**
   * `owner` is this process's lease owner id (the engine chose it, as it writes
   * new outbox rows leased to it). Observes the runtime's commits from here on.
   */
  constructor(
    runtime: RuntimeContext,
    mailboxes: Mailboxes,
    options: EffectsOptions & { readonly owner: string },
  ) {
    this.#auto = options.dispatch !== 'manual';
    this.#fx = {
      runtime,
      mailboxes,
      owner: options.owner,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      timerLeaseMs: options.timerLeaseMs ?? 5_000,
      random: options.random ?? Math.random,
      log: (message, error) => runtime.inspector.log(runtime.clock.now(), 'warn', message, error),
      timerRetry: options.timers ?? {},
      actionRetry: options.actions ?? {},
      activities: options.activities ?? {},
    };
    this.timers = new TimerScheduler(this.#fx, runtime.store, this.#auto);
    this.outbox = new OutboxDispatcher(this.#fx, runtime.store, this.#auto);
    this.#unobserve = runtime.inspector.subscribe(
      (event) => {
        if (event.type === 'transition.committed') this.#committed(event.write);
      },
      ['transition.committed'],
    );
  }

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

  /** After every commit of an accepted event: wake the scheduler, dispatch rows leased to us. */
  #committed(write: EventWrite): void {
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

  subscribe(name: string, handler: EmitHandler, options: SubscribeOptions): Subscription {
    if (this.#subscribers.has(name)) {
      throw new StatorError(
        'VALIDATION_FAILED',
        `A subscriber named "${name}" is already running in this engine: stop it first, or use another name (each name has its own cursor).`,
        { subscriber: name },
      );
    }
    const subscriber = new EmitSubscriber(
      this.#fx,
      this.#fx.runtime.store,
      name,
      handler,
      options,
      this.#auto,
    );
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
    this.#unobserve();
    this.#unlisten?.();
    await Promise.all([this.timers.stop(), this.outbox.stop()]);
    await Promise.all([...this.#subscribers.values()].map((s) => s.stop()));
    this.#subscribers.clear();
  }
}
