import {
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  assign,
  type EventObject,
} from 'xstate';

/**
 * The commonest step of a long-lived entity, and of a replay of its history:
 * one enabled transition without a target whose actions are all `assign`
 * (an `AddItem`, an `UpdateAddress`, a heartbeat). No state is exited or
 * entered, nothing is raised, sent or spawned: XState's whole result is the
 * snapshot with its context updated. This computes exactly that, as XState's
 * `resolveAssign` does (each assigner sees the context the previous one left,
 * with the action's params), without its macrostep, which for this step
 * builds a new state value, tag set and snapshot per assign and searches the
 * configuration for eventless transitions.
 *
 * Anything else returns `undefined` and the caller runs XState's transition:
 * a target, several transitions, an action that is not a built-in `assign`,
 * `always` transitions anywhere in the configuration (a changed context may
 * enable them), a status other than active, a falsy context, the events
 * XState's macrostep treats apart, and an assigner that calls `spawn` (XState
 * then creates a child; that transition is XState's from then on). Equality
 * with XState's result is checked by `context-step.property.test.ts` on
 * generated machines, and by `context-step.test.ts` on the edge cases.
 */
export function contextStep(
  snapshot: AnyMachineSnapshot,
  event: EventObject,
  transitions: readonly Transition[],
  scope: AnyActorScope,
): AnyMachineSnapshot | undefined {
  if (transitions.length !== 1 || snapshot.status !== 'active' || SPECIAL.has(event.type)) {
    return undefined;
  }
  const transition = transitions[0] as Transition;
  const assigns = assignsOf(snapshot.machine, transition);
  // XState's assign throws on any falsy context.
  if (!assigns || hasEventless(snapshot) || !snapshot.context) return undefined;
  const spawnsBefore = spawnCalls;
  let context = snapshot.context as Record<string, unknown>;
  for (const { action, assignment } of assigns) {
    const params = paramsOf(action, context, event);
    const args = { context, event, spawn: refusedSpawn, self: scope.self, system: scope.system };
    let partial: unknown;
    try {
      partial =
        typeof assignment === 'function'
          ? assignment(args, params)
          : byProperty(assignment, args, params);
    } catch (error) {
      // A refused spawn, also one the assigner caught and threw again as its own error.
      if (error === REFUSED || spawnCalls !== spawnsBefore) return spawns(transition);
      throw error;
    }
    // A spawn caught inside the assigner still means XState would have made a child.
    if (spawnCalls !== spawnsBefore) return spawns(transition);
    context = Object.assign({}, context, partial);
  }
  // XState's snapshot for the same nodes: value, tags, children and history as they were.
  return { ...snapshot, context } as AnyMachineSnapshot;
}

/** A transition as `machine.getTransitionData` gives it (the fields read here). */
export interface Transition {
  readonly target?: readonly unknown[] | undefined;
  readonly reenter?: boolean;
  readonly actions: readonly unknown[];
}

/** One of a transition's actions that is a built-in `assign`, with what it assigns. */
interface Assign {
  readonly action: unknown;
  readonly assignment: Assignment;
}
type Assigner = (args: unknown, params: unknown) => unknown;
type Assignment = Assigner | Record<string, unknown>;

/** XState's resolver of `assign`: how a built-in assign is told from any other action. */
const RESOLVE_ASSIGN = (assign({}) as unknown as { resolve: unknown }).resolve;
const REFUSED = Symbol('spawn refused');

/** Calls of `refusedSpawn` so far: an assigner that catches the refusal is still seen. */
let spawnCalls = 0;
function refusedSpawn(): never {
  spawnCalls++;
  throw REFUSED;
}

/** Per transition (actions are resolved against the machine the transition belongs to). */
const assignsCache = new WeakMap<object, readonly Assign[] | null>();

/**
 * A transition whose assigners spawn is left to XState from then on. The
 * assigners that ran before the spawn run again in XState's step: assigners
 * are pure (replay runs them again too), so this changes nothing but time.
 */
function spawns(transition: Transition): undefined {
  assignsCache.set(transition, null);
  return undefined;
}

/** Events XState's macrostep treats apart (`xstate.init` selects no transition; stop stops). */
const SPECIAL = new Set(['xstate.init', 'xstate.stop']);

function assignsOf(machine: AnyStateMachine, transition: Transition): readonly Assign[] | null {
  let assigns = assignsCache.get(transition);
  if (assigns === undefined) {
    assigns = resolveAssigns(machine, transition);
    assignsCache.set(transition, assigns);
  }
  return assigns;
}

function resolveAssigns(machine: AnyStateMachine, transition: Transition): Assign[] | null {
  if (transition.target !== undefined || transition.reenter || transition.actions.length === 0) {
    return null;
  }
  // A macrostep limit below 1 makes XState throw on every step of the machine.
  if (((machine.options as { maxIterations?: number } | undefined)?.maxIterations ?? 1) < 1) {
    return null;
  }
  const named = machine.implementations.actions as Record<string, unknown>;
  const assigns: Assign[] = [];
  for (const action of transition.actions) {
    // As XState resolves an action: an inline function, or an implementation by name.
    const resolved =
      typeof action === 'function'
        ? action
        : named[typeof action === 'string' ? action : (action as { type: string }).type];
    const builtin = resolved as { resolve?: unknown; assignment?: Assignment } | undefined;
    if (!builtin || builtin.resolve !== RESOLVE_ASSIGN || builtin.assignment === undefined) {
      return null;
    }
    assigns.push({ action, assignment: builtin.assignment });
  }
  return assigns;
}

/** The action's params as XState evaluates them: static, or a function of context and event. */
function paramsOf(action: unknown, context: unknown, event: EventObject): unknown {
  if (typeof action !== 'object' || action === null || !('params' in action)) return undefined;
  const params = (action as { params: unknown }).params;
  return typeof params === 'function' ? params({ context, event }) : params;
}

function byProperty(assignment: Record<string, unknown>, args: unknown, params: unknown) {
  const partial: Record<string, unknown> = {};
  for (const key of Object.keys(assignment)) {
    const value = assignment[key];
    partial[key] = typeof value === 'function' ? (value as Assigner)(args, params) : value;
  }
  return partial;
}

/** Per configuration: XState keeps the `_nodes` array of a snapshot whose states did not change. */
const eventlessCache = new WeakMap<object, boolean>();

function hasEventless(snapshot: AnyMachineSnapshot): boolean {
  const nodes = (snapshot as unknown as { _nodes: readonly { always?: unknown }[] })._nodes;
  let found = eventlessCache.get(nodes);
  if (found === undefined) {
    found = nodes.some((node) => node.always !== undefined);
    eventlessCache.set(nodes, found);
  }
  return found;
}
