/**
 * Wakes a worker at a given time: with real timers when the engine dispatches
 * by itself, never when a test drives it (`dispatch: 'manual'`). At most one
 * wake is pending; an earlier request replaces a later one.
 */
export class Wake {
  readonly #now: () => number;
  readonly #run: () => void;
  readonly #auto: boolean;
  readonly #maxSleepMs: number;
  #handle: NodeJS.Timeout | undefined;
  #at: number | undefined;

  constructor(now: () => number, run: () => void, auto: boolean, maxSleepMs: number) {
    this.#now = now;
    this.#run = run;
    this.#auto = auto;
    this.#maxSleepMs = maxSleepMs;
  }

  /** Run at `at` (or after the longest sleep, to look again), unless an earlier wake is set. */
  at(at: number | undefined): void {
    if (!this.#auto) return;
    const target = Math.min(at ?? Number.POSITIVE_INFINITY, this.#now() + this.#maxSleepMs);
    if (this.#at !== undefined && this.#at <= target) return;
    this.cancel();
    this.#at = target;
    this.#handle = setTimeout(
      () => {
        this.#handle = undefined;
        this.#at = undefined;
        this.#run();
      },
      Math.max(0, target - this.#now()),
    );
  }

  cancel(): void {
    if (this.#handle) clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#at = undefined;
  }
}
