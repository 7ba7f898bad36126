import type { AnyActorScope, AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { restoreSpawnCounts, setSpawnCounts, spawnCounts, withSpawnCounts } from './children.js';
import { contextStep, type Transition } from './context-step.js';
import {
  type ActionIdentity,
  type CollectedAction,
  ENQUEUED_PLACE,
  SPAWNED,
  toEffects,
} from './effects.js';
import { runAt } from './event-time.js';
import { type InlineActions, inlineActions } from './inline.js';
import { type Collected, StepScopes } from './step-scope.js';
import type { Effect } from './types.js';

/** Where a step happens: the event's recorded time and the sequence it will get. */
export interface StepEnv {
  readonly at: number;
  readonly seq: number;
}

export interface Applied {
  readonly accepted: true;
  readonly snapshot: AnyMachineSnapshot;
  readonly effects: Effect[];
}

export type StepOutcome = Applied | { readonly accepted: false };

/**
 * The pure step over one XState machine: `(snapshot, event) -> (snapshot', effects)`.
 * Actions are collected, never executed; time comes from the event (`eventTime()`).
 * A throwing guard or assign, or a step that leaves the machine in XState's error
 * status, throws: the caller records nothing.
 */
export interface Stepper {
  readonly machine: AnyStateMachine;
  initial(input: unknown, env: StepEnv): Applied;
  next(snapshot: AnyMachineSnapshot, event: EventObject, env: StepEnv): StepOutcome;
  /** JSON-safe form of a snapshot (XState's persisted snapshot). */
  persist(snapshot: AnyMachineSnapshot): unknown;
  restore(persisted: unknown): AnyMachineSnapshot;
  /** The machine's inline action functions, by their place in the chart. */
  readonly inline: InlineActions;
  /**
   * The actions a step collects, in order, as XState gives them (with the
   * functions they run): how an action made while the step ran (an inline
   * function given to `enqueue`) is found again after commit. `snapshot`
   * undefined: the creation step, `event` carrying the `input`.
   */
  collectedActions(
    snapshot: AnyMachineSnapshot | undefined,
    event: EventObject & { input?: unknown },
    env: StepEnv,
  ): CollectedAction[];
}

/** The event that stops an instance (sent to durable children when their parent stops them). */
export const STOP = 'xstate.stop';

const NOT_ACCEPTED: StepOutcome = Object.freeze({ accepted: false });

export function createStepper(machine: AnyStateMachine): Stepper {
  const scopes = new StepScopes();
  const inline = inlineActions(machine);
  const named = machine.implementations.actions as Record<string, unknown>;
  /** Named actions run by name; inline functions by their place (see `ActionEffect.inline`). */
  const identify = (action: CollectedAction, index: number): ActionIdentity => {
    const exec = action.exec;
    if (typeof exec !== 'function') return undefined;
    const place = inline.placeOf(exec);
    if (place !== undefined) return place;
    if (named[action.type] === exec) return undefined;
    return `${ENQUEUED_PLACE}${index}`;
  };

  const gather = <T>(
    env: StepEnv,
    before: AnyMachineSnapshot | undefined,
    run: (scope: AnyActorScope) => T,
  ): [T, Collected] => runAt(env.at, () => scopes.collect(before, `x:${env.seq}.`, run));
  const collect = <T extends AnyMachineSnapshot>(
    env: StepEnv,
    before: AnyMachineSnapshot | undefined,
    run: (scope: AnyActorScope) => T,
  ): [T, Effect[]] => {
    const [result, collected] = gather(env, before, run);
    setSpawnCounts(result, collected.counts);
    return [result, toEffects(collected.actions, env.at, env.seq, identify, collected.self)];
  };

  const transition = (snapshot: AnyMachineSnapshot, event: EventObject, env: StepEnv): Applied => {
    const [next, effects] = collect(env, snapshot, (scope) =>
      machine.transition(snapshot, event, scope),
    );
    return { accepted: true, snapshot: checked(next), effects };
  };

  return {
    machine,
    initial(input, env) {
      const [snapshot, effects] = collect(env, undefined, (scope) =>
        machine.getInitialSnapshot(scope, input),
      );
      return { accepted: true, snapshot: checked(snapshot), effects };
    },
    next(snapshot, event, env) {
      // xstate.stop (a parent stopping a durable child) is handled by every machine.
      if (event.type === STOP) return transition(snapshot, event, env);
      return runAt(env.at, () => {
        // As `snapshot.can(event)`, keeping the transitions it found for `contextStep`.
        const transitions = enabled(snapshot, event);
        if (!transitions) return NOT_ACCEPTED;
        // A context-only step needs the scope's self and system, not its collection of actions
        // (it has none) or child ids (it spawns none): the shared scope, when a step would use
        // it. A snapshot with children under a systemId (a scope of its own) goes to XState.
        const scope = scopes.shared(snapshot);
        const quick = scope && contextStep(snapshot, event, transitions, scope);
        if (!quick) return transition(snapshot, event, env);
        setSpawnCounts(quick, spawnCounts(snapshot));
        return { accepted: true, snapshot: quick, effects: [] };
      });
    },
    persist(snapshot) {
      return withSpawnCounts(machine.getPersistedSnapshot(snapshot), snapshot);
    },
    restore(persisted) {
      const scope = scopes.forRestore();
      const snapshot = machine.restoreSnapshot(persisted as never, scope) as AnyMachineSnapshot;
      restoreSpawnCounts(snapshot, persisted);
      return snapshot;
    },
    inline,
    collectedActions(snapshot, event, env) {
      const [, collected] = snapshot
        ? gather(env, snapshot, (scope) => machine.transition(snapshot, event, scope))
        : gather(env, undefined, (scope) => machine.getInitialSnapshot(scope, event.input));
      // As `toEffects` counts positions: XState's actions, not the child creations recorded.
      return collected.actions.filter((action) => action.type !== SPAWNED);
    },
  };
}

/** The transitions `event` enables, when at least one has a target or actions (else undefined). */
function enabled(snapshot: AnyMachineSnapshot, event: EventObject): Transition[] | undefined {
  const transitions = snapshot.machine.getTransitionData(snapshot as never, event) as Transition[];
  return transitions.some((t) => t.target !== undefined || t.actions.length > 0)
    ? transitions
    : undefined;
}

function checked<T extends AnyMachineSnapshot>(snapshot: T): T {
  if (snapshot.status === 'error') throw snapshot.error;
  return snapshot;
}
