import type { Clock } from '../core/types.js';

/** A clock that moves only when told: the engine records its time with every event. */
export class SimulatedClock implements Clock {
  #now: number;

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  /** Moves to `at`; time never goes backwards. */
  set(at: number): void {
    if (at > this.#now) this.#now = at;
  }
}
