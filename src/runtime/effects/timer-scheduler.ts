import { ids } from '../../core/ids.js';
import type { TimerQueue, TimerRow } from '../../store/types.js';
import { type EffectsContext, SYSTEM_TIMER } from './context.js';
import { deliver } from './deliver.js';
import { Pump } from './pump.js';
import { errorText, exhausted, retryDelay } from './retry-policy.js';
import { deliverTo } from './routing.js';
import { Wake } from './wake.js';

const CLAIM_BATCH = 512;
/** Look at the store at least this often, for timers other processes wrote. */
const MAX_SLEEP_MS = 1000;
/**
 * Timers due this soon are claimed ahead and fired from an in-process timer at
 * their due time, so the store query is not on the path between due and fire.
 */
const LOOKAHEAD_MS = 25;

/**
 * Fires due timers as ordinary events through the commit path (actor
 * `system:timer`), earliest first, including those that fell due while no
 * process ran. A delivery that throws is retried with backoff and, after the
 * last attempt, dead-lettered: kept, listed and revivable by hand.
 */
export class TimerScheduler {
  readonly #fx: EffectsContext;
  readonly #queue: TimerQueue;
  readonly #pump: Pump;
  readonly #wake: Wake;
  readonly #lookahead: number;
  /**
   * The timers this process holds, by identity (`heldKey`): claimed and waiting
   * for their due time, or firing. A claim that finds one again (its lease ran
   * out while this process was stalled) skips it.
   */
  readonly #scheduled = new Map<string, { timer: TimerRow; handle: NodeJS.Timeout }>();
  readonly #firing = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(fx: EffectsContext, queue: TimerQueue, auto: boolean) {
    this.#fx = fx;
    this.#queue = queue;
    this.#lookahead = auto ? LOOKAHEAD_MS : 0;
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
    // Claim it a lookahead early: the claim is done before the timer is due.
    if (!this.#stopped) this.#wake.at(dueAt - this.#lookahead);
  }

  /** Fires everything due now; resolves when those deliveries committed (or were retried). */
  async runDue(): Promise<void> {
    await this.#pump.kick();
    while (this.#firing.size > 0) await Promise.all(this.#firing.values());
  }

  /** Stops firing; claimed timers not yet due are released for the next process to start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.cancel();
    await this.#pump.idle();
    const store = this.#queue;
    const unfired = [...this.#scheduled.values()];
    this.#scheduled.clear();
    for (const { timer, handle } of unfired) {
      clearTimeout(handle);
      await store.retryTimer(timer, timer.timerId, {
        attempts: timer.attempts ?? 0,
        lastError: timer.lastError ?? '',
        at: timer.dueAt,
      });
    }
    while (this.#firing.size > 0) await Promise.all(this.#firing.values());
  }

  async #tick(): Promise<void> {
    const { clock } = this.#fx.runtime;
    const store = this.#queue;
    let horizon = clock.now();
    while (!this.#stopped) {
      horizon = clock.now() + this.#lookahead;
      const due = await store.claimDueTimers({
        owner: this.#fx.owner,
        now: horizon,
        until: horizon + this.#fx.timerLeaseMs,
        limit: CLAIM_BATCH,
      });
      for (const timer of due) this.#hold(timer);
      if (due.length < CLAIM_BATCH) break;
    }
    if (this.#stopped) return;
    // The next timer nobody holds; one whose lease ends is found by the next poll.
    const now = clock.now();
    const next = await store.nextTimerDue(now);
    // Claim the next ones half a lookahead before they are due, so a claim never
    // sits between a timer's due time and its firing.
    this.#wake.at(next === undefined ? undefined : Math.max(next - this.#lookahead / 2, now + 1));
  }

  #hold(timer: TimerRow): void {
    const key = heldKey(timer);
    if (!this.#scheduled.has(key) && !this.#firing.has(key)) this.#schedule(key, timer);
  }

  /** Fires a claimed timer at its due time; timers of one instance start in due order. */
  #schedule(key: string, timer: TimerRow): void {
    const delay = timer.dueAt - this.#fx.runtime.clock.now();
    if (delay <= 0) {
      this.#track(key, this.#fire(timer));
      return;
    }
    const handle = setTimeout(() => {
      this.#scheduled.delete(key);
      // Node may wake a millisecond early: never fire before the due time.
      if (this.#fx.runtime.clock.now() < timer.dueAt) this.#schedule(key, timer);
      else this.#track(key, this.#fire(timer));
    }, delay);
    this.#scheduled.set(key, { timer, handle });
  }

  #track(key: string, firing: Promise<void>): void {
    this.#firing.set(key, firing);
    void firing.finally(() => this.#firing.delete(key));
  }

  async #fire(timer: TimerRow): Promise<void> {
    const fx = this.#fx;
    const key = { machine: timer.machine, id: timer.id };
    const { inspector, clock } = fx.runtime;
    if (inspector.wants('timer.fired')) {
      const at = clock.now();
      inspector.emit({ type: 'timer.fired', at, timer, lateMs: Math.max(0, at - timer.dueAt) });
    }
    try {
      if (timer.target === 'self') {
        // The commit checks the timer is still pending as claimed (not cancelled or set
        // again since): no read of it here, and a stale one writes nothing.
        await deliver(fx, timer.machine, timer.id, timer.event, {
          actor: SYSTEM_TIMER,
          firedTimer: { timerId: timer.timerId, setBySeq: timer.setBySeq, dueAt: timer.dueAt },
        });
        return;
      }
      const current = await this.#queue.getTimer(key, timer.timerId);
      // Cancelled or set again since it was claimed: the newer row decides.
      if (!current || current.setBySeq !== timer.setBySeq || current.dueAt !== timer.dueAt) return;
      // A delayed sendTo another actor: deliver there, then drop the timer of this instance.
      // Not once the sender finished: as in XState, an actor's delayed sends end with it.
      const sender = await fx.runtime.store.getInstance(key);
      const delivered =
        sender?.status === 'active' &&
        (await deliverTo(fx, key, timer.target, timer.event, {
          actor: SYSTEM_TIMER,
          idempotencyKey: ids.delayedSendKey(timer, timer.timerId, timer.setBySeq),
          minSeq: timer.setBySeq,
        }));
      if (!delivered && sender?.status === 'active')
        fx.log(`timer ${timer.timerId} targets "${timer.target}", not a durable instance`);
      await fx.runtime.committer.submit({
        kind: 'audit',
        timersCancelled: [timer.timerId],
        audit: {
          ...key,
          transitionId: ids.delayedSend(timer, timer.timerId, timer.setBySeq),
          seq: null,
          actor: SYSTEM_TIMER,
          eventType: timer.event.type,
          from: null,
          to: null,
          at: fx.runtime.clock.now(),
          traceId: null,
          outcome: delivered ? 'applied' : 'discarded',
          reason:
            sender?.status === 'active'
              ? `delayed send to ${timer.target}`
              : `delayed send to ${timer.target}: the sender is ${sender?.status ?? 'gone'}`,
        },
      });
    } catch (error) {
      await this.#failed(timer, error);
    }
  }

  async #failed(timer: TimerRow, error: unknown): Promise<void> {
    const { clock } = this.#fx.runtime;
    const store = this.#queue;
    const key = { machine: timer.machine, id: timer.id };
    const attempts = (timer.attempts ?? 0) + 1;
    const now = clock.now();
    const lastError = errorText(error);
    const dead = exhausted(this.#fx.timerRetry, attempts, error);
    const { inspector } = this.#fx.runtime;
    if (inspector.wants('timer.failed'))
      inspector.emit({
        type: 'timer.failed',
        at: now,
        timer,
        attempt: attempts,
        error,
        deadLettered: dead,
      });
    if (dead) {
      this.#fx.log(
        `timer ${timer.machine}/${timer.id}/${timer.timerId} dead-lettered after ${attempts} attempts`,
        error,
      );
      await store.deadLetterTimer(key, timer.timerId, { attempts, lastError, at: now });
      return;
    }
    const at = now + retryDelay(this.#fx.timerRetry, attempts, this.#fx.random, error);
    await store.retryTimer(key, timer.timerId, { attempts, lastError, at });
    this.notify(at);
  }
}

/** A timer as claimed: set again since (another seq or due time), it is another timer. */
function heldKey(timer: TimerRow): string {
  return `${timer.machine}\u0000${timer.id}\u0000${timer.timerId}\u0000${timer.setBySeq}\u0000${timer.dueAt}`;
}
