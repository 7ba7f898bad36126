import type { EventObject } from 'xstate';
import { childGeneration } from './children.js';
import { ids } from './ids.js';
import type { Effect } from './types.js';

/** The part of XState's ExecutableActionObject we read. */
export interface CollectedAction {
  readonly type: string;
  readonly params?: unknown;
  /** The function XState would run: a named implementation, an inline function, a built-in's. */
  readonly exec?: unknown;
}

/**
 * How a custom action is found again after commit: `undefined` by its name in
 * `setup({ actions })`, else the place of its inline function (`ActionEffect.inline`).
 */
export type ActionIdentity = string | undefined;

/**
 * The place of an inline function made while the step ran (given to `enqueue`
 * inside `enqueueActions`): `enqueued/<n>`, the n-th action the step collected.
 * Steps are deterministic, so running the step again finds the same function.
 */
export const ENQUEUED_PLACE = 'enqueued/';

interface ActorRefLike {
  readonly id: string;
  readonly src?: unknown;
  readonly options?: { readonly input?: unknown };
}

/** The send target that means "this instance's parent". */
export const PARENT_TARGET = '#parent';

/** The stand-in for an instance's parent in a step (`sendParent`, `#_parent`): sends to it go there. */
export const PARENT_REF: ActorRefLike = Object.freeze({
  id: PARENT_TARGET,
  sessionId: PARENT_TARGET,
});

/**
 * The pseudo-action a step records when XState creates a child actor (its
 * params: the ref). An invoke's `xstate.spawnChild` follows it and says the
 * rest; a `spawn()` inside `assign` has no action of its own, so this one
 * becomes its start.
 */
export const SPAWNED = 'stator.spawned';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** XState actions that have no effect outside the step (already applied, or only logging). */
const INTERNAL_ACTIONS = new Set(['xstate.assign', 'xstate.log', 'xstate.enqueueActions']);

/**
 * Turns the actions XState collected during one step into effects as data.
 * `at` is the event's recorded time (timers are due at `at + delay`); `seq` and
 * the action's position name timers that XState did not give an id.
 */
export function toEffects(
  actions: readonly CollectedAction[],
  at: number,
  seq: number,
  identify: (action: CollectedAction, index: number) => ActionIdentity = () => undefined,
  /** The step scope's stand-in `self`: sends to it are sends to the instance. */
  self?: unknown,
): Effect[] {
  const effects: Effect[] = [];
  // Children an action starts (invoke, spawnChild) start there; the others were spawned in assign.
  const started = new Set<unknown>();
  for (const action of actions) {
    if (action.type === 'xstate.spawnChild' && isRecord(action.params)) {
      started.add(action.params.actorRef);
    }
  }
  // Positions count XState's actions only (not SPAWNED): timer ids and inline places use them.
  let index = 0;
  for (const action of actions) {
    if (action.type === SPAWNED) {
      if (!started.has(action.params)) effects.push(spawned(action.params as ActorRefLike));
      continue;
    }
    const position = index++;
    const effect = toEffect(
      action,
      at,
      ids.anonymousTimer(seq, position),
      () => identify(action, position),
      self,
    );
    if (effect) effects.push(effect);
  }
  return effects;
}

/** Where a send goes: `self`, the parent, or a child's id (with its generation). */
function targetOf(to: unknown, self: unknown): { target: string; generation?: number } {
  if (to === self && self !== undefined) return { target: 'self' };
  if (to === PARENT_REF) return { target: PARENT_TARGET };
  if (typeof to === 'string') return { target: to };
  const ref = to as ActorRefLike | undefined;
  const generation = childGeneration(ref);
  return generation > 1
    ? { target: String(ref?.id ?? ''), generation }
    : { target: String(ref?.id ?? '') };
}

function withGeneration<T extends object>(effect: T, ref: unknown): T {
  const generation = childGeneration(ref);
  return generation > 1 ? { ...effect, generation } : effect;
}

function spawned(ref: ActorRefLike): Effect {
  return withGeneration<Effect>(
    {
      kind: 'activity.start',
      activityId: ref.id,
      src: typeof ref.src === 'string' ? ref.src : ref.id,
      input: ref.options?.input ?? null,
    },
    ref,
  );
}

function toEffect(
  action: CollectedAction,
  at: number,
  fallbackId: string,
  identify: () => ActionIdentity,
  self: unknown,
): Effect | undefined {
  const params = isRecord(action.params) ? action.params : {};
  switch (action.type) {
    case 'xstate.raise': {
      // An immediate raise was already processed inside the macrostep.
      if (typeof params.delay !== 'number') return undefined;
      return timerSet(params, at, fallbackId, 'self');
    }
    case 'xstate.sendTo': {
      const { target, generation } = targetOf(params.to ?? params.targetId, self);
      if (typeof params.delay === 'number') return timerSet(params, at, fallbackId, target);
      const send = { kind: 'send', target, event: params.event as EventObject } as const;
      return generation === undefined ? send : { ...send, generation };
    }
    case 'xstate.cancel':
      return { kind: 'timer.cancel', timerId: String(params.sendId) };
    case 'xstate.spawnChild': {
      const ref = params.actorRef as ActorRefLike | undefined;
      const activityId = ref?.id ?? String(params.id);
      return withGeneration<Effect>(
        {
          kind: 'activity.start',
          activityId,
          src: typeof params.src === 'string' ? params.src : activityId,
          input: params.input ?? null,
        },
        ref,
      );
    }
    case 'xstate.stopChild': {
      const ref = action.params as ActorRefLike | undefined;
      if (!ref) return undefined; // XState found no such child: nothing to stop
      const stop =
        typeof ref.src === 'string'
          ? ({ kind: 'activity.stop', activityId: String(ref.id), src: ref.src } as const)
          : ({ kind: 'activity.stop', activityId: String(ref.id) } as const);
      return withGeneration<Effect>(stop, ref);
    }
    case 'xstate.emit':
      return { kind: 'emit', event: params.event as EventObject };
    default:
      if (INTERNAL_ACTIONS.has(action.type) || action.type.startsWith('xstate.')) return undefined;
      {
        const inline = identify();
        const params = action.params ?? null;
        return inline === undefined
          ? { kind: 'action', type: action.type, params }
          : { kind: 'action', type: action.type, params, inline };
      }
  }
}

function timerSet(
  params: Record<string, unknown>,
  at: number,
  fallbackId: string,
  target: string,
): Effect {
  const delay = params.delay as number;
  return {
    kind: 'timer.set',
    timerId: typeof params.id === 'string' ? params.id : fallbackId,
    delay,
    dueAt: at + delay,
    event: params.event as EventObject,
    target,
  };
}
