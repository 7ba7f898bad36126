/**
 * Every id Stator builds from the parts of an instance's history, in one place.
 * Ids are stable: the same parts give the same id in every process, on every
 * retry and after every restart, which is what makes them idempotency keys.
 * Effect ids are branded so a transition id or a plain string cannot be passed
 * where an effect's key is meant.
 */
import type { Brand } from './types.js';

/** An effect's id, `<machine>/<id>/<seq>/<index>`: also the key it runs under. */
export type EffectId = Brand<string, 'EffectId'>;

/** The id of an instance's key: what every id below starts with. */
interface Key {
  readonly machine: string;
  readonly id: string;
}

export const ids = {
  /** The n-th outbox effect (activity, action, send, child start/stop) of the transition at `seq`. */
  effect: (key: Key, seq: number, index: number): EffectId =>
    `${key.machine}/${key.id}/${seq}/${index}` as EffectId,
  /** The n-th emit of the transition at `seq`. */
  emit: (key: Key, seq: number, index: number): string =>
    `${key.machine}/${key.id}/${seq}/e${index}`,
  /** The audit entry of the transition at `seq`. */
  transition: (key: Key, seq: number): string => `${key.machine}/${key.id}/${seq}`,
  /** The audit entry of a rejected event: unique per rejection (`unique` is random). */
  rejection: (key: Key, unique: string): string => `${key.machine}/${key.id}/rejected/${unique}`,
  /** The audit entry of a delayed send another instance received. */
  delayedSend: (key: Key, timerId: string, setBySeq: number): string =>
    `${key.machine}/${key.id}/timer/${timerId}/${setBySeq}`,
  /** The key a delayed send to another instance is delivered under. */
  delayedSendKey: (key: Key, timerId: string, setBySeq: number): string =>
    `timer/${key.machine}/${key.id}/${timerId}/${setBySeq}`,
  /** The key an activity's result is delivered under: one result per effect. */
  activityResult: (effectId: string): string => `${effectId}/result`,
  /** A timer XState gave no id (a delayed raise or send): by the step's seq and the action's place. */
  anonymousTimer: (seq: number, index: number): string => `delayed.${seq}.${index}`,
  /**
   * A durable child machine's instance id: parent machine, parent id and the
   * child's id there; `@<n>` for the n-th spawn of that child id (n > 1).
   */
  child: (parent: Key, childId: string, generation = 1): string =>
    `${parent.machine}~${parent.id}~${childId}${generation > 1 ? `@${generation}` : ''}`,
} as const;
