import type { EventObject } from 'xstate';
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
}

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
): Effect[] {
  const effects: Effect[] = [];
  actions.forEach((action, index) => {
    const effect = toEffect(action, at, ids.anonymousTimer(seq, index), () =>
      identify(action, index),
    );
    if (effect) effects.push(effect);
  });
  return effects;
}

function toEffect(
  action: CollectedAction,
  at: number,
  fallbackId: string,
  identify: () => ActionIdentity,
): Effect | undefined {
  const params = isRecord(action.params) ? action.params : {};
  switch (action.type) {
    case 'xstate.raise': {
      // An immediate raise was already processed inside the macrostep.
      if (typeof params.delay !== 'number') return undefined;
      return timerSet(params, at, fallbackId, 'self');
    }
    case 'xstate.sendTo': {
      const target = String(params.targetId ?? (params.to as ActorRefLike | undefined)?.id ?? '');
      if (typeof params.delay === 'number') return timerSet(params, at, fallbackId, target);
      return { kind: 'send', target, event: params.event as EventObject };
    }
    case 'xstate.cancel':
      return { kind: 'timer.cancel', timerId: String(params.sendId) };
    case 'xstate.spawnChild':
      return {
        kind: 'activity.start',
        activityId: String(params.id),
        src: typeof params.src === 'string' ? params.src : String(params.id),
        input: params.input ?? null,
      };
    case 'xstate.stopChild': {
      const ref = action.params as ActorRefLike & { src?: unknown };
      return typeof ref.src === 'string'
        ? { kind: 'activity.stop', activityId: String(ref.id), src: ref.src }
        : { kind: 'activity.stop', activityId: String(ref.id) };
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
