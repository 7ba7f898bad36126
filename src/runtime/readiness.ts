import type { Store } from '../store/types.js';
import type { CommitHealth } from './group-commit.js';

export type Readiness =
  | { readonly ready: true }
  | { readonly ready: false; readonly reason: string };

/** How long a probe's answer stands, unless a commit fails meanwhile. */
const PROBE_TTL_MS = 1000;

/**
 * Whether the store can commit: the answer of a small probe write, made at
 * most once a second, and at once after a commit failed (so a full disk shows
 * on the next check, and so does its recovery).
 */
export class ReadinessProbe {
  readonly #store: Store;
  readonly #health: CommitHealth;
  #last: { readonly at: number; readonly answer: Readiness } | undefined;
  #running: Promise<Readiness> | undefined;

  constructor(store: Store, health: CommitHealth) {
    this.#store = store;
    this.#health = health;
  }

  check(): Promise<Readiness> {
    const now = Date.now();
    const failure = this.#health.failure;
    const last = this.#last;
    if (last && now - last.at < PROBE_TTL_MS && (failure === undefined || failure.at < last.at)) {
      return Promise.resolve(last.answer);
    }
    this.#running ??= this.#probe().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #probe(): Promise<Readiness> {
    const at = Date.now();
    let answer: Readiness;
    try {
      await this.#store.probe();
      answer = { ready: true };
    } catch (error) {
      answer = { ready: false, reason: error instanceof Error ? error.message : String(error) };
    }
    this.#last = { at, answer };
    return answer;
  }
}
