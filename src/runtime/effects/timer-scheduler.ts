import type { TimerRow } from '../../store/types.js';
import { deliverInternal, type EffectsContext, SYSTEM_TIMER } from './context.js';
import { Pump } from './pump.js';
import { errorText, exhausted, retryDelay } from './retry-policy.js';
import { sendToTarget } from './routing.js';
import { Wake } from './wake.js';

const CLAIM_BATCH = 512;
/** Look at the store at least this often, for timers other processes wrote. */
const MAX_SLEEP_MS = 1000;

/**
 * Fires due timers as ordinary events through the commit path (actor
 * `system:timer`), earliest first, including those that fell due while no
 * process ran. A delivery that throws is retried with backoff and, after the
 * last attempt, dead-lettered: kept, listed and revivable by hand.
 */
export class TimerScheduler {
  readonly #fx: EffectsContext;
  readonly #pump: Pump;
  readonly #wake: Wake;
  #stopped = false;

  constructor(fx: EffectsContext, auto: boolean) {
    this.#fx = fx;
    this.#pump = new Pump(
      () => this.#tick(),
      (e) => fx.log('timer scheduler failed; will look again', e),
    );
    const now = () => fx.runtime.clock.now();
    this.#wake = new Wake(now, () => void this.#pump.kick(), auto, MAX_SLEEP_MS);
  }

  /** Starts firing: at once for what is already due, then as timers fall due. */
  start(): void {
    void this.#pump.kick();
  }

  /** A commit set a timer due at `dueAt`. */
  notify(dueAt: number): void {
    if (!this.#stopped) this.#wake.at(dueAt);
  }

  /** Fires everything due now; resolves when those deliveries committed (or were retried). */
  runDue(): Promise<void> {
    return this.#pump.kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.cancel();
    await this.#pump.idle();
  }

  async #tick(): Promise<void> {
    const { store, clock } = this.#fx.runtime;
    while (!this.#stopped) {
      const now = clock.now();
      const due = await store.claimDueTimers({
        owner: this.#fx.owner,
        now,
        until: now + this.#fx.leaseMs,
        limit: CLAIM_BATCH,
      });
      // Started in due order: each instance's mailbox keeps that order.
      await Promise.all(due.map((timer) => this.#fire(timer)));
      if (due.length < CLAIM_BATCH) break;
    }
    if (!this.#stopped) this.#wake.at(await store.nextTimerDue());
  }

  async #fire(timer: TimerRow): Promise<void> {
    const fx = this.#fx;
    const key = { machine: timer.machine, id: timer.id };
    try {
      const current = await fx.runtime.store.getTimer(key, timer.timerId);
      // Cancelled or set again since it was claimed: the newer row decides.
      if (!current || current.setBySeq !== timer.setBySeq || current.dueAt !== timer.dueAt) return;
      if (timer.target === 'self') {
        await deliverInternal(fx, timer.machine, timer.id, timer.event, {
          actor: SYSTEM_TIMER,
          firedTimer: timer.timerId,
        });
        return;
      }
      // A delayed sendTo another actor: deliver there, then drop the timer of this instance.
      const delivered = await sendToTarget(fx, key, timer.target, timer.event, {
        actor: SYSTEM_TIMER,
        idempotencyKey: `timer/${timer.machine}/${timer.id}/${timer.timerId}/${timer.setBySeq}`,
      });
      if (!delivered)
        fx.log(`timer ${timer.timerId} targets "${timer.target}", not a durable instance`);
      await fx.runtime.committer.submit({
        kind: 'audit',
        timersCancelled: [timer.timerId],
        audit: {
          ...key,
          transitionId: `${timer.machine}/${timer.id}/timer/${timer.timerId}/${timer.setBySeq}`,
          seq: null,
          actor: SYSTEM_TIMER,
          eventType: timer.event.type,
          from: null,
          to: null,
          at: fx.runtime.clock.now(),
          traceId: null,
          outcome: delivered ? 'applied' : 'discarded',
          reason: `delayed send to ${timer.target}`,
        },
      });
    } catch (error) {
      await this.#failed(timer, error);
    }
  }

  async #failed(timer: TimerRow, error: unknown): Promise<void> {
    const { store, clock } = this.#fx.runtime;
    const key = { machine: timer.machine, id: timer.id };
    const attempts = (timer.attempts ?? 0) + 1;
    const now = clock.now();
    const lastError = errorText(error);
    if (exhausted(this.#fx.timerRetry, attempts, error)) {
      this.#fx.log(
        `timer ${timer.machine}/${timer.id}/${timer.timerId} dead-lettered after ${attempts} attempts`,
        error,
      );
      await store.deadLetterTimer(key, timer.timerId, { attempts, lastError, at: now });
      return;
    }
    const at = now + retryDelay(this.#fx.timerRetry, attempts, this.#fx.random);
    await store.retryTimer(key, timer.timerId, { attempts, lastError, at });
    this.notify(at);
  }
}
