import { type AnyStateMachine, fromPromise } from 'xstate';
import { parseDuration } from '../runtime/duration.js';
import { type ActivityInfo, activityInfo } from '../runtime/effects/activity-info.js';
import { createEngineWithInternals } from '../runtime/engine.js';
import type { Engine, EngineOptions, MachineRegistration } from '../runtime/types.js';
import { memoryStore } from '../store/memory/memory-store.js';
import type { Store } from '../store/types.js';
import { SimulatedClock } from './simulated-clock.js';

/** Replaces an invoked promise actor in tests. */
export interface ActivityFake {
  /** What the activity does instead (default: the real implementation). */
  readonly run?: (input: unknown, info: ActivityInfo) => unknown;
  /** Attempt numbers (1-based) that fail with an error before `run` is called. */
  readonly failOn?: readonly number[];
}

export interface ActivityCall extends ActivityInfo {
  readonly input: unknown;
}

export interface TestEngineOptions extends Omit<EngineOptions, 'store' | 'clock' | 'dispatch'> {
  /** Default: a fresh memoryStore(). */
  readonly store?: Store;
  /** Simulated start time. Default 2026-01-01T00:00:00Z. */
  readonly start?: number | Date;
  /** Fakes for promise actors, by their `setup({ actors })` name. */
  readonly fakes?: Readonly<Record<string, ActivityFake>>;
}

export interface TestEngine {
  readonly engine: Engine;
  /** The store under the engine, to inspect rows or stage what a crash leaves behind. */
  readonly store: Store;
  readonly clock: SimulatedClock;
  /**
   * Moves simulated time forward, firing every timer and running every effect
   * (activities, retries, actions, emits) that falls due on the way, in order,
   * each at its own due time.
   */
  advanceBy(duration: string | number): Promise<void>;
  /** Runs everything due now until nothing is left (effects that cause effects included). */
  settle(): Promise<void>;
  /** Calls made to a faked activity, in order. */
  calls(src: string): ActivityCall[];
  close(): Promise<void>;
}

const MAX_ROUNDS = 100_000;

/**
 * An engine on a simulated clock with effects driven by the test: a machine
 * with a 48-hour timeout is tested in milliseconds.
 *
 * @example
 * const t = await createTestEngine({ machines: [orderMachine] });
 * await t.engine.create('order', 'o1', { input: { total: 40 } });
 * await t.advanceBy('48h');
 * expect((await t.engine.get('order', 'o1')).value).toBe('cancelled');
 */
export async function createTestEngine(options: TestEngineOptions): Promise<TestEngine> {
  const clock = new SimulatedClock(options.start);
  const calls = new Map<string, ActivityCall[]>();
  const machines = options.machines.map((m) => withFakes(m, options.fakes ?? {}, calls));
  const { store: given, start: _start, fakes: _fakes, ...rest } = options;
  const store = given ?? memoryStore();
  const internals = await createEngineWithInternals({
    random: () => 1,
    ...rest,
    machines,
    store,
    clock,
    dispatch: 'manual',
  });

  const settle = async (): Promise<void> => {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      await internals.runDue();
      const next = await internals.nextDue();
      if (next === undefined || next > clock.now()) return;
    }
    throw new Error('settle(): effects keep falling due without end (a retry or timer loop?)');
  };

  return {
    engine: internals.engine,
    store,
    clock,
    settle,
    async advanceBy(duration) {
      const target = clock.now() + parseDuration(duration);
      await settle();
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const next = await internals.nextDue();
        if (next === undefined || next > target) break;
        clock.set(next);
        await settle();
      }
      clock.set(target);
      await settle();
    },
    calls: (src) => [...(calls.get(src) ?? [])],
    close: () => internals.engine.close(),
  };
}

function withFakes(
  item: AnyStateMachine | MachineRegistration,
  fakes: Readonly<Record<string, ActivityFake>>,
  calls: Map<string, ActivityCall[]>,
): AnyStateMachine | MachineRegistration {
  const registration: MachineRegistration = 'root' in item ? { machine: item } : item;
  const actors = registration.machine.implementations.actors as Record<string, unknown>;
  const replaced: Record<string, unknown> = {};
  for (const [src, fake] of Object.entries(fakes)) {
    const original = actors[src] as { config?: (args: object) => unknown } | undefined;
    if (!original) continue;
    replaced[src] = fromPromise(async (args: { input: unknown }) => {
      const info = activityInfo(args) ?? { idempotencyKey: 'outside-stator', attempt: 1 };
      const list = calls.get(src) ?? [];
      list.push({ ...info, input: args.input });
      calls.set(src, list);
      if (fake.failOn?.includes(info.attempt)) {
        throw new Error(`${src} failed on attempt ${info.attempt} (ActivityFake.failOn)`);
      }
      return fake.run ? fake.run(args.input, info) : original.config?.(args);
    });
  }
  if (Object.keys(replaced).length === 0) return item;
  return { ...registration, machine: registration.machine.provide({ actors: replaced as never }) };
}
