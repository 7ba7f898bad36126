/**
 * Runs a batch job one at a time: `kick()` while a run is under way schedules
 * exactly one more run after it, so no work notified during a run is missed.
 */
export class Pump {
  readonly #job: () => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #current: Promise<void> | undefined;
  #again = false;

  constructor(job: () => Promise<void>, onError: (error: unknown) => void) {
    this.#job = job;
    this.#onError = onError;
  }

  /** Starts a run now, or one more after the current; resolves when the work kicked for is done. */
  kick(): Promise<void> {
    if (this.#current !== undefined) {
      this.#again = true;
      return this.#current;
    }
    this.#current = this.#loop().finally(() => {
      this.#current = undefined;
    });
    return this.#current;
  }

  /** Resolves when no run is under way. */
  async idle(): Promise<void> {
    while (this.#current !== undefined) await this.#current;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#job();
      } catch (error) {
        this.#onError(error);
      }
    } while (this.#again);
  }
}
