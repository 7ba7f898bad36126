import {
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  createActor,
  type EventObject,
} from 'xstate';
import { allStateNodes } from './durable-check.js';
import { type ActionIdentity, type CollectedAction, ENQUEUED_PLACE, toEffects } from './effects.js';
import { runAt } from './event-time.js';
import { type InlineActions, inlineActions } from './inline.js';
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

export function createStepper(machine: AnyStateMachine): Stepper {
  const scopes = scopeSource(machine);
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

  const gather = <T>(env: StepEnv, run: (scope: AnyActorScope) => T): [T, CollectedAction[]] => {
    const actions: CollectedAction[] = [];
    const scope = scopes();
    scope.actionExecutor = (action) => {
      actions.push(action);
    };
    const result = runAt(env.at, () => run(scope));
    return [result, actions];
  };
  const collect = <T>(env: StepEnv, run: (scope: AnyActorScope) => T): [T, Effect[]] => {
    const [result, actions] = gather(env, run);
    return [result, toEffects(actions, env.at, env.seq, identify)];
  };

  return {
    machine,
    initial(input, env) {
      const [snapshot, effects] = collect(env, (scope) => machine.getInitialSnapshot(scope, input));
      return { accepted: true, snapshot: checked(snapshot), effects };
    },
    next(snapshot, event, env) {
      // xstate.stop (a parent stopping a durable child) is handled by every machine.
      const accepted = event.type === STOP || runAt(env.at, () => snapshot.can(event));
      if (!accepted) return { accepted: false };
      const [next, effects] = collect(env, (scope) => machine.transition(snapshot, event, scope));
      return { accepted: true, snapshot: checked(next), effects };
    },
    persist(snapshot) {
      return machine.getPersistedSnapshot(snapshot);
    },
    restore(persisted) {
      return machine.restoreSnapshot(persisted as never, scopes()) as AnyMachineSnapshot;
    },
    inline,
    collectedActions(snapshot, event, env) {
      const [, actions] = snapshot
        ? gather(env, (scope) => machine.transition(snapshot, event, scope))
        : gather(env, (scope) => machine.getInitialSnapshot(scope, event.input));
      return actions;
    },
  };
}

function checked(snapshot: AnyMachineSnapshot): AnyMachineSnapshot {
  if (snapshot.status === 'error') throw snapshot.error;
  return snapshot;
}

/**
 * XState's own `transition()` builds a throwaway actor per call (~20 µs). A scope
 * reused per machine costs nothing, but actors with a `systemId` register in the
 * scope's system and would collide across steps; such machines get a fresh scope
 * each time.
 */
function scopeSource(machine: AnyStateMachine): () => AnyActorScope {
  if (usesSystemIds(machine)) return () => inertScope(machine);
  const shared = inertScope(machine);
  return () => shared;
}

function inertScope(machine: AnyStateMachine): AnyActorScope {
  const self = createActor(machine);
  return {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: () => {},
  } as unknown as AnyActorScope;
}

function usesSystemIds(machine: AnyStateMachine): boolean {
  for (const node of allStateNodes(machine)) {
    const invokes = ([] as { systemId?: unknown }[]).concat(node.config.invoke ?? []);
    if (invokes.some((i) => i.systemId !== undefined)) return true;
  }
  return false;
}
