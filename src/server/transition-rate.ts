import type { Engine } from '../runtime/types.js';

const WINDOW_SECONDS = 60;

/**
 * Transitions committed per machine in the last minute, by this server (each
 * process counts its own: sum them across processes, or use the
 * `stator_transitions_total` metric for the whole fleet). One counter per
 * second per machine, so memory stays at most 60 numbers a machine.
 */
export class TransitionRate {
  readonly #buckets = new Map<string, Map<number, number>>();
  readonly #now: () => number;
  readonly stop: () => void;

  constructor(engine: Pick<Engine, 'onTransition'>, now: () => number = Date.now) {
    this.#now = now;
    this.stop = engine.onTransition(({ event }) => this.#count(event.machine));
  }

  /** Transitions of `machine` committed here in the last 60 seconds. */
  perMinute(machine: string): number {
    const buckets = this.#buckets.get(machine);
    if (!buckets) return 0;
    const since = this.#second() - WINDOW_SECONDS;
    let total = 0;
    for (const [second, count] of buckets) {
      if (second > since) total += count;
      else buckets.delete(second);
    }
    return total;
  }

  #count(machine: string): void {
    let buckets = this.#buckets.get(machine);
    if (!buckets) {
      buckets = new Map();
      this.#buckets.set(machine, buckets);
    }
    const second = this.#second();
    buckets.set(second, (buckets.get(second) ?? 0) + 1);
    if (buckets.size > WINDOW_SECONDS + 1) this.perMinute(machine);
  }

  #second(): number {
    return Math.floor(this.#now() / 1000);
  }
}
