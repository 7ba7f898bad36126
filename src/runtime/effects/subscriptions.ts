import type { EmitLog, EmitRecord } from '../../store/types.js';
import type { EffectsContext } from './context.js';
import { Pump } from './pump.js';
import { retryDelay } from './retry-policy.js';
import type { EmitHandler, SubscribeOptions, Subscription } from './types.js';
import { Wake } from './wake.js';

const BATCH = 100;
const MAX_SLEEP_MS = 1000;

/**
 * One named subscriber to the emit log: delivers every emit after its durable
 * cursor, in order, at least once (the cursor moves after the handler returns;
 * a handler that throws is retried with backoff, holding back later emits).
 */
export class EmitSubscriber implements Subscription {
  readonly #fx: EffectsContext;
  readonly #log: EmitLog;
  readonly #name: string;
  readonly #handler: EmitHandler;
  readonly #options: SubscribeOptions;
  readonly #pump: Pump;
  readonly #wake: Wake;
  #stopped = false;
  #failures = 0;
  #retryAt = 0;

  constructor(
    fx: EffectsContext,
    log: EmitLog,
    name: string,
    handler: EmitHandler,
    options: SubscribeOptions,
    auto: boolean,
  ) {
    this.#fx = fx;
    this.#log = log;
    this.#name = name;
    this.#handler = handler;
    this.#options = options;
    this.#pump = new Pump(
      () => this.#drain(),
      (e) => fx.log(`subscriber "${name}" failed; will look again`, e),
    );
    this.#wake = new Wake(
      () => fx.runtime.clock.now(),
      () => void this.#pump.kick(),
      auto,
      MAX_SLEEP_MS,
    );
  }

  /** New emits were committed. */
  notify(): void {
    if (!this.#stopped) this.#wake.at(Math.max(this.#retryAt, this.#fx.runtime.clock.now()));
  }

  /** Delivers everything available now (tests and settle). */
  run(): Promise<void> {
    return this.#pump.kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.cancel();
    await this.#pump.idle();
  }

  async #drain(): Promise<void> {
    const { clock } = this.#fx.runtime;
    const store = this.#log;
    if (clock.now() < this.#retryAt) return this.#wake.at(this.#retryAt);
    let cursor = await store.getCursor(this.#name);
    while (!this.#stopped) {
      const batch = await store.readEmits(cursor, BATCH);
      for (const emit of batch) {
        if (this.#stopped) return;
        if (this.#wants(emit)) {
          try {
            await this.#handler(emit);
            this.#failures = 0;
            const { inspector } = this.#fx.runtime;
            if (inspector.wants('emit.delivered')) {
              const at = clock.now();
              const subscriber = this.#name;
              inspector.emit({ type: 'emit.delivered', at, subscriber, emit, lagMs: at - emit.at });
            }
          } catch (error) {
            this.#failures++;
            this.#retryAt = clock.now() + retryDelay({}, this.#failures, this.#fx.random);
            this.#fx.log(
              `subscriber "${this.#name}" failed on emit ${emit.position}; retrying`,
              error,
            );
            this.#wake.at(this.#retryAt);
            return;
          }
        }
        cursor = emit.position;
        await store.setCursor(this.#name, cursor);
      }
      if (batch.length < BATCH) break;
    }
    if (!this.#stopped) this.#wake.at(undefined);
  }

  #wants(emit: EmitRecord): boolean {
    const { machine, types } = this.#options;
    return (
      (machine === undefined || emit.machine === machine) &&
      (types === undefined || types.includes(emit.event.type))
    );
  }
}
